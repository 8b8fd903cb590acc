"""poche_local.schedule.next_run: EventBridge rate() and cron() expressions, with a time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from poche_local.schedule import ScheduleError, next_run

UTC = dt.UTC


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "delta"),
    [
        ("rate(1 minute)", dt.timedelta(minutes=1)),
        ("rate(5 minutes)", dt.timedelta(minutes=5)),
        ("rate(1 hour)", dt.timedelta(hours=1)),
        ("rate(12 hours)", dt.timedelta(hours=12)),
        ("rate(1 day)", dt.timedelta(days=1)),
        ("rate(7 days)", dt.timedelta(days=7)),
        (" rate(2 minutes) ", dt.timedelta(minutes=2)),
    ],
)
def test_rate(expression: str, delta: dt.timedelta) -> None:
    after = utc(2026, 11, 30, 10, 17, 42)
    assert next_run(expression, after) == after + delta
    assert next_run(expression, after, "Europe/Paris") == after + delta


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # winter (UTC+1): 05:30 Paris is 04:30 UTC
        (utc(2026, 12, 1, 0, 0), utc(2026, 12, 1, 4, 30)),
        (utc(2026, 12, 1, 4, 30), utc(2026, 12, 2, 4, 30)),  # exactly on the schedule: the next one
        (utc(2026, 12, 1, 4, 29, 59), utc(2026, 12, 1, 4, 30)),
        # around the 2027-03-28 change: 04:30 UTC the day before, 03:30 UTC from that day on
        (utc(2027, 3, 27, 0, 0), utc(2027, 3, 27, 4, 30)),
        (utc(2027, 3, 27, 4, 30), utc(2027, 3, 28, 3, 30)),
        (utc(2027, 3, 28, 3, 30), utc(2027, 3, 29, 3, 30)),
        # summer (UTC+2)
        (utc(2027, 7, 14, 12, 0), utc(2027, 7, 15, 3, 30)),
        # and back to winter time on 2026-10-25
        (utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 4, 30)),
    ],
)
def test_cron_in_paris(after: dt.datetime, expected: dt.datetime) -> None:
    result = next_run("cron(30 5 * * ? *)", after, "Europe/Paris")
    assert result == expected
    assert result.utcoffset() == dt.timedelta(0)


def test_cron_in_utc_by_default() -> None:
    assert next_run("cron(30 5 * * ? *)", utc(2027, 7, 14, 0, 0)) == utc(2027, 7, 14, 5, 30)


def test_after_in_another_zone_is_the_same_instant() -> None:
    paris_noon = dt.datetime(2027, 7, 14, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert next_run("cron(30 5 * * ? *)", paris_noon, "Europe/Paris") == utc(2027, 7, 15, 3, 30)


# 2026-11-27 is a Friday, 2026-11-28 a Saturday, 2026-11-29 a Sunday, 2026-11-30 a Monday.
@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 6 ? * MON-FRI *)", utc(2026, 11, 27, 7, 0), utc(2026, 11, 30, 6, 0)),
        ("cron(0 6 ? * MON-FRI *)", utc(2026, 11, 26, 7, 0), utc(2026, 11, 27, 6, 0)),
        ("cron(0 6 ? * mon-fri *)", utc(2026, 11, 28, 0, 0), utc(2026, 11, 30, 6, 0)),
        ("cron(0 6 ? * 1 *)", utc(2026, 11, 27, 7, 0), utc(2026, 11, 29, 6, 0)),  # 1 = Sunday
        ("cron(0 6 ? * SUN *)", utc(2026, 11, 27, 7, 0), utc(2026, 11, 29, 6, 0)),
        ("cron(0 6 ? * 7 *)", utc(2026, 11, 27, 7, 0), utc(2026, 11, 28, 6, 0)),  # 7 = Saturday
        ("cron(0 6 ? * 2 *)", utc(2026, 11, 27, 7, 0), utc(2026, 11, 30, 6, 0)),  # 2 = Monday
        ("cron(0 6 ? * 2-6 *)", utc(2026, 11, 27, 7, 0), utc(2026, 11, 30, 6, 0)),
        ("cron(0 6 ? * SAT,SUN *)", utc(2026, 11, 26, 7, 0), utc(2026, 11, 28, 6, 0)),
    ],
)
def test_cron_weekdays(expression: str, after: dt.datetime, expected: dt.datetime) -> None:
    assert next_run(expression, after) == expected


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        # lists
        ("cron(0 8,12,18 * * ? *)", utc(2026, 11, 30, 9, 0), utc(2026, 11, 30, 12, 0)),
        ("cron(0 8,12,18 * * ? *)", utc(2026, 11, 30, 18, 0), utc(2026, 12, 1, 8, 0)),
        # ranges
        ("cron(0 9-11 * * ? *)", utc(2026, 11, 30, 9, 0), utc(2026, 11, 30, 10, 0)),
        ("cron(0 9-11 * * ? *)", utc(2026, 11, 30, 11, 0), utc(2026, 12, 1, 9, 0)),
        # steps
        ("cron(0/15 * * * ? *)", utc(2026, 11, 30, 9, 1), utc(2026, 11, 30, 9, 15)),
        ("cron(0/15 * * * ? *)", utc(2026, 11, 30, 9, 45), utc(2026, 11, 30, 10, 0)),
        ("cron(*/20 * * * ? *)", utc(2026, 11, 30, 9, 20), utc(2026, 11, 30, 9, 40)),
        ("cron(5/20 * * * ? *)", utc(2026, 11, 30, 9, 6), utc(2026, 11, 30, 9, 25)),
        ("cron(0 0-12/6 * * ? *)", utc(2026, 11, 30, 6, 0), utc(2026, 11, 30, 12, 0)),
        ("cron(0 0-12/6 * * ? *)", utc(2026, 11, 30, 12, 0), utc(2026, 12, 1, 0, 0)),
        # every minute
        ("cron(* * * * ? *)", utc(2026, 11, 30, 9, 0, 30), utc(2026, 11, 30, 9, 1)),
        # days of month and months (names too)
        ("cron(0 3 1 * ? *)", utc(2026, 11, 30, 0, 0), utc(2026, 12, 1, 3, 0)),
        ("cron(0 3 15 JAN,JUL ? *)", utc(2026, 11, 30, 0, 0), utc(2027, 1, 15, 3, 0)),
        ("cron(0 3 29 2 ? *)", utc(2026, 11, 30, 0, 0), utc(2028, 2, 29, 3, 0)),
        ("cron(0 0 31 * ? *)", utc(2026, 11, 1, 0, 0), utc(2026, 12, 31, 0, 0)),
    ],
)
def test_cron_lists_ranges_steps(expression: str, after: dt.datetime, expected: dt.datetime) -> None:
    assert next_run(expression, after) == expected


def test_cron_list_mixing_a_value_and_a_step() -> None:
    # minutes 5, then 10, 30, 50: after 00:05 comes 00:10 (the lone 5 is not "5 and every minute after")
    assert next_run("cron(5,10/20 * * * ? *)", utc(2026, 11, 30, 0, 5)) == utc(2026, 11, 30, 0, 10)


AFTER_DST = {
    "first-0230-cest": utc(2026, 10, 25, 0, 30),  # 02:30 CEST, the first 02:30 of the night
    "second-0200-cet": utc(2026, 10, 25, 1, 0),  # 02:00 CET, the second 02:00
    "second-0230-cet": utc(2026, 10, 25, 1, 30),  # 02:30 CET, the second 02:30
    "before-spring-change": utc(2027, 3, 28, 0, 59),
}


@pytest.mark.parametrize("after", AFTER_DST.values(), ids=AFTER_DST.keys())
@pytest.mark.parametrize("expression", ["cron(* * * * ? *)", "cron(0/15 * * * ? *)", "cron(30 2 * * ? *)"])
def test_next_run_is_strictly_later_around_dst_changes(expression: str, after: dt.datetime) -> None:
    result = next_run(expression, after, "Europe/Paris")
    assert result > after
    assert result - after <= dt.timedelta(days=1, hours=1)


@pytest.mark.parametrize(
    "expression",
    [
        "cron(30 5 * * ?)",  # 5 fields
        "cron(30 5 * * ? * *)",  # 7 fields
        "cron()",
        "cron(0 0 L * ? *)",
        "cron(0 0 15W * ? *)",
        "cron(0 0 ? * 2#1 *)",
        "cron(0 0 ? * 6L *)",
        "cron(60 0 * * ? *)",
        "cron(0 24 * * ? *)",
        "cron(0 0 0 * ? *)",
        "cron(0 0 32 * ? *)",
        "cron(0 0 * 13 ? *)",
        "cron(0 0 ? * 8 *)",
        "cron(0 0 ? * FOO *)",
        "cron(0 0 * FOO ? *)",
        "cron(10-5 * * * ? *)",
        "cron(a b c d e f)",
        "cron(0/0 * * * ? *)",
        "cron(0/x * * * ? *)",
        "rate(0.5 hours)",
        "rate(0 minutes)",
        "rate(1 week)",
        "rate(minutes)",
        "at(2026-11-30T10:00:00)",
        "every day",
        "",
    ],
)
def test_bad_expressions(expression: str) -> None:
    with pytest.raises(ScheduleError):
        next_run(expression, utc(2026, 11, 30, 0, 0))


def test_schedule_that_never_fires() -> None:
    with pytest.raises(ScheduleError, match="never fires"):
        next_run("cron(0 0 31 2 ? *)", utc(2026, 11, 30, 0, 0))
