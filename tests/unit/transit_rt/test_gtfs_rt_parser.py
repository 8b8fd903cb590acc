"""Unit tests of the GTFS-Realtime parser (offline, deterministic): feeds built with the official bindings."""

from __future__ import annotations

import calendar
import datetime as dt
import gzip
import importlib.util
import math
import os
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from google.transit import gtfs_realtime_pb2 as pb

from poche_common.errors import FeedFormatError
from transit_gtfs_rt.model import ParsedFeed
from transit_gtfs_rt.parser import float32_text, parse_feed, service_date_of
from transit_gtfs_rt.store import StaticIndex

ROOT = Path(__file__).resolve().parents[3]
SAMPLE_DIR = ROOT / "functions/connectors/transit_gtfs_rt/sample"
FEED_TIME = calendar.timegm((2026, 11, 30, 7, 30, 0))
RECEIVED = dt.datetime(2026, 11, 30, 7, 30, 20, tzinfo=dt.UTC)


def at(*parts: int) -> int:
    return calendar.timegm((*parts, 0)[:6]) if len(parts) == 5 else calendar.timegm(parts)


def feed(*builders: Callable[[Any], None], timestamp: int | None = FEED_TIME, version: str = "2.0") -> bytes:
    message = pb.FeedMessage()
    message.header.gtfs_realtime_version = version
    if timestamp is not None:
        message.header.timestamp = timestamp
    for build in builders:
        build(message)
    return message.SerializePartialToString()


def trip(
    entity_id: str = "e1",
    trip_id: str = "1-sem-001",
    *,
    start_date: str | None = "20261130",
    stops: list[tuple[int | None, str | None, int | None]] | None = None,
    configure: Callable[[Any], None] | None = None,
) -> Callable[[Any], None]:
    """A TripUpdate entity; stops are (stop_sequence, stop_id, delay)."""

    def build(message: Any) -> None:
        entity = message.entity.add(id=entity_id)
        update = entity.trip_update
        update.trip.trip_id = trip_id
        if start_date is not None:
            update.trip.start_date = start_date
        for sequence, stop_id, delay in stops if stops is not None else [(1, "s1", 60), (2, "s2", 90)]:
            stu = update.stop_time_update.add()
            if sequence is not None:
                stu.stop_sequence = sequence
            if stop_id is not None:
                stu.stop_id = stop_id
            if delay is not None:
                stu.arrival.delay = delay
                stu.departure.delay = delay
        if configure:
            configure(update)

    return build


def vehicle(
    entity_id: str = "v1",
    *,
    lat: float = 48.4321,
    lon: float = 0.0912,
    configure: Callable[[Any], None] | None = None,
) -> Callable[[Any], None]:
    def build(message: Any) -> None:
        entity = message.entity.add(id=entity_id)
        position = entity.vehicle
        position.vehicle.id = f"bus-{entity_id}"
        position.trip.trip_id = "3-sem-001"
        position.trip.route_id = "3"
        position.position.latitude = lat
        position.position.longitude = lon
        if configure:
            configure(position)

    return build


def alert(entity_id: str = "a1", configure: Callable[[Any], None] | None = None) -> Callable[[Any], None]:
    def build(message: Any) -> None:
        entity = message.entity.add(id=entity_id)
        item = entity.alert
        item.informed_entity.add(route_id="2")
        item.header_text.translation.add(text="Ligne 2 : déviation", language="fr")
        if configure:
            configure(item)

    return build


def parse(data: bytes) -> ParsedFeed:
    return parse_feed(data, received_at=RECEIVED)


def only_rejection(parsed: ParsedFeed) -> str:
    assert len(parsed.rejected) == 1, parsed.rejected
    return parsed.rejected[0].reason


# ---------------------------------------------------------------- the bundled samples


def test_the_samples_are_what_build_sample_builds() -> None:
    spec = importlib.util.spec_from_file_location("build_sample", SAMPLE_DIR / "build_sample.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build()
    assert sorted(built) == ["alerts.pb", "later.pb", "mixed.pb", "trip-updates.pb", "vehicle-positions.pb"]
    for name, data in built.items():
        assert (SAMPLE_DIR / name).read_bytes() == data, f"{name} is stale: run sample/build_sample.py"


def test_mixed_sample_keeps_every_good_entity_and_rejects_the_bad_vehicle() -> None:
    parsed = parse((SAMPLE_DIR / "mixed.pb").read_bytes())

    assert (parsed.version, parsed.timestamp) == ("2.0", "2026-11-30T07:30:00+00:00")
    assert parsed.entities == 12
    assert [t.trip_id for t in parsed.trips] == [
        "20-SEM-0730",
        "10-SEM-1215",
        "20-SEM-1300-R",
        "30-SEM-0800",
        "20-SEM-1645",
    ]
    assert [v.vehicle_id for v in parsed.vehicles] == ["orne-301", "orne-201", "orne-101"]
    assert [a.alert_id for a in parsed.alerts] == ["travaux-mortagne", "neige-ligne-20", "greve-10-SEM-1215"]
    assert len(parsed.rejected) == 1
    rejection = parsed.rejected[0]
    assert (rejection.entity, rejection.kind, rejection.ident) == ("vp-orne-999", "vehicle", "orne-999")
    assert "coordonnées hors limites" in rejection.reason and "148.6" in rejection.reason


@pytest.mark.parametrize(
    ("name", "trips", "vehicles", "alerts", "rejected"),
    [
        ("trip-updates.pb", 5, 0, 0, 0),
        ("vehicle-positions.pb", 0, 3, 0, 1),
        ("alerts.pb", 0, 0, 3, 0),
        ("later.pb", 4, 3, 2, 1),
    ],
)
def test_each_split_sample_holds_its_kind(name: str, trips: int, vehicles: int, alerts: int, rejected: int) -> None:
    parsed = parse((SAMPLE_DIR / name).read_bytes())
    assert (len(parsed.trips), len(parsed.vehicles), len(parsed.alerts), len(parsed.rejected)) == (
        trips,
        vehicles,
        alerts,
        rejected,
    )


def test_sample_trip_updates_in_the_model_shape() -> None:
    trips = {t.trip_id: t for t in parse((SAMPLE_DIR / "trip-updates.pb").read_bytes()).trips}

    late = trips["20-SEM-0730"]
    assert (late.service_date, late.dated, late.cancelled, late.vehicle_id) == ("2026-11-30", True, False, "orne-201")
    assert late.updates == [
        {"stop_sequence": 4, "stop_id": "MOR_GDG", "arrival_delay": 180, "departure_delay": 180, "skipped": False},
        {"stop_sequence": 5, "stop_id": "MOR_HOP", "arrival_delay": 180, "departure_delay": 180, "skipped": False},
    ]
    assert late.feed_timestamp == "2026-11-30T07:30:00+00:00"
    assert trips["10-SEM-1215"].cancelled is True and trips["10-SEM-1215"].updates == []
    assert trips["20-SEM-1300-R"].updates == [
        {"stop_sequence": 3, "stop_id": "MEL_MAIR", "skipped": True},
        {"stop_sequence": 5, "stop_id": "ALN_PREF", "arrival_delay": 600, "departure_delay": 600, "skipped": False},
    ]
    absolute = trips["30-SEM-0800"]
    assert (absolute.service_date, absolute.dated) == ("2026-11-30", False)  # no start_date: guessed
    assert absolute.reference_time == calendar.timegm((2026, 11, 30, 7, 6, 0))  # from its first time
    assert absolute.updates[0] == {
        "stop_sequence": 2,
        "stop_id": "SEE_CATH",
        "arrival_time": "2026-11-30T07:06:00+00:00",
        "departure_time": "2026-11-30T07:06:00+00:00",
        "skipped": False,
    }
    assert trips["20-SEM-1645"].updates == [
        {"stop_sequence": 0, "arrival_delay": 300, "departure_delay": 300, "skipped": False}
    ]


def test_sample_vehicles_and_alerts_in_the_model_shape() -> None:
    parsed = parse((SAMPLE_DIR / "mixed.pb").read_bytes())
    vehicles = {v.vehicle_id: v for v in parsed.vehicles}
    car = vehicles["orne-301"]
    assert (car.route_id, car.trip_id, car.label) == ("L30", "30-SEM-0800", "Car 301")
    assert (car.lat, car.lon, car.bearing, car.speed) == (
        Decimal("48.566"),
        Decimal("0.381"),
        Decimal("120"),
        Decimal("19.5"),
    )
    assert (car.current_status, car.stop_id, car.occupancy_status) == (
        "in_transit_to",
        "MOR_GDG",
        "many_seats_available",
    )
    assert car.timestamp == "2026-11-30T07:29:40+00:00"
    assert vehicles["orne-201"].route_id is None  # looked up in the static trips by the store
    assert vehicles["orne-201"].lat == Decimal("48.5204")  # the float32 value, not 48.52040100097656

    alerts = {a.alert_id: a for a in parsed.alerts}
    works = alerts["travaux-mortagne"]
    assert (works.cause, works.effect) == ("construction", "stop_moved")
    assert works.header == "Ligne 20 : l'arrêt Mortagne-au-Perche - Hôpital est déplacé"  # fr, though en is first
    assert works.description.startswith("Travaux jusqu'au 18 décembre")
    assert works.url == "https://bus-orne.example.org/infos/travaux-mortagne"
    assert works.active_periods == [{"start": "2026-11-23T05:00:00+00:00", "end": "2026-12-18T19:00:00+00:00"}]
    assert works.informed == [{"route_id": "L20"}, {"stop_id": "MOR_HOP"}]
    snow = alerts["neige-ligne-20"]
    assert snow.header == "Ligne 20 : Le Mêle-sur-Sarthe non desservi en raison de la neige"  # untranslated
    assert snow.informed == [{"agency_id": "ORNE", "route_id": "L20"}]
    assert snow.url is None
    strike = alerts["greve-10-SEM-1215"]
    assert strike.header == "Ligne 10 : le car de 12 h 15 ne circule pas"  # fr-FR, though en comes first
    assert (strike.cause, strike.effect, strike.active_periods) == ("strike", "no_service", [])
    assert strike.informed == [{"trip_id": "10-SEM-1215"}]


# ---------------------------------------------------------------- whole-feed failures


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"", "vide"),
        (b"  \n", "vide"),
        (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "HTML"),
        (b'<?xml version="1.0"?><Siri/>', "HTML ou du XML"),
        (b'{"header": {"gtfs_realtime_version": "2.0"}, "entity": []}', "JSON"),
        (b"\xff\xfe\xfd\xfc garbage that is not a protobuf", "FeedMessage"),
    ],
)
def test_a_payload_that_is_not_a_feed_message_fails_whole(payload: bytes, expected: str) -> None:
    with pytest.raises(FeedFormatError, match=expected):
        parse(payload)


def test_a_truncated_feed_fails_whole() -> None:
    data = (SAMPLE_DIR / "mixed.pb").read_bytes()
    with pytest.raises(FeedFormatError, match="tronqué ou corrompu"):
        parse(data[: len(data) // 2])


def test_a_header_without_gtfs_realtime_version_fails_whole() -> None:
    message = pb.FeedMessage()
    message.header.timestamp = FEED_TIME
    trip()(message)
    with pytest.raises(FeedFormatError, match="gtfs_realtime_version"):
        parse(message.SerializePartialToString())


def test_entities_without_header_fail_whole() -> None:
    message = pb.FeedMessage()
    trip()(message)
    with pytest.raises(FeedFormatError, match="gtfs_realtime_version"):
        parse(message.SerializePartialToString())


def test_a_differential_feed_is_refused() -> None:
    message = pb.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.incrementality = pb.FeedHeader.DIFFERENTIAL
    with pytest.raises(FeedFormatError, match="DIFFERENTIAL"):
        parse(message.SerializeToString())


def test_a_gzip_compressed_feed_is_read_and_a_truncated_one_refused() -> None:
    data = (SAMPLE_DIR / "mixed.pb").read_bytes()
    assert len(parse(gzip.compress(data)).trips) == 5
    with pytest.raises(FeedFormatError, match="gzip"):
        parse(gzip.compress(data)[:-12])


def test_a_valid_empty_feed_has_nothing_and_a_missing_timestamp_is_none() -> None:
    parsed = parse(feed(timestamp=None))
    assert (parsed.entities, parsed.timestamp, parsed.trips, parsed.rejected) == (0, None, [], [])


def test_without_header_timestamp_entities_are_stamped_with_the_reception_time() -> None:
    parsed = parse(feed(trip(), vehicle(), timestamp=None))
    assert parsed.trips[0].feed_timestamp == "2026-11-30T07:30:20+00:00"
    assert parsed.vehicles[0].timestamp == "2026-11-30T07:30:20+00:00"


# ---------------------------------------------------------------- entities


def test_entity_without_id_is_rejected_but_names_its_trip() -> None:
    parsed = parse(feed(trip(entity_id=""), trip(entity_id="ok", trip_id="1-sem-002")))
    assert [t.trip_id for t in parsed.trips] == ["1-sem-002"]
    rejection = parsed.rejected[0]
    assert (rejection.entity, rejection.kind, rejection.ident) == ("#1", "trip", "1-sem-001")
    assert "sans id" in rejection.reason


def test_empty_and_deleted_entities() -> None:
    def empty(message: Any) -> None:
        message.entity.add(id="vide")

    def deleted(message: Any) -> None:
        message.entity.add(id="gone", is_deleted=True)

    parsed = parse(feed(empty, deleted, trip()))
    assert (parsed.entities, parsed.deleted, len(parsed.trips)) == (3, 1, 1)
    assert parsed.rejected[0].entity == "vide" and parsed.rejected[0].kind is None
    assert "Entité vide" in parsed.rejected[0].reason


def test_trip_update_without_trip_id_is_rejected() -> None:
    reason = only_rejection(parse(feed(trip(trip_id=""))))
    assert "trip_id absent" in reason


def test_stop_time_update_without_sequence_or_stop_is_rejected_with_its_number() -> None:
    parsed = parse(feed(trip(stops=[(1, "s1", 0), (None, None, 60)])))
    assert parsed.trips == []
    assert parsed.rejected[0].ident == "1-sem-001"
    assert "stop_time_update n°2 sans stop_sequence ni stop_id" in parsed.rejected[0].reason


def test_stop_id_only_and_stop_sequence_only_updates_are_kept() -> None:
    parsed = parse(feed(trip(stops=[(None, "s1", 30), (None, "s2", 40)]), trip("e2", "t2", stops=[(4, None, 0)])))
    assert parsed.trips[0].updates[0] == {"stop_id": "s1", "arrival_delay": 30, "departure_delay": 30, "skipped": False}
    assert parsed.trips[1].updates == [{"stop_sequence": 4, "arrival_delay": 0, "departure_delay": 0, "skipped": False}]


def test_updates_are_sorted_by_stop_sequence_and_duplicates_rejected() -> None:
    parsed = parse(
        feed(trip(stops=[(5, "s5", 10), (2, "s2", 20)]), trip("e2", "t2", stops=[(3, None, 0), (3, "b", 0)]))
    )
    assert [u["stop_sequence"] for u in parsed.trips[0].updates] == [2, 5]
    assert "stop_sequence 3 en double" in parsed.rejected[0].reason


def test_duplicate_stop_sequences_fall_back_to_stop_ids() -> None:
    """As in BART's feed: two stops both numbered 1; the stop ids still tell them apart."""
    parsed = parse(feed(trip(stops=[(1, "ANTC", 0), (1, "PCTR", 30), (3, "PHIL", 60)])))
    assert parsed.rejected == []
    assert parsed.trips[0].updates == [
        {"stop_id": "ANTC", "arrival_delay": 0, "departure_delay": 0, "skipped": False},
        {"stop_id": "PCTR", "arrival_delay": 30, "departure_delay": 30, "skipped": False},
        {"stop_id": "PHIL", "arrival_delay": 60, "departure_delay": 60, "skipped": False},
    ]


def test_cancelled_and_deleted_trips() -> None:
    def cancel(update: Any) -> None:
        update.trip.schedule_relationship = pb.TripDescriptor.CANCELED

    def delete(update: Any) -> None:
        update.trip.schedule_relationship = pb.TripDescriptor.DELETED

    def added(update: Any) -> None:
        update.trip.schedule_relationship = pb.TripDescriptor.ADDED

    parsed = parse(
        feed(trip("a", "t1", configure=cancel), trip("b", "t2", configure=delete), trip("c", "t3", configure=added))
    )
    assert [t.cancelled for t in parsed.trips] == [True, True, False]


def test_no_data_stop_carries_no_prediction_and_skipped_stop_is_flagged() -> None:
    def relationships(update: Any) -> None:
        update.stop_time_update[0].schedule_relationship = pb.TripUpdate.StopTimeUpdate.NO_DATA
        update.stop_time_update[1].schedule_relationship = pb.TripUpdate.StopTimeUpdate.SKIPPED

    parsed = parse(feed(trip(configure=relationships)))
    assert parsed.trips[0].updates == [
        {"stop_sequence": 1, "stop_id": "s1", "skipped": False},
        {"stop_sequence": 2, "stop_id": "s2", "arrival_delay": 90, "departure_delay": 90, "skipped": True},
    ]


def test_absolute_times_and_delays_are_both_kept() -> None:
    def times(update: Any) -> None:
        update.stop_time_update[0].arrival.time = at(2026, 11, 30, 7, 41, 0)
        update.stop_time_update[0].departure.time = at(2026, 11, 30, 7, 42, 0)

    parsed = parse(feed(trip(configure=times)))
    assert parsed.trips[0].updates[0] == {
        "stop_sequence": 1,
        "stop_id": "s1",
        "arrival_delay": 60,
        "arrival_time": "2026-11-30T07:41:00+00:00",
        "departure_delay": 60,
        "departure_time": "2026-11-30T07:42:00+00:00",
        "skipped": False,
    }


@pytest.mark.parametrize(
    ("configure", "reason"),
    [
        (lambda u: setattr(u.stop_time_update[0].arrival, "delay", 90_000), "arrival.delay hors limites"),
        (lambda u: setattr(u.stop_time_update[1].departure, "time", 12), "departure.time du stop_time_update n°2"),
        (lambda u: setattr(u, "delay", -100_000), "delay du voyage hors limites"),
    ],
)
def test_out_of_range_delays_and_times_reject_the_trip(configure: Callable[[Any], None], reason: str) -> None:
    assert reason in only_rejection(parse(feed(trip(configure=configure))))


@pytest.mark.parametrize("start_date", ["20261131", "2026-11-30", "lundi"])
def test_invalid_start_date_rejects_the_trip(start_date: str) -> None:
    assert "n'est pas une date AAAAMMJJ" in only_rejection(parse(feed(trip(start_date=start_date))))


def test_whole_trip_delay_is_an_update_from_the_first_stop() -> None:
    def delay(update: Any) -> None:
        update.delay = 120

    parsed = parse(feed(trip(stops=[(3, "s3", 300)], configure=delay)))
    assert parsed.trips[0].updates == [
        {"stop_sequence": 0, "arrival_delay": 120, "departure_delay": 120, "skipped": False},
        {"stop_sequence": 3, "stop_id": "s3", "arrival_delay": 300, "departure_delay": 300, "skipped": False},
    ]


def test_service_date_without_start_date() -> None:
    def late_evening(update: Any) -> None:  # 00:40 in Paris on Dec 1st: still the service of Nov 30th
        update.stop_time_update[0].arrival.time = at(2026, 11, 30, 23, 40, 0)

    def morning(update: Any) -> None:  # 06:10 in Paris, 120 s late: scheduled 06:08
        update.stop_time_update[0].arrival.time = at(2026, 12, 1, 5, 10, 0)

    parsed = parse(
        feed(
            trip("a", "t1", start_date=None, configure=late_evening),
            trip("b", "t2", start_date=None, configure=morning),
            trip("c", "t3", start_date=None),  # delays only: the feed's date
        )
    )
    assert [t.service_date for t in parsed.trips] == ["2026-11-30", "2026-12-01", "2026-11-30"]


def test_service_date_of_follows_paris_time_and_the_3am_change() -> None:
    assert service_date_of(dt.datetime(2026, 11, 30, 1, 59, tzinfo=dt.UTC)) == "2026-11-29"  # 02:59 Paris
    assert service_date_of(dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)) == "2026-11-30"  # 03:00 Paris
    assert service_date_of(dt.datetime(2026, 7, 1, 0, 30, tzinfo=dt.UTC)) == "2026-06-30"  # 02:30 summer time


def test_trip_vehicle_id_is_kept() -> None:
    def with_vehicle(update: Any) -> None:
        update.vehicle.id = "orne-7"

    assert parse(feed(trip(configure=with_vehicle))).trips[0].vehicle_id == "orne-7"


# ---------------------------------------------------------------- vehicles


@pytest.mark.parametrize(
    ("lat", "lon"), [(148.6, 0.1), (48.4, 190.0), (0.0, 0.0), (math.nan, 0.1), (48.4, math.inf), (-91.0, 0.0)]
)
def test_vehicle_with_impossible_coordinates_is_rejected(lat: float, lon: float) -> None:
    parsed = parse(feed(vehicle(lat=lat, lon=lon), vehicle("v2")))
    assert [v.vehicle_id for v in parsed.vehicles] == ["bus-v2"]
    assert "coordonnées hors limites" in parsed.rejected[0].reason
    assert (parsed.rejected[0].kind, parsed.rejected[0].ident) == ("vehicle", "bus-v1")


@pytest.mark.parametrize(
    ("configure", "reason"),
    [
        (lambda v: setattr(v.position, "bearing", 400.0), "cap hors limites (400°)"),
        (lambda v: setattr(v.position, "speed", -3.0), "vitesse hors limites"),
        (lambda v: setattr(v.position, "speed", 250.0), "vitesse hors limites"),
        (lambda v: v.ClearField("position"), "position absente"),
        (lambda v: setattr(v, "timestamp", 42), "timestamp hors limites"),
    ],
)
def test_vehicle_with_bad_fields_is_rejected(configure: Callable[[Any], None], reason: str) -> None:
    assert reason in only_rejection(parse(feed(vehicle(configure=configure))))


def test_vehicle_optional_fields_and_fallbacks() -> None:
    def minimal(position: Any) -> None:
        position.ClearField("vehicle")
        position.ClearField("trip")

    def full(position: Any) -> None:
        position.position.bearing = 360.0
        position.position.speed = 0.0
        position.current_status = pb.VehiclePosition.INCOMING_AT
        position.occupancy_status = pb.VehiclePosition.NOT_ACCEPTING_PASSENGERS
        position.timestamp = FEED_TIME - 7
        position.trip.ClearField("route_id")

    parsed = parse(feed(vehicle("bare", configure=minimal), vehicle("rich", configure=full)))
    bare, rich = parsed.vehicles
    assert (bare.vehicle_id, bare.route_id, bare.trip_id, bare.label) == ("bare", None, None, None)
    assert (bare.bearing, bare.speed, bare.current_status, bare.occupancy_status) == (None, None, None, None)
    assert bare.timestamp == "2026-11-30T07:30:00+00:00"  # the feed's
    assert (rich.bearing, rich.speed) == (Decimal(0), Decimal(0))
    assert (rich.current_status, rich.occupancy_status) == ("incoming_at", "not_accepting_passengers")
    assert (rich.route_id, rich.trip_id, rich.timestamp) == (None, "3-sem-001", "2026-11-30T07:29:53+00:00")


def test_float32_text_is_the_shortest_exact_decimal() -> None:
    assert [float32_text(v) for v in (48.5031, -0.0199, 270.0, 148.6)] == ["48.5031", "-0.0199", "270", "148.6"]


# ---------------------------------------------------------------- alerts


def translations(*pairs: tuple[str | None, str]) -> Callable[[Any], None]:
    def configure(item: Any) -> None:
        item.ClearField("header_text")
        for language, text in pairs:
            translation = item.header_text.translation.add(text=text)
            if language is not None:
                translation.language = language

    return configure


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("en", "Detour"), ("fr-FR", "Déviation (FR)"), ("fr", "Déviation")], "Déviation"),
        ([("en", "Detour"), ("fr-FR", "Déviation (FR)")], "Déviation (FR)"),
        ([("en", "Detour"), ("FR_fr", "Déviation (FR)")], "Déviation (FR)"),
        ([("en", "Detour"), ("fr-CA", "Détour"), (None, "Sans langue")], "Détour"),
        ([("en", "Detour"), (None, "Sans langue")], "Sans langue"),
        ([("de", "Umleitung"), ("en", "Detour")], "Umleitung"),
        ([("fr", "  "), ("en", "Detour")], "Detour"),
    ],
)
def test_alert_text_prefers_french(pairs: list[tuple[str | None, str]], expected: str) -> None:
    assert parse(feed(alert(configure=translations(*pairs)))).alerts[0].header == expected


def test_alert_codes_defaults_periods_and_informed_entities() -> None:
    def configure(item: Any) -> None:
        item.active_period.add(end=FEED_TIME + 3600)
        item.active_period.add()  # empty: dropped
        item.informed_entity.add(trip=pb.TripDescriptor(trip_id="2-sem-002"), stop_id="mortagne-place-de-gaulle")
        item.informed_entity.add(route_type=3)  # nothing we store
        item.description_text.translation.add(text="Détails", language="fr")

    parsed = parse(feed(alert(configure=configure)))
    item = parsed.alerts[0]
    assert (item.cause, item.effect) == ("unknown_cause", "unknown_effect")
    assert item.active_periods == [{"end": "2026-11-30T08:30:00+00:00"}]
    assert item.informed == [{"route_id": "2"}, {"stop_id": "mortagne-place-de-gaulle", "trip_id": "2-sem-002"}]
    assert item.description == "Détails" and item.url is None


def test_alert_with_description_only_uses_it_as_header() -> None:
    def configure(item: Any) -> None:
        item.ClearField("header_text")
        item.description_text.translation.add(text="Arrêt déplacé", language="fr")

    parsed = parse(feed(alert(configure=configure)))
    assert (parsed.alerts[0].header, parsed.alerts[0].description) == ("Arrêt déplacé", "Arrêt déplacé")


@pytest.mark.parametrize(
    ("configure", "reason"),
    [
        (lambda a: a.ClearField("header_text"), "alerte sans texte"),
        (lambda a: a.ClearField("informed_entity"), "informed_entity"),
        (lambda a: a.active_period.add(start=FEED_TIME, end=FEED_TIME - 60), "se termine avant de commencer"),
    ],
)
def test_unusable_alerts_are_rejected_and_named(configure: Callable[[Any], None], reason: str) -> None:
    parsed = parse(feed(alert(configure=configure), alert("a2")))
    assert [a.alert_id for a in parsed.alerts] == ["a2"]
    assert reason in parsed.rejected[0].reason
    assert (parsed.rejected[0].kind, parsed.rejected[0].ident) == ("alert", "a1")


def test_an_entity_with_several_parts_gives_each_of_them() -> None:
    def both(message: Any) -> None:
        entity = message.entity.add(id="tv")
        entity.trip_update.trip.trip_id = "1-sem-001"
        entity.vehicle.vehicle.id = "orne-7"
        entity.vehicle.trip.route_id = "1"
        entity.vehicle.position.latitude = 48.43
        entity.vehicle.position.longitude = 0.09

    parsed = parse(feed(both))
    assert ([t.trip_id for t in parsed.trips], [v.vehicle_id for v in parsed.vehicles]) == (["1-sem-001"], ["orne-7"])


# ---------------------------------------------------------------- cold start


def test_importing_the_parser_and_handler_does_not_load_protobuf() -> None:
    code = (
        "import sys, transit_gtfs_rt.parser, transit_gtfs_rt.store, transit_gtfs_rt.handler;"
        "sys.exit(1 if any(m.startswith('google.protobuf') for m in sys.modules) else 0)"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("functions/connectors", "layers/common/python")),
        "TABLE_NAME": "t",
        "EVENT_BUS_NAME": "b",
        "AWS_DEFAULT_REGION": "eu-west-3",
    }
    assert subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == 0


# ---------------------------------------------------------------- service dates from the static trips


@pytest.mark.parametrize(
    ("start", "reference", "expected"),
    [
        (28800, (2026, 11, 30, 7, 44), "2026-11-30"),  # 08:00 trip, seen at 08:44 Paris
        (9000, (2026, 11, 30, 1, 35), "2026-11-30"),  # 02:30 trip seen at 02:35: not the day before
        (88800, (2026, 11, 29, 23, 50), "2026-11-29"),  # 24:40:00 trip, seen at 00:50 on the 30th
        (63600, (2026, 11, 30, 7, 30), "2026-11-30"),  # 17:40 trip, delays only: the feed's time, same day
        (27000, (2026, 10, 25, 7, 0), "2026-10-25"),  # 07:30 on the 25-hour day of the change of time
    ],
)
def test_static_index_service_date_is_the_nearest_scheduled_start(
    start: int, reference: tuple[int, ...], expected: str
) -> None:
    index = StaticIndex(routes={"t": "L10"}, starts={"t": start}, timezone="Europe/Paris")
    assert index.service_date("t", calendar.timegm((*reference, 0))) == expected
    assert index.service_date("unknown", calendar.timegm((*reference, 0))) is None
