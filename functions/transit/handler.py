"""Lambda entry point of the transit service (API Gateway HTTP API, payload 2.0).

GET /v1/transit/stops?near={lat},{lon}&radius={m}     stops nearest first, with their distance
GET /v1/transit/stops?q={name}                        stops whose name starts with `q`
GET /v1/transit/stops                                 every stop, by name
GET /v1/transit/stops/{stop_id}/departures?route=&limit=   next departures, timetable + real time
GET /v1/transit/routes                                the routes
GET /v1/transit/routes/{route_id}/vehicles            where the route's vehicles are
GET /v1/transit/alerts?route=&stop=                   active alerts
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import boto3

from poche_common import geo
from poche_common.api import json_response, make_resolver, query, query_limit
from poche_common.clock import to_paris_iso, to_utc_iso, utc_now
from poche_common.errors import InvalidRequestError, NotFoundError
from poche_common.observability import logger
from poche_common.pagination import decode_cursor, encode_cursor
from poche_common.router import Response
from poche_common.settings import optional_int, required
from transit_shared.departures import coming, departure_view, in_expected_order
from transit_shared.merge import rt_key

from . import policy
from .store import STATIC_CONNECTOR, TransitReader
from .views import (
    alert_active,
    alert_concerns,
    alert_view,
    fold,
    freshness,
    newest,
    route_view,
    stop_view,
    vehicle_view,
)

app = make_resolver()
_reader = TransitReader(boto3.client("dynamodb"), required("TABLE_NAME"))
_static_stale_after = optional_int("STALE_AFTER_SECONDS", policy.STATIC_STALE_AFTER_SECONDS)
_realtime_stale_after = optional_int("REALTIME_STALE_AFTER_SECONDS", policy.REALTIME_STALE_AFTER_SECONDS)
_realtime_connectors = tuple(
    name.strip()
    for name in os.environ.get("REALTIME_CONNECTORS", ",".join(policy.REALTIME_CONNECTORS)).split(",")
    if name.strip()
)

_NEAR_RE = re.compile(r"^(-?\d{1,3}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?)$")
_ID_RE = re.compile(r"^[^\x00-\x1f#]{1,255}$")  # GTFS ids are free text; no control characters nor '#'


# ---------------------------------------------------------------- parameters


def _near() -> tuple[float, float] | None:
    raw = query(app, "near")
    if raw is None:
        return None
    match = _NEAR_RE.match(raw.replace(" ", ""))
    lat, lon = (float(match[1]), float(match[2])) if match else (999.0, 999.0)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidRequestError(
            f"« {raw} » n'est pas une position : attendu near=latitude,longitude en degrés décimaux "
            "(WGS84), par exemple near=48.4329,0.0913.",
            field="near",
        )
    if abs(lat) > policy.MAX_NEAR_LATITUDE:  # near a pole, a radius spans every longitude: too many cells to read
        raise InvalidRequestError(
            f"« {raw} » : la recherche d'arrêts à proximité va jusqu'à {policy.MAX_NEAR_LATITUDE}° de latitude.",
            field="near",
        )
    return lat, lon


def _radius() -> int:
    raw = query(app, "radius")
    if raw is None:
        return policy.DEFAULT_RADIUS_M
    if not re.fullmatch(r"[0-9]{1,5}", raw) or not 1 <= int(raw) <= policy.MAX_RADIUS_M:
        raise InvalidRequestError(
            f"radius doit être un nombre entier de mètres entre 1 et {policy.MAX_RADIUS_M}.", field="radius"
        )
    return int(raw)


def _identifier(value: str | None, name: str) -> str | None:
    if value is not None and not _ID_RE.match(value):
        raise InvalidRequestError(f"{name} n'est pas un identifiant valide.", field=name)
    return value


def _cursor_after(scope: str) -> Any:
    """The key a list cursor resumes after (lists paged in memory), or None for the first page."""
    cursor = decode_cursor(scope, query(app, "cursor"))
    if cursor is None:
        return None
    if "after" not in cursor:
        raise InvalidRequestError("Le curseur de pagination est invalide ; recommencez sans curseur.", field="cursor")
    return cursor["after"]


def _static_freshness(now: dt.datetime) -> dict[str, Any]:
    return freshness(_reader.fetched_at(), _static_stale_after, now)


def _realtime_freshness(now: dt.datetime) -> dict[str, Any]:
    """`as_of`: when a real-time source was last read successfully (the newest of them)."""
    states = _reader.feed_states(_realtime_connectors) if _realtime_connectors else {}
    fetched = newest([state.get("fetched_at") for state in states.values()])
    return freshness(to_utc_iso(fetched) if fetched else None, _realtime_stale_after, now)


# ---------------------------------------------------------------- stops


@app.get("/v1/transit/stops")
def list_stops() -> Response:
    now = utc_now()
    near, text = _near(), query(app, "q")
    if near is not None and text is not None:
        raise InvalidRequestError(
            "Donnez soit near (autour d'une position), soit q (par nom), pas les deux.", field="q"
        )
    if near is None and query(app, "radius") is not None:
        raise InvalidRequestError("radius n'a de sens qu'avec near=latitude,longitude.", field="radius")
    if near is not None:
        return _stops_near(*near, _radius(), now)
    limit = query_limit(app)
    prefix = None
    if text is not None:
        prefix = fold(text)
        if len(prefix) < policy.MIN_QUERY_CHARS or len(text) > policy.MAX_QUERY_CHARS:
            raise InvalidRequestError(
                f"q doit compter de {policy.MIN_QUERY_CHARS} à {policy.MAX_QUERY_CHARS} caractères "
                "(lettres ou chiffres), par exemple q=alencon.",
                field="q",
            )
    scope = f"stops|{prefix or ''}"
    items, last_key = _reader.stops(prefix, limit, decode_cursor(scope, query(app, "cursor")))
    payload = {
        "items": [stop_view(item) for item in items],
        "next": encode_cursor(scope, last_key),
        **_static_freshness(now),
    }
    return json_response(app, payload, max_age=policy.CACHE_STATIC_SECONDS)


def _stops_near(lat: float, lon: float, radius: int, now: dt.datetime) -> Response:
    limit = query_limit(app)
    scope = f"stops-near|{lat}|{lon}|{radius}"
    after = _cursor_after(scope)
    cells = geo.cells_covering(geo.box_around(lat, lon, radius), policy.CELL_PRECISION)
    found: list[tuple[float, str, dict[str, Any]]] = []
    for item in _reader.stops_in_cells(cells):
        distance = geo.distance_m(lat, lon, float(item["lat"]), float(item["lon"]))
        if distance <= radius:
            found.append((distance, str(item["stop_id"]), item))
    found.sort(key=lambda entry: (entry[0], entry[1]))
    if after is not None:
        if not (
            isinstance(after, list)
            and len(after) == 2
            and isinstance(after[0], int | float)
            and not isinstance(after[0], bool)
            and isinstance(after[1], str)
        ):  # [distance, stop_id] as this route wrote it; anything else (a forged cursor) would fail below
            raise InvalidRequestError(
                "Le curseur de pagination est invalide ; recommencez sans curseur.", field="cursor"
            )
        found = [entry for entry in found if (entry[0], entry[1]) > (float(after[0]), str(after[1]))]
    page = found[:limit]
    next_key = {"after": [page[-1][0], page[-1][1]]} if len(found) > limit else None
    payload = {
        "items": [stop_view(item, distance) for distance, _, item in page],
        "next": encode_cursor(scope, next_key),
        **_static_freshness(now),
    }
    return json_response(app, payload, max_age=policy.CACHE_STATIC_SECONDS)


# ---------------------------------------------------------------- departures


def _departure_limit() -> int:
    return query_limit(app, default=policy.DEPARTURES_DEFAULT_LIMIT, maximum=policy.DEPARTURES_MAX_LIMIT)


@app.get("/v1/transit/stops/{stop_id}/departures")
def list_departures(stop_id: str) -> Response:
    """At most two DynamoDB round trips: the Query of the stop's departures, then one BatchGetItem
    for the stop's profile, the timetable's feed state and the real-time items of the trips."""
    now = utc_now()
    _identifier(stop_id, "stop_id")
    route_id = _identifier(query(app, "route"), "route")
    limit = _departure_limit()
    scope = f"departures|{stop_id}|{route_id or ''}"
    cursor = decode_cursor(scope, query(app, "cursor"))
    after_sk = cursor.get("sk") if cursor else None
    if cursor is not None and not (isinstance(after_sk, str) and after_sk.startswith("DEP#")):
        raise InvalidRequestError("Le curseur de pagination est invalide ; recommencez sans curseur.", field="cursor")
    first_sk = "DEP#" + to_utc_iso(now - dt.timedelta(seconds=policy.LOOKBACK_SECONDS))
    last_sk = "DEP#" + to_utc_iso(now + dt.timedelta(hours=policy.DEPARTURES_WINDOW_HOURS)) + "#~"
    if after_sk is not None and after_sk > first_sk:
        first_sk = after_sk
    read = policy.ROUTE_FILTER_READ if route_id else limit * policy.CANDIDATE_FACTOR + policy.CANDIDATE_EXTRA

    # Round trip 1: the stop's departures from a little before now, in scheduled order.
    candidates, more = _reader.departures(stop_id, first_sk, last_sk, limit=read)
    candidates = [d for d in candidates if d["sk"] != after_sk and route_id in (None, d.get("route_id"))]
    room = policy.MAX_BATCH_KEYS - 2
    if len(candidates) > room:
        candidates, more = candidates[:room], True

    # Round trip 2: the stop, the timetable's state and the real time of those trips, together.
    profile_key, state_key = (f"STOP#{stop_id}", "PROFILE"), (f"FEED#{STATIC_CONNECTOR}", "STATE")
    found = _reader.get_many([profile_key, state_key, *(rt_key(d) for d in candidates)])
    profile = found.get(profile_key)
    if profile is None:
        raise NotFoundError(f"Aucun arrêt n'a l'identifiant « {stop_id} ».")

    coming_departures = coming(candidates, found, now)
    page = coming_departures[:limit]
    next_key = {"sk": page[-1].sk} if page and (len(coming_departures) > limit or more) else None
    page = in_expected_order(page)
    used = newest([m.feed_timestamp for m in page if m.realtime])
    state = found.get(state_key, {})
    payload = {
        "stop": {"stop_id": profile["stop_id"], "name": profile["name"]},
        "items": [departure_view(m) for m in page],
        "next": encode_cursor(scope, next_key),
        **freshness(state.get("fetched_at"), _static_stale_after, now),
        "realtime_as_of": to_paris_iso(used) if used else None,
    }
    return json_response(app, payload, max_age=policy.CACHE_REALTIME_SECONDS)


# ---------------------------------------------------------------- routes and vehicles


@app.get("/v1/transit/routes")
def list_routes() -> Response:
    now = utc_now()
    limit = query_limit(app)
    scope = "routes"
    items, last_key = _reader.routes(limit, decode_cursor(scope, query(app, "cursor")))
    payload = {
        "items": [route_view(item) for item in items],
        "next": encode_cursor(scope, last_key),
        **_static_freshness(now),
    }
    return json_response(app, payload, max_age=policy.CACHE_STATIC_SECONDS)


@app.get("/v1/transit/routes/{route_id}/vehicles")
def list_vehicles(route_id: str) -> Response:
    now = utc_now()
    _identifier(route_id, "route_id")
    limit = query_limit(app)
    scope = f"vehicles|{route_id}"
    after = _cursor_after(scope)
    profile, vehicles = _reader.route_and_vehicles(route_id)
    if profile is None:
        raise NotFoundError(f"Aucune ligne n'a l'identifiant « {route_id} ».")
    live = sorted(
        (v for v in vehicles if _not_expired(v, now) and "lat" in v and "lon" in v),
        key=lambda v: str(v["vehicle_id"]),
    )
    if after is not None:
        live = [v for v in live if str(v["vehicle_id"]) > str(after)]
    page = live[:limit]
    payload = {
        "route": route_view(profile),
        "items": [vehicle_view(v) for v in page],
        "next": encode_cursor(scope, {"after": page[-1]["vehicle_id"]} if len(live) > limit else None),
        **_realtime_freshness(now),
    }
    return json_response(app, payload, max_age=policy.CACHE_REALTIME_SECONDS)


def _not_expired(item: dict[str, Any], now: dt.datetime) -> bool:
    expires = item.get("expires_at")
    return expires is None or float(expires) > now.timestamp()


# ---------------------------------------------------------------- alerts


@app.get("/v1/transit/alerts")
def list_alerts() -> Response:
    now = utc_now()
    route_id = _identifier(query(app, "route"), "route")
    stop_id = _identifier(query(app, "stop"), "stop")
    limit = query_limit(app)
    scope = f"alerts|{route_id or ''}|{stop_id or ''}"
    after = _cursor_after(scope)
    alerts = [
        a
        for a in _reader.alerts()
        if _not_expired(a, now) and alert_active(a, now) and alert_concerns(a, route_id, stop_id)
    ]
    alerts.sort(key=lambda a: str(a["sk"]))
    if after is not None:
        alerts = [a for a in alerts if str(a["sk"]) > str(after)]
    page = alerts[:limit]
    payload = {
        "items": [alert_view(a) for a in page],
        "next": encode_cursor(scope, {"after": page[-1]["sk"]} if len(alerts) > limit else None),
        **_realtime_freshness(now),
    }
    return json_response(app, payload, max_age=policy.CACHE_REALTIME_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
