"""Properties of the agenda parsers (OpenAgenda JSON, DATAtourisme JSON-LD, cinema CSV) on generated feeds mixing
valid events with hostile values: only FeedFormatError for a whole feed, usable ids, dates within 2000..2100,
plain bounded texts without markup; a valid event or session reads back with its values."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
from typing import Any

from hostile_strategies import (
    GOOD_MOMENTS,
    JSON_VALUES,
    VALID_IDS,
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

from agenda_cinema import parser as cinema
from agenda_datatourisme import parser as datatourisme
from agenda_openagenda import parser as openagenda
from agenda_shared.model import AgendaEvent
from poche_common.bounds import MAX_URL_LENGTH
from poche_common.errors import FeedFormatError

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
PARIS_WINTER = dt.timezone(dt.timedelta(hours=1))


def check_event(event: AgendaEvent, limits: Any) -> None:
    assert_id(event.uid)
    assert len(event.id.encode()) < 200
    assert_text(event.title, limits.MAX_TITLE)
    assert_text(event.summary, limits.MAX_SUMMARY)
    assert_text(event.description, limits.MAX_DESCRIPTION)
    assert event.occurrences
    for occurrence in event.occurrences:
        assert_moment(occurrence.begin)
        assert_moment(occurrence.end)
        assert occurrence.begin <= occurrence.end
    assert_moment(event.updated_at)
    for url in (event.url, event.image):
        assert url is None or (url.startswith("http") and len(url) <= MAX_URL_LENGTH)
    for text in (event.price, event.location.name, event.location.address, event.location.city):
        assert_text(text, 1_000)
    for keyword in event.keywords:
        assert_text(keyword, 100)


# ---------------------------------------------------------------- OpenAgenda

hostile_openagenda = st.one_of(
    st.fixed_dictionaries(
        {
            "uid": ids(surrogates=True) | st.integers() | JSON_VALUES,
            "title": texts(surrogates=True) | JSON_VALUES | st.dictionaries(st.sampled_from(["fr", "en"]), texts()),
            "description": texts(surrogates=True, max_size=200) | JSON_VALUES,
            "longDescription": texts(surrogates=True, max_size=200),
            "keywords": st.lists(texts(), max_size=5) | JSON_VALUES,
            "timings": st.lists(st.fixed_dictionaries({"begin": iso_moments(), "end": iso_moments()}), max_size=3)
            | JSON_VALUES,
            "status": st.integers(min_value=0, max_value=7) | JSON_VALUES,
            "updatedAt": iso_moments() | JSON_VALUES,
            "slug": texts(max_size=20),
            "originAgenda": JSON_VALUES | st.fixed_dictionaries({"slug": texts(max_size=20)}),
            "image": JSON_VALUES | st.just("https://cdn.example/" + "i" * 3000),
            "location": JSON_VALUES,
        }
    ),
    JSON_VALUES,
)


def openagenda_event(uid: str, title: str, begin: dt.datetime) -> dict[str, Any]:
    start = begin.replace(tzinfo=PARIS_WINTER)
    timing = {"begin": start.isoformat(), "end": (start + dt.timedelta(hours=2)).isoformat()}
    return {"uid": uid, "title": {"fr": title}, "timings": [timing], "status": 1}


def check_openagenda(feed: openagenda.Feed) -> None:
    for event in feed.events:
        check_event(event, openagenda)
    for rejected in feed.rejected:
        assert_reason(rejected.reason)
        assert rejected.uid is None or openagenda.UID_RE.fullmatch(rejected.uid)
        assert len(rejected.ref) < 200


@given(
    st.lists(hostile_openagenda, max_size=5),
    st.lists(
        st.tuples(VALID_IDS, st.from_regex(r"[A-Za-zé][A-Za-zé ]{0,29}", fullmatch=True), GOOD_MOMENTS),
        max_size=3,
        unique_by=lambda event: event[0],
    ),
)
def test_openagenda_pages_with_hostile_events(hostile: list[Any], good: list[tuple[str, str, dt.datetime]]) -> None:
    valid = [openagenda_event(f"good-{uid}", title, begin) for uid, title, begin in good]
    feed = openagenda.parse_feed(json.dumps({"events": hostile + valid}).encode())
    check_openagenda(feed)
    events = {event.uid: event for event in feed.events}
    for uid, title, begin in good:  # round trip
        event = events[f"good-{uid}"]
        assert event.title == " ".join(title.split())
        assert event.occurrences[0].begin == begin.replace(tzinfo=PARIS_WINTER)


@given(st.binary(max_size=200) | JSON_VALUES.map(lambda value: json.dumps({"events": value}).encode()))
@example(deep_json(100_000).encode())
@example(b'{"events": [' + deep_json(100).encode() + b"]}")
def test_openagenda_any_bytes_are_a_feed_or_a_feed_format_error(data: bytes) -> None:
    with contextlib.suppress(FeedFormatError):
        check_openagenda(openagenda.parse_feed(data))


# ---------------------------------------------------------------- DATAtourisme

DATES = st.sampled_from(["2026-12-20", "0001-01-01", "9999-12-31", "2026-02-30", "x"]) | st.dates().map(str)
TIMES = st.sampled_from(["20:30:00", "23:00", "01:00", "25:00", "", "x"])

hostile_datatourisme = st.one_of(
    st.fixed_dictionaries(
        {
            "@id": st.builds(lambda value: f"https://data.datatourisme.fr/61/{value}", ids(surrogates=True))
            | JSON_VALUES,
            "@type": st.sampled_from([["schema:Event", "Concert"], "Festival", ["Visit"]]),
            "rdfs:label": texts(surrogates=True) | JSON_VALUES,
            "rdfs:comment": texts(surrogates=True, max_size=200) | JSON_VALUES,
            "hasDescription": st.lists(st.fixed_dictionaries({"dc:description": texts(max_size=200) | JSON_VALUES})),
            "takesPlaceAt": st.lists(
                st.fixed_dictionaries({"startDate": DATES, "endDate": DATES, "startTime": TIMES, "endTime": TIMES}),
                max_size=3,
            )
            | JSON_VALUES,
            "lastUpdate": iso_moments() | JSON_VALUES,
            "hasContact": JSON_VALUES | st.just([{"foaf:homepage": "https://a.example/" + "h" * 3000}]),
        }
    ),
    JSON_VALUES,
)


def datatourisme_event(uid: str, title: str, day: dt.date) -> dict[str, Any]:
    return {
        "@id": f"https://data.datatourisme.fr/61/{uid}",
        "@type": ["schema:Event", "Concert"],
        "rdfs:label": {"fr": [title]},
        "takesPlaceAt": [{"startDate": day.isoformat(), "startTime": "20:30:00"}],
    }


def check_datatourisme(feed: datatourisme.Feed) -> None:
    for event in feed.events:
        check_event(event, datatourisme)
    for rejected in feed.rejected:
        assert_reason(rejected.reason)
        assert len(rejected.ref) < 200


@given(
    st.lists(hostile_datatourisme, max_size=5),
    st.lists(
        st.tuples(
            VALID_IDS,
            st.from_regex(r"[A-Za-zé][A-Za-zé ]{0,29}", fullmatch=True),
            st.integers(min_value=0, max_value=300),
        ),
        max_size=3,
        unique_by=lambda event: event[0],
    ),
)
def test_datatourisme_exports_with_hostile_objects(hostile: list[Any], good: list[tuple[str, str, int]]) -> None:
    valid = [datatourisme_event(f"good-{uid}", title, NOW.date() + dt.timedelta(days=n)) for uid, title, n in good]
    feed = datatourisme.parse_feed(json.dumps({"@graph": hostile + valid}).encode(), NOW)
    check_datatourisme(feed)
    events = {event.uid: event for event in feed.events}
    for uid, title, n in good:  # round trip
        event = events[f"good-{uid}"]
        assert event.title == " ".join(title.split())
        assert event.occurrences[0].begin.date() == NOW.date() + dt.timedelta(days=n)


@given(st.binary(max_size=200) | JSON_VALUES.map(lambda value: json.dumps(value).encode()))
@example(deep_json(100_000).encode())
def test_datatourisme_any_bytes_are_a_feed_or_a_feed_format_error(data: bytes) -> None:
    with contextlib.suppress(FeedFormatError):
        check_datatourisme(datatourisme.parse_feed(data, NOW))


# ---------------------------------------------------------------- cinema CSV

CINEMA_HEADER = ["cinema_id", "cinema_name", "commune_insee", "film_title", "start", "version", "duration_min"]
STARTS = st.sampled_from(
    ["0001-01-01 00:00", "9999-12-31 23:59", "1999-12-31 23:00", "2026-03-29 02:30"]
) | st.datetimes(min_value=dt.datetime(1, 1, 1)).map(lambda moment: moment.strftime("%Y-%m-%d %H:%M").rjust(16, "0"))


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8", "surrogatepass")


hostile_sessions = st.lists(
    st.one_of(ids(), texts(max_size=30), STARTS, st.sampled_from(["VF", "VOST", "61001", "planet", "120", "-1"])),
    min_size=7,
    max_size=8,
)


def check_cinema(feed: cinema.Feed) -> None:
    for cinema_id, place in feed.cinemas.items():
        assert_id(cinema_id)
        assert_text(place.name, cinema.MAX_NAME)
    for session in feed.sessions:
        assert_id(session.cinema_id)
        assert_text(session.film_title, cinema.MAX_TITLE)
        assert_moment(session.start)
    for _, reason in feed.rejected:
        assert_reason(reason)


@given(
    st.lists(hostile_sessions, max_size=5),
    st.lists(st.tuples(st.from_regex(r"[A-Za-z]{1,30}", fullmatch=True), GOOD_MOMENTS), max_size=3),
)
def test_cinema_files_with_hostile_rows(hostile: list[list[str]], good: list[tuple[str, dt.datetime]]) -> None:
    noon = [(title, moment.replace(hour=12, minute=0, second=0)) for title, moment in good]  # never in a change of time
    valid = [["zz-good", "Bon", "61001", f"Film {title}", m.strftime("%Y-%m-%d %H:%M"), "VF", ""] for title, m in noon]
    try:
        feed = cinema.parse_feed(csv_bytes(CINEMA_HEADER, hostile + valid))
    except FeedFormatError:
        return  # e.g. a field past the csv module's size limit: the whole file is refused, nothing changes
    check_cinema(feed)
    sessions = {(s.cinema_id, s.film_title, s.start.replace(tzinfo=None)) for s in feed.sessions}
    for title, moment in noon:  # round trip
        assert ("zz-good", f"Film {title}", moment) in sessions
