"""poche_common.clock: store UTC, show Europe/Paris (with its daylight saving time)."""

from __future__ import annotations

import datetime as dt

import pytest

from poche_common.clock import parse_iso, to_paris_iso, to_utc_iso, today_paris, utc_now

UTC = dt.UTC


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # winter time, just before the 2027-03-28 change (01:00 UTC)
        (dt.datetime(2027, 3, 28, 0, 59, 59, tzinfo=UTC), "2027-03-28T01:59:59+01:00"),
        # summer time, from the change on
        (dt.datetime(2027, 3, 28, 1, 0, 0, tzinfo=UTC), "2027-03-28T03:00:00+02:00"),
        (dt.datetime(2027, 7, 14, 10, 0, tzinfo=UTC), "2027-07-14T12:00:00+02:00"),
        (dt.datetime(2026, 12, 25, 10, 0, tzinfo=UTC), "2026-12-25T11:00:00+01:00"),
        # back to winter time on 2026-10-25 at 01:00 UTC
        (dt.datetime(2026, 10, 25, 0, 59, tzinfo=UTC), "2026-10-25T02:59:00+02:00"),
        (dt.datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "2026-10-25T02:00:00+01:00"),
    ],
)
def test_to_paris_iso_follows_daylight_saving_time(moment: dt.datetime, expected: str) -> None:
    assert to_paris_iso(moment) == expected


def test_to_paris_iso_accepts_iso_strings_and_other_offsets() -> None:
    assert to_paris_iso("2027-03-27T23:30:00+00:00") == "2027-03-28T00:30:00+01:00"
    assert to_paris_iso("2027-03-28T12:00:00Z") == "2027-03-28T14:00:00+02:00"
    assert to_paris_iso(dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))) == (
        "2027-01-01T15:00:00+01:00"
    )


def test_to_paris_iso_drops_microseconds() -> None:
    assert to_paris_iso(dt.datetime(2027, 1, 1, 9, 0, 0, 999_999, tzinfo=UTC)) == "2027-01-01T10:00:00+01:00"


@pytest.mark.parametrize("naive", [dt.datetime(2027, 1, 1, 12, 0), "2027-01-01T12:00:00"])
def test_to_paris_iso_refuses_naive_datetimes(naive: dt.datetime | str) -> None:
    with pytest.raises(ValueError, match="naive"):
        to_paris_iso(naive)


def test_to_utc_iso() -> None:
    paris = dt.datetime.fromisoformat("2027-07-14T12:00:00.123+02:00")
    assert to_utc_iso(paris) == "2027-07-14T10:00:00+00:00"
    with pytest.raises(ValueError, match="naive"):
        to_utc_iso(dt.datetime(2027, 7, 14, 12, 0))


def test_parse_iso() -> None:
    assert parse_iso("2027-07-14T12:00:00+02:00") == dt.datetime(2027, 7, 14, 10, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_iso("2027-07-14T12:00:00")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2026, 12, 31, 22, 59, tzinfo=UTC), dt.date(2026, 12, 31)),
        (dt.datetime(2026, 12, 31, 23, 0, tzinfo=UTC), dt.date(2027, 1, 1)),
        (dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC), dt.date(2027, 1, 1)),
        (dt.datetime(2027, 6, 30, 21, 59, tzinfo=UTC), dt.date(2027, 6, 30)),
        (dt.datetime(2027, 6, 30, 22, 0, tzinfo=UTC), dt.date(2027, 7, 1)),
    ],
)
def test_today_paris_around_midnight(now: dt.datetime, expected: dt.date) -> None:
    assert today_paris(now) == expected


def test_utc_now_is_aware_utc() -> None:
    now = utc_now()
    assert now.utcoffset() == dt.timedelta(0)
    assert isinstance(today_paris(), dt.date)
