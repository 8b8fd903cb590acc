"""Lambda entry point of the agenda service (API Gateway HTTP API, payload 2.0).

GET /v1/events?commune=&from=&to=&category=&q=&limit=&cursor=
    occurrences of events in date order (each item is an event at one of its dates): of a commune (INSEE code,
    404 when not of the territory) or of the whole territory; beginning between `from` and `to` included
    (YYYY-MM-DD, Paris; default today to today + 30 days, at most 92 days); `category` one code; `q` a piece of
    the title (accents and case ignored).
GET /v1/events/{event_id}
    one event (`<source>:<uid>`, e.g. `openagenda:8001`) with its long description and next 50 occurrences.
GET /v1/cinemas?commune=&limit=&cursor=
    cinemas by name, of a commune (INSEE code, 404 when not of the territory) or of the whole territory.
GET /v1/cinemas/{cinema_id}/sessions?date=YYYY-MM-DD
    the films of one day (default today, Paris) at a cinema, each with its start times; 404 unknown cinema.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import unquote

import boto3

from agenda_shared.views import occurrence_view
from poche_common.api import json_response, make_resolver, query, query_commune, query_date, query_limit
from poche_common.clock import PARIS, to_utc_iso, today_paris, utc_now
from poche_common.errors import InvalidRequestError, NotFoundError
from poche_common.observability import logger
from poche_common.pagination import decode_cursor, encode_cursor
from poche_common.router import Response
from poche_common.settings import optional_int, required

from .policy import (
    CACHE_SECONDS,
    CATEGORIES,
    CINEMA_CONNECTORS,
    CONNECTORS,
    DEFAULT_RANGE_DAYS,
    DETAIL_OCCURRENCES,
    MAX_EXAMINED,
    MAX_Q_LENGTH,
    MAX_RANGE_DAYS,
    STALE_AFTER_SECONDS,
)
from .store import AgendaReader
from .views import alive, cinema_view, detail_view, films_view, fold, freshness, matches

app = make_resolver()
_reader = AgendaReader(boto3.client("dynamodb"), required("TABLE_NAME"))
_stale_after = optional_int("STALE_AFTER_SECONDS", STALE_AFTER_SECONDS)

EVENT_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}:[A-Za-z0-9_-]{1,64}$")
CINEMA_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_BAD_CURSOR = "Le curseur de pagination est invalide ou ne correspond pas à cette requête ; recommencez sans curseur."


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


@app.get("/v1/events")
def list_events() -> Response:
    now = utc_now()
    commune = query_commune(app)
    start, end = date_range(query_date(app, "from"), query_date(app, "to"), now)
    category = parse_category(query(app, "category"))
    folded_q = parse_q(query(app, "q"))
    limit = query_limit(app)
    scope = f"agenda-events|{commune or ''}|{start}|{end}|{category or ''}|{folded_q or ''}"
    position = decode_cursor(scope, query(app, "cursor"))
    after = position.get("after") if position is not None else None
    if position is not None and not isinstance(after, str):
        raise InvalidRequestError(_BAD_CURSOR, field="cursor")

    lower, upper = utc_bounds(start, end)
    low_key, high_key = to_utc_iso(lower), to_utc_iso(upper) + "#~"
    if after is not None and not low_key <= after <= high_key:
        raise InvalidRequestError(_BAD_CURSOR, field="cursor")
    if commune is not None:
        partitions = [("by_commune", "gsi1", f"COMMUNE#{commune}")]
    else:
        partitions = [("by_month", "gsi2", f"ALL#{month}") for month in months(lower, upper)]
    found, resume = _reader.occurrences(
        partitions,
        low_key,
        high_key,
        after=after,
        accept=lambda item: alive(item, now) and matches(item, category, folded_q),
        limit=limit,
        max_examined=MAX_EXAMINED,
    )
    payload = {
        "items": [occurrence_view(item) for item in found],
        "next": encode_cursor(scope, {"after": resume}) if resume else None,
        **freshness(_reader.fetched_at(CONNECTORS), _stale_after, now),
    }
    return json_response(app, payload, max_age=CACHE_SECONDS)


@app.get("/v1/events/{event_id}")
def get_event(event_id: str) -> Response:
    now = utc_now()
    event_id = unquote(event_id)
    missing = NotFoundError(f"Aucun événement « {event_id} ».")
    if not EVENT_ID_RE.match(event_id):
        raise missing
    profile = _reader.profile(event_id)
    if profile is None or not alive(profile, now):
        raise missing
    current = to_utc_iso(now)
    occurrences = _reader.event_occurrences(
        event_id, limit=DETAIL_OCCURRENCES, accept=lambda item: str(item["end"]) >= current
    )
    payload = {**detail_view(profile, occurrences), **freshness(_reader.fetched_at(CONNECTORS), _stale_after, now)}
    return json_response(app, payload, max_age=CACHE_SECONDS)


@app.get("/v1/cinemas")
def list_cinemas() -> Response:
    now = utc_now()
    commune = query_commune(app)
    limit = query_limit(app)
    scope = f"agenda-cinemas|{commune or ''}"
    position = decode_cursor(scope, query(app, "cursor"))
    after = position.get("after") if position is not None else None
    if position is not None and not isinstance(after, str):
        raise InvalidRequestError(_BAD_CURSOR, field="cursor")
    found, resume = _reader.cinemas(commune, after=after, limit=limit)
    payload = {
        "items": [cinema_view(item) for item in found if alive(item, now)],
        "next": encode_cursor(scope, {"after": resume}) if resume else None,
        **freshness(_reader.fetched_at(CINEMA_CONNECTORS), _stale_after, now),
    }
    return json_response(app, payload, max_age=CACHE_SECONDS)


@app.get("/v1/cinemas/{cinema_id}/sessions")
def cinema_sessions(cinema_id: str) -> Response:
    now = utc_now()
    cinema_id = unquote(cinema_id)
    day = query_date(app, "date") or today_paris(now)
    missing = NotFoundError(f"Aucun cinéma « {cinema_id} ».")
    if not CINEMA_ID_RE.match(cinema_id):
        raise missing
    profile = _reader.cinema(cinema_id)
    if profile is None or not alive(profile, now):
        raise missing
    lower, upper = utc_bounds(day, day)
    sessions = _reader.sessions(cinema_id, to_utc_iso(lower), to_utc_iso(upper))
    payload = {
        **cinema_view(profile),
        "date": day.isoformat(),
        "items": films_view(sessions, now),
        "next": None,
        **freshness(_reader.fetched_at(CINEMA_CONNECTORS), _stale_after, now),
    }
    return json_response(app, payload, max_age=CACHE_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
