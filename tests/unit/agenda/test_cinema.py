"""Unit tests of the agenda-cinema connector (CSV format, keys) and of the cinema views of the agenda service."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from agenda import views
from agenda_cinema.parser import parse_feed
from agenda_cinema.store import day_bounds, profile_item, session_item
from poche_common.errors import FeedFormatError

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "functions/connectors/agenda_cinema/sample/seances.csv"
HEADER = "cinema_id,cinema_name,commune_insee,film_title,start,version,accessibility,duration_min,rating"
UTC = dt.UTC


def feed_of(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def test_bundled_sample_two_cinemas_a_week_one_bad_line() -> None:
    feed = parse_feed(SAMPLE.read_bytes())
    assert sorted(feed.cinemas) == ["normandy-flers", "planet-alencon"]
    assert feed.cinemas["planet-alencon"].name == "Cinéma Planet"
    assert feed.cinemas["normandy-flers"].commune == "61169"
    assert feed.read == 36 and len(feed.sessions) == 35
    assert feed.rejected == [(10, "start « 2026-12-03 25:00 » n'est pas une date et heure valide")]
    days = {s.paris_date for s in feed.sessions}
    assert min(days) == dt.date(2026, 12, 2) and max(days) == dt.date(2026, 12, 8)
    first = feed.sessions[0]
    assert first.accessibility == ("audiodescription", "sous_titres_sourds")
    assert (first.version, first.duration_min, first.rating) == ("VF", 105, "tous publics")
    assert first.start.isoformat() == "2026-12-02T14:00:00+01:00"


def test_comma_separator_without_bom_and_optional_columns_absent() -> None:
    data = feed_of(
        "cine-1,Cinéma,61001,Film,2027-07-01 21:00,vost",
        header="cinema_id,cinema_name,commune_insee,film_title,start,version",
    )
    (session,) = parse_feed(data).sessions
    assert session.version == "VOST" and session.accessibility == () and session.duration_min is None
    assert session.start.utcoffset() == dt.timedelta(hours=2)  # summer time


def test_semicolon_separator_with_bom_and_a_quoted_accessibility_list() -> None:
    data = (
        "\ufeff"
        + HEADER.replace(",", ";")
        + '\r\nc1;Ciné;61001;Film;2026-12-02 20:00;VF;"pmr;audiodescription";90;-12\r\n'
    )
    (session,) = parse_feed(data.encode()).sessions
    assert session.accessibility == ("audiodescription", "pmr") and session.rating == "-12"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Bad Id!,Ciné,61001,Film,2026-12-02 20:00,VF,,,", "cinema_id"),
        ("c1,Ciné,75056,Film,2026-12-02 20:00,VF,,,", "commune_insee"),
        ("c1,Ciné,61001,,2026-12-02 20:00,VF,,,", "film_title"),
        ("c1,Ciné,61001,Film,02/12/2026 20:00,VF,,,", "AAAA-MM-JJ HH:MM"),
        ("c1,Ciné,61001,Film,2027-03-28 02:30,VF,,,", "changement d'heure"),
        ("c1,Ciné,61001,Film,2026-12-02 20:00,VOSTFR,,,", "version"),
        ("c1,Ciné,61001,Film,2026-12-02 20:00,VF,braille,,", "accessibility"),
        ("c1,Ciné,61001,Film,2026-12-02 20:00,VF,,0,", "duration_min"),
        ("c1,Ciné,61001,Film,2026-12-02 20:00,VF,,,-14", "rating"),
        ("c1,Ciné,61001,Film", "colonnes"),
    ],
)
def test_bad_rows_are_rejected_with_their_line(row: str, reason: str) -> None:
    feed = parse_feed(feed_of("c2,Autre,61001,Film,2026-12-02 20:00,VF,,,", row))
    assert len(feed.sessions) == 1
    ((line, message),) = feed.rejected
    assert line == 3 and reason in message


def test_a_cinema_described_twice_differently_is_rejected() -> None:
    feed = parse_feed(
        feed_of("c1,Ciné,61001,Film,2026-12-02 20:00,VF,,,", "c1,Autre nom,61001,Film,2026-12-02 22:00,VF,,,")
    )
    assert len(feed.sessions) == 1 and feed.rejected[0][0] == 3


@pytest.mark.parametrize("data", [b"", b"a;b;c\n1;2;3\n", b"\xff\xfe\x00c"])
def test_unusable_files_are_feed_format_errors(data: bytes) -> None:
    with pytest.raises(FeedFormatError):
        parse_feed(data)


def test_keys_do_not_clash_with_events_and_sessions_expire_two_days_after_start() -> None:
    feed = parse_feed(SAMPLE.read_bytes())
    profile = profile_item(feed.cinemas["planet-alencon"], feed.sessions[0].start)
    assert (profile["pk"], profile["sk"]) == ("CINEMA#planet-alencon", "PROFILE")
    assert profile["gsi1pk"] == "CINEMAS#61001" and profile["gsi2pk"] == "CINEMAS"
    assert profile["gsi1sk"] == "cinema planet#planet-alencon"
    item = session_item(feed.sessions[0])
    assert item["sk"] == "SESSION#2026-12-02T13:00:00+00:00#les-hirondelles-de-l-orne#vf"
    assert "gsi1pk" not in item and "gsi2pk" not in item
    assert item["expires_at"] == int(dt.datetime(2026, 12, 4, 13, 0, tzinfo=UTC).timestamp())
    lower, upper = day_bounds(dt.date(2026, 12, 2))
    assert lower <= item["sk"] <= upper
    assert lower == "SESSION#2026-12-01T23:00:00+00:00" and upper.startswith("SESSION#2026-12-02T22:59:59")


def test_films_view_groups_times_by_film_and_version() -> None:
    now = dt.datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    feed = parse_feed(SAMPLE.read_bytes())
    items = [session_item(s) for s in feed.sessions if s.cinema_id == "normandy-flers" and s.start.day == 2]
    films = views.films_view(list(reversed(items)), now)
    assert [(f["film_title"], f["version"], f["times"]) for f in films] == [
        ("Midnight Harbour", "VF", ["2026-12-02T18:00:00+01:00"]),
        ("Midnight Harbour", "VOST", ["2026-12-02T21:00:00+01:00"]),
    ]
    assert films[0]["accessibility"] == ["pmr"] and films[0]["duration_min"] == 128 and films[0]["rating"] == "-12"
    expired = dt.datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
    assert views.films_view(items, expired) == []
