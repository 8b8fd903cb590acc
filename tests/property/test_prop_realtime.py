"""Properties of the real-time parsers (SIRI Lite JSON, GTFS-Realtime protobuf) on generated feeds mixing valid
visits/entities with hostile values: the whole feed may be refused (FeedFormatError), nothing else is raised;
what comes out has usable ids, times within 2000..2100 and plain bounded texts; a valid item reads back."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import Any

from google.transit import gtfs_realtime_pb2 as pb
from hostile_strategies import (
    GOOD_MOMENTS,
    JSON_VALUES,
    VALID_IDS,
    assert_day,
    assert_id,
    assert_moment,
    assert_reason,
    assert_text,
    deep_json,
    ids,
    iso_moments,
    texts,
)
from hypothesis import example, given
from hypothesis import strategies as st

from poche_common.errors import FeedFormatError
from transit_gtfs_rt import parser as gtfs_rt
from transit_siri_lite import parser as siri

RECEIVED = dt.datetime(2026, 11, 30, 7, 30, tzinfo=dt.UTC)

# ---------------------------------------------------------------- SIRI Lite


def siri_visit(trip: Any, stop: Any, departure: Any, order: Any, frame: Any) -> dict[str, Any]:
    call: dict[str, Any] = {"StopPointRef": stop, "ExpectedDepartureTime": departure}
    if order is not None:
        call["Order"] = order
    return {
        "RecordedAtTime": "2026-11-30T08:29:41+01:00",
        "MonitoredVehicleJourney": {
            "FramedVehicleJourneyRef": {"DataFrameRef": frame, "DatedVehicleJourneyRef": trip},
            "MonitoredCall": call,
        },
    }


hostile_visits = st.one_of(
    st.builds(
        siri_visit,
        ids(surrogates=True) | JSON_VALUES,
        ids(surrogates=True) | JSON_VALUES,
        iso_moments() | JSON_VALUES,
        st.none() | st.integers() | st.just("1" * 5000) | texts(max_size=10),
        st.sampled_from(["2026-11-30", "0001-01-01", "9999-12-31", "x"]) | JSON_VALUES,
    ),
    JSON_VALUES,
)


def siri_answer(visits: list[Any]) -> bytes:
    service = {
        "ResponseTimestamp": "2026-11-30T08:30:00+01:00",
        "StopMonitoringDelivery": [{"MonitoredStopVisit": visits}],
    }
    return json.dumps({"Siri": {"ServiceDelivery": service}}).encode()


def check_siri(parsed: siri.ParsedFeed) -> None:
    for trip in parsed.trips:
        assert_id(trip.trip_id)
        assert_day(trip.service_date)
        assert trip.vehicle_id is None or siri.gtfs_id(trip.vehicle_id) == trip.vehicle_id
        for update in trip.updates:
            assert_id(update["stop_id"])
            assert_moment(update.get("arrival_time"))
            assert_moment(update.get("departure_time"))
    for rejection in parsed.rejected:
        assert_reason(rejection.reason)
        assert rejection.trip_id is None or siri.gtfs_id(rejection.trip_id) == rejection.trip_id


@given(
    st.lists(hostile_visits, max_size=6),
    st.lists(st.tuples(VALID_IDS, VALID_IDS, GOOD_MOMENTS), max_size=3, unique_by=lambda visit: visit[0]),
)
def test_siri_feeds_with_hostile_visits(hostile: list[Any], good: list[tuple[str, str, dt.datetime]]) -> None:
    valid = [siri_visit(f"good-{trip}", stop, moment.isoformat() + "+01:00", None, "x") for trip, stop, moment in good]
    try:
        parsed = siri.parse_feed(siri_answer(hostile + valid), received_at=RECEIVED)
    except FeedFormatError:
        assert not valid  # a feed with a usable visit is never refused as a whole
        return
    check_siri(parsed)
    trips = {t.trip_id: t for t in parsed.trips}
    for trip, stop, moment in good:  # round trip: each valid visit reads back with its values
        expected = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=1))).astimezone(dt.UTC)
        updates = trips[f"good-{trip}"].updates
        assert {"stop_id": stop, "departure_time": expected.isoformat(), "skipped": False} in updates


@given(st.one_of(st.binary(max_size=200), JSON_VALUES.map(lambda v: json.dumps(v).encode())))
@example(deep_json(100_000).encode())
@example(b'{"Siri": {"ServiceDelivery": {"StopMonitoringDelivery": ' + deep_json(500).encode() + b"}}}")
def test_siri_any_bytes_are_a_feed_or_a_feed_format_error(data: bytes) -> None:
    with contextlib.suppress(FeedFormatError):
        check_siri(siri.parse_feed(data, received_at=RECEIVED))


# ---------------------------------------------------------------- GTFS-Realtime


def protobuf_text(text: str) -> str:
    return text.encode("utf-8", "ignore").decode("utf-8")  # protobuf cannot carry lone surrogates


entity_parts = st.fixed_dictionaries(
    {
        "entity": ids().map(protobuf_text),
        "trip": ids().map(protobuf_text),
        "stop": ids().map(protobuf_text),
        "start_date": st.sampled_from(["20261130", "00010101", "99991231", "20261131", "", "x"])
        | st.dates().map(lambda d: d.strftime("%Y%m%d")),
        "delay": st.integers(min_value=-(2**31), max_value=2**31 - 1),
        "time": st.integers(min_value=0, max_value=2**63 - 1),
        "header": texts().map(protobuf_text),
        "url": texts(max_size=30).map(protobuf_text) | st.just("https://a.example/" + "u" * 3000),
        "label": texts().map(protobuf_text),
        "lat": st.floats(width=32),
    }
)


def gtfs_rt_feed(parts: list[dict[str, Any]], good: list[tuple[str, int]]) -> bytes:
    message = pb.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.timestamp = int(RECEIVED.timestamp())
    for number, part in enumerate(parts):
        kind = number % 3
        entity = message.entity.add(id=part["entity"])
        if kind == 0:
            update = entity.trip_update
            update.trip.trip_id = part["trip"]
            update.trip.start_date = part["start_date"]
            stu = update.stop_time_update.add(stop_sequence=1, stop_id=part["stop"])
            stu.arrival.delay = part["delay"]
            stu.departure.time = part["time"]
        elif kind == 1:
            vehicle = entity.vehicle
            vehicle.vehicle.id = part["trip"]
            vehicle.vehicle.label = part["label"]
            vehicle.trip.route_id = part["stop"]
            vehicle.position.latitude = part["lat"]
            vehicle.position.longitude = 0.09
        else:
            alert = entity.alert
            alert.informed_entity.add(route_id=part["stop"])
            alert.header_text.translation.add(text=part["header"], language="fr")
            alert.description_text.translation.add(text=part["header"] * 3)
            alert.url.translation.add(text=part["url"])
            alert.active_period.add(start=part["time"] % 2**64)
    for trip_id, delay in good:
        update = message.entity.add(id=f"good-{trip_id}").trip_update
        update.trip.trip_id = f"good-{trip_id}"
        update.trip.start_date = "20261130"
        update.stop_time_update.add(stop_sequence=1, stop_id="s1").arrival.delay = delay
    return message.SerializeToString()


def check_gtfs_rt(parsed: Any) -> None:
    for trip in parsed.trips:
        assert_id(trip.trip_id)
        assert_id(trip.entity_id)
        assert_day(trip.service_date)
        for update in trip.updates:
            if "stop_id" in update:
                assert_id(update["stop_id"])
            assert_moment(update.get("arrival_time"))
            assert_moment(update.get("departure_time"))
    for vehicle in parsed.vehicles:
        assert_id(vehicle.vehicle_id)
        for value in (vehicle.route_id, vehicle.trip_id, vehicle.stop_id):
            if value is not None:
                assert_id(value)
        assert_text(vehicle.label, gtfs_rt.MAX_LABEL)
        assert_moment(vehicle.timestamp)
    for alert in parsed.alerts:
        assert_id(alert.alert_id)
        assert_text(alert.header, gtfs_rt.MAX_ALERT_HEADER)
        assert_text(alert.description, gtfs_rt.MAX_ALERT_DESCRIPTION)
        assert alert.url is None or len(alert.url) <= gtfs_rt.MAX_URL_LENGTH
        for period in alert.active_periods:
            for moment in period.values():
                assert_moment(moment)
        for target in alert.informed:
            for value in target.values():
                assert_id(value)
    for rejection in parsed.rejected:
        assert_reason(rejection.reason)
        assert rejection.ident is None or gtfs_rt._clean(rejection.ident) == rejection.ident


@given(
    st.lists(entity_parts, max_size=6),
    st.lists(st.tuples(VALID_IDS, st.integers(min_value=-3600, max_value=3600)), max_size=3, unique_by=lambda t: t[0]),
)
def test_gtfs_rt_feeds_with_hostile_entities(parts: list[dict[str, Any]], good: list[tuple[str, int]]) -> None:
    parsed = gtfs_rt.parse_feed(gtfs_rt_feed(parts, good), received_at=RECEIVED)
    check_gtfs_rt(parsed)
    trips = {t.trip_id: t for t in parsed.trips}
    for trip_id, delay in good:  # round trip
        [update] = trips[f"good-{trip_id}"].updates
        assert (update["stop_id"], update["arrival_delay"]) == ("s1", delay)


small_parts = st.fixed_dictionaries(
    {
        "entity": VALID_IDS,
        "trip": VALID_IDS,
        "stop": VALID_IDS,
        "start_date": st.just("20261130"),
        "delay": st.integers(min_value=-600, max_value=600),
        "time": st.just(int(RECEIVED.timestamp())),
        "header": texts(max_size=10).map(protobuf_text),
        "url": st.just("https://a.example/"),
        "label": texts(max_size=10).map(protobuf_text),
        "lat": st.just(48.43),
    }
)


@given(st.lists(small_parts, min_size=1, max_size=4), st.data())
def test_gtfs_rt_invalid_utf8_anywhere_is_never_a_crash(parts: list[dict[str, Any]], data: st.DataObject) -> None:
    payload = bytearray(gtfs_rt_feed(parts, []))
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        payload[data.draw(st.integers(min_value=0, max_value=len(payload) - 1))] = 0xFF
    with contextlib.suppress(FeedFormatError):
        check_gtfs_rt(gtfs_rt.parse_feed(bytes(payload), received_at=RECEIVED))


@given(st.binary(max_size=300))
def test_gtfs_rt_any_bytes_are_a_feed_or_a_feed_format_error(data: bytes) -> None:
    with contextlib.suppress(FeedFormatError):
        check_gtfs_rt(gtfs_rt.parse_feed(data, received_at=RECEIVED))
