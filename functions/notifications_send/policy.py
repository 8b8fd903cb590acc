"""When a notification is pushed: at once, at the end of the quiet hours, or at the next digest time.

Quiet hours are Europe/Paris wall-clock times `{"start": "HH:MM", "end": "HH:MM"}`; a window may span
midnight (`22:00`–`07:00`); start == end means no quiet hours. Times are computed in Europe/Paris and stored
in UTC, so a window across a DST change ends at the right instant. `emergency` is always pushed at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from poche_common.clock import PARIS

DIGEST_TIME = dt.time(18, 0)  # Europe/Paris
NOTE_TTL = dt.timedelta(days=90)


@dataclass(frozen=True)
class Decision:
    push: str  # "now" | "deferred" | "digest"
    due: dt.datetime | None = None  # UTC, for deferred and digest


def _hhmm(value: Any) -> dt.time | None:
    try:
        hours, minutes = str(value).split(":")
        return dt.time(int(hours), int(minutes))
    except (ValueError, TypeError):
        return None


def _paris(day: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=PARIS).astimezone(dt.UTC)


def _end(day: dt.date, at: dt.time, now: dt.datetime) -> dt.datetime:
    """The end (UTC) of a quiet window at `at` (Paris) on `day`, after `now`. In the hour Paris lives twice (the
    last Sunday of October) a wall-clock time happens twice: past its first occurrence, the window ends at its
    second one (else the push would be due in the past, i.e. sent at once, inside the quiet hours)."""
    first = _paris(day, at)
    return first if first > now else dt.datetime.combine(day, at.replace(fold=1), tzinfo=PARIS).astimezone(dt.UTC)


def quiet_until(now: dt.datetime, quiet_hours: Mapping[str, Any] | None) -> dt.datetime | None:
    """The end (UTC) of the quiet window `now` falls in, or None when `now` is outside quiet hours."""
    if not quiet_hours:
        return None
    start, end = _hhmm(quiet_hours.get("start")), _hhmm(quiet_hours.get("end"))
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(PARIS)
    today, clock = local.date(), local.time().replace(tzinfo=None)
    if start < end:  # e.g. 12:00–14:00, the same day
        return _end(today, end, now) if start <= clock < end else None
    if clock >= start:  # over midnight, evening part: ends tomorrow
        return _end(today + dt.timedelta(days=1), end, now)
    if clock < end:  # over midnight, morning part: ends today
        return _end(today, end, now)
    return None


def next_digest(now: dt.datetime) -> dt.datetime:
    """The next 18:00 Europe/Paris strictly after `now` (UTC)."""
    local = now.astimezone(PARIS)
    due = _paris(local.date(), DIGEST_TIME)
    return due if due > now else _paris(local.date() + dt.timedelta(days=1), DIGEST_TIME)


def decide(now: dt.datetime, kind: str, mode: str, quiet_hours: Mapping[str, Any] | None) -> Decision:
    if kind == "emergency":
        return Decision("now")
    if mode == "digest":
        due = next_digest(now)
        return Decision("digest", quiet_until(due, quiet_hours) or due)
    until = quiet_until(now, quiet_hours)
    return Decision("deferred", until) if until else Decision("now")
