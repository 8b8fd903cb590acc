"""Lambda entry point of the canteen service (API Gateway HTTP API, payload 2.0): the routes.

GET /v1/canteens?commune=&limit=&cursor=     canteens, by name
GET /v1/canteens/{canteen_id}                one canteen
GET /v1/canteens/{canteen_id}/menus?from=&to=  meals by date (default: this week, Monday to Sunday)
"""

from __future__ import annotations

from typing import Any

from poche_common.api import json_response, make_resolver, query, query_commune, query_date, query_limit
from poche_common.clock import today_paris, utc_now
from poche_common.observability import logger
from poche_common.router import Response

from . import logic
from .deps import dependencies
from .policy import CACHE_SECONDS

app = make_resolver()


@app.get("/v1/canteens")
def list_canteens() -> Response:
    commune = query_commune(app)
    limit = query_limit(app)
    payload = dependencies.get().ask(
        logic.canteens, utc_now(), commune=commune, limit=limit, cursor=query(app, "cursor")
    )
    return json_response(app, payload, max_age=CACHE_SECONDS)


@app.get("/v1/canteens/{canteen_id}")
def get_canteen(canteen_id: str) -> Response:
    payload = dependencies.get().ask(logic.canteen, utc_now(), canteen_id=canteen_id)
    return json_response(app, payload, max_age=CACHE_SECONDS)


@app.get("/v1/canteens/{canteen_id}/menus")
def list_menus(canteen_id: str) -> Response:
    first, last = logic.menu_range(query_date(app, "from"), query_date(app, "to"), today_paris())
    payload = dependencies.get().ask(logic.menus, utc_now(), canteen_id=canteen_id, first=first, last=last)
    return json_response(app, payload, max_age=CACHE_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
