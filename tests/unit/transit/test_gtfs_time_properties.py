"""Properties of GTFS time handling (issue 9): times past midnight, service dates across Europe/Paris's changes of time.

A GTFS time counts from "noon minus 12 h" of its service date in the agency's zone (GTFS reference,
stop_times.txt). The oracle here does not use zoneinfo: Paris is UTC+1, and UTC+2 from the last Sunday of
March to the last Sunday of October (the EU rule since 1996; the changes happen at 01:00 UTC, never at
noon, so the offset at noon is the day's). Deterministic: derandomized, no example database.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from transit_gtfs.model import ParsedFeed, Route, ServiceRule, Stop, StopTime, Trip
from transit_gtfs.parser import parse_feed, parse_time
from transit_gtfs.timetable import departures, service_origin, to_instant

PARIS = ZoneInfo("Europe/Paris")
EVERY_DAY = (True,) * 7
PROPERTIES = settings(derandomize=True, database=None, deadline=None, max_examples=100)
FEW = settings(derandomize=True, database=None, deadline=None, max_examples=25)


def last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def paris_offset_at_noon(day: dt.date) -> dt.timedelta:
    summer = last_sunday(day.year, 3) <= day < last_sunday(day.year, 10)
    return dt.timedelta(hours=2 if summer else 1)


def expected_instant(day: dt.date, seconds: int) -> dt.datetime:
    """Noon of the service date in Paris, in UTC, minus 12 h, plus the GTFS duration."""
    noon_utc = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC) - paris_offset_at_noon(day)
    return noon_utc - dt.timedelta(hours=12) + dt.timedelta(seconds=seconds)


CHANGE_DAYS = sorted(
    {
        last_sunday(year, month) + dt.timedelta(days=shift)
        for year in range(2000, 2100)
        for month in (3, 10)
        for shift in (-1, 0, 1)
    }
)
service_dates = st.one_of(
    st.sampled_from(CHANGE_DAYS),  # the 23- and 25-hour days and their neighbours, most of the time
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
)
hours, minutes, seconds = st.integers(0, 47), st.integers(0, 59), st.integers(0, 59)


def gtfs(hour: int, minute: int, second: int, *, pad: bool = True) -> str:
    return f"{hour:02d}:{minute:02d}:{second:02d}" if pad else f"{hour}:{minute:02d}:{second:02d}"


# ---------------------------------------------------------------- parse_time


@PROPERTIES
@given(hours, minutes, seconds, st.booleans())
def test_a_gtfs_time_is_its_duration_in_seconds(hour: int, minute: int, second: int, pad: bool) -> None:
    assert parse_time(gtfs(hour, minute, second, pad=pad)) == hour * 3600 + minute * 60 + second


@PROPERTIES
@given(hours, st.integers(60, 99), seconds)
def test_minutes_or_seconds_past_59_are_refused(hour: int, bad: int, second: int) -> None:
    with pytest.raises(ValueError):
        parse_time(f"{hour:02d}:{bad}:{second:02d}")
    with pytest.raises(ValueError):
        parse_time(f"{hour:02d}:{second:02d}:{bad}")


# ---------------------------------------------------------------- instants


@PROPERTIES
@given(service_dates, hours, minutes, seconds)
@example(dt.date(2027, 3, 28), 1, 30, 0)  # spring forward: 01:30 counts from 23:00 CET the day before
@example(dt.date(2026, 10, 25), 25, 10, 0)  # fall back: the 25-hour day, past midnight
@example(dt.date(2026, 10, 24), 26, 30, 0)  # the night before fall back, across the change
def test_the_instant_is_noon_minus_12_hours_plus_the_duration(
    day: dt.date, hour: int, minute: int, second: int
) -> None:
    duration = parse_time(gtfs(hour, minute, second))
    instant = to_instant(day, duration, PARIS)
    assert instant == expected_instant(day, duration)
    assert instant.utcoffset() == dt.timedelta(0)
    assert service_origin(day, PARIS) == expected_instant(day, 0)


@PROPERTIES
@given(service_dates, st.integers(4, 23), minutes, seconds)
def test_daytime_times_read_on_the_wall_clock_even_on_the_days_the_clocks_change(
    day: dt.date, hour: int, minute: int, second: int
) -> None:
    """From 04:00 on, a service date's time is what the clock in Paris shows that day (23- and 25-hour days too)."""
    local = to_instant(day, parse_time(gtfs(hour, minute, second)), PARIS).astimezone(PARIS)
    assert (local.date(), local.time()) == (day, dt.time(hour, minute, second))


@PROPERTIES
@given(service_dates, st.lists(st.integers(0, 47 * 3600 + 59 * 60 + 59), min_size=2, max_size=20))
def test_instants_keep_the_order_and_the_gaps_of_gtfs_times(day: dt.date, durations: list[int]) -> None:
    instants = [to_instant(day, duration, PARIS) for duration in durations]
    by_time = sorted(range(len(durations)), key=lambda i: (durations[i], i))
    by_instant = sorted(range(len(durations)), key=lambda i: (instants[i], i))
    assert by_time == by_instant
    first = instants[0]
    assert all(
        instant - first == dt.timedelta(seconds=d - durations[0])
        for instant, d in zip(instants, durations, strict=True)
    )


# ---------------------------------------------------------------- departures of a feed


def one_stop_feed(times: list[int]) -> ParsedFeed:
    """One trip per time, each leaving S1 at that time and arriving at S2 ten minutes later, every day."""
    feed = ParsedFeed(timezone="Europe/Paris")
    feed.stops = {s: Stop(s, s, 48.4, 0.09, "stop") for s in ("S1", "S2")}
    feed.routes = {"R": Route("R", "1", "Ligne 1", "bus", "Réseau")}
    feed.rules = {"ALL": ServiceRule("ALL", EVERY_DAY, dt.date(2000, 1, 1), dt.date(2099, 12, 31))}
    for number, seconds in enumerate(times):
        trip_id = f"T{number:02d}"
        feed.trips[trip_id] = Trip(trip_id, "R", "ALL")
        feed.stop_times[trip_id] = [StopTime("S1", 1, seconds), StopTime("S2", 2, seconds + 600)]
    return feed


@PROPERTIES
@given(service_dates, st.lists(st.integers(0, 47 * 3600 + 59 * 60 + 59), min_size=1, max_size=15))
def test_departures_are_ordered_as_their_gtfs_times(day: dt.date, times: list[int]) -> None:
    found = list(departures(one_stop_feed(times), [day]))
    assert [d.trip_id for d in sorted(found, key=lambda d: (d.scheduled, d.trip_id))] == [
        f"T{i:02d}" for i in sorted(range(len(times)), key=lambda i: (times[i], i))
    ]
    assert all(d.service_date == day and d.scheduled == expected_instant(day, times[int(d.trip_id[1:])]) for d in found)


# ---------------------------------------------------------------- through the parser


def feed_zip(start: str, times: list[str]) -> bytes:
    rows = "".join(f"T{i},{t},{t},S{1 + i % 2},{i + 1}\n" for i, t in enumerate(times))
    files = {
        "agency.txt": "agency_name,agency_url,agency_timezone\nRéseau,https://example.org,Europe/Paris\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nS1,Halle,48.43,0.09\nS2,Sées,48.6,0.17\nS3,Fin,48.7,0.2\n",
        "routes.txt": "route_id,route_short_name,route_type\nR1,1,3\n",
        "trips.txt": "route_id,service_id,trip_id\n" + "".join(f"R1,D,T{i}\n" for i in range(len(times))),
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        + rows
        + "".join(f"T{i},47:59:59,47:59:59,S3,{len(times) + 1}\n" for i in range(len(times))),
        "calendar_dates.txt": f"service_id,date,exception_type\nD,{start},1\n",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@FEW
@given(service_dates, st.lists(st.tuples(hours, minutes, seconds, st.booleans()), min_size=1, max_size=8))
@example(dt.date(2026, 10, 25), [(25, 10, 0, True), (0, 5, 0, False), (23, 59, 59, True)])
def test_a_parsed_feed_resolves_its_times_past_midnight(day: dt.date, times: list[tuple[int, int, int, bool]]) -> None:
    texts = [gtfs(h, m, s, pad=pad) for h, m, s, pad in times]
    feed = parse_feed(feed_zip(day.strftime("%Y%m%d"), texts))
    assert feed.rejected == []
    found = {d.trip_id: d for d in departures(feed, [day])}
    assert set(found) == {f"T{i}" for i in range(len(times))}
    for i, (h, m, s, _) in enumerate(times):
        assert found[f"T{i}"].scheduled == expected_instant(day, h * 3600 + m * 60 + s)
    assert list(departures(feed, [day + dt.timedelta(days=1)])) == []  # a time past midnight stays on its date
