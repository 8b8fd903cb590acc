"""Bounds every connector applies to what a feed says, before anything is written.

A feed is untrusted input: an identifier may be 1,500 characters long, carry control characters or a lone
surrogate (a JSON `\\ud800` escape, which boto3 cannot encode) — DynamoDB refuses keys over 1,024 (sort) / 2,048
(partition) bytes, and a write refused halfway leaves a table half-updated —, a timestamp may be
`0001-01-01T00:00:00+01:00` (converting it to UTC raises `OverflowError`, not `ValueError`), a URL may be 100 KB.
Each check raises `ValueError` with a French reason fit for the run's rejection report, so a parser's per-item
`except ValueError` rejects the item and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

MAX_ID_LENGTH = 200  # characters
# UTF-8 bytes: two ids and a prefix (`EVENT#<situation>#<record>`, a GSI sort key `<situation>:<record>`) stay
# below DynamoDB's 1,024-byte sort key limit.
MAX_ID_BYTES = 400
MAX_URL_LENGTH = 2048  # what browsers and CDNs reliably accept; longer is a producer bug or an attack
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

# Times a feed may speak of: anything outside is a producer bug (or an attack), rejected per item.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
EARLIEST_DATE = EARLIEST.date()
LATEST_DATE = LATEST.date()


def check_id(value: str, what: str, *, max_length: int = MAX_ID_LENGTH, max_bytes: int = MAX_ID_BYTES) -> str:
    """`value` stripped, when it is a usable identifier: not empty, at most `max_length` characters and
    `max_bytes` bytes of UTF-8, no control character (C0, DEL, C1), no lone surrogate; else `ValueError` naming
    `what` ("stop_id", "identifiant d'événement")."""
    cleaned = value.strip()
    if not cleaned:
        raise ValueError(f"{what} vide")
    if len(cleaned) > max_length:
        raise ValueError(f"{what} trop long ({len(cleaned)} caractères, au plus {max_length})")
    bad = _UNPRINTABLE.search(cleaned)  # one scan for both (this runs for every stop of every trip, every minute)
    if bad is not None:
        if _SURROGATE.match(bad.group()):
            raise ValueError(f"{what} contient un caractère invalide (demi-paire UTF-16 isolée)")
        raise ValueError(f"{what} contient un caractère de contrôle")
    if len(cleaned) * 4 > max_bytes:  # UTF-8 takes at most 4 bytes a character: only a long id needs encoding
        size = len(cleaned.encode("utf-8"))
        if size > max_bytes:
            raise ValueError(f"{what} trop long ({size} octets en UTF-8, au plus {max_bytes})")
    return cleaned


def is_id(value: str, *, max_length: int = MAX_ID_LENGTH) -> bool:
    """Whether `check_id` accepts `value`."""
    try:
        check_id(value, "id", max_length=max_length)
    except ValueError:
        return False
    return True


def check_moment(moment: dt.datetime, what: str = "date", *, zone: dt.tzinfo | None = None) -> dt.datetime:
    """`moment` in UTC, when it is timezone-aware and between 2000 and 2100; else `ValueError`. With `zone`, a
    naive `moment` is a local time of that zone (e.g. Europe/Paris for feeds that omit the offset).

    Converting a time near `datetime.min`/`max` to UTC raises `OverflowError`: it is turned into the same
    `ValueError` as any other out-of-range time."""
    if moment.tzinfo is None and zone is not None:
        moment = moment.replace(tzinfo=zone)
    try:
        offset = moment.utcoffset()
    except (OverflowError, ValueError):
        raise ValueError(f"{what} hors des bornes (2000 à 2100) : {moment.isoformat()}") from None
    if offset is None:
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


def parse_moment(text: str, what: str = "date", *, zone: dt.tzinfo | None = None) -> dt.datetime:
    """An ISO 8601 timestamp with its offset (`Z` accepted), in UTC and within bounds; else `ValueError`. With
    `zone`, a timestamp without offset is a local time of that zone."""
    raw = text.strip()
    if len(raw) > 64:
        raise ValueError(f"{what} illisible : {raw[:40]!r}…")
    try:
        moment = dt.datetime.fromisoformat(raw.replace("z", "Z"))
    except (ValueError, OverflowError):
        raise ValueError(f"{what} illisible : {raw!r}") from None
    return check_moment(moment, what, zone=zone)


def excerpt(value: object, limit: int = 60) -> str:
    """`value` as text fit to quote in a rejection reason: at most `limit` characters ("…" when cut), control
    characters and lone surrogates shown as escapes. A reason quoting a 10 MB field would make the run record
    itself too large to store."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _UNPRINTABLE.sub(lambda match: ascii(match.group())[1:-1], text)


def web_url(value: str, *, max_length: int = MAX_URL_LENGTH) -> str | None:
    """`value` stripped when it is an absolute http(s) URL of at most `max_length` characters, without
    whitespace or control characters (never `javascript:`, `data:`…); else None."""
    value = value.strip()
    if not value or len(value) > max_length or re.search(r"[\s\x00-\x1f\x7f-\x9f\ud800-\udfff]", value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced `[` in the host
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return value
    return None
