"""Lambda entry point of the agenda service (API Gateway HTTP API, payload 2.0): the routes.

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

from typing import Any
from urllib.parse import unquote

from poche_common.api import json_response, make_resolver, query, query_commune, query_date, query_limit
from poche_common.clock import today_paris, utc_now
from poche_common.observability import logger
from poche_common.router import Response

from . import logic
from .deps import dependencies
from .policy import CACHE_SECONDS

app = make_resolver()


@app.get("/v1/events")
def list_events() -> Response:
    now = utc_now()
    commune = query_commune(app)
    start, end = logic.date_range(query_date(app, "from"), query_date(app, "to"), now)
    category = logic.parse_category(query(app, "category"))
    folded_q = logic.parse_q(query(app, "q"))
    limit = query_limit(app)
    payload = dependencies.get().ask(
        logic.events,
        now,
        commune=commune,
        start=start,
        end=end,
        category=category,
        folded_q=folded_q,
        limit=limit,
        cursor=query(app, "cursor"),
    )
    return json_response(app, payload, max_age=CACHE_SECONDS)


@app.get("/v1/events/{event_id}")
def get_event(event_id: str) -> Response:
    now = utc_now()
    payload = dependencies.get().ask(logic.event, now, event_id=unquote(event_id))
    return json_response(app, payload, max_age=CACHE_SECONDS)


@app.get("/v1/cinemas")
def list_cinemas() -> Response:
    now = utc_now()
    commune = query_commune(app)
    limit = query_limit(app)
    payload = dependencies.get().ask(logic.cinemas, now, commune=commune, limit=limit, cursor=query(app, "cursor"))
    return json_response(app, payload, max_age=CACHE_SECONDS)


@app.get("/v1/cinemas/{cinema_id}/sessions")
def cinema_sessions(cinema_id: str) -> Response:
    now = utc_now()
    day = query_date(app, "date") or today_paris(now)
    payload = dependencies.get().ask(logic.sessions, now, cinema_id=unquote(cinema_id), day=day)
    return json_response(app, payload, max_age=CACHE_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
