"""Lambda entry point of the canteen service (API Gateway HTTP API, payload 2.0).

GET /v1/canteens?commune=&limit=&cursor=     canteens, by name
GET /v1/canteens/{canteen_id}                one canteen
GET /v1/canteens/{canteen_id}/menus?from=&to=  meals by date (default: this week, Monday to Sunday)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3

from poche_common.api import json_response, make_resolver, query, query_commune, query_date, query_limit
from poche_common.clock import today_paris
from poche_common.errors import InvalidRequestError, NotFoundError
from poche_common.observability import logger
from poche_common.pagination import decode_cursor, encode_cursor
from poche_common.router import Response
from poche_common.settings import optional_int, required

from .policy import CACHE_SECONDS, MAX_RANGE_DAYS
from .store import MenuReader
from .views import canteen_view, freshness, meal_view

app = make_resolver()
_reader = MenuReader(boto3.client("dynamodb"), required("TABLE_NAME"))
_stale_after = optional_int("STALE_AFTER_SECONDS", 2 * 24 * 3600)


def _canteen_or_404(canteen_id: str) -> tuple[dict[str, Any], str | None]:
    """The canteen and the feed's `fetched_at` (one round trip), or 404."""
    item, fetched_at = _reader.canteen_and_fetched_at(canteen_id)
    if item is None:
        raise NotFoundError(f"Aucune cantine n'a l'identifiant « {canteen_id} ».")
    return item, fetched_at


@app.get("/v1/canteens")
def list_canteens() -> Response:
    commune = query_commune(app)
    limit = query_limit(app)
    scope = f"canteens|{commune or ''}"
    start = decode_cursor(scope, query(app, "cursor"))
    items, last_key = _reader.canteens(commune, limit, start)
    payload = {
        "items": [canteen_view(item) for item in items],
        "next": encode_cursor(scope, last_key),
        **freshness(_reader.fetched_at(), _stale_after),
    }
    return json_response(app, payload, max_age=CACHE_SECONDS)


@app.get("/v1/canteens/{canteen_id}")
def get_canteen(canteen_id: str) -> Response:
    canteen, fetched_at = _canteen_or_404(canteen_id)
    payload = {**canteen_view(canteen), **freshness(fetched_at, _stale_after)}
    return json_response(app, payload, max_age=CACHE_SECONDS)


def menu_range(first: dt.date | None, last: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates asked for; by default the current week, Monday to Sunday."""
    if first is None and last is None:
        first = today - dt.timedelta(days=today.weekday())
        return first, first + dt.timedelta(days=6)
    if first is None:
        assert last is not None
        first = last - dt.timedelta(days=6)
    if last is None:
        last = first + dt.timedelta(days=6)
    if last < first:
        raise InvalidRequestError(
            f"La date de fin ({last.isoformat()}) précède la date de début ({first.isoformat()}).", field="to"
        )
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise InvalidRequestError(
            f"La période demandée dépasse {MAX_RANGE_DAYS} jours ; demandez-la en plusieurs fois.", field="to"
        )
    return first, last


@app.get("/v1/canteens/{canteen_id}/menus")
def list_menus(canteen_id: str) -> Response:
    first, last = menu_range(query_date(app, "from"), query_date(app, "to"), today_paris())
    canteen, fetched_at = _canteen_or_404(canteen_id)
    payload = {
        "canteen": canteen_view(canteen),
        "from": first.isoformat(),
        "to": last.isoformat(),
        "items": [meal_view(item) for item in _reader.meals(canteen_id, first, last)],
        "next": None,
        **freshness(fetched_at, _stale_after),
    }
    return json_response(app, payload, max_age=CACHE_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
