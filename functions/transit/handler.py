"""Lambda entry point of the transit service (API Gateway HTTP API, payload 2.0): the routes.

GET /v1/transit/stops?near={lat},{lon}&radius={m}     stops nearest first, with their distance
GET /v1/transit/stops?q={name}                        stops whose name starts with `q`
GET /v1/transit/stops                                 every stop, by name
GET /v1/transit/stops/{stop_id}/departures?route=&limit=   next departures, timetable + real time
GET /v1/transit/routes                                the routes
GET /v1/transit/routes/{route_id}/vehicles            where the route's vehicles are
GET /v1/transit/alerts?route=&stop=                   active alerts

Each route reads its parameters (`params`), calls one rule (`logic`, `departures`) with the clock's `now` and
the dependencies of `deps`, and answers through `poche_common.api`.
"""

from __future__ import annotations

from typing import Any

from poche_common.api import json_response, make_resolver, query, query_limit
from poche_common.clock import utc_now
from poche_common.observability import logger
from poche_common.router import Response

from . import departures, logic, params, policy
from .deps import dependencies

app = make_resolver()


@app.get("/v1/transit/stops")
def list_stops() -> Response:
    now = utc_now()
    near, text = params.near(query(app, "near")), query(app, "q")
    params.stop_search(near is not None, text, query(app, "radius") is not None)
    deps = dependencies.get()
    if near is not None:
        radius = params.radius(query(app, "radius"))
        limit = query_limit(app)
        lat, lon = near
        payload = logic.stops_near(
            deps.reader, deps.settings, now, lat=lat, lon=lon, radius=radius, limit=limit, cursor=query(app, "cursor")
        )
    else:
        limit = query_limit(app)
        prefix = params.name_prefix(text)
        payload = logic.stops(deps.reader, deps.settings, now, prefix=prefix, limit=limit, cursor=query(app, "cursor"))
    return json_response(app, payload, max_age=policy.CACHE_STATIC_SECONDS)


@app.get("/v1/transit/stops/{stop_id}/departures")
def list_departures(stop_id: str) -> Response:
    """At most two DynamoDB round trips (`departures.py`)."""
    now = utc_now()
    params.identifier(stop_id, "stop_id")
    route_id = params.identifier(query(app, "route"), "route")
    limit = query_limit(app, default=policy.DEPARTURES_DEFAULT_LIMIT, maximum=policy.DEPARTURES_MAX_LIMIT)
    deps = dependencies.get()
    payload = departures.departures(
        deps.reader, deps.settings, now, stop_id=stop_id, route_id=route_id, limit=limit, cursor=query(app, "cursor")
    )
    return json_response(app, payload, max_age=policy.CACHE_REALTIME_SECONDS)


@app.get("/v1/transit/routes")
def list_routes() -> Response:
    now = utc_now()
    deps = dependencies.get()
    payload = logic.routes(deps.reader, deps.settings, now, limit=query_limit(app), cursor=query(app, "cursor"))
    return json_response(app, payload, max_age=policy.CACHE_STATIC_SECONDS)


@app.get("/v1/transit/routes/{route_id}/vehicles")
def list_vehicles(route_id: str) -> Response:
    now = utc_now()
    params.identifier(route_id, "route_id")
    limit = query_limit(app)
    deps = dependencies.get()
    payload = logic.vehicles(
        deps.reader, deps.settings, now, route_id=route_id, limit=limit, cursor=query(app, "cursor")
    )
    return json_response(app, payload, max_age=policy.CACHE_REALTIME_SECONDS)


@app.get("/v1/transit/alerts")
def list_alerts() -> Response:
    now = utc_now()
    route_id = params.identifier(query(app, "route"), "route")
    stop_id = params.identifier(query(app, "stop"), "stop")
    limit = query_limit(app)
    deps = dependencies.get()
    payload = logic.alerts(
        deps.reader, deps.settings, now, route_id=route_id, stop_id=stop_id, limit=limit, cursor=query(app, "cursor")
    )
    return json_response(app, payload, max_age=policy.CACHE_REALTIME_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
