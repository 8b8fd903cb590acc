"""transit_gtfs.timetable: service days, GTFS times -> instants across the change of time, departures."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from transit_gtfs.model import ParsedFeed, Route, ServiceRule, Stop, StopTime, Trip
from transit_gtfs.parser import parse_time
from transit_gtfs.timetable import ServiceCalendar, departures, service_origin, to_instant, window_dates

PARIS = ZoneInfo("Europe/Paris")
FALL_BACK = dt.date(2026, 10, 25)  # 03:00 CEST -> 02:00 CET: a 25-hour day
SPRING_FORWARD = dt.date(2027, 3, 28)  # 02:00 CET -> 03:00 CEST: a 23-hour day
WEEKDAYS = (True, True, True, True, True, False, False)
SATURDAYS = (False, False, False, False, False, True, False)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def local(moment: dt.datetime) -> str:
    return moment.astimezone(PARIS).isoformat()


# ---------------------------------------------------------------- calendar


def calendar() -> ServiceCalendar:
    rules = {
        "SEM": ServiceRule("SEM", WEEKDAYS, dt.date(2026, 10, 20), dt.date(2027, 4, 30)),
        "SAM": ServiceRule("SAM", SATURDAYS, dt.date(2026, 10, 20), dt.date(2027, 4, 30)),
    }
    exceptions = {
        "SEM": {dt.date(2026, 11, 11): False, dt.date(2026, 10, 24): True},  # holiday off; a Saturday added
        "FOIRE": {dt.date(2026, 10, 25): True},  # a service known only from calendar_dates
    }
    return ServiceCalendar(rules, exceptions)


@pytest.mark.parametrize(
    ("day", "services"),
    [
        ("2026-10-19", set()),  # Monday before the calendar starts
        ("2026-10-20", {"SEM"}),  # Tuesday, first day
        ("2026-10-23", {"SEM"}),  # Friday
        ("2026-10-24", {"SAM", "SEM"}),  # Saturday, with an added weekday service
        ("2026-10-25", {"FOIRE"}),  # Sunday: only the service from calendar_dates
        ("2026-11-11", set()),  # Wednesday, a public holiday removed
        ("2026-11-12", {"SEM"}),
        ("2027-04-30", {"SEM"}),  # last day, inclusive
        ("2027-05-03", set()),  # after the end
    ],
)
def test_services_running_on_a_date(day: str, services: set[str]) -> None:
    assert calendar().active(dt.date.fromisoformat(day)) == services


def test_a_removal_wins_over_the_weekly_rule_and_an_addition_outside_the_rule() -> None:
    cal = calendar()
    assert cal.runs("SEM", dt.date(2026, 11, 10)) and not cal.runs("SEM", dt.date(2026, 11, 11))
    assert cal.runs("SEM", dt.date(2026, 10, 24)) and not cal.runs("SEM", dt.date(2026, 10, 31))
    assert not cal.runs("UNKNOWN", dt.date(2026, 11, 10))


# ---------------------------------------------------------------- noon minus 12 h


def test_origin_is_local_midnight_on_ordinary_days() -> None:
    assert service_origin(dt.date(2026, 11, 30), PARIS) == utc("2026-11-30T00:00:00+01:00")
    assert service_origin(dt.date(2026, 7, 14), PARIS) == utc("2026-07-14T00:00:00+02:00")


def test_origin_on_the_days_of_the_change_of_time() -> None:
    # Noon minus 12 h is not local midnight on those days (GTFS reference): 01:00 CEST and 23:00 CET the day before.
    assert service_origin(FALL_BACK, PARIS) == utc("2026-10-24T23:00:00+00:00")
    assert local(service_origin(FALL_BACK, PARIS)) == "2026-10-25T01:00:00+02:00"
    assert service_origin(SPRING_FORWARD, PARIS) == utc("2027-03-27T22:00:00+00:00")
    assert local(service_origin(SPRING_FORWARD, PARIS)) == "2027-03-27T23:00:00+01:00"


@pytest.mark.parametrize(
    ("day", "time", "expected"),
    [
        # daytime times keep their wall-clock meaning on both change days
        (FALL_BACK, "08:00:00", "2026-10-25T08:00:00+01:00"),
        (FALL_BACK, "12:00:00", "2026-10-25T12:00:00+01:00"),
        (SPRING_FORWARD, "08:00:00", "2027-03-28T08:00:00+02:00"),
        (SPRING_FORWARD, "23:30:00", "2027-03-28T23:30:00+02:00"),
        # the days around them
        (dt.date(2026, 10, 24), "08:00:00", "2026-10-24T08:00:00+02:00"),
        (dt.date(2026, 10, 26), "08:00:00", "2026-10-26T08:00:00+01:00"),
        (dt.date(2027, 3, 27), "08:00:00", "2027-03-27T08:00:00+01:00"),
        (dt.date(2027, 3, 29), "08:00:00", "2027-03-29T08:00:00+02:00"),
        # past midnight: the Saturday night trip before the autumn change ...
        (dt.date(2026, 10, 24), "24:40:00", "2026-10-25T00:40:00+02:00"),
        (dt.date(2026, 10, 24), "25:10:00", "2026-10-25T01:10:00+02:00"),
        # ... and into the repeated hour: 26:30 is the first 02:30 of the night (CEST), 27:30 the second (CET)
        (dt.date(2026, 10, 24), "26:30:00", "2026-10-25T02:30:00+02:00"),
        (dt.date(2026, 10, 24), "27:30:00", "2026-10-25T02:30:00+01:00"),
        # ... and the Saturday night before the spring change: 25:10 falls in the hour that does not exist
        (dt.date(2027, 3, 27), "24:40:00", "2027-03-28T00:40:00+01:00"),
        (dt.date(2027, 3, 27), "26:10:00", "2027-03-28T03:10:00+02:00"),
        (dt.date(2026, 11, 30), "25:10:00", "2026-12-01T01:10:00+01:00"),
        # early times on the change days, counted from noon minus 12 h as GTFS specifies
        (FALL_BACK, "01:30:00", "2026-10-25T02:30:00+02:00"),
        (SPRING_FORWARD, "01:30:00", "2027-03-28T00:30:00+01:00"),
    ],
)
def test_gtfs_time_to_instant(day: dt.date, time: str, expected: str) -> None:
    moment = to_instant(day, parse_time(time), PARIS)
    assert moment.tzinfo == dt.UTC
    assert local(moment) == expected


def test_the_25_hour_day_and_the_23_hour_day_between_origins() -> None:
    def hours_between(first: dt.date, second: dt.date) -> float:
        return (service_origin(second, PARIS) - service_origin(first, PARIS)).total_seconds() / 3600

    assert hours_between(dt.date(2026, 10, 23), dt.date(2026, 10, 24)) == 24
    assert hours_between(dt.date(2026, 10, 24), FALL_BACK) == 25  # 00:00 CEST on the 24th -> 01:00 CEST on the 25th
    assert hours_between(FALL_BACK, dt.date(2026, 10, 26)) == 24  # 01:00 CEST -> 00:00 CET
    assert hours_between(dt.date(2027, 3, 27), SPRING_FORWARD) == 23  # 00:00 CET -> 23:00 CET the day before
    assert hours_between(SPRING_FORWARD, dt.date(2027, 3, 29)) == 24  # 23:00 CET -> 00:00 CEST


def test_window_is_yesterday_to_the_day_after_tomorrow() -> None:
    assert window_dates(dt.date(2026, 10, 25)) == [
        dt.date(2026, 10, 24),
        dt.date(2026, 10, 25),
        dt.date(2026, 10, 26),
        dt.date(2026, 10, 27),
    ]


# ---------------------------------------------------------------- departures


def small_feed() -> ParsedFeed:
    feed = ParsedFeed(timezone="Europe/Paris")
    for stop_id, name in [("A", "Alençon - Halle"), ("B", "Sées - Cathédrale"), ("C", "Sées - Gare")]:
        feed.stops[stop_id] = Stop(stop_id, name, 48.5, 0.1, "stop")
    feed.routes["R"] = Route("R", "10", "Alençon - Sées", "bus", "Réseau")
    feed.routes["N"] = Route("N", "", "Navette de nuit", "bus", "Réseau")
    feed.trips["DAY"] = Trip("DAY", "R", "SEM", "Sées")
    feed.trips["NIGHT"] = Trip("NIGHT", "N", "SAM", None)
    feed.stop_times["DAY"] = [
        StopTime("A", 1, parse_time("08:00:00")),
        StopTime("B", 2, None),  # interpolated: no departure shown
        StopTime("B", 3, parse_time("08:30:00"), pickup_type=1),  # drop-off only
        StopTime("C", 4, parse_time("08:35:00"), headsign="Sées - Gare (terminus)"),
        StopTime("A", 5, parse_time("09:00:00")),  # last stop: nobody boards
    ]
    feed.stop_times["NIGHT"] = [
        StopTime("A", 1, parse_time("24:40:00")),
        StopTime("B", 2, parse_time("25:10:00")),
        StopTime("C", 3, parse_time("25:15:00")),
    ]
    feed.rules["SEM"] = ServiceRule("SEM", WEEKDAYS, dt.date(2026, 10, 20), dt.date(2027, 4, 30))
    feed.exceptions["SAM"] = {dt.date(2026, 10, 24): True, dt.date(2027, 3, 27): True}
    return feed


def test_departures_keep_only_where_passengers_board() -> None:
    found = list(departures(small_feed(), [dt.date(2026, 10, 23)]))  # a Friday
    assert [(d.stop_id, d.stop_sequence, local(d.scheduled), d.headsign) for d in found] == [
        ("A", 1, "2026-10-23T08:00:00+02:00", "Sées"),
        ("C", 4, "2026-10-23T08:35:00+02:00", "Sées - Gare (terminus)"),
    ]
    assert {(d.route_id, d.route_short_name, d.service_date) for d in found} == {("R", "10", dt.date(2026, 10, 23))}


def test_night_trip_across_the_autumn_change() -> None:
    found = list(departures(small_feed(), window_dates(FALL_BACK)))
    night = [(d.stop_id, local(d.scheduled), d.service_date.isoformat()) for d in found if d.trip_id == "NIGHT"]
    assert night == [
        ("A", "2026-10-25T00:40:00+02:00", "2026-10-24"),
        ("B", "2026-10-25T01:10:00+02:00", "2026-10-24"),
    ]
    named = {d.headsign for d in found if d.trip_id == "NIGHT"}
    assert named == {"Sées - Gare"}  # no trip_headsign: the last stop's name
    assert {d.route_short_name for d in found if d.trip_id == "NIGHT"} == {"Navette de nuit"}
    days = [local(d.scheduled) for d in found if d.trip_id == "DAY" and d.stop_id == "A"]
    assert days == ["2026-10-26T08:00:00+01:00", "2026-10-27T08:00:00+01:00"]


def test_night_trip_across_the_spring_change() -> None:
    found = list(departures(small_feed(), [dt.date(2027, 3, 27), SPRING_FORWARD, dt.date(2027, 3, 29)]))
    assert [(d.trip_id, d.stop_id, local(d.scheduled)) for d in found] == [
        ("NIGHT", "A", "2027-03-28T00:40:00+01:00"),
        ("NIGHT", "B", "2027-03-28T01:10:00+01:00"),
        ("DAY", "A", "2027-03-29T08:00:00+02:00"),
        ("DAY", "C", "2027-03-29T08:35:00+02:00"),
    ]
    instants = [d.scheduled for d in found]
    assert instants[1] - instants[0] == dt.timedelta(minutes=30)


def test_no_departure_on_a_removed_date() -> None:
    feed = small_feed()
    feed.exceptions["SEM"] = {dt.date(2026, 11, 11): False}
    assert list(departures(feed, [dt.date(2026, 11, 11)])) == []
    assert len(list(departures(feed, [dt.date(2026, 11, 12)]))) == 2
