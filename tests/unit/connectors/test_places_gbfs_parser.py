"""Unit tests of the GBFS parser (issue 12): the project's fabricated Alençon sample in v2.3 and v3.0, hand-written
v2.2, v2.3 and v3.0 bodies for what the sample lacks, auto-discovery, localized names, bounds, rejections and
bodies that are not GBFS (offline, deterministic). Every fixture is the project's own."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from places_gbfs.model import BBox, Station, StationStatus, Vehicle
from places_gbfs.parser import (
    MAX_ITEMS,
    parse_discovery,
    parse_station_information,
    parse_station_status,
    parse_vehicles,
    pick_language,
)
from poche_common.errors import FeedFormatError

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "functions/connectors/places_gbfs/sample"
UTC = dt.UTC
ORNE = BBox(south=48.17, west=-0.87, north=48.98, east=0.98)
SAMPLE_TIME = dt.datetime(2026, 11, 30, 7, 30, tzinfo=UTC)


def sample(version: str, name: str) -> bytes:
    return (SAMPLE / f"v{version}" / name).read_bytes()


def v2_file(data: dict[str, Any], *, version: str = "2.3", last_updated: Any = 1796023800, ttl: int = 60) -> bytes:
    return json.dumps({"last_updated": last_updated, "ttl": ttl, "version": version, "data": data}).encode()


def v3_file(data: dict[str, Any], *, last_updated: str = "2026-11-30T08:30:00+01:00", ttl: int = 60) -> bytes:
    return v2_file(data, version="3.0", last_updated=last_updated, ttl=ttl)


STATUS_OK = {
    "station_id": "A",
    "num_bikes_available": 2,
    "num_docks_available": 3,
    "is_installed": True,
    "is_renting": True,
    "is_returning": True,
    "last_reported": 1796023700,
}


# ---------------------------------------------------------------- hand-written bodies: what the sample lacks
#
# Fabricated for this test (modelled on the GBFS reference, gbfs.org): one instant, 2026-06-15 06:45:10 UTC
# (08:45:10 in Paris, summer time: +02:00 in v3).

HAND_TIME = dt.datetime(2026, 6, 15, 6, 45, 10, tzinfo=UTC)
HAND_POSIX = 1781505910
HAND_RFC3339 = "2026-06-15T08:45:10+02:00"


def v22_discovery(*languages: str) -> bytes:
    lists = {
        language: {
            "feeds": [
                {"name": name, "url": f"https://gbfs.velo-alencon.example/2.2/{language}/{name}.json"}
                for name in ("station_status", "station_information", "free_bike_status")
            ]
        }
        for language in languages
    }
    return v2_file(lists, version="2.2", last_updated=HAND_POSIX, ttl=0)


def test_discovery_v22_reads_the_french_list_when_french_is_not_first() -> None:
    discovery = parse_discovery(v22_discovery("de", "en", "fr"))

    assert discovery.version == "2.2"
    assert discovery.major == 2
    assert discovery.language == "fr"
    assert discovery.languages == ("de", "en", "fr")
    assert discovery.feeds == {
        "station_status": "https://gbfs.velo-alencon.example/2.2/fr/station_status.json",
        "station_information": "https://gbfs.velo-alencon.example/2.2/fr/station_information.json",
        "free_bike_status": "https://gbfs.velo-alencon.example/2.2/fr/free_bike_status.json",
    }
    assert discovery.vehicles_feed == "free_bike_status"
    assert discovery.feed.last_updated == HAND_TIME
    assert discovery.feed.ttl == 0
    assert discovery.rejected == ()


def test_discovery_v22_without_french_reads_the_english_list() -> None:
    discovery = parse_discovery(v22_discovery("de", "en"))

    assert discovery.language == "en"
    assert discovery.languages == ("de", "en")
    assert discovery.feeds == {
        "station_status": "https://gbfs.velo-alencon.example/2.2/en/station_status.json",
        "station_information": "https://gbfs.velo-alencon.example/2.2/en/station_information.json",
        "free_bike_status": "https://gbfs.velo-alencon.example/2.2/en/free_bike_status.json",
    }
    assert discovery.rejected == ()


def test_discovery_v30_reads_the_single_list() -> None:
    feeds = [
        {"name": name, "url": f"https://gbfs.velo-alencon.example/3.0/{name}.json"}
        for name in ("station_status", "station_information", "vehicle_status")
    ]
    discovery = parse_discovery(v3_file({"feeds": feeds}, last_updated=HAND_RFC3339, ttl=0))

    assert discovery.version == "3.0"
    assert discovery.major == 3
    assert discovery.language is None
    assert discovery.languages == ()
    assert discovery.url("station_information") == "https://gbfs.velo-alencon.example/3.0/station_information.json"
    assert discovery.url("vehicle_status") == "https://gbfs.velo-alencon.example/3.0/vehicle_status.json"
    assert discovery.url("free_bike_status") is None
    assert discovery.vehicles_feed == "vehicle_status"
    assert discovery.feed.last_updated == HAND_TIME  # 08:45:10+02:00
    assert discovery.feed.ttl == 0
    assert discovery.rejected == ()


def test_station_information_v22() -> None:
    station = {
        "station_id": "P-LAMARTINE",
        "name": "Parking Lamartine",
        "lat": 48.430912,
        "lon": 0.092184,
        "vehicle_type_capacity": {"velo-electrique": 7, "velo-cargo": 2},  # v2.2, not read
    }
    feed, stations, rejected = parse_station_information(
        v2_file({"stations": [station]}, version="2.2", last_updated=HAND_POSIX, ttl=0), "2.2"
    )

    assert feed.version == "2.2"
    assert feed.last_updated == HAND_TIME
    assert stations == [Station("P-LAMARTINE", "Parking Lamartine", 48.430912, 0.092184)]
    assert rejected == []


def test_station_information_v30_localized_names_and_virtual_station() -> None:
    parking = {
        "station_id": "P-LAMARTINE",
        "name": [{"text": "Lamartine car park", "language": "en"}],  # no French: the only text
        "lat": 48.430912,
        "lon": 0.092184,
        "parking_type": "underground_parking",
        "is_charging_station": True,
        "vehicle_docks_capacity": [{"vehicle_type_ids": ["velo-electrique"], "count": 7}],
    }
    stade = {
        "station_id": "Z-STADE",
        "name": [
            {"text": "Sportplatz", "language": "de"},
            {"text": "Sports ground", "language": "en"},
            {"text": "Stade Jacques-Fould", "language": "fr"},
        ],
        "lat": 48.425318,
        "lon": 0.083771,
        "is_virtual_station": True,
        "station_area": {
            "type": "MultiPolygon",
            "coordinates": [[[[0.0837, 48.4253], [0.0838, 48.4253], [0.0838, 48.4254], [0.0837, 48.4253]]]],
        },
        "capacity": 16,
        "vehicle_types_capacity": [{"vehicle_type_ids": ["velo-electrique"], "count": 16}],
    }
    feed, stations, rejected = parse_station_information(
        v3_file({"stations": [parking, stade]}, last_updated=HAND_RFC3339, ttl=0), "3.0"
    )

    assert feed.version == "3.0"
    assert feed.last_updated == HAND_TIME
    assert rejected == []
    assert [station.station_id for station in stations] == ["P-LAMARTINE", "Z-STADE"]
    assert stations[0].name == "Lamartine car park"
    assert stations[0].capacity is None
    assert stations[0].is_virtual is False
    assert stations[1] == Station("Z-STADE", "Stade Jacques-Fould", 48.425318, 0.083771, capacity=16, is_virtual=True)


def test_station_status_v22_rejects_the_station_with_impossible_counts() -> None:
    common = {"is_installed": True, "is_renting": True, "is_returning": True}
    stations: list[dict[str, Any]] = [
        {
            "station_id": "station 1",
            **common,
            "last_reported": 1781505785,
            "num_docks_available": 3,
            "vehicle_docks_available": [{"vehicle_type_ids": ["velo-electrique"], "count": 3}],
            "num_bikes_available": 1,
            "vehicle_types_available": [{"vehicle_type_id": "velo-electrique", "count": 1}],
        },
        {
            "station_id": "station 2",
            **common,
            "last_reported": 1781505892,
            "num_docks_available": 8,
            "num_docks_disabled": 1,
            "num_bikes_available": 6,
        },
        {
            "station_id": "station 3",
            **common,
            "last_reported": 1781505892,
            "num_docks_available": 999999,
            "num_bikes_available": 555555,
        },
    ]
    feed, statuses, rejected = parse_station_status(
        v2_file({"stations": stations}, version="2.2", last_updated=HAND_POSIX, ttl=0), "2.2"
    )

    assert feed.last_updated == HAND_TIME
    assert feed.version == "2.2"
    assert statuses[0] == StationStatus(
        station_id="station 1",
        num_vehicles_available=1,
        num_docks_available=3,
        is_installed=True,
        is_renting=True,
        is_returning=True,
        last_reported=dt.datetime(2026, 6, 15, 6, 43, 5, tzinfo=UTC),
    )
    assert len(statuses) == 2
    assert statuses[1].station_id == "station 2"
    assert statuses[1].num_bikes_available == 6
    assert statuses[1].num_docks_available == 8
    # "station 3": 555,555 bikes and 999,999 docks
    assert len(rejected) == 1
    assert rejected[0].index == 2
    assert rejected[0].item_id == "station 3"
    assert "num_bikes_available hors des bornes" in rejected[0].reason
    assert "555555" in rejected[0].reason
    assert rejected[0].as_dict() == {"index": 2, "reason": rejected[0].reason}


def test_station_status_v30_reads_num_vehicles_available_and_rfc3339() -> None:
    common = {"is_installed": True, "is_renting": True, "is_returning": True, "last_reported": HAND_RFC3339}
    stations: list[dict[str, Any]] = [
        {
            "station_id": "station1",
            **common,
            "num_docks_available": 3,
            "num_docks_disabled": 1,
            "num_vehicles_available": 1,
            "num_vehicles_disabled": 2,
            "vehicle_types_available": [{"vehicle_type_id": "velo-electrique", "count": 1}],
        },
        {
            "station_id": "station2",
            **common,
            "num_docks_available": 8,
            "num_vehicles_available": 6,
            "num_vehicles_disabled": 1,
        },
    ]
    feed, statuses, rejected = parse_station_status(
        v3_file({"stations": stations}, last_updated=HAND_RFC3339, ttl=0), "3.0"
    )

    assert rejected == []
    assert feed.ttl == 0
    assert feed.last_updated == HAND_TIME
    assert [(s.station_id, s.num_vehicles_available, s.num_docks_available) for s in statuses] == [
        ("station1", 1, 3),
        ("station2", 6, 8),
    ]
    assert statuses[1].last_reported == HAND_TIME  # 08:45:10+02:00
    assert statuses[1].in_service


def scooter(bike_id: str, lat: float, lon: float, *, range_m: int, **flags: bool) -> dict[str, Any]:
    """A free-floating e-scooter of a v2.3 `free_bike_status`, with the fields the parser does not read."""
    return {
        "bike_id": bike_id,
        "lat": lat,
        "lon": lon,
        "is_reserved": flags.get("is_reserved", False),
        "is_disabled": flags.get("is_disabled", False),
        "rental_uris": {"android": f"https://trott-orne.example/app/{bike_id[:8]}"},
        "vehicle_type_id": "trottinette",
        "last_reported": HAND_POSIX,
        "current_range_meters": range_m,
        "pricing_plan_id": "plan-trottinette",
    }


FLEET = [
    scooter("3d6f2a91-7c04-4b8e-a5d2-9e1f0b7c4a63", 48.432871, 0.091544, range_m=12250),
    scooter("a81c0e57-2b9d-4f36-8e4a-5c7d1b0f9e28", 48.429104, 0.094387, range_m=30500),
    scooter("f4b29d06-6e13-4a7c-b0f8-1d5e9c3a7b42", 48.435662, 0.086913, range_m=17250, is_disabled=True),
    scooter("0c7e5a38-94f1-4d2b-9a6c-e3b8f1d05c79", 48.426493, 0.100218, range_m=8000, is_reserved=True),
    scooter("6b1d8f40-3a72-4e95-8c0b-2f9a6d4e1c85", 48.440127, 0.089652, range_m=0, is_disabled=True),
    scooter("d92a4c17-5f8e-4b03-b6d1-7a0c3e9f2b56", 48.437519, 0.103846, range_m=5500),
]


def test_free_bike_status_v23_free_floating_scooters() -> None:
    body = v2_file({"bikes": FLEET}, version="2.3", last_updated=HAND_POSIX, ttl=0)
    feed, vehicles, rejected = parse_vehicles(body, "2.3", bbox=ORNE)

    assert feed.last_updated == HAND_TIME
    assert feed.ttl == 0
    assert feed.version == "2.3"
    assert rejected == []
    assert len(vehicles) == 6
    assert vehicles[0] == Vehicle(
        vehicle_id="3d6f2a91-7c04-4b8e-a5d2-9e1f0b7c4a63",
        lat=48.432871,
        lon=0.091544,
        is_reserved=False,
        is_disabled=False,
        vehicle_type_id="trottinette",
        current_range_meters=12250,
        last_reported=HAND_TIME,
    )
    assert vehicles[0].free_floating and vehicles[0].available
    assert vehicles[2].vehicle_id == "f4b29d06-6e13-4a7c-b0f8-1d5e9c3a7b42"
    assert vehicles[2].is_disabled and not vehicles[2].available
    assert vehicles[3].is_reserved and not vehicles[3].is_disabled and not vehicles[3].available
    assert sum(vehicle.is_disabled for vehicle in vehicles) == 2
    assert [vehicle.vehicle_id[:8] for vehicle in vehicles if vehicle.available] == ["3d6f2a91", "a81c0e57", "d92a4c17"]
    assert all(vehicle.free_floating for vehicle in vehicles)
    assert (vehicles[-1].lat, vehicles[-1].lon, vehicles[-1].current_range_meters) == (48.437519, 0.103846, 5500)


OUTSIDE_ORNE = [
    scooter("5e0a7b2c-1d94-4f68-a3b7-c2e9d0f1a846", 48.006110, 0.199556, range_m=9000),  # Le Mans: south
    scooter("b3c8e1f5-6a20-4d7b-9f4e-0d2a5c8b7e13", 49.182863, -0.370679, range_m=9000),  # Caen: north
    scooter("7f2d9a64-c8b1-4e05-a6d3-91e7f0b2c5d8", 48.443854, 1.489012, range_m=9000),  # Chartres: east
    scooter("e6a1c3b9-0f57-4a2e-8d6b-3b9f5e7c1a04", 48.117266, -1.677793, range_m=9000),  # Rennes: west
]


def test_bbox_rejects_what_is_outside_the_territory() -> None:
    body = v2_file({"bikes": OUTSIDE_ORNE}, version="2.3", last_updated=HAND_POSIX, ttl=0)
    _, vehicles, rejected = parse_vehicles(body, "2.3", bbox=ORNE)

    assert vehicles == []
    assert len(rejected) == 4
    assert [r.index for r in rejected] == list(range(4))
    assert [r.item_id for r in rejected] == [item["bike_id"] for item in OUTSIDE_ORNE]
    assert rejected[0].item_id == "5e0a7b2c-1d94-4f68-a3b7-c2e9d0f1a846"
    assert rejected[0].reason == "position (48.006110, 0.199556) hors de la zone couverte."
    assert rejected[1].reason == "position (49.182863, -0.370679) hors de la zone couverte."
    _, unbounded, none_rejected = parse_vehicles(body, "2.3")
    assert len(unbounded) == 4 and none_rejected == []  # the same file without a box: all kept


# ---------------------------------------------------------------- the Alençon sample, v2.3 and v3.0


def test_sample_discovery_prefers_french_in_v2() -> None:
    discovery = parse_discovery(sample("2.3", "gbfs.json"))

    assert discovery.languages == ("en", "fr")
    assert discovery.language == "fr"
    assert discovery.version == "2.3"
    assert discovery.feed.last_updated == SAMPLE_TIME
    assert discovery.feed.ttl == 3600
    assert discovery.feed.expires_at == SAMPLE_TIME + dt.timedelta(hours=1)
    assert discovery.url("station_status") == "https://gbfs.velo-alencon.example/2.3/fr/station_status.json"
    assert list(discovery.feeds) == [
        "system_information",
        "station_information",
        "station_status",
        "free_bike_status",
    ]


def test_sample_discovery_v3() -> None:
    discovery = parse_discovery(sample("3.0", "gbfs.json"))

    assert discovery.version == "3.0"
    assert discovery.feed.last_updated == SAMPLE_TIME
    assert discovery.vehicles_feed == "vehicle_status"
    assert discovery.url("vehicle_status") == "https://gbfs.velo-alencon.example/3.0/vehicle_status.json"


@pytest.mark.parametrize("version", ["2.3", "3.0"])
def test_sample_stations(version: str) -> None:
    raw = sample(version, "station_information.json")
    feed, stations, rejected = parse_station_information(raw, version, bbox=ORNE)

    assert rejected == []
    assert feed.last_updated == SAMPLE_TIME
    assert len(stations) == 13
    assert stations[0] == Station(
        "ALE-001", "Gare SNCF", 48.434572, 0.096421, address="Place de la Gare, 61000 Alençon", capacity=20
    )
    virtual = [station.station_id for station in stations if station.is_virtual]
    assert virtual == ["ALE-013"]
    assert stations[3].name == "Basilique Notre-Dame"  # v3: English listed first, French chosen
    assert stations[-1].name == "Parc des Promenades"


def test_sample_versions_agree() -> None:
    for name, name3, parse in (
        ("station_information.json", "station_information.json", parse_station_information),
        ("station_status.json", "station_status.json", parse_station_status),
        ("free_bike_status.json", "vehicle_status.json", parse_vehicles),
    ):
        v2 = parse(sample("2.3", name), "2.3")
        v3 = parse(sample("3.0", name3), "3.0")
        assert v2.items == v3.items, name
        assert v2.feed.last_updated == v3.feed.last_updated == SAMPLE_TIME
        assert (v2.feed.version, v3.feed.version) == ("2.3", "3.0")
        assert v2.rejected == v3.rejected == []


@pytest.mark.parametrize("version", ["2.3", "3.0"])
def test_sample_status_and_vehicles(version: str) -> None:
    _, statuses, _ = parse_station_status(sample(version, "station_status.json"), version)
    vehicles_file = "free_bike_status.json" if version == "2.3" else "vehicle_status.json"
    _, vehicles, _ = parse_vehicles(sample(version, vehicles_file), version, bbox=ORNE)
    by_id = {status.station_id: status for status in statuses}

    assert len(by_id) == 13
    gare = by_id["ALE-001"]
    assert (gare.num_vehicles_available, gare.num_docks_available) == (7, 12)
    assert gare.last_reported == dt.datetime(2026, 11, 30, 7, 29, 18, tzinfo=UTC)
    assert not by_id["ALE-009"].in_service
    assert by_id["ALE-013"].num_docks_available is None
    assert len(vehicles) == 5
    assert [vehicle.vehicle_id[:8] for vehicle in vehicles if vehicle.available and vehicle.free_floating] == [
        "b7c1e2a0",
        "4f0e9a63",
    ]
    docked = vehicles[-1]
    assert (docked.station_id, docked.lat, docked.lon, docked.free_floating) == ("ALE-001", None, None, False)


# ---------------------------------------------------------------- localized names


def test_pick_language() -> None:
    assert pick_language(["en", "fr"]) == "fr"
    assert pick_language(["de", "fr-FR", "en"]) == "fr-FR"
    assert pick_language(["de", "en"]) == "en"
    assert pick_language(["nl", "de"]) == "nl"
    assert pick_language([]) is None


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([{"text": "Station", "language": "en"}, {"text": "Gare", "language": "fr"}], "Gare"),
        ([{"text": "Bahnhof", "language": "de"}, {"text": "Gare", "language": "fr-BE"}], "Gare"),
        ([{"text": "Bahnhof", "language": "de"}, {"text": "Station", "language": "en"}], "Station"),
        ([{"text": "Bahnhof", "language": "de"}], "Bahnhof"),
        ([{"text": "Sans langue"}], "Sans langue"),
        ([{"text": "  ", "language": "fr"}, 3, {"text": "Station", "language": "en"}], "Station"),
        ("  <b>Gare</b>\n  routière ", "Gare routière"),
    ],
)
def test_localized_names(names: Any, expected: str) -> None:
    station = {"station_id": "s", "name": names, "lat": 48.43, "lon": 0.09}
    _, stations, rejected = parse_station_information(v3_file({"stations": [station]}), "3.0")

    assert rejected == []
    assert stations[0].name == expected


def test_long_name_is_clipped_to_200_characters() -> None:
    station = {"station_id": "s", "name": "Rue " * 300, "lat": 48.43, "lon": 0.09, "address": "x" * 1000}
    _, stations, _ = parse_station_information(v2_file({"stations": [station]}), "2.3")

    assert len(stations[0].name) <= 200
    assert stations[0].name.endswith("…")
    assert stations[0].address is not None and len(stations[0].address) <= 300


# ---------------------------------------------------------------- bad items: rejected with index and reason


def test_bad_statuses_are_rejected_with_their_index() -> None:
    items: list[Any] = [
        STATUS_OK,
        "not an object",
        {**STATUS_OK, "station_id": None},
        {**STATUS_OK, "station_id": "B", "num_bikes_available": -1},
        {**STATUS_OK, "station_id": "C", "num_bikes_available": True},
        {**STATUS_OK, "station_id": "D", "num_docks_available": 10_001},
        {**STATUS_OK, "station_id": "E", "is_renting": "yes"},
        {**STATUS_OK, "station_id": "F", "last_reported": 0},
        {**STATUS_OK, "station_id": "G\x00"},
        {**STATUS_OK, "station_id": "x" * 201},
        {**STATUS_OK, "num_bikes_available": 9},  # A again
        {**STATUS_OK, "station_id": "H", "num_bikes_available": 2.5},
        {**STATUS_OK, "station_id": "I", "num_bikes_available": 10_000, "is_installed": 1, "is_renting": 0},
        {**STATUS_OK, "station_id": 42, "last_reported": None, "num_docks_available": None},
    ]
    _, statuses, rejected = parse_station_status(v2_file({"stations": items}), "2.3")

    assert [(s.station_id, s.num_vehicles_available) for s in statuses] == [("A", 2), ("I", 10_000), ("42", 2)]
    assert (statuses[1].is_installed, statuses[1].is_renting) == (True, False)  # GBFS 1.x wrote 0 / 1
    assert (statuses[2].last_reported, statuses[2].num_docks_available) == (None, None)
    reasons = {r.index: r.reason for r in rejected}
    assert sorted(reasons) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert reasons[1] == "un objet est attendu, pas un texte."
    assert reasons[2] == "station_id manquant."
    assert reasons[3] == "num_bikes_available hors des bornes (0 à 10\u202f000) : -1."
    assert reasons[4] == "num_bikes_available devrait être un nombre entier."
    assert reasons[5].startswith("num_docks_available hors des bornes")
    assert reasons[6] == "is_renting devrait être vrai ou faux."
    assert reasons[7].startswith("last_reported hors des bornes (2000 à 2100)")
    assert reasons[8] == "station_id contient un caractère de contrôle."
    assert reasons[9].startswith("station_id trop long")
    assert reasons[10] == "station_id « A » en double."
    assert reasons[11] == "num_bikes_available devrait être un nombre entier."
    assert {r.index: r.item_id for r in rejected}[3] == "B"


def test_bad_stations_are_rejected_with_their_index() -> None:
    good = {"station_id": "A", "name": "Gare", "lat": 48.43, "lon": 0.09}
    items: list[Any] = [
        {**good, "lat": float("nan")},  # JSON's NaN extension, which Python reads
        {**good, "station_id": "B", "lat": 91},
        {**good, "station_id": "C", "lat": 0, "lon": 0},
        {**good, "station_id": "D", "lon": "0.09"},
        {**good, "station_id": "E", "name": ""},
        {**good, "station_id": "F", "name": [{"language": "fr"}]},
        {**good, "station_id": "G", "capacity": -3},
        {**good, "station_id": "H", "lat": 10**400},
        {**good, "station_id": "I", "is_virtual_station": "oui"},
        {**good, "station_id": "J", "lon": None},
    ]
    _, stations, rejected = parse_station_information(v2_file({"stations": [*items, good]}), "2.3")

    assert stations == [Station("A", "Gare", 48.43, 0.09)]
    reasons = {r.index: r.reason for r in rejected}
    assert reasons == {
        0: "lat n'est pas un nombre fini.",
        1: "lat hors des bornes (-90 à 90) : 91.",
        2: "coordonnées nulles (0, 0) : position inconnue.",
        3: "lon devrait être un nombre.",
        4: "station « E » sans nom.",
        5: "name : aucun texte localisé utilisable.",
        6: "capacity hors des bornes (0 à 10\u202f000) : -3.",
        7: "lat hors des bornes.",
        8: "is_virtual_station devrait être vrai ou faux.",
        9: "lon manquant.",
    }


def test_bad_vehicles_are_rejected_with_their_index() -> None:
    good = {"vehicle_id": "v1", "lat": 48.43, "lon": 0.09, "is_reserved": False, "is_disabled": False}
    items: list[Any] = [
        good,
        {**good, "vehicle_id": "v2", "lat": None, "lon": None},  # neither position nor station
        {**good, "vehicle_id": "v3", "current_range_meters": -5},
        {**good, "vehicle_id": "v4", "current_range_meters": 5e9},
        {**good, "vehicle_id": "v5", "last_reported": "2026-11-30T08:30:00"},  # no offset
        {**good, "vehicle_id": "v6", "is_reserved": None},
        {k: v for k, v in good.items() if k != "vehicle_id"} | {"bike_id": "v7"},  # v2 spelling in a v3 file
        {**good, "vehicle_id": "\ud800"},
    ]
    _, vehicles, rejected = parse_vehicles(v3_file({"vehicles": items}), "3.0")

    assert [vehicle.vehicle_id for vehicle in vehicles] == ["v1", "v7"]
    reasons = {r.index: r.reason for r in rejected}
    assert reasons[1] == "lat manquant."
    assert reasons[2].startswith("current_range_meters hors des bornes")
    assert reasons[3].startswith("current_range_meters hors des bornes")
    assert reasons[4].startswith("last_reported sans fuseau horaire")
    assert reasons[5] == "is_reserved manquant."
    assert reasons[7] == "vehicle_id contient un caractère invalide (demi-paire UTF-16 isolée)."


def test_v2_and_v3_spellings_are_both_read() -> None:
    """Producers migrating to v3 mix the versions' spellings: each is unambiguous, so both are read."""
    v3_status = {**STATUS_OK, "last_reported": "2026-11-30T07:28:20Z"}
    del v3_status["num_bikes_available"]
    v3_status["num_vehicles_available"] = 4
    mixed = v2_file({"stations": [v3_status, {**STATUS_OK, "station_id": "B"}]}, version="3.0")  # POSIX header
    feed, statuses, rejected = parse_station_status(mixed, "3.0")

    assert feed.last_updated == SAMPLE_TIME
    assert rejected == []
    assert statuses[0].num_vehicles_available == 4
    assert statuses[0].last_reported == dt.datetime(2026, 11, 30, 7, 28, 20, tzinfo=UTC)
    assert statuses[1].num_vehicles_available == 2
    _, vehicles, _ = parse_vehicles(
        v3_file({"bikes": [{"bike_id": "b", "lat": 48.4, "lon": 0.1, "is_reserved": 0, "is_disabled": 0}]}), "3.0"
    )
    assert [vehicle.vehicle_id for vehicle in vehicles] == ["b"]


def test_the_files_own_version_wins() -> None:
    feed, statuses, _ = parse_station_status(sample("3.0", "station_status.json"), "2.2")
    assert feed.version == "3.0"
    assert statuses == parse_station_status(sample("3.0", "station_status.json"), "3.0").items  # v3 fields read
    feed, _, _ = parse_station_status(v2_file({"stations": []}, version=3.0), "2.3")  # type: ignore[arg-type]
    assert feed.version == "2.3"  # not a version string: the caller's


# ---------------------------------------------------------------- discovery


def test_discovery_rejects_bad_entries_and_keeps_the_rest() -> None:
    feeds: list[Any] = [
        {"name": "station_information", "url": "https://gbfs.example.org/si.json"},
        {"name": "station_status", "url": "javascript:alert(1)"},
        {"name": "station_information", "url": "https://gbfs.example.org/other.json"},
        {"name": "a b", "url": "https://gbfs.example.org/x.json"},
        "gbfs",
        {"name": "station_status", "url": "https://gbfs.example.org/ss.json"},
    ]
    discovery = parse_discovery(v2_file({"fr": {"feeds": feeds}}))

    assert discovery.feeds == {
        "station_information": "https://gbfs.example.org/si.json",
        "station_status": "https://gbfs.example.org/ss.json",
    }
    assert [(r.index, r.reason) for r in discovery.rejected] == [
        (1, "station_status : URL illisible ou non http(s) : « javascript:alert(1) »."),
        (2, "station_information annoncé deux fois."),
        (3, "nom de fichier illisible : « a b »."),
        (4, "un objet est attendu, pas un texte."),
    ]


def test_discovery_of_gbfs_1_without_version() -> None:
    entry = {"name": "station_status", "url": "https://example.com/ss.json"}
    body = {"last_updated": 1609866247, "ttl": 0, "data": {"en": {"feeds": [entry]}}}
    discovery = parse_discovery(json.dumps(body).encode())

    assert discovery.version == "1.0"
    assert discovery.major == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"version": "4.0", "data": {"feeds": []}}, "version GBFS non prise en charge"),
        ({"version": "2.3", "data": {"xx-not a tag": {}}}, "ni « data.feeds » ni liste par langue"),
        ({"version": "3.0", "data": {"feeds": {}}}, "devrait être une liste"),
        ({"version": "3.0", "data": {"feeds": [{"name": "x", "url": "ftp://a/b"}]}}, "aucun fichier utilisable"),
        ({"version": "3.0", "data": {"feeds": [{}] * 101}}, "au plus 100"),
    ],
)
def test_unusable_discovery_is_refused(body: dict[str, Any], reason: str) -> None:
    body = {"last_updated": 1609866247, "ttl": 0, **body}
    with pytest.raises(FeedFormatError, match=reason):
        parse_discovery(json.dumps(body).encode())


# ---------------------------------------------------------------- not GBFS: the whole file is refused


NOT_GBFS: list[tuple[bytes, str]] = [
    (b"", "JSON illisible"),
    (b"<html><body>502 Bad Gateway</body></html>", "JSON illisible"),
    (b"\xff\xfe\xfa{", "JSON illisible"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON illisible"),
    (b"[]", "un objet JSON est attendu, pas une liste"),
    (b'"data"', "un objet JSON est attendu, pas un texte"),
    (b'{"type": "FeatureCollection", "features": []}', "pas de champ « data »"),
    (b'{"last_updated": 1796023800, "data": []}', "« data » devrait être un objet"),
    (b'{"last_updated": 1796023800, "data": {"stations": {}}}', "« data.stations » devrait être une liste"),
    (b'{"last_updated": 1796023800, "data": {"bikes": []}}', "pas de liste « data.stations »"),
    (b'{"data": {"stations": []}}', "pas de last_updated"),
    (b'{"last_updated": 1796023800000, "data": {"stations": []}}', "last_updated hors des bornes"),
    (b'{"last_updated": "2026-11-30T08:30:00", "data": {"stations": []}}', "sans fuseau horaire"),
    (b'{"last_updated": "hier", "data": {"stations": []}}', "last_updated illisible"),
    (b'{"last_updated": true, "data": {"stations": []}}', "pas un booléen"),
    (b'{"last_updated": 1796023800, "ttl": -1, "data": {"stations": []}}', "ttl"),
    (b'{"last_updated": 1796023800, "ttl": "60", "data": {"stations": []}}', "ttl"),
]


@pytest.mark.parametrize(("body", "reason"), NOT_GBFS)
def test_not_gbfs_is_refused(body: bytes, reason: str) -> None:
    with pytest.raises(FeedFormatError, match=reason):
        parse_station_status(body, "2.3")
    with pytest.raises(FeedFormatError):
        parse_station_information(body, "3.0")


def test_too_many_items_is_refused_not_cut() -> None:
    at_limit = v2_file({"stations": [{}] * MAX_ITEMS})
    _, statuses, rejected = parse_station_status(at_limit, "2.3")
    assert statuses == [] and len(rejected) == MAX_ITEMS

    with pytest.raises(FeedFormatError, match="au plus 20\u202f000"):
        parse_station_status(v2_file({"stations": [{}] * (MAX_ITEMS + 1)}), "2.3")
    with pytest.raises(FeedFormatError, match="au plus 20\u202f000"):
        parse_vehicles(v2_file({"bikes": [{}] * (MAX_ITEMS + 1)}), "2.3")


def test_unknown_caller_version_without_file_version_is_refused() -> None:
    body = b'{"last_updated": 1796023800, "data": {"stations": []}}'
    with pytest.raises(FeedFormatError, match="version GBFS non prise en charge"):
        parse_station_status(body, "9.9")


# ---------------------------------------------------------------- property: only FeedFormatError, ever

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from([1796023800, "2026-11-30T08:30:00+01:00", "A", 0, 1, 10_000, 10_001, -1, 48.43, "fr"])
)
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
STATUS_KEYS = st.sampled_from(
    [
        "station_id",
        "num_bikes_available",
        "num_vehicles_available",
        "num_docks_available",
        "is_installed",
        "is_renting",
        "is_returning",
        "last_reported",
    ]
)
# Values a station_status item could hold, valid or not, so that most examples reach the per-item checks.
PLAUSIBLE = st.sampled_from([True, False, 0, 1, 3, 10_000, "A", "B", 1796023700, "2026-11-30T08:29:00Z"])
STATUS_LIKE = (
    st.dictionaries(STATUS_KEYS, PLAUSIBLE | ANY_JSON, max_size=8)
    | st.builds(lambda key, value: {**STATUS_OK, key: value}, STATUS_KEYS, PLAUSIBLE | ANY_JSON)
    | st.just(STATUS_OK)
)  # anything keyed like a status, a good status with one field changed, a good status
HEADER_LIKE = st.fixed_dictionaries(
    {
        "data": st.fixed_dictionaries({"stations": st.lists(STATUS_LIKE, min_size=1, max_size=5)})
        | st.dictionaries(
            st.sampled_from(["stations", "bikes", "vehicles", "feeds", "fr"]),
            st.lists(STATUS_LIKE | ANY_JSON, max_size=5) | ANY_JSON,
            min_size=1,
            max_size=2,
        )
        | ANY_JSON,
        "last_updated": st.sampled_from([1796023800, "2026-11-30T08:30:00+01:00"]) | ANY_JSON,
    },
    optional={"ttl": st.sampled_from([0, 60]) | ANY_JSON, "version": st.sampled_from(["2.3", "3.0", "4"]) | ANY_JSON},
)


@settings(derandomize=True, database=None, deadline=None, max_examples=300)
@given(document=ANY_JSON | HEADER_LIKE, version=st.sampled_from(["1.0", "2.3", "3.0", "3.1-RC2", "x"]))
def test_station_status_raises_only_feed_format_error(document: Any, version: str) -> None:
    body = json.dumps(document).encode()  # NaN / Infinity written as JSON's extensions, which Python reads
    try:
        feed, statuses, rejected = parse_station_status(body, version)
    except FeedFormatError as exc:
        assert str(exc)
        return
    assert feed.last_updated.tzinfo is UTC
    for status in statuses:
        assert 0 <= status.num_vehicles_available <= 10_000
    for rejection in rejected:
        assert rejection.reason and rejection.index >= 0


@settings(derandomize=True, database=None, deadline=None, max_examples=100)
@given(document=ANY_JSON | HEADER_LIKE)
def test_other_parsers_raise_only_feed_format_error(document: Any) -> None:
    body = json.dumps(document).encode()
    for parse in (parse_station_information, parse_vehicles):
        with contextlib.suppress(FeedFormatError):
            parse(body, "2.3")
    with contextlib.suppress(FeedFormatError):
        parse_discovery(body)
