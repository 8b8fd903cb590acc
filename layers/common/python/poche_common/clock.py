"""Time helpers: store UTC, show Europe/Paris."""

from __future__ import annotations

import datetime as dt
from typing import Any
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


def freshness(fetched_at: str | None, stale_after_s: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """`as_of` (Europe/Paris) and `stale` of data last fetched at `fetched_at` (UTC ISO; None: never, so stale)."""
    if fetched_at is None:
        return {"as_of": None, "stale": True}
    age = ((now or utc_now()) - parse_iso(fetched_at)).total_seconds()
    return {"as_of": to_paris_iso(fetched_at), "stale": age > stale_after_s}
