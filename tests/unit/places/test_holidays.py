"""places_shared.holidays: French public holidays, Easter computed by the anonymous Gregorian algorithm."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.easter import EASTER_WESTERN, easter
from hypothesis import given
from hypothesis import strategies as st

from places_shared.holidays import easter_sunday, holidays, is_holiday


def test_2026() -> None:
    assert holidays(2026) == {
        dt.date(2026, 1, 1): "Jour de l'an",
        dt.date(2026, 4, 6): "Lundi de Pâques",
        dt.date(2026, 5, 1): "Fête du Travail",
        dt.date(2026, 5, 8): "Victoire 1945",
        dt.date(2026, 5, 14): "Ascension",
        dt.date(2026, 5, 25): "Lundi de Pentecôte",
        dt.date(2026, 7, 14): "Fête nationale",
        dt.date(2026, 8, 15): "Assomption",
        dt.date(2026, 11, 1): "Toussaint",
        dt.date(2026, 11, 11): "Armistice 1918",
        dt.date(2026, 12, 25): "Noël",
    }
    assert list(holidays(2026)) == sorted(holidays(2026))


def test_2027_movable_days() -> None:
    days = holidays(2027)
    assert easter_sunday(2027) == dt.date(2027, 3, 28)
    assert days[dt.date(2027, 3, 29)] == "Lundi de Pâques"
    assert days[dt.date(2027, 5, 6)] == "Ascension"
    assert days[dt.date(2027, 5, 17)] == "Lundi de Pentecôte"
    assert len(days) == 11


@pytest.mark.parametrize(
    ("year", "sunday"),
    [
        (1818, dt.date(1818, 3, 22)),  # the earliest possible
        (1943, dt.date(1943, 4, 25)),  # the latest possible
        (2000, dt.date(2000, 4, 23)),
        (2008, dt.date(2008, 3, 23)),
        (2019, dt.date(2019, 4, 21)),
        (2024, dt.date(2024, 3, 31)),
        (2025, dt.date(2025, 4, 20)),
        (2026, dt.date(2026, 4, 5)),
        (2038, dt.date(2038, 4, 25)),
        (2285, dt.date(2285, 3, 22)),
    ],
)
def test_known_easter_sundays(year: int, sunday: dt.date) -> None:
    assert easter_sunday(year) == sunday


def test_ascension_on_1_may_joins_the_names() -> None:
    days = holidays(2008)  # Easter 23 March 2008: Ascension = 1 May
    assert days[dt.date(2008, 5, 1)] == "Fête du Travail et Ascension"
    assert len(days) == 10


def test_holidays_returns_a_fresh_dict() -> None:
    holidays(2026).clear()
    assert len(holidays(2026)) == 11


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 1, 1), True),
        (dt.date(2026, 4, 5), False),  # Easter Sunday is a Sunday, not a public holiday of its own
        (dt.date(2026, 4, 6), True),
        (dt.date(2026, 5, 1), True),
        (dt.date(2026, 5, 14), True),
        (dt.date(2026, 5, 24), False),  # Whit Sunday
        (dt.date(2026, 5, 25), True),
        (dt.date(2026, 12, 24), False),
        (dt.date(2026, 12, 26), False),  # Alsace-Moselle only
        (dt.date(2026, 4, 3), False),  # Good Friday: Alsace-Moselle only
        (dt.date(2027, 3, 29), True),
        (dt.datetime(2026, 7, 14, 23, 59), True),
    ],
)
def test_is_holiday(day: dt.date, expected: bool) -> None:
    assert is_holiday(day) is expected


def test_out_of_range_years() -> None:
    assert is_holiday(dt.date(1, 1, 1)) is False
    with pytest.raises(ValueError, match="Gregorian"):
        easter_sunday(1500)


@given(st.integers(min_value=1583, max_value=4099))
def test_easter_agrees_with_dateutil_and_is_a_sunday_in_its_window(year: int) -> None:
    sunday = easter_sunday(year)
    assert sunday == easter(year, EASTER_WESTERN)
    assert sunday.weekday() == 6
    assert dt.date(year, 3, 22) <= sunday <= dt.date(year, 4, 25)
    days = holidays(year)
    assert sunday + dt.timedelta(days=1) in days
    assert all(is_holiday(day) for day in days)
