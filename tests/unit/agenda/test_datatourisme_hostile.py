"""DATAtourisme against hostile objects: extreme dates reject their event (9999-12-31 with an evening that ends
after midnight raised OverflowError), the document nested too deep is a FeedFormatError, texts carry no markup
and are bounded (issue 9, defects 2, 5 and 10)."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from typing import Any

import pytest

from agenda_datatourisme.parser import MAX_DESCRIPTION, MAX_SUMMARY, MAX_TITLE, parse_event, parse_feed
from poche_common.errors import FeedFormatError

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
TAG_START = re.compile(r"<[A-Za-z!/?]")


def raw_event(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "@id": "https://data.datatourisme.fr/61/abc-123",
        "@type": ["schema:Event", "Concert"],
        "rdfs:label": {"fr": ["Concert de Noël"]},
        "takesPlaceAt": [{"startDate": "2026-12-20", "endDate": "2026-12-20", "startTime": "20:30:00"}],
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    "period",
    [
        {"startDate": "9999-12-31", "startTime": "23:00", "endTime": "01:00"},
        {"startDate": "0001-01-01", "endDate": "9999-12-31", "startTime": "20:00"},
        {"startDate": "0001-01-01", "startTime": "01:00", "endTime": "00:30"},
    ],
)
def test_an_extreme_period_rejects_its_event_only(period: dict[str, str]) -> None:
    bad = raw_event(**{"@id": "https://data.datatourisme.fr/61/bad", "takesPlaceAt": [period]})
    feed = parse_feed(json.dumps([bad, raw_event()]).encode(), NOW)
    assert [e.uid for e in feed.events] == ["abc-123"]
    assert [r.uid for r in feed.rejected] == ["bad"] and "bornes" in feed.rejected[0].reason


def test_a_last_update_out_of_bounds_is_ignored() -> None:
    assert parse_event(raw_event(lastUpdate="0001-01-01T00:00:00+01:00"), NOW).updated_at is None


@pytest.mark.parametrize("depth", [100_000, 100])
def test_a_document_nested_too_deep_is_a_feed_format_error(depth: int) -> None:
    with pytest.raises(FeedFormatError):
        parse_feed(b"[" * depth + b"]" * depth, NOW)


@pytest.mark.parametrize(
    "source",
    ["&lt;img src=x onerror=alert(1)&gt;Bonjour", "<p>&amp;lt;script&amp;gt;x&amp;lt;/script&amp;gt;Bonjour</p>"],
)
def test_texts_carry_no_markup(source: str) -> None:
    event = parse_event(
        raw_event(
            **{"rdfs:label": source, "rdfs:comment": source, "hasDescription": [{"dc:description": {"fr": source}}]}
        ),
        NOW,
    )
    for text in (event.title, event.summary, event.description):
        assert text is not None and "Bonjour" in text and not TAG_START.search(text), text


def test_texts_and_urls_are_bounded() -> None:
    event = parse_event(
        raw_event(
            **{
                "rdfs:label": "t" * 5000,
                "rdfs:comment": "c" * 50_000,
                "hasDescription": [{"dc:description": "d" * 500_000}],
                "hasContact": [{"foaf:homepage": "https://a.example/" + "h" * 5000}],
            }
        ),
        NOW,
    )
    assert len(event.title) <= MAX_TITLE
    assert event.summary is not None and len(event.summary) <= MAX_SUMMARY
    assert event.description is not None and len(event.description) <= MAX_DESCRIPTION
    assert event.url is None


def test_hostile_markup_is_read_in_linear_time() -> None:
    """`<[^>]*>` backtracked over the rest of the text at every `<`."""
    started = time.process_time()
    parse_event(
        raw_event(**{"rdfs:comment": "<" * 300_000, "hasDescription": [{"dc:description": "<br" * 100_000}]}), NOW
    )
    assert time.process_time() - started < 5  # generous: the old regexes took minutes on this
