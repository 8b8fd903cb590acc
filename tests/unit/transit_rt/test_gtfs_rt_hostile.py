"""GTFS-Realtime against hostile entities: ids checked by the shared `poche_common.bounds.check_id`, dates and
texts bounded (issue 9, defects 2, 5 and 10)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from google.transit import gtfs_realtime_pb2 as pb

from poche_common.errors import FeedFormatError
from transit_gtfs_rt.model import ParsedFeed
from transit_gtfs_rt.parser import MAX_ALERT_DESCRIPTION, MAX_ALERT_HEADER, MAX_LABEL, MAX_URL_LENGTH, parse_feed

FEED_TIME = calendar.timegm((2026, 11, 30, 7, 30, 0))
RECEIVED = dt.datetime(2026, 11, 30, 7, 30, 20, tzinfo=dt.UTC)


def feed(*builders: Callable[[Any], None]) -> bytes:
    message = pb.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.timestamp = FEED_TIME
    for build in builders:
        build(message)
    return message.SerializePartialToString()


def trip(entity_id: str = "e1", trip_id: str = "1-sem-001", start_date: str = "20261130") -> Callable[[Any], None]:
    def build(message: Any) -> None:
        update = message.entity.add(id=entity_id).trip_update
        update.trip.trip_id = trip_id
        update.trip.start_date = start_date
        update.stop_time_update.add(stop_sequence=1, stop_id="s1").arrival.delay = 60

    return build


def alert(entity_id: str = "a1", header: str = "Déviation", description: str = "", url: str = "") -> Any:
    def build(message: Any) -> None:
        item = message.entity.add(id=entity_id).alert
        item.informed_entity.add(route_id="2")
        item.header_text.translation.add(text=header, language="fr")
        if description:
            item.description_text.translation.add(text=description, language="fr")
        if url:
            item.url.translation.add(text=url, language="fr")

    return build


def parse(data: bytes) -> ParsedFeed:
    return parse_feed(data, received_at=RECEIVED)


@pytest.mark.parametrize(
    ("trip_id", "reason"), [("x" * 1500, "trop long"), ("a\x85b", "contrôle"), ("😀" * 150, "octets")]
)
def test_an_unusable_trip_id_rejects_the_entity_with_the_shared_reason(trip_id: str, reason: str) -> None:
    parsed = parse(feed(trip("bad", trip_id), trip("good", "t-good")))
    assert [t.trip_id for t in parsed.trips] == ["t-good"]
    assert [r.entity for r in parsed.rejected] == ["bad"]
    assert reason in parsed.rejected[0].reason


def test_an_unusable_entity_id_is_shown_by_its_position() -> None:
    parsed = parse(feed(trip("x" * 1500), trip("good", "t-good")))
    assert [r.entity for r in parsed.rejected] == ["#1"]
    assert "trop long" in parsed.rejected[0].reason


@pytest.mark.parametrize("start_date", ["00010101", "99991231", "19991231"])
def test_a_start_date_out_of_bounds_rejects_the_trip(start_date: str) -> None:
    parsed = parse(feed(trip("bad", start_date=start_date), trip("good", "t-good")))
    assert [t.trip_id for t in parsed.trips] == ["t-good"]
    assert "bornes" in parsed.rejected[0].reason


def test_alert_texts_are_bounded_and_free_of_markup() -> None:
    parsed = parse(
        feed(
            alert(
                header="<b>Grève</b> &lt;img src=x onerror=alert(1)&gt;" + "h" * 5000,
                description="d" * 50_000,
                url="https://a.example/" + "u" * 5000,
            )
        )
    )
    [item] = parsed.alerts
    assert item.header.startswith("Grève ") and "<" not in item.header and len(item.header) <= MAX_ALERT_HEADER
    assert len(item.description) <= MAX_ALERT_DESCRIPTION
    assert item.url is None or len(item.url) <= MAX_URL_LENGTH


def test_vehicle_label_is_bounded() -> None:
    def build(message: Any) -> None:
        position = message.entity.add(id="v1").vehicle
        position.vehicle.id = "bus-1"
        position.vehicle.label = "<i>Bus</i>" + "l" * 5000
        position.trip.route_id = "3"
        position.position.latitude = 48.43
        position.position.longitude = 0.09

    [vehicle] = parse(feed(build)).vehicles
    assert vehicle.label is not None and len(vehicle.label) <= MAX_LABEL and vehicle.label.startswith("Bus")


@pytest.mark.parametrize("field", ["entity", "trip", "stop", "start_date", "route", "label", "header", "version"])
def test_invalid_utf8_in_a_string_field_is_rejected_not_a_crash(field: str) -> None:
    """Python's protobuf hands a proto2 string that is not UTF-8 over as bytes: `str` methods and regexes on it
    raised TypeError and stopped the run."""
    marker = {"entity": "E1", "trip": "T1", "stop": "S1", "start_date": "20261130", "route": "R1"}
    message = pb.FeedMessage()
    message.header.gtfs_realtime_version = "VV"
    message.header.timestamp = FEED_TIME
    entity = message.entity.add(id="E1")
    entity.trip_update.trip.trip_id = "T1"
    entity.trip_update.trip.start_date = "20261130"
    entity.trip_update.stop_time_update.add(stop_sequence=1, stop_id="S1").arrival.delay = 60
    vehicle = message.entity.add(id="v1").vehicle
    vehicle.vehicle.id = "bus-1"
    vehicle.vehicle.label = "LL"
    vehicle.trip.route_id = "R1"
    vehicle.position.latitude, vehicle.position.longitude = 48.43, 0.09
    item = message.entity.add(id="a1").alert
    item.informed_entity.add(route_id="2")
    item.header_text.translation.add(text="HH", language="fr")
    message.entity.add(id="good").trip_update.trip.trip_id = "t-good"
    data = message.SerializeToString()
    raw = {**marker, "label": "LL", "header": "HH", "version": "VV"}[field].encode()
    assert data.count(raw) == 1
    data = data.replace(raw, b"\xff" * len(raw))
    try:
        parsed = parse(data)
    except FeedFormatError:
        assert field == "version"
        return
    assert "t-good" in [t.trip_id for t in parsed.trips]
    for text in [t.trip_id for t in parsed.trips] + [v.vehicle_id for v in parsed.vehicles]:
        assert isinstance(text, str) and "\udcff" not in text


def test_a_service_date_guessed_out_of_bounds_rejects_the_trip() -> None:
    """Without start_date, a trip at 00:30 UTC on 1 January 2000 would belong to the service day 1999-12-31."""

    def early(message: Any) -> None:
        update = message.entity.add(id="early").trip_update
        update.trip.trip_id = "early"
        update.stop_time_update.add(stop_sequence=1, stop_id="s1").departure.time = 946_686_600  # 2000-01-01 00:30Z

    parsed = parse(feed(early, trip("good", "t-good")))
    assert [t.trip_id for t in parsed.trips] == ["t-good"]
    assert "bornes" in parsed.rejected[0].reason
