"""Unit tests of the news connector's configuration, merge and item layout, and of the service's views."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from support import fresh_import

from news.views import news_view
from news_rss.model import FeedSource, NewsItem, ParsedFeed
from news_rss.store import article_items, merge
from poche_common.clock import freshness

UTC = dt.UTC
PUBLISHED = dt.datetime(2026, 11, 28, 8, 30, tzinfo=UTC)


@pytest.fixture
def connector(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TABLE_NAME", "t")
    monkeypatch.setenv("EVENT_BUS_NAME", "b")
    return fresh_import("news_rss.handler")


def news(item_id: str, title: str = "T", source: str = "S") -> NewsItem:
    return NewsItem(item_id, title, "R", f"https://a.example/{item_id}", PUBLISHED, source)


def test_entries_are_parsed_with_their_tags(connector: Any) -> None:
    spec = connector.parse_entry(" General = https://www.orne.example/rss.xml?token=s3cret ")
    assert (spec.tag, spec.url) == ("general", "https://www.orne.example/rss.xml?token=s3cret")
    assert spec.shown == "general=https://www.orne.example/rss.xml"
    assert connector.parse_entry("61001=https://a.example/atom").tag == "61001"
    assert connector.parse_entry("61001=bundled").url == "bundled"
    assert connector.expand(["bundled"]) == ["general=bundled", "61001=bundled"]


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ("61999=https://a.example/rss", "inconnue"),  # not a commune of the territory
        ("75056=https://a.example/rss", "inconnue"),  # Paris: a commune, not of the Orne
        ("https://a.example/rss", "invalide"),
        ("general=", "invalide"),
        ("61006=bundled", "Aucun exemple"),
    ],
)
def test_bad_entries_are_configuration_errors(connector: Any, entry: str, words: str) -> None:
    with pytest.raises(connector.ConfigurationError, match=words):
        connector.parse_entry(entry)


def test_shown_never_holds_credentials(connector: Any) -> None:
    assert connector.shown("general=https://user:pw@h.example/rss?key=k") == "general=https://h.example/rss"
    assert connector.shown("https://user:pw@h.example/rss?a=b") == "https://h.example/rss"
    with pytest.raises(connector.ConfigurationError) as caught:
        connector.parse_entry("https://user:pw@h.example/rss?a=b")
    assert "pw" not in str(caught.value) and "user" not in str(caught.value)


def test_merge_keeps_the_first_content_and_every_tag() -> None:
    general = ParsedFeed("rss", "Orne", items=[news("a", "premier"), news("b"), news("a", "doublon")])
    commune = ParsedFeed("atom", "Alençon", items=[news("c"), news("a", "autre", "Alençon")])
    merged = merge([(FeedSource("general", "u", "u"), general), (FeedSource("61001", "v", "v"), commune)])
    assert [(t.item.id, t.item.title, t.tags) for t in merged] == [
        ("a", "premier", ("61001", "general")),
        ("b", "T", ("general",)),
        ("c", "T", ("61001",)),
    ]


def test_article_items_one_article_and_one_index_entry_per_tag() -> None:
    items = article_items(news("a"), ["general", "61001"])
    assert [(i["sk"], i.get("gsi1pk"), i.get("gsi1sk")) for i in items] == [
        ("ARTICLE", None, None),
        ("TAG#61001", "TAG#61001", "2026-11-28T08:30:00+00:00#a"),
        ("TAG#general", "TAG#general", "2026-11-28T08:30:00+00:00#a"),
    ]
    assert {i["expires_at"] for i in items} == {int(dt.datetime(2027, 2, 26, 8, 30, tzinfo=UTC).timestamp())}
    assert len({i["digest"] for i in items}) == 1
    assert article_items(news("a"), ["general"])[0]["digest"] != items[0]["digest"]  # tags are content


def test_news_view_shows_paris_time() -> None:
    stored = {**article_items(news("a"), ["general"])[0]}
    view = news_view(stored)
    assert view == {
        "id": "a",
        "title": "T",
        "summary": "R",
        "url": "https://a.example/a",
        "published": "2026-11-28T09:30:00+01:00",
        "source": "S",
        "tags": ["general"],
        "image": None,
        "categories": [],
    }


def test_freshness() -> None:
    now = dt.datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert freshness(None, 10800, now) == {"as_of": None, "stale": True}
    assert freshness("2026-11-29T10:00:00+00:00", 10800, now) == {"as_of": "2026-11-29T11:00:00+01:00", "stale": False}
    assert freshness("2026-11-29T08:00:00+00:00", 10800, now)["stale"] is True
