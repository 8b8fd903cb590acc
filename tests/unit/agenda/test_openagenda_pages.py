"""Unit tests of OpenAgenda's cursor pagination: next page URLs, stop conditions, bounds, the bundled pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlparse

import pytest

from agenda_openagenda.pages import page_locator, page_url, read_pages
from poche_common import sources
from poche_common.errors import FeedFormatError, FeedUnavailableError

FIRST = "https://api.openagenda.com/v2/agendas/123/events?detailed=1&relative[]=current&relative[]=upcoming&key=SECRET"


def page(uids: list[int], after: Any) -> bytes:
    return json.dumps({"total": 99, "events": [{"uid": u} for u in uids], "after": after}).encode()


class FakeApi:
    def __init__(self, pages: list[bytes]) -> None:
        self.pages = pages
        self.urls: list[str] = []

    def get(self, url: str, budget: int) -> bytes:
        self.urls.append(url)
        return self.pages[len(self.urls) - 1]


def test_page_url_replaces_the_after_parameters_and_keeps_the_others() -> None:
    url = page_url(FIRST + "&after[]=old", [1764835200000, "abc", True])
    query = parse_qsl(urlparse(url).query)
    assert query == [
        ("detailed", "1"),
        ("relative[]", "current"),
        ("relative[]", "upcoming"),
        ("key", "SECRET"),
        ("after[]", "1764835200000"),
        ("after[]", "abc"),
        ("after[]", "true"),
    ]
    assert url.startswith("https://api.openagenda.com/v2/agendas/123/events?")


def test_pages_are_followed_until_a_page_has_no_after() -> None:
    api = FakeApi([page([1, 2], [10, 2]), page([3], [20, 3]), page([4], None)])
    merged = json.loads(read_pages(FIRST, api.get))
    assert [e["uid"] for e in merged["events"]] == [1, 2, 3, 4]
    assert merged["complete"] is True and merged["pages"] == 3
    assert api.urls[0] == FIRST
    assert [v for k, v in parse_qsl(urlparse(api.urls[1]).query) if k == "after[]"] == ["10", "2"]
    assert [v for k, v in parse_qsl(urlparse(api.urls[2]).query) if k == "after[]"] == ["20", "3"]


def test_an_empty_page_ends_the_feed() -> None:
    api = FakeApi([page([1], [10, 1]), page([], [11, 1])])
    merged = json.loads(read_pages(FIRST, api.get))
    assert [e["uid"] for e in merged["events"]] == [1] and merged["complete"] is True


def test_a_repeated_cursor_stops_the_loop() -> None:
    api = FakeApi([page([1], [10, 1]), page([2], [10, 1]), page([3], None)])
    merged = json.loads(read_pages(FIRST, api.get))
    assert len(api.urls) == 2 and [e["uid"] for e in merged["events"]] == [1, 2]


def test_the_number_of_pages_is_bounded_and_the_feed_then_says_incomplete() -> None:
    api = FakeApi([page([n], [n, n]) for n in range(10)])
    merged = json.loads(read_pages(FIRST, api.get, max_pages=3))
    assert len(api.urls) == 3 and merged["complete"] is False


def test_the_total_size_is_bounded() -> None:
    api = FakeApi([page([1] * 50, [1, 1]), page([2] * 50, [2, 2]), page([3], None)])
    size = len(api.pages[0])
    with pytest.raises(FeedUnavailableError, match="larger than") as error:
        read_pages(FIRST, api.get, max_bytes=size + 10)
    assert "SECRET" not in str(error.value)


@pytest.mark.parametrize("bad", [b"not json", b'{"events": "x"}', b"[]"])
def test_a_bad_page_fails_the_whole_source_without_the_key(bad: bytes) -> None:
    api = FakeApi([page([1], [1, 1]), bad])
    with pytest.raises(FeedFormatError, match="page 2") as error:
        read_pages(FIRST, api.get)
    assert "SECRET" not in str(error.value)


def test_bundled_pages_are_the_sample_files() -> None:
    assert page_locator("bundled", 2, [1, 2]).endswith("/sample/events-page2.json")
    assert page_locator(FIRST, 1, None) == FIRST
    merged = json.loads(
        read_pages("bundled", lambda url, budget: sources.fetch(url, bundled=Path("/nowhere"), max_bytes=budget))
    )
    assert merged["pages"] == 2 and merged["complete"] is True
    assert len(merged["events"]) == 12


def test_the_key_never_shows_in_a_described_source() -> None:
    assert "SECRET" not in sources.describe(page_url(FIRST, [1, 2]))
