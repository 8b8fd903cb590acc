"""transit_gtfs.parser: GTFS zip -> ParsedFeed; whole-feed failures, per-row rejections, awkward bytes."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from poche_common.errors import FeedFormatError
from transit_gtfs import parser
from transit_gtfs.model import route_type_code
from transit_gtfs.parser import parse_feed, parse_time

SAMPLE_DIR = Path(__file__).resolve().parents[3] / "functions/connectors/transit_gtfs/sample"

MINIMAL = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Réseau test,https://example.org,Europe/Paris\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
    "S1,Alençon - Halle,48.43,0.09\nS2,Sées - Cathédrale,48.60,0.17\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\nR1,A,1,Alençon - Sées,3\n",
    "trips.txt": "route_id,service_id,trip_id,trip_headsign\nR1,WK,T1,Sées\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "T1,08:00:00,08:00:00,S1,1\nT1,08:30:00,08:30:00,S2,2\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    "WK,1,1,1,1,1,0,0,20261020,20270430\n",
}


def gtfs_zip(files: dict[str, str | bytes | None], *, folder: str = "", base: dict[str, str] | None = None) -> bytes:
    """A GTFS zip from MINIMAL (or `base`) with `files` replacing (None: removing) some files."""
    content: dict[str, str | bytes] = dict(base if base is not None else MINIMAL)
    for name, value in files.items():
        if value is None:
            content.pop(name, None)
        else:
            content[name] = value
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, value in content.items():
            archive.writestr(folder + name, value.encode("utf-8") if isinstance(value, str) else value)
    return buffer.getvalue()


def reasons(feed: parser.ParsedFeed) -> list[tuple[str, int, str]]:
    return [(r.file, r.line, r.reason) for r in feed.rejected]


# ---------------------------------------------------------------- the bundled sample


def test_the_sample_parses_with_its_one_malformed_row() -> None:
    feed = parse_feed((SAMPLE_DIR / "network.zip").read_bytes())

    assert feed.timezone == "Europe/Paris"
    assert len(feed.stops) == 13 and len(feed.routes) == 3 and len(feed.trips) == 16
    assert feed.rows_read == 122
    assert reasons(feed) == [("stop_times.txt", 78, "departure_time « 18:O5:00 » n'est pas une heure HH:MM:SS")]
    assert feed.rejected_trip_ids == {"30-SEM-1730-R"}
    station = feed.stops["ALN_GARE"]
    assert station.location_type == "station" and station.name == "Alençon - Gare SNCF"
    quay = feed.stops["ALN_GARE_A"]
    assert (quay.parent_station, quay.platform_code, quay.code) == ("ALN_GARE", "A", "61001")
    assert quay.wheelchair_boarding == "accessible"  # inherited from the station
    assert feed.stops["ALN_COURT"].wheelchair_boarding == "not_accessible"
    assert feed.stops["SEE_GARE"].wheelchair_boarding is None
    assert feed.routes["L30"].type == "coach" and feed.routes["L10"].color == "1F6FB2"
    night = feed.stop_times["10-SAM-2440"]
    assert [(st.stop_id, st.departure) for st in night] == [
        ("ALN_GARE_A", 24 * 3600 + 40 * 60),
        ("SEE_CATH", 25 * 3600 + 10 * 60),
        ("SEE_GARE", 25 * 3600 + 15 * 60),
    ]
    interpolated = [st for st in feed.stop_times["10-SEM-0650"] if st.stop_id == "ALN_COURT"]
    assert interpolated[0].departure is None
    assert feed.exceptions["SEM"][dt.date(2026, 11, 11)] is False
    assert feed.exceptions["DIM"][dt.date(2027, 3, 29)] is True


def test_the_sample_zip_is_built_reproducibly_from_its_text_files() -> None:
    script = SAMPLE_DIR / "build_sample.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(SAMPLE_DIR / "network.zip") as archive:
        names = sorted(archive.namelist())
        assert names == sorted(p.name for p in (SAMPLE_DIR / "network").glob("*.txt"))
        assert archive.read("stops.txt").startswith(b"\xef\xbb\xbf")  # a BOM, as some exports have
        assert b"\r\n" in archive.read("stop_times.txt")  # and CRLF line ends


# ---------------------------------------------------------------- bytes and layout


def test_bom_crlf_quotes_and_spaces_in_headers() -> None:
    stops = (
        "\ufeffstop_id , stop_name ,stop_lat,stop_lon\r\n"
        'S1,"Alençon - Halle, quai ""A""",48.43,0.09\r\n'
        "S2,Sées,48.6,0.17\r\n"
    )
    feed = parse_feed(gtfs_zip({"stops.txt": stops}))
    assert feed.stops["S1"].name == 'Alençon - Halle, quai "A"'
    assert feed.rejected == []


def test_windows_1252_is_accepted_as_a_fallback() -> None:
    stops = "stop_id,stop_name,stop_lat,stop_lon\nS1,Alençon - Halle,48.43,0.09\nS2,Sées,48.6,0.17\n"
    feed = parse_feed(gtfs_zip({"stops.txt": stops.encode("cp1252")}))
    assert feed.stops["S2"].name == "Sées"


def test_files_inside_a_folder_of_the_zip() -> None:
    feed = parse_feed(gtfs_zip({}, folder="gtfs-orne/"))
    assert set(feed.trips) == {"T1"}


def test_calendar_dates_alone_is_enough() -> None:
    feed = parse_feed(
        gtfs_zip({"calendar.txt": None, "calendar_dates.txt": "service_id,date,exception_type\nWK,20261225,1\n"})
    )
    assert feed.rules == {} and feed.exceptions == {"WK": {dt.date(2026, 12, 25): True}}


def test_calendar_alone_is_enough() -> None:
    feed = parse_feed(gtfs_zip({}))
    assert set(feed.rules) == {"WK"} and feed.exceptions == {}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<!doctype html><html><body>Maintenance</body></html>", "page HTML"),
        (b"stop_id,stop_name\nS1,x\n", "pas une archive zip"),
        (gtfs_zip({"stop_times.txt": None}), "stop_times.txt"),
        (gtfs_zip({"calendar.txt": None}), "ni calendar.txt ni calendar_dates.txt"),
        (gtfs_zip({"stops.txt": "stop_id,stop_name\nS1,x\n"}), "aucun arrêt valide (ligne 2 : stop_lat est vide)"),
        (gtfs_zip({"trips.txt": "route_id,trip_id\nR1,T1\n"}), "service_id"),
        (gtfs_zip({"agency.txt": "agency_name,agency_timezone\nA,Mars/Olympus\n"}), "fuseau horaire"),
        (gtfs_zip({"stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nS1,x,abc,0.1\n"}), "aucun arrêt valide"),
        (gtfs_zip({"stop_times.txt": "trip_id,departure_time,stop_id,stop_sequence\nT9,08:00:00,S1,1\n"}), "aucun"),
        (gtfs_zip({"stops.txt": ""}), "stops.txt est vide"),
    ],
    ids=[
        "html",
        "not-a-zip",
        "no-stop-times",
        "no-calendar",
        "stops-without-coordinates",
        "trips-without-service",
        "bad-time-zone",
        "no-valid-stop",
        "no-valid-stop-time",
        "empty-file",
    ],
)
def test_whole_feed_failures(data: bytes, words: str) -> None:
    with pytest.raises(FeedFormatError) as error:
        parse_feed(data)
    assert words.lower() in str(error.value).lower()


def test_an_archive_inflating_beyond_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parser, "MAX_UNCOMPRESSED_BYTES", 100)
    with pytest.raises(FeedFormatError, match="décompressée"):
        parse_feed(gtfs_zip({}))


# ---------------------------------------------------------------- rows


def test_bad_rows_are_rejected_with_file_line_and_reason_and_good_ones_kept() -> None:
    stops = (
        "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
        "S1,Alençon - Halle,48.43,0.09,,\n"
        "S2,Sées - Cathédrale,48.60,0.17,,\n"
        "S3,Nulle part,0,0,,\n"  # line 4
        "S4,Trop au nord,91.5,0.1,,\n"  # line 5
        "S1,Doublon,48.43,0.09,,\n"  # line 6
        "E1,Entrée de la gare,48.43,0.09,2,\n"  # an entrance: ignored, not rejected
        "G1,Gare,48.44,0.09,1,\n"
    )
    routes = (
        "route_id,agency_id,route_short_name,route_long_name,route_type\n"
        "R1,A,1,Alençon - Sées,3\n"
        "R2,A,,,3\n"  # line 3
        "R3,A,3,Taxi à la demande,1500\n"  # line 4
        "R4,A,4,Car régional,202\n"
    )
    trips = "route_id,service_id,trip_id\nR1,WK,T1\nR3,WK,T3\nR4,WK,T4\nR1,WK,T1\n"
    stop_times = (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type\n"
        "T1,08:00:00,08:00:00,S1,1,\n"
        "T1,,,S2,2,\n"  # interpolated: kept without a time
        "T1,8:45:00,8:45:00,S2,3,\n"  # a one-digit hour is valid GTFS
        "T1,09:00:00,09:00:00,S9,4,\n"  # line 5: unknown stop
        "T1,09:10:00,09:10:00,S2,3,\n"  # line 6: duplicate sequence
        "T1,09:20:00,09:20:00,G1,7,\n"  # line 7: a station
        "T3,09:00:00,09:00:00,S1,1,\n"  # line 8: trip of a rejected route
        "T4,24:60:00,24:60:00,S1,1,\n"  # line 9: bad minutes
        "T4,25:10:00,25:10:00,S1,2,1\n"
        "T4,26:00:00,,S2,3,\n"  # an arrival time alone is used as the departure
    )
    feed = parse_feed(
        gtfs_zip({"stops.txt": stops, "routes.txt": routes, "trips.txt": trips, "stop_times.txt": stop_times})
    )

    assert reasons(feed) == [
        ("stops.txt", 4, "stop_lat et stop_lon valent 0 : coordonnées absentes"),
        ("stops.txt", 5, "stop_lat « 91.5 » est hors des bornes [-90, 90]"),
        ("stops.txt", 6, "stop_id « S1 » apparaît deux fois"),
        ("routes.txt", 3, "route_short_name et route_long_name sont vides"),
        ("routes.txt", 4, "route_type « 1500 » n'est pas un mode de transport connu"),
        ("trips.txt", 3, "route_id « R3 » inconnu (absent de routes.txt ou rejeté)"),
        ("trips.txt", 5, "trip_id « T1 » apparaît deux fois"),
        ("stop_times.txt", 5, "stop_id « S9 » inconnu (absent de stops.txt ou rejeté)"),
        ("stop_times.txt", 6, "stop_sequence 3 apparaît deux fois pour le trajet « T1 »"),
        ("stop_times.txt", 7, "stop_id « G1 » est une gare (location_type 1) et non un point d'arrêt"),
        ("stop_times.txt", 8, "trip_id « T3 » inconnu (absent de trips.txt ou rejeté)"),
        ("stop_times.txt", 9, "departure_time « 24:60:00 » n'est pas une heure HH:MM:SS"),
    ]
    assert set(feed.stops) == {"S1", "S2", "G1"}
    assert set(feed.routes) == {"R1", "R4"} and feed.routes["R4"].type == "coach"
    assert set(feed.trips) == {"T1", "T4"}
    assert [(st.stop_sequence, st.departure) for st in feed.stop_times["T1"]] == [(1, 28800), (2, None), (3, 31500)]
    assert [(st.departure, st.pickup_type) for st in feed.stop_times["T4"]] == [(90600, 1), (93600, 0)]
    assert feed.rejected_stop_ids == {"S3", "S4", "S1"}
    assert feed.rejected_route_ids == {"R2", "R3"}
    assert feed.rejected_trip_ids == {"T1", "T3", "T4"}  # rejected trips rows and trips with a rejected stop time
    assert feed.notes == ["stops.txt : 1 entrées, nœuds ou zones d'embarquement ignorés"]
    assert feed.rows_read == 1 + 7 + 4 + 4 + 10 + 1  # agency, stops, routes, trips, stop_times, calendar


def test_a_trip_left_without_any_stop_time_is_dropped() -> None:
    trips = "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T2\n"
    feed = parse_feed(gtfs_zip({"trips.txt": trips}))
    assert set(feed.trips) == {"T1"}


def test_trips_timed_by_frequencies_are_left_out_and_said_so() -> None:
    trips = "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T2\n"
    stop_times = (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,08:00:00,08:00:00,S1,1\nT1,08:30:00,08:30:00,S2,2\n"
        "T2,06:00:00,06:00:00,S1,1\nT2,06:30:00,06:30:00,S2,2\n"
    )
    frequencies = "trip_id,start_time,end_time,headway_secs\nT2,06:00:00,20:00:00,1800\n"
    feed = parse_feed(gtfs_zip({"trips.txt": trips, "stop_times.txt": stop_times, "frequencies.txt": frequencies}))
    assert set(feed.trips) == {"T1"} and "T2" not in feed.stop_times
    assert feed.notes == ["frequencies.txt non pris en charge : 1 trajets à fréquence ignorés"]


def test_calendar_rows() -> None:
    calendar = (
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "WK,1,1,1,1,1,0,0,20261020,20270430\n"
        "SA,0,0,0,0,0,1,0,20261020,20260101\n"  # ends before it starts
        "SU,0,0,0,0,0,0,yes,20261020,20270430\n"
        "XX,0,0,0,0,0,0,1,20261020,20270231\n"  # no such day
    )
    dates = "service_id,date,exception_type\nWK,20261111,2\nWK,20261112,3\nHO,20261225,1\n"
    feed = parse_feed(gtfs_zip({"calendar.txt": calendar, "calendar_dates.txt": dates}))
    assert set(feed.rules) == {"WK"}
    assert feed.rules["WK"].weekdays == (True, True, True, True, True, False, False)
    assert feed.exceptions == {"WK": {dt.date(2026, 11, 11): False}, "HO": {dt.date(2026, 12, 25): True}}
    assert [(r.file, r.line) for r in feed.rejected] == [
        ("calendar.txt", 3),
        ("calendar.txt", 4),
        ("calendar.txt", 5),
        ("calendar_dates.txt", 3),
    ]


def test_a_platform_whose_station_is_missing_becomes_a_plain_stop() -> None:
    stops = "stop_id,stop_name,stop_lat,stop_lon,parent_station\nS1,Halle,48.43,0.09,NOPE\nS2,Sées,48.6,0.17,\n"
    feed = parse_feed(gtfs_zip({"stops.txt": stops}))
    assert feed.stops["S1"].parent_station is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("00:00:00", 0), ("7:05:09", 25509), ("24:40:00", 88800), ("25:10:00", 90600), (" 47:59:59 ", 172799)],
)
def test_gtfs_times(text: str, seconds: int) -> None:
    assert parse_time(text) == seconds


@pytest.mark.parametrize("text", ["8h15", "08:60:00", "08:00", "-1:00:00", "18:O5:00", ""])
def test_bad_gtfs_times(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        *[(0, "tram"), (3, "bus"), (11, "trolleybus"), (2, "rail"), (102, "rail"), (200, "coach"), (405, "monorail")],
        *[(401, "metro"), (700, "bus"), (715, "bus"), (900, "tram"), (1000, "ferry"), (1300, "aerial_lift")],
        *[(1400, "funicular"), (800, "trolleybus"), (8, None), (1500, None), (1700, None)],
    ],
)
def test_route_types(value: int, code: str | None) -> None:
    assert route_type_code(value) == code


@pytest.mark.parametrize(
    ("file", "content"),
    [
        ("calendar_dates.txt", "service_id,date,exception_type\nWK,20261225,1\nWK,00010101,1\n"),
        (
            "calendar.txt",
            "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
            "WK,1,1,1,1,1,0,0,20261020,20270430\nSAT,0,0,0,0,0,1,0,00010101,99991231\n",
        ),
    ],
)
def test_a_date_out_of_range_rejects_its_row_only(file: str, content: str) -> None:
    feed = parse_feed(gtfs_zip({file: content}))
    assert [(f, line) for f, line, _ in reasons(feed)] == [(file, 3)]
    assert "hors des bornes" in feed.rejected[0].reason
    assert "WK" in feed.rules
    assert all(day.year >= 2000 for days in feed.exceptions.values() for day in days)
