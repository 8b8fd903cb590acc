"""OpenAgenda against hostile events: an out-of-range date rejects its event (it raised OverflowError and stopped
the run), the document nested too deep is a FeedFormatError, texts carry no markup and are bounded (issue 9,
defects 2, 5 and 10)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from agenda_openagenda.pages import read_pages
from agenda_openagenda.parser import MAX_DESCRIPTION, MAX_KEYWORD, MAX_SUMMARY, parse_event, parse_feed, plain_text
from poche_common.bounds import MAX_URL_LENGTH
from poche_common.errors import FeedFormatError

TAG_START = re.compile(r"<[A-Za-z!/?]")


def raw_event(**overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "uid": 42,
        "slug": "concert-test",
        "originAgenda": {"uid": 1, "slug": "sortir-orne"},
        "title": {"fr": "Concert du soir"},
        "timings": [{"begin": "2026-12-04T20:30:00+01:00", "end": "2026-12-04T22:00:00+01:00"}],
        "location": {"name": "Salle", "insee": "61001"},
        "status": 1,
    }
    event.update(overrides)
    return event


@pytest.mark.parametrize(
    ("begin", "end"),
    [
        ("0001-01-01T00:00:00+01:00", "2026-12-04T22:00:00+01:00"),
        ("2026-12-04T20:30:00+01:00", "9999-12-31T23:59:59-01:00"),
        ("1970-01-01T00:00:00Z", "1970-01-01T01:00:00Z"),
    ],
)
def test_a_timing_out_of_bounds_rejects_its_event_only(begin: str, end: str) -> None:
    bad = raw_event(uid=43, timings=[{"begin": begin, "end": end}])
    feed = parse_feed(json.dumps({"events": [bad, raw_event()]}).encode())
    assert [e.uid for e in feed.events] == ["42"]
    assert [r.uid for r in feed.rejected] == ["43"] and "bornes" in feed.rejected[0].reason


def test_an_updated_at_out_of_bounds_is_ignored() -> None:
    assert parse_event(raw_event(updatedAt="0001-01-01T00:00:00+01:00")).updated_at is None


@pytest.mark.parametrize("depth", [100_000, 100])
def test_a_document_nested_too_deep_is_a_feed_format_error(depth: int) -> None:
    data = b'{"events": [' + b"[" * depth + b"]" * depth + b"]}"
    with pytest.raises(FeedFormatError):
        parse_feed(data)


def test_a_page_nested_too_deep_is_a_feed_format_error() -> None:
    with pytest.raises(FeedFormatError):
        read_pages("https://api.example/events", lambda url, budget: b'{"events": ' + b"[" * 100_000 + b"}")


@pytest.mark.parametrize(
    "source",
    [
        "&lt;img src=x onerror=alert(1)&gt;Bonjour",
        "<p>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;Bonjour</p>",
        "Bonjour [<img src=x onerror=alert(1)>](javascript:alert(1))",
    ],
)
def test_texts_carry_no_markup(source: str) -> None:
    event = parse_event(raw_event(description={"fr": source}, longDescription={"fr": source}, title={"fr": source}))
    for text in (event.summary, event.description, event.title):
        assert text is not None and "Bonjour" in text and not TAG_START.search(text), text


def test_texts_keywords_and_urls_are_bounded() -> None:
    event = parse_event(
        raw_event(
            description="d" * 50_000,
            longDescription="l" * 500_000,
            keywords={"fr": ["k" * 5000] * 100},
            slug="s" * 5000,
            image="https://cdn.example/" + "i" * 5000,
        )
    )
    assert event.summary is not None and len(event.summary) <= MAX_SUMMARY
    assert event.description is not None and len(event.description) <= MAX_DESCRIPTION
    assert all(len(k) <= MAX_KEYWORD for k in event.keywords)
    assert event.url is None or len(event.url) <= MAX_URL_LENGTH
    assert event.image is None


@pytest.mark.parametrize("unit", ["<", "<br", "[", "[a](", "<a<a"])
def test_plain_text_is_linear_on_hostile_markup(unit: str) -> None:
    """`<[^>]*>` and `\\[([^\\]]*)\\]\\([^)]*\\)` backtracked over the rest of the text at every `<` or `[`."""
    started = time.process_time()
    text = plain_text(unit * 200_000, MAX_DESCRIPTION)
    assert time.process_time() - started < 5  # generous: the old regexes took minutes on this
    assert text is None or len(text) <= MAX_DESCRIPTION
