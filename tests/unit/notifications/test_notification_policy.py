"""When a push goes out: quiet hours (over midnight, across DST), the digest time, emergencies."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications_send.policy import Decision, decide, next_digest, quiet_until

NIGHT = {"start": "22:00", "end": "07:00"}
LUNCH = {"start": "12:00", "end": "14:00"}


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-30T22:30:00+01:00", "2026-12-01T07:00:00+01:00"),  # evening part: ends tomorrow
        ("2026-12-01T03:00:00+01:00", "2026-12-01T07:00:00+01:00"),  # morning part: ends today
        ("2026-12-01T07:00:00+01:00", None),  # the end itself is outside
        ("2026-12-01T21:59:00+01:00", None),
        ("2026-12-01T22:00:00+01:00", "2026-12-02T07:00:00+01:00"),
    ],
)
def test_quiet_hours_over_midnight(now: str, expected: str | None) -> None:
    assert quiet_until(utc(now), NIGHT) == (utc(expected) if expected else None)


def test_quiet_hours_within_a_day_and_none() -> None:
    assert quiet_until(utc("2026-12-01T13:00:00+01:00"), LUNCH) == utc("2026-12-01T14:00:00+01:00")
    assert quiet_until(utc("2026-12-01T23:00:00+01:00"), LUNCH) is None
    assert quiet_until(utc("2026-12-01T23:00:00+01:00"), None) is None
    assert quiet_until(utc("2026-12-01T23:00:00+01:00"), {"start": "22:00", "end": "22:00"}) is None


def test_quiet_hours_across_the_dst_changes_end_at_paris_wall_clock_time() -> None:
    # Night of 28 to 29 March 2026: 02:00 CET becomes 03:00 CEST, 07:00 is then 05:00 UTC (not 06:00).
    assert quiet_until(utc("2026-03-28T23:00:00+01:00"), NIGHT) == utc("2026-03-29T05:00:00+00:00")
    # Night of 24 to 25 October 2026: 03:00 CEST becomes 02:00 CET, 07:00 is then 06:00 UTC.
    assert quiet_until(utc("2026-10-24T23:00:00+02:00"), NIGHT) == utc("2026-10-25T06:00:00+00:00")


def test_the_digest_is_the_next_18_00_in_paris() -> None:
    assert next_digest(utc("2026-12-01T09:00:00+01:00")) == utc("2026-12-01T17:00:00+00:00")
    assert next_digest(utc("2026-12-01T18:00:00+01:00")) == utc("2026-12-02T17:00:00+00:00")
    assert next_digest(utc("2026-07-01T09:00:00+02:00")) == utc("2026-07-01T16:00:00+00:00")  # summer time


def test_decisions() -> None:
    night = utc("2026-11-30T23:00:00+01:00")
    day = utc("2026-11-30T10:00:00+01:00")
    assert decide(day, "school", "immediate", NIGHT) == Decision("now")
    assert decide(night, "school", "immediate", NIGHT) == Decision("deferred", utc("2026-12-01T07:00:00+01:00"))
    assert decide(night, "emergency", "immediate", NIGHT) == Decision("now")
    assert decide(night, "emergency", "digest", NIGHT) == Decision("now")
    assert decide(day, "news", "digest", None) == Decision("digest", utc("2026-11-30T18:00:00+01:00"))
    # A digest time inside the quiet hours waits for their end.
    evening = {"start": "17:30", "end": "19:00"}
    assert decide(day, "news", "digest", evening) == Decision("digest", utc("2026-11-30T19:00:00+01:00"))
