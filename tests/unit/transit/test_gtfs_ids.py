"""transit_gtfs.parser: identifiers used in keys are validated before anything is written (issue 9, defect 5).

A 1,500-character stop_id made BatchWriteItem fail after earlier batches were committed (a timetable
half-updated every day): every id that ends up in a key (agency, stop, route, trip, service) passes
poche_common.bounds.check_id in the parser, and a bad one rejects its row like any bad value.
"""

from __future__ import annotations

import pytest
from test_gtfs_parser import MINIMAL, gtfs_zip, reasons

from poche_common.bounds import MAX_ID_LENGTH, is_id
from transit_gtfs.model import ParsedFeed
from transit_gtfs.parser import parse_feed

LONG = "S" * 1500
TOO_LONG = f"trop long (1500 caractères, au plus {MAX_ID_LENGTH})"
CONTROL = "contient un caractère de contrôle"


def with_row(name: str, row: str) -> dict[str, str]:
    return {name: MINIMAL[name] + row}


def all_ids(feed: ParsedFeed) -> set[str]:
    ids = set(feed.stops) | set(feed.routes) | set(feed.trips) | set(feed.rules) | set(feed.exceptions)
    ids |= {stop.parent_station for stop in feed.stops.values() if stop.parent_station}
    ids |= {trip.route_id for trip in feed.trips.values()} | {trip.service_id for trip in feed.trips.values()}
    ids |= {st.stop_id for times in feed.stop_times.values() for st in times}
    ids |= feed.rejected_stop_ids | feed.rejected_route_ids | feed.rejected_trip_ids
    return ids


@pytest.mark.parametrize(
    ("files", "rejection"),
    [
        (with_row("stops.txt", f"{LONG},Long,48.5,0.1\n"), ("stops.txt", 4, f"stop_id {TOO_LONG}")),
        (with_row("stops.txt", "S\x013,Contrôle,48.5,0.1\n"), ("stops.txt", 4, f"stop_id {CONTROL}")),
        (with_row("stops.txt", "S\x7f3,Suppr,48.5,0.1\n"), ("stops.txt", 4, f"stop_id {CONTROL}")),
        (with_row("stops.txt", '"S\t3",Tabulation,48.5,0.1\n'), ("stops.txt", 4, f"stop_id {CONTROL}")),
        (with_row("routes.txt", f"{LONG},A,2,Long,3\n"), ("routes.txt", 3, f"route_id {TOO_LONG}")),
        (with_row("routes.txt", f"R2,{LONG},2,Agence longue,3\n"), ("routes.txt", 3, f"agency_id {TOO_LONG}")),
        (
            with_row("agency.txt", f"{LONG},Autre,https://example.org,Europe/Paris\n"),
            ("agency.txt", 3, f"agency_id {TOO_LONG}"),
        ),
        (with_row("trips.txt", f"R1,WK,{LONG},Sées\n"), ("trips.txt", 3, f"trip_id {TOO_LONG}")),
        (with_row("trips.txt", f"{LONG},WK,T2,Sées\n"), ("trips.txt", 3, f"route_id {TOO_LONG}")),
        (with_row("trips.txt", "R1,W\x00K,T2,Sées\n"), ("trips.txt", 3, f"service_id {CONTROL}")),
        (with_row("stop_times.txt", f"{LONG},09:00:00,09:00:00,S1,3\n"), ("stop_times.txt", 4, f"trip_id {TOO_LONG}")),
        (with_row("stop_times.txt", f"T1,09:00:00,09:00:00,{LONG},3\n"), ("stop_times.txt", 4, f"stop_id {TOO_LONG}")),
        (
            with_row("calendar.txt", f"{LONG},1,1,1,1,1,1,1,20261020,20270430\n"),
            ("calendar.txt", 3, f"service_id {TOO_LONG}"),
        ),
        (
            {"calendar_dates.txt": f"service_id,date,exception_type\nWK,20261225,2\n{LONG},20261225,1\n"},
            ("calendar_dates.txt", 3, f"service_id {TOO_LONG}"),
        ),
    ],
    ids=[
        "stop-long",
        "stop-control",
        "stop-delete",
        "stop-tab",
        "route-long",
        "route-agency-long",
        "agency-long",
        "trip-long",
        "trip-route-long",
        "trip-service-control",
        "stop-time-trip-long",
        "stop-time-stop-long",
        "calendar-service-long",
        "calendar-dates-service-long",
    ],
)
def test_a_bad_id_rejects_its_row_with_file_line_and_reason(
    files: dict[str, str], rejection: tuple[str, int, str]
) -> None:
    feed = parse_feed(gtfs_zip(files))
    assert reasons(feed) == [rejection]
    assert set(feed.trips) == {"T1"} and len(feed.stop_times["T1"]) == 2  # the good rows are all there
    assert all(is_id(value) for value in all_ids(feed))


def test_what_refers_to_a_stop_rejected_for_its_id_is_rejected_too_and_its_trip_protected() -> None:
    stops = MINIMAL["stops.txt"] + f"{LONG},Arrêt au nom de code interminable,48.5,0.12\n"
    stop_times = MINIMAL["stop_times.txt"] + f"T1,08:15:00,08:15:00,{LONG},3\nT1,08:45:00,08:45:00,S1,4\n"
    feed = parse_feed(gtfs_zip({"stops.txt": stops, "stop_times.txt": stop_times}))

    assert reasons(feed) == [
        ("stops.txt", 4, f"stop_id {TOO_LONG}"),
        ("stop_times.txt", 4, f"stop_id {TOO_LONG}"),
    ]
    assert [(st.stop_id, st.stop_sequence) for st in feed.stop_times["T1"]] == [("S1", 1), ("S2", 2), ("S1", 4)]
    # yesterday's departures of T1 are kept by the store (its stops shifted); no unusable id is remembered
    assert feed.rejected_trip_ids == {"T1"}
    assert feed.rejected_stop_ids == set()
    assert all(is_id(value) for value in all_ids(feed))


def test_a_trip_of_a_route_rejected_for_its_id_goes_with_it() -> None:
    routes = MINIMAL["routes.txt"] + f"R{LONG},A,2,Ligne 2,3\n"
    trips = MINIMAL["trips.txt"] + f"R{LONG},WK,T2,Sées\n"
    stop_times = MINIMAL["stop_times.txt"] + "T2,10:00:00,10:00:00,S1,1\nT2,10:30:00,10:30:00,S2,2\n"
    feed = parse_feed(gtfs_zip({"routes.txt": routes, "trips.txt": trips, "stop_times.txt": stop_times}))

    assert reasons(feed) == [
        ("routes.txt", 3, "route_id trop long (1501 caractères, au plus 200)"),
        ("trips.txt", 3, "route_id trop long (1501 caractères, au plus 200)"),
        ("stop_times.txt", 4, "trip_id « T2 » inconnu (absent de trips.txt ou rejeté)"),
        ("stop_times.txt", 5, "trip_id « T2 » inconnu (absent de trips.txt ou rejeté)"),
    ]
    assert set(feed.trips) == {"T1"} and set(feed.routes) == {"R1"}
    assert feed.rejected_trip_ids == {"T2"} and feed.rejected_route_ids == set()


def test_an_id_of_exactly_the_limit_is_accepted() -> None:
    stop_id = "S" * MAX_ID_LENGTH
    stops = MINIMAL["stops.txt"] + f"{stop_id},Limite,48.5,0.1\n"
    stop_times = MINIMAL["stop_times.txt"] + f"T1,09:00:00,09:00:00,{stop_id},3\n"
    feed = parse_feed(gtfs_zip({"stops.txt": stops, "stop_times.txt": stop_times}))
    assert feed.rejected == [] and stop_id in feed.stops
    assert feed.stop_times["T1"][-1].stop_id == stop_id


def test_a_parent_station_with_an_unusable_id_is_no_parent() -> None:
    stops = "stop_id,stop_name,stop_lat,stop_lon,parent_station\nS1,Halle,48.43,0.09,\nS2,Sées,48.6,0.17," + LONG + "\n"
    feed = parse_feed(gtfs_zip({"stops.txt": stops}))
    assert feed.stops["S2"].parent_station is None and feed.rejected == []
