"""Lambda entry point of the places service (API Gateway HTTP API, payload 2.0): the routes.

GET /v1/places?near={lat},{lon}&radius=&category=&q=&open_now=&limit=   nearest first, with `distance_m`
GET /v1/places?commune={INSEE}&category=&q=&open_now=&limit=            a commune's places
GET /v1/places/{place_id}                                               one place (`<source>:<source id>`)
GET /v1/places/categories                                               the vocabulary of categories

The rules are `logic` (geohash cells, never a scan); each place comes with its opening hours' `open_now` (Europe/
Paris, holidays included) and its live availability while it is current.
"""

from __future__ import annotations

import re
from typing import Any

from poche_common.api import json_response, make_resolver, parse_near, parse_radius, query, query_commune, query_limit
from poche_common.clock import utc_now
from poche_common.errors import InvalidRequestError
from poche_common.observability import logger
from poche_common.router import Response

from . import logic, policy
from .deps import dependencies

PLACE_ID = re.compile(policy.PLACE_ID_PATTERN)
app = make_resolver()


def _open_now() -> bool | None:
    raw = query(app, "open_now")
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise InvalidRequestError("open_now : true ou false.", field="open_now")
    return raw == "true"


@app.get("/v1/places")
def list_places() -> Response:
    now = utc_now()
    near, commune = parse_near(query(app, "near"), "recherche de lieux à proximité"), query_commune(app)
    if (near is None) == (commune is None):
        raise InvalidRequestError("Donnez near=latitude,longitude ou commune=code INSEE (l'un des deux).", field="near")
    if near is None and query(app, "radius") is not None:
        raise InvalidRequestError("radius va avec near (le rayon autour d'un point).", field="radius")
    limit = query_limit(app, default=policy.DEFAULT_LIMIT, maximum=policy.MAX_LIMIT)
    filters = logic.Filters(query(app, "category"), query(app, "q"), _open_now(), limit, now)
    reader = dependencies.get().reader
    if near is not None:
        radius = parse_radius(query(app, "radius"), default=policy.DEFAULT_RADIUS_M, maximum=policy.MAX_RADIUS_M)
        payload = logic.near(reader, near[0], near[1], radius, filters)
    else:
        assert commune is not None
        payload = logic.in_commune(reader, commune, filters)
    return json_response(app, payload, max_age=policy.CACHE_SECONDS)


@app.get("/v1/places/categories")
def list_categories() -> Response:
    return json_response(app, logic.categories(), max_age=86_400)


@app.get("/v1/places/{place_id}")
def get_place(place_id: str) -> Response:
    if not PLACE_ID.fullmatch(place_id):
        raise InvalidRequestError("place_id : <source>:<identifiant>, par exemple finess:610000051.", field="place_id")
    return json_response(app, logic.one(dependencies.get().reader, place_id, utc_now()), max_age=policy.CACHE_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
