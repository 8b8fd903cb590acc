"""Bounds every connector applies to what a feed says, before anything is written.

A feed is untrusted input: an identifier may be 1,500 characters long or carry control characters (DynamoDB
refuses keys over 1,024/2,048 bytes, and a write refused halfway leaves a table half-updated), a timestamp may be
`0001-01-01T00:00:00+01:00` (converting it to UTC raises `OverflowError`, not `ValueError`). Each check raises
`ValueError` with a French reason fit for the run's rejection report, so a parser's per-item `except ValueError`
rejects the item and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import re

MAX_ID_LENGTH = 200  # far below DynamoDB's key limits even once prefixed (`STOP#…`) and UTF-8 encoded
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# Times a feed may speak of: anything outside is a producer bug (or an attack), rejected per item.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
EARLIEST_DATE = EARLIEST.date()
LATEST_DATE = LATEST.date()


def check_id(value: str, what: str, *, max_length: int = MAX_ID_LENGTH) -> str:
    """`value` stripped, when it is a usable identifier: not empty, at most `max_length` characters, no control
    character; else `ValueError` naming `what` ("stop_id", "identifiant d'événement")."""
    cleaned = value.strip()
    if not cleaned:
        raise ValueError(f"{what} vide")
    if len(cleaned) > max_length:
        raise ValueError(f"{what} trop long ({len(cleaned)} caractères, au plus {max_length})")
    if _CONTROL.search(cleaned):
        raise ValueError(f"{what} contient un caractère de contrôle")
    return cleaned


def is_id(value: str, *, max_length: int = MAX_ID_LENGTH) -> bool:
    """Whether `check_id` accepts `value`."""
    try:
        check_id(value, "id", max_length=max_length)
    except ValueError:
        return False
    return True


def check_moment(moment: dt.datetime, what: str = "date") -> dt.datetime:
    """`moment` in UTC, when it is timezone-aware and between 2000 and 2100; else `ValueError`.

    Converting a time near `datetime.min`/`max` to UTC raises `OverflowError`: it is turned into the same
    `ValueError` as any other out-of-range time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} sans fuseau horaire : {moment.isoformat()}")
    try:
        utc = moment.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(f"{what} hors des bornes (2000 à 2100) : {moment.isoformat()}") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError(f"{what} hors des bornes (2000 à 2100) : {moment.isoformat()}")
    return utc


def check_date(day: dt.date, what: str = "date") -> dt.date:
    """`day` when it is between 2000 and 2100; else `ValueError`."""
    if not EARLIEST_DATE <= day < LATEST_DATE:
        raise ValueError(f"{what} hors des bornes (2000 à 2100) : {day.isoformat()}")
    return day


def parse_moment(text: str, what: str = "date") -> dt.datetime:
    """An ISO 8601 timestamp with its offset (`Z` accepted), in UTC and within bounds; else `ValueError`."""
    raw = text.strip()
    if len(raw) > 64:
        raise ValueError(f"{what} illisible : {raw[:40]!r}…")
    try:
        moment = dt.datetime.fromisoformat(raw.replace("z", "Z"))
    except (ValueError, OverflowError):
        raise ValueError(f"{what} illisible : {raw!r}") from None
    return check_moment(moment, what)
