"""DATEX II against hostile records: out-of-range times, unusable ids, markup and huge texts reject or clean the
record, never fail the run (issue 9, defects 2, 5 and 10)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from poche_common.errors import FeedFormatError
from traffic_datex2.model import ParsedFeed
from traffic_datex2.parser import MAX_DESCRIPTION, MAX_PLACE, MAX_ROAD_NAME, parse_feed

POINT = (
    '<groupOfLocations xsi:type="Point"><locationForDisplay><latitude>48.43</latitude>'
    "<longitude>0.09</longitude></locationForDisplay></groupOfLocations>"
)


def v2(*situations: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<d2LogicalModel xmlns="http://datex2.eu/schema/2/2_0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <payloadPublication xsi:type="SituationPublication" lang="fr">
    <publicationTime>2026-12-02T09:55:00+01:00</publicationTime>{"".join(situations)}
  </payloadPublication>
</d2LogicalModel>""".encode()


def situation(
    sid: str = "S1",
    rid: str = "R1",
    *,
    start: str = "2026-12-01T08:00:00+01:00",
    created: str = "2026-11-30T08:00:00+01:00",
    inner: str = "",
) -> str:
    return f"""<situation id="{sid}"><situationRecord id="{rid}" version="1" xsi:type="MaintenanceWorks">
  <situationRecordCreationTime>{created}</situationRecordCreationTime>
  <validity><validityStatus>active</validityStatus><validityTimeSpecification>
    <overallStartTime>{start}</overallStartTime></validityTimeSpecification></validity>
  {inner}{POINT}
</situationRecord></situation>"""


def good() -> str:
    return situation("GOOD", "G1")


@pytest.mark.parametrize(
    "start", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "1999-12-31T23:00:00Z", "2100-01-01T00:00Z"]
)
def test_a_time_out_of_bounds_rejects_its_record_only(start: str) -> None:
    feed = parse_feed(v2(situation(start=start), good()))
    assert [e.situation_id for e in feed.events] == ["GOOD"]
    assert [(r.situation_id, r.record_id) for r in feed.rejected] == [("S1", "R1")]
    assert "bornes" in feed.rejected[0].reason


def test_a_bookkeeping_time_out_of_bounds_is_ignored() -> None:
    [event] = parse_feed(v2(situation(created="0001-01-01T00:00:00+01:00"))).events
    assert event.created_at is None


def test_a_publication_time_out_of_bounds_is_ignored() -> None:
    data = v2(good()).replace(b"2026-12-02T09:55:00+01:00", b"0001-01-01T00:00:00+01:00")
    assert parse_feed(data).published_at is None


@pytest.mark.parametrize(
    ("sid", "rid", "reason"),
    [("S" * 1500, "R1", "trop long"), ("S1", "R" * 1500, "trop long"), ("S1", "R&#x85;1", "contrôle")],
)
def test_an_unusable_id_rejects_its_record(sid: str, rid: str, reason: str) -> None:
    feed = parse_feed(v2(situation(sid, rid), good()))
    assert [e.situation_id for e in feed.events] == ["GOOD"]
    assert len(feed.rejected) == 1 and reason in feed.rejected[0].reason
    assert all(len(r.ref) < 500 for r in feed.rejected)  # the report does not carry the 1,500 characters


def comment(text: str) -> str:
    value = f"<values><value lang='fr'>{text}</value></values>"
    return f"<generalPublicComment><comment>{value}</comment></generalPublicComment>"


@pytest.mark.parametrize(
    "text",
    [
        "&lt;img src=x onerror=alert(1)&gt;Chantier",
        "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;Chantier",
        "<![CDATA[<b>Chantier</b>]]>",
    ],
)
def test_comments_are_text_without_markup(text: str) -> None:
    [event] = parse_feed(v2(situation(inner=comment(text)))).events
    assert "Chantier" in event.description
    assert not re.search(r"<[A-Za-z!/?]", event.description)


def test_texts_are_bounded() -> None:
    inner = (
        comment("c" * 50_000)
        + f"<roadName><values><value>{'r' * 5000}</value></values></roadName>"
        + f"<locationDescription><values><value>{'p' * 100}</value></values></locationDescription>"
    )
    [event] = parse_feed(v2(situation(inner=inner))).events
    assert len(event.description) <= MAX_DESCRIPTION
    assert event.road_name is not None and len(event.road_name) <= MAX_ROAD_NAME
    assert all(len(place) <= MAX_PLACE for place in event.places)


def test_a_document_nested_too_deep_is_a_feed_format_error() -> None:
    deep = b"<x>" * 100_000 + b"</x>" * 100_000
    data = v2(good()).replace(b"<publicationTime>", deep + b"<publicationTime>")
    with pytest.raises(FeedFormatError, match="profond"):
        parse_feed(data)


def test_only_plain_records_come_out() -> None:
    feed: ParsedFeed = parse_feed(v2(good()))
    assert feed.events[0].start == dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC)
