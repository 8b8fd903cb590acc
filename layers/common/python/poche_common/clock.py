"""Time helpers: store UTC, show Europe/Paris."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today_paris(now: dt.datetime | None = None) -> dt.date:
    return (now or utc_now()).astimezone(PARIS).date()


def to_utc_iso(moment: dt.datetime) -> str:
    """Storage form: ISO 8601 in UTC with an explicit offset."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every stored time must be timezone-aware")
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def to_paris_iso(moment: dt.datetime | str) -> str:
    """API form: ISO 8601 in Europe/Paris with its offset (+01:00 in winter, +02:00 in summer)."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every shown time must be timezone-aware")
    return moment.astimezone(PARIS).isoformat(timespec="seconds")


def parse_iso(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}")
    return moment
