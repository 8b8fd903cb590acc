"""SIRI Lite against hostile answers: a bad visit is rejected with its reason, never the run (issue 9, defects 2
and 5); a document unusable as a whole is a FeedFormatError."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from poche_common.errors import FeedFormatError
from transit_siri_lite.parser import ParsedFeed, parse_feed

RECEIVED = dt.datetime(2026, 11, 30, 7, 30, 5, tzinfo=dt.UTC)


def visit(trip: Any = "1-sem-003", stop: Any = "sees-cathedrale", **call: Any) -> dict[str, Any]:
    monitored = {"StopPointRef": stop, "ExpectedDepartureTime": "2026-11-30T08:55:00+01:00"} | call
    return {
        "RecordedAtTime": "2026-11-30T08:29:41+01:00",
        "MonitoredVehicleJourney": {
            "FramedVehicleJourneyRef": {"DataFrameRef": "2026-11-30", "DatedVehicleJourneyRef": trip},
            "MonitoredCall": monitored,
        },
    }


def answer(*visits: dict[str, Any]) -> bytes:
    delivery = {"StopMonitoringDelivery": [{"MonitoredStopVisit": list(visits)}]}
    return json.dumps({"Siri": {"ServiceDelivery": delivery}}).encode()


def parse(data: bytes) -> ParsedFeed:
    return parse_feed(data, received_at=RECEIVED)


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "1970-01-01T00:00:00Z", "2150-01-01T00:00Z"]
)
def test_a_time_out_of_bounds_rejects_its_visit_only(moment: str) -> None:
    parsed = parse(answer(visit("bad", ExpectedDepartureTime=moment), visit("good")))
    assert [t.trip_id for t in parsed.trips] == ["good"]
    assert [(r.visit, r.trip_id) for r in parsed.rejected] == [("livraison 1, passage 1", "bad")]
    assert "bornes" in parsed.rejected[0].reason


def test_an_out_of_bounds_service_date_is_not_used() -> None:
    data = answer(visit("good"))
    data = data.replace(b'"2026-11-30"', b'"0001-01-01"')
    [trip] = parse(data).trips
    assert trip.service_date == "2026-11-30"  # from the times, not from a DataFrameRef out of bounds


@pytest.mark.parametrize(
    ("trip", "reason"),
    [("x" * 1500, "trop long"), ("a\x85b", "contrôle"), ("a\ud800b", "invalide"), ("😀" * 150, "octets")],
)
def test_an_unusable_trip_id_rejects_its_visit_with_the_shared_reason(trip: str, reason: str) -> None:
    parsed = parse(answer(visit(trip), visit("good")))
    assert [t.trip_id for t in parsed.trips] == ["good"]
    assert reason in parsed.rejected[0].reason


def test_an_unusable_stop_id_rejects_its_visit() -> None:
    parsed = parse(answer(visit(stop="s" * 1500), visit("good")))
    assert [t.trip_id for t in parsed.trips] == ["good"]
    assert "trop long" in parsed.rejected[0].reason


def test_an_order_with_thousands_of_digits_is_ignored_not_a_crash() -> None:
    parsed = parse(answer(visit("a", Order="1" * 5000), visit("good")))
    assert sorted(t.trip_id for t in parsed.trips) == ["a", "good"]


def test_a_number_with_thousands_of_digits_is_a_feed_format_error() -> None:
    data = b'{"Siri": {"ServiceDelivery": {"StopMonitoringDelivery": [{"Order": ' + b"1" * 5000 + b"}]}}}"
    with pytest.raises(FeedFormatError):
        parse(data)


@pytest.mark.parametrize("depth", [100_000, 200])
def test_a_document_nested_too_deep_is_a_feed_format_error(depth: int) -> None:
    """100,000 `[` raised RecursionError: no run record, retries, then the dead-letter queue."""
    with pytest.raises(FeedFormatError, match=r"profond|niveaux"):
        parse(b'{"Siri": {"ServiceDelivery": {"StopMonitoringDelivery": ' + b"[" * depth + b"]" * depth + b"}}}")


def test_a_service_date_derived_out_of_bounds_rejects_the_visit() -> None:
    """Found by the property tests: a departure at 01:30 (Paris) on 1 January 2000 belongs to the service day
    1999-12-31, out of bounds."""
    late = visit("early", ExpectedDepartureTime="2000-01-01T01:30:00+01:00")
    late["MonitoredVehicleJourney"]["FramedVehicleJourneyRef"]["DataFrameRef"] = "x"
    parsed = parse(answer(late, visit("good")))
    assert [t.trip_id for t in parsed.trips] == ["good"]
    assert "bornes" in parsed.rejected[0].reason
