"""The agenda service's rules over a small reader port: date ranges, filters, pages and freshness of each list.

Pure: no boto3, no environment; the clock is the `now` given and the reader any `AgendaReader` (the DynamoDB
adapter is `store.DynamoAgendaReader`, unit tests pass an in-memory fake). Each list function returns the JSON
payload of one route.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, Protocol

from agenda_shared.views import alive, occurrence_view
from poche_common.clock import PARIS, freshness, to_utc_iso, today_paris
from poche_common.errors import InvalidRequestError, NotFoundError
from poche_common.pagination import decode_cursor, encode_cursor
from poche_common.text import fold

from .policy import (
    CATEGORIES,
    CINEMA_CONNECTORS,
    CONNECTORS,
    DEFAULT_RANGE_DAYS,
    DETAIL_OCCURRENCES,
    MAX_EXAMINED,
    MAX_Q_LENGTH,
    MAX_RANGE_DAYS,
)
from .views import cinema_view, detail_view, films_view, matches

EVENT_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}:[A-Za-z0-9_-]{1,64}\Z")
CINEMA_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}\Z")
Item = dict[str, Any]
Partition = tuple[str, str, str]  # (index, key attribute prefix "gsi1"/"gsi2", partition value)
BAD_CURSOR = "Le curseur de pagination est invalide ou ne correspond pas à cette requête ; recommencez sans curseur."


class AgendaReader(Protocol):
    """The reads of the agenda table the routes need (layouts: the connectors' `store.py`)."""

    def occurrences(
        self,
        partitions: list[Partition],
        lower: str,
        upper: str,
        *,
        after: str | None,
        accept: Callable[[Item], bool],
        limit: int,
        max_examined: int,
    ) -> tuple[list[Item], str | None]: ...
    def profile(self, event_id: str) -> Item | None: ...
    def event_occurrences(self, event_id: str, *, limit: int, accept: Callable[[Item], bool]) -> list[Item]: ...
    def cinemas(self, commune: str | None, *, after: str | None, limit: int) -> tuple[list[Item], str | None]: ...
    def cinema(self, cinema_id: str) -> Item | None: ...
    def sessions(self, cinema_id: str, lower: str, upper: str) -> list[Item]: ...
    def fetched_at(self, connector: str) -> str | None: ...


# ---------------------------------------------------------------- parameters


def date_range(start: dt.date | None, end: dt.date | None, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """`from`/`to`: today to today + 30 days by default (Paris); `to` not before `from`; at most 92 days."""
    start = start or today_paris(now)
    end = end or start + dt.timedelta(days=DEFAULT_RANGE_DAYS)
    if end < start:
        raise InvalidRequestError("to doit être postérieure ou égale à from.", field="to")
    if (end - start).days > MAX_RANGE_DAYS:
        raise InvalidRequestError(f"De from à to, au plus {MAX_RANGE_DAYS} jours.", field="to")
    return start, end


def utc_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From Paris midnight of `start` to the last second of `end` (Paris), as UTC."""
    lower = dt.datetime.combine(start, dt.time(), PARIS).astimezone(dt.UTC)
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), PARIS).astimezone(dt.UTC)
    return lower, upper - dt.timedelta(seconds=1)


def months(lower: dt.datetime, upper: dt.datetime) -> list[str]:
    """The UTC months `YYYY-MM` from lower to upper, in order."""
    found: list[str] = []
    year, month = lower.year, lower.month
    while (year, month) <= (upper.year, upper.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def parse_category(raw: str | None) -> str | None:
    if raw is None:
        return None
    if raw.lower() not in CATEGORIES:
        raise InvalidRequestError(
            f"Catégorie « {raw} » inconnue ; valeurs possibles : {', '.join(CATEGORIES)}.", field="category"
        )
    return raw.lower()


def parse_q(raw: str | None) -> str | None:
    if raw is None:
        return None
    if len(raw) > MAX_Q_LENGTH:
        raise InvalidRequestError(f"q : au plus {MAX_Q_LENGTH} caractères.", field="q")
    return fold(raw) or None


def _resume_after(scope: str, cursor: str | None) -> str | None:
    position = decode_cursor(scope, cursor)
    after = position.get("after") if position is not None else None
    if position is not None and not isinstance(after, str):
        raise InvalidRequestError(BAD_CURSOR, field="cursor")
    return after


def oldest_fetched_at(reader: AgendaReader, connectors: tuple[str, ...]) -> str | None:
    """The oldest last successful read of these connectors (None: one never read; the others are not read)."""
    oldest: str | None = None
    for connector in connectors:
        value = reader.fetched_at(connector)
        if not value:
            return None
        oldest = value if oldest is None or value < oldest else oldest
    return oldest


# ---------------------------------------------------------------- events


def events(
    reader: AgendaReader,
    stale_after_s: int,
    now: dt.datetime,
    *,
    commune: str | None,
    start: dt.date,
    end: dt.date,
    category: str | None,
    folded_q: str | None,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """Occurrences beginning between `start` and `end` (Paris days), of a commune or of the whole territory, in
    date order, filtered by category and title."""
    scope = f"agenda-events|{commune or ''}|{start}|{end}|{category or ''}|{folded_q or ''}"
    after = _resume_after(scope, cursor)
    lower, upper = utc_bounds(start, end)
    low_key, high_key = to_utc_iso(lower), to_utc_iso(upper) + "#~"
    if after is not None and not low_key <= after <= high_key:
        raise InvalidRequestError(BAD_CURSOR, field="cursor")
    if commune is not None:
        partitions = [("by_commune", "gsi1", f"COMMUNE#{commune}")]
    else:
        partitions = [("by_month", "gsi2", f"ALL#{month}") for month in months(lower, upper)]
    found, resume = reader.occurrences(
        partitions,
        low_key,
        high_key,
        after=after,
        accept=lambda item: alive(item, now) and matches(item, category, folded_q),
        limit=limit,
        max_examined=MAX_EXAMINED,
    )
    return {
        "items": [occurrence_view(item) for item in found],
        "next": encode_cursor(scope, {"after": resume}) if resume else None,
        **freshness(oldest_fetched_at(reader, CONNECTORS), stale_after_s, now),
    }


def event(reader: AgendaReader, stale_after_s: int, now: dt.datetime, *, event_id: str) -> dict[str, Any]:
    """One event (`<source>:<uid>`) with its next occurrences; 404 when malformed, unknown or expired."""
    missing = NotFoundError(f"Aucun événement « {event_id} ».")
    if not EVENT_ID_RE.match(event_id):
        raise missing
    profile = reader.profile(event_id)
    if profile is None or not alive(profile, now):
        raise missing
    current = to_utc_iso(now)
    occurrences = reader.event_occurrences(
        event_id, limit=DETAIL_OCCURRENCES, accept=lambda item: str(item["end"]) >= current
    )
    return {**detail_view(profile, occurrences), **freshness(oldest_fetched_at(reader, CONNECTORS), stale_after_s, now)}


# ---------------------------------------------------------------- cinemas


def cinemas(
    reader: AgendaReader, stale_after_s: int, now: dt.datetime, *, commune: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    scope = f"agenda-cinemas|{commune or ''}"
    after = _resume_after(scope, cursor)
    found, resume = reader.cinemas(commune, after=after, limit=limit)
    return {
        "items": [cinema_view(item) for item in found if alive(item, now)],
        "next": encode_cursor(scope, {"after": resume}) if resume else None,
        **freshness(oldest_fetched_at(reader, CINEMA_CONNECTORS), stale_after_s, now),
    }


def sessions(
    reader: AgendaReader, stale_after_s: int, now: dt.datetime, *, cinema_id: str, day: dt.date
) -> dict[str, Any]:
    """The films of one day at a cinema, each with its start times; 404 when the cinema is malformed, unknown or
    expired."""
    missing = NotFoundError(f"Aucun cinéma « {cinema_id} ».")
    if not CINEMA_ID_RE.match(cinema_id):
        raise missing
    profile = reader.cinema(cinema_id)
    if profile is None or not alive(profile, now):
        raise missing
    lower, upper = utc_bounds(day, day)
    found = reader.sessions(cinema_id, to_utc_iso(lower), to_utc_iso(upper))
    return {
        **cinema_view(profile),
        "date": day.isoformat(),
        "items": films_view(found, now),
        "next": None,
        **freshness(oldest_fetched_at(reader, CINEMA_CONNECTORS), stale_after_s, now),
    }
