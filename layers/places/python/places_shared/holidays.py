"""French public holidays (jours fériés) of metropolitan France, computed (never tabulated).

The eleven days of the Code du travail (article L3133-1): 1 January, Easter Monday, 1 May, 8 May, Ascension
(Easter + 39 days), Whit Monday (Easter + 50 days), 14 July, 15 August, 1 November, 11 November, 25 December.
Easter Sunday comes from the anonymous Gregorian algorithm (Meeus/Jones/Butcher). The local days of
Alsace-Moselle (Good Friday, 26 December) and of the overseas departments are not included.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

__all__ = ["easter_sunday", "holidays", "is_holiday"]

_FIXED: tuple[tuple[int, int, str], ...] = (
    (1, 1, "Jour de l'an"),
    (5, 1, "Fête du Travail"),
    (5, 8, "Victoire 1945"),
    (7, 14, "Fête nationale"),
    (8, 15, "Assomption"),
    (11, 1, "Toussaint"),
    (11, 11, "Armistice 1918"),
    (12, 25, "Noël"),
)
# Days after Easter Sunday.
_MOVABLE: tuple[tuple[int, str], ...] = (
    (1, "Lundi de Pâques"),
    (39, "Ascension"),
    (50, "Lundi de Pentecôte"),
)


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday of a Gregorian year (anonymous Gregorian algorithm)."""
    if not 1583 <= year <= 9999:
        raise ValueError(f"year {year} outside the Gregorian calendar range 1583-9999")
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=32)
def _holidays(year: int) -> tuple[tuple[dt.date, str], ...]:
    easter = easter_sunday(year)
    days = [(dt.date(year, month, day), name) for month, day, name in _FIXED]
    days += [(easter + dt.timedelta(days=offset), name) for offset, name in _MOVABLE]
    return tuple(sorted(days, key=lambda item: item[0]))


def holidays(year: int) -> dict[dt.date, str]:
    """The public holidays of `year`, in date order, with their French names (a new dict: the caller may change it).

    In some years two of them fall on the same day (Ascension on 1 or 8 May, as in 2008): the names are then joined
    with " et ", so the dict may hold ten days instead of eleven.
    """
    result: dict[dt.date, str] = {}
    for day, name in _holidays(year):
        result[day] = f"{result[day]} et {name}" if day in result else name
    return result


def is_holiday(day: dt.date) -> bool:
    """Whether `day` (a date; a datetime counts by its own calendar date) is a public holiday in France."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if not 1583 <= day.year <= 9999:
        return False
    return any(holiday == day for holiday, _ in _holidays(day.year))
