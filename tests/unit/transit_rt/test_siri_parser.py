"""Unit tests of the SIRI Lite StopMonitoring parser (offline, deterministic)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from poche_common.errors import FeedFormatError
from transit_siri_lite.parser import ParsedFeed, gtfs_id, merge_trips, parse_feed

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "functions/connectors/transit_siri_lite/sample/stop-monitoring.json"
RECEIVED = dt.datetime(2026, 11, 30, 7, 30, 5, tzinfo=dt.UTC)


def visit(
    trip: Any = "1-sem-003",
    stop: Any = "sees-cathedrale",
    *,
    frame: Any = "2026-11-30",
    expected_departure: str | None = "2026-11-30T08:55:00+01:00",
    aimed_departure: str | None = "2026-11-30T08:51:00+01:00",
    recorded: str = "2026-11-30T08:29:41+01:00",
    call: dict[str, Any] | None = None,
    journey: dict[str, Any] | None = None,
) -> dict[str, Any]:
    monitored: dict[str, Any] = {"StopPointRef": stop}
    if aimed_departure:
        monitored["AimedDepartureTime"] = aimed_departure
    if expected_departure:
        monitored["ExpectedDepartureTime"] = expected_departure
    monitored.update(call or {})
    framed = {"DataFrameRef": frame, "DatedVehicleJourneyRef": trip}
    return {
        "RecordedAtTime": recorded,
        "MonitoringRef": stop,
        "MonitoredVehicleJourney": {"LineRef": "1", "FramedVehicleJourneyRef": framed, "MonitoredCall": monitored}
        | (journey or {}),
    }


def answer(*visits: dict[str, Any], stamp: str | None = "2026-11-30T08:30:00+01:00", **delivery: Any) -> bytes:
    service: dict[str, Any] = {"StopMonitoringDelivery": [{"Version": "2.0", "MonitoredStopVisit": list(visits)}]}
    service["StopMonitoringDelivery"][0].update(delivery)
    if stamp:
        service["ResponseTimestamp"] = stamp
    return json.dumps({"Siri": {"ServiceDelivery": service}}).encode()


def parse(data: bytes) -> ParsedFeed:
    return parse_feed(data, received_at=RECEIVED)


# ---------------------------------------------------------------- the sample


def test_sample_groups_visits_into_trips_with_gtfs_ids_and_utc_times() -> None:
    parsed = parse(SAMPLE.read_bytes())

    assert (parsed.timestamp, parsed.visits, parsed.without_realtime) == ("2026-11-30T07:30:00+00:00", 7, 1)
    assert [(r.visit, r.trip_id) for r in parsed.rejected] == [("livraison 2, passage 3", None)]
    assert "DatedVehicleJourneyRef absent" in parsed.rejected[0].reason
    trips = {t.trip_id: t for t in parsed.trips}
    assert sorted(trips) == ["10-SEM-1215", "20-SEM-0730", "20-SEM-1300-R", "30-SEM-0800"]  # not 20-SEM-1645
    running = trips["30-SEM-0800"]  # seen at two monitored stops, ordered by Order
    assert (running.service_date, running.cancelled, running.vehicle_id) == ("2026-11-30", False, "orne-301")
    assert running.updates == [
        {
            "stop_id": "SEE_CATH",
            "arrival_time": "2026-11-30T07:05:48+00:00",
            "departure_time": "2026-11-30T07:06:10+00:00",
            "skipped": False,
        },
        {"stop_id": "MOR_GDG", "arrival_time": "2026-11-30T07:44:00+00:00", "skipped": False},
    ]
    assert running.feed_timestamp == "2026-11-30T07:30:00+00:00"
    plain = trips["20-SEM-0730"]  # plain-string references, times in Z
    assert plain.vehicle_id == "orne-201"
    assert plain.updates == [
        {
            "stop_id": "MOR_GDG",
            "arrival_time": "2026-11-30T07:28:00+00:00",
            "departure_time": "2026-11-30T07:31:00+00:00",
            "skipped": False,
        }
    ]
    assert trips["20-SEM-1300-R"].service_date == "2026-11-30"  # DataFrameRef "any": from its aimed time
    assert trips["10-SEM-1215"].updates == [{"stop_id": "SEE_CATH", "skipped": True}]


# ---------------------------------------------------------------- identifiers


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("STIF:StopPoint:Q:41178:", "41178"),
        ("ORNE:StopPoint:Q:sees-cathedrale:LOC", "sees-cathedrale"),
        ("ORNE:VehicleJourney::1-sem-003:LOC", "1-sem-003"),
        ("RATP:VehicleJourney::M1.R.0830.1:LOC", "M1.R.0830.1"),
        ("FR::Quay:50089206:FR1", "50089206"),
        ("STIF:Line::C01742:", "C01742"),
        ("ORNE:DataFrame::2026-11-30:LOC", "2026-11-30"),
        ("SNCF:x:y:87444000:", "87444000"),  # no known type: the last meaningful part
        ({"value": "ORNE:StopPoint:Q:alencon-gare:LOC"}, "alencon-gare"),
        ([{"value": "alencon-gare", "lang": "fr"}], "alencon-gare"),
        ("sees-cathedrale", "sees-cathedrale"),
        ("StopPoint:OCETrain TER-87444000", "StopPoint:OCETrain TER-87444000"),  # a GTFS id with one colon
        (" 1-sem-003 ", "1-sem-003"),
        (42, "42"),
        ("", None),
        (None, None),
        ({"value": ""}, None),
        ("ORNE:StopPoint:Q::LOC", None),
        ("bad\tid", None),
        (True, None),
    ],
)
def test_gtfs_id_normalisation(reference: Any, expected: str | None) -> None:
    assert gtfs_id(reference) == expected


# ---------------------------------------------------------------- times and dates


def test_times_with_z_fractions_offsets_or_none_are_utc() -> None:
    parsed = parse(
        answer(
            visit("a", expected_departure="2026-11-30T07:55:00Z"),
            visit("b", expected_departure="2026-11-30T08:55:00.250+01:00"),
            visit("c", expected_departure="2026-11-30T08:55:00"),  # no offset: Paris time
            visit("d", expected_departure="2026-07-01T08:55:00"),  # summer time
        )
    )
    assert [t.updates[0]["departure_time"] for t in parsed.trips] == [
        "2026-11-30T07:55:00+00:00",
        "2026-11-30T07:55:00+00:00",
        "2026-11-30T07:55:00+00:00",
        "2026-07-01T06:55:00+00:00",
    ]


def test_actual_times_stand_in_for_expected_ones() -> None:
    call = {"ActualArrivalTime": "2026-11-30T08:40:41+01:00", "ActualDepartureTime": "2026-11-30T08:41:00+01:00"}
    parsed = parse(answer(visit(expected_departure=None, call=call)))
    assert parsed.trips[0].updates[0] == {
        "stop_id": "sees-cathedrale",
        "arrival_time": "2026-11-30T07:40:41+00:00",
        "departure_time": "2026-11-30T07:41:00+00:00",
        "skipped": False,
    }


def test_unparseable_time_rejects_the_visit_and_names_its_trip() -> None:
    parsed = parse(answer(visit("bad", expected_departure="demain matin"), visit("good")))
    assert [t.trip_id for t in parsed.trips] == ["good"]
    assert parsed.rejected[0].trip_id == "bad"
    assert "n'est pas une date-heure ISO 8601" in parsed.rejected[0].reason


@pytest.mark.parametrize(
    ("frame", "aimed", "expected"),
    [
        ("2026-11-29", "2026-11-30T08:51:00+01:00", "2026-11-29"),  # the producer's date wins
        ("20261130", None, "2026-11-30"),
        ({"value": "ORNE:DataFrame::2026-11-30:LOC"}, None, "2026-11-30"),
        ({"value": "any"}, "2026-11-30T08:51:00+01:00", "2026-11-30"),
        ("any", "2026-12-01T00:40:00+01:00", "2026-11-30"),  # after midnight: the evening's service
        (None, "2026-12-01T05:10:00+01:00", "2026-12-01"),
        ("2026-02-30", "2026-11-30T08:51:00+01:00", "2026-11-30"),  # not a date: from the times
    ],
)
def test_service_date(frame: Any, aimed: str | None, expected: str) -> None:
    parsed = parse(answer(visit(frame=frame, aimed_departure=aimed)))
    assert parsed.trips[0].service_date == expected


def test_without_response_timestamp_the_delivery_one_then_reception_time() -> None:
    parsed = parse(answer(visit(), stamp=None, ResponseTimestamp="2026-11-30T08:29:58+01:00"))
    assert parsed.timestamp == "2026-11-30T07:29:58+00:00"
    bare = parse(answer(visit(), stamp=None))
    assert bare.timestamp is None and bare.trips[0].feed_timestamp == "2026-11-30T07:30:05+00:00"


# ---------------------------------------------------------------- visits


def test_aimed_only_visits_are_counted_not_stored() -> None:
    parsed = parse(answer(visit(expected_departure=None)))
    assert (parsed.visits, parsed.without_realtime, parsed.trips, parsed.rejected) == (1, 1, [], [])


def test_cancelled_call_is_skipped_and_cancelled_journey_is_cancelled() -> None:
    parsed = parse(
        answer(
            visit("a", expected_departure=None, call={"DepartureStatus": "cancelled"}),
            visit("b", journey={"Cancellation": True}),
            visit("c", journey={"Cancellation": "true"}),
        )
    )
    trips = {t.trip_id: t for t in parsed.trips}
    assert trips["a"].updates == [{"stop_id": "sees-cathedrale", "skipped": True}] and not trips["a"].cancelled
    assert trips["b"].cancelled and trips["c"].cancelled


def test_the_monitoring_ref_stands_in_for_a_missing_stop_point_ref() -> None:
    item = visit(stop=None)
    item["MonitoringRef"] = {"value": "ORNE:StopPoint:Q:alencon-gare:LOC"}
    del item["MonitoredVehicleJourney"]["MonitoredCall"]["StopPointRef"]
    assert parse(answer(item)).trips[0].updates[0]["stop_id"] == "alencon-gare"


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda v: v.pop("MonitoredVehicleJourney"), "MonitoredVehicleJourney absent"),
        (lambda v: v["MonitoredVehicleJourney"].pop("MonitoredCall"), "MonitoredCall absent"),
        (lambda v: v["MonitoredVehicleJourney"]["FramedVehicleJourneyRef"].pop("DatedVehicleJourneyRef"), "voyage"),
        (
            lambda v: (v.pop("MonitoringRef"), v["MonitoredVehicleJourney"]["MonitoredCall"].pop("StopPointRef")),
            "arrêt inconnu",
        ),
    ],
)
def test_malformed_visits_are_rejected_the_others_kept(mutate: Any, reason: str) -> None:
    bad = visit("bad")
    mutate(bad)
    parsed = parse(answer(bad, visit("good")))
    assert [t.trip_id for t in parsed.trips] == ["good"]
    assert parsed.rejected[0].visit == "livraison 1, passage 1"
    assert reason in parsed.rejected[0].reason


def test_the_same_call_twice_keeps_the_latest_record() -> None:
    older = visit(expected_departure="2026-11-30T08:53:00+01:00", recorded="2026-11-30T08:20:00+01:00")
    newer = visit(expected_departure="2026-11-30T08:56:00+01:00", recorded="2026-11-30T07:25:00Z")
    parsed = parse(answer(newer, older))
    assert parsed.trips[0].updates == [
        {"stop_id": "sees-cathedrale", "departure_time": "2026-11-30T07:56:00+00:00", "skipped": False}
    ]


def test_calls_are_ordered_by_order_then_time() -> None:
    parsed = parse(
        answer(
            visit(stop="c", expected_departure="2026-11-30T09:10:00+01:00", call={"Order": 7}),
            visit(stop="a", expected_departure="2026-11-30T09:00:00+01:00", call={"Order": 2}),
            visit(stop="b", expected_departure="2026-11-30T09:05:00+01:00", call={"Order": {"value": "5"}}),
        )
    )
    assert [u["stop_id"] for u in parsed.trips[0].updates] == ["a", "b", "c"]


def test_merge_trips_joins_answers_about_different_stops() -> None:
    first = parse(answer(visit(stop="alencon-poulet-malassis", expected_departure="2026-11-30T08:28:00+01:00")))
    second = parse(answer(visit(stop="sees-cathedrale"), visit("2-sem-002", stop="sees-cathedrale")))
    trips = {t.trip_id: t for t in merge_trips([first, second])}
    assert [u["stop_id"] for u in trips["1-sem-003"].updates] == ["alencon-poulet-malassis", "sees-cathedrale"]
    assert len(trips) == 2


# ---------------------------------------------------------------- whole answers


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"", "vide"),
        (b'{"Siri": {"ServiceDelivery": {"StopMonitoringDelivery": [', "pas du JSON valide"),
        (b"<Siri><ServiceDelivery/></Siri>", "XML"),
        (b"<!DOCTYPE html><title>503</title>", "XML ou une page HTML"),
        (b"\n\x0b\n\x032.0\x18\xf8\xcb\xb4\xd8\x06\xff", "pas du texte UTF-8"),
        (b'{"header": {"gtfs_realtime_version": "2.0"}}', "Siri.ServiceDelivery est absent"),
        (b"[1, 2]", "Siri.ServiceDelivery est absent"),
        (b'{"Siri": {"ServiceDelivery": {"ResponseTimestamp": "2026-11-30T08:30:00Z"}}}', "aucune StopMonitoring"),
        (
            b'{"Siri": {"ServiceDelivery": {"Status": false, "ErrorCondition": {"Description": "Quota exceeded"}}}}',
            "Quota exceeded",
        ),
    ],
)
def test_unusable_answers_fail_whole(payload: bytes, expected: str) -> None:
    with pytest.raises(FeedFormatError, match=expected):
        parse(payload)


def test_an_errored_delivery_is_reported_the_others_kept() -> None:
    service = json.loads(answer(visit()))
    deliveries = service["Siri"]["ServiceDelivery"]["StopMonitoringDelivery"]
    deliveries.append({"Status": "false", "ErrorCondition": {"OtherError": {"ErrorText": "Arrêt inconnu"}}})
    parsed = parse(json.dumps(service).encode())
    assert len(parsed.trips) == 1
    assert parsed.rejected[0].visit == "livraison 2" and "Arrêt inconnu" in parsed.rejected[0].reason


def test_every_delivery_in_error_fails_whole() -> None:
    payload = answer(Status=False, ErrorCondition={"NoInfoForTopicError": {}})
    with pytest.raises(FeedFormatError, match="NoInfoForTopicError"):
        parse(payload)


def test_every_visit_rejected_fails_whole() -> None:
    bad = visit()
    bad.pop("MonitoredVehicleJourney")
    with pytest.raises(FeedFormatError, match="Aucun des 2 passages"):
        parse(answer(bad, bad))


def test_a_single_delivery_object_and_no_visit_are_accepted() -> None:
    single = {"Siri": {"ServiceDelivery": {"StopMonitoringDelivery": {"MonitoredStopVisit": [visit()]}}}}
    assert len(parse(json.dumps(single).encode()).trips) == 1
    empty = {"Siri": {"ServiceDelivery": {"StopMonitoringDelivery": [{"Status": True}]}}}
    assert parse(json.dumps(empty).encode()).visits == 0


def test_utf8_bom_is_accepted() -> None:
    assert len(parse(b"\xef\xbb\xbf" + answer(visit())).trips) == 1


def test_the_siri_connector_never_loads_protobuf() -> None:
    code = (
        "import sys, transit_siri_lite.handler;"
        "sys.exit(1 if any(m.startswith(('google.protobuf', 'google.transit')) for m in sys.modules) else 0)"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("functions/connectors", "layers/common/python")),
        "TABLE_NAME": "t",
        "EVENT_BUS_NAME": "b",
        "AWS_DEFAULT_REGION": "eu-west-3",
    }
    assert subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == 0
