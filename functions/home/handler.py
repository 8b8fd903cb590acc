"""Lambda entry point of the home screen service (API Gateway HTTP API, payload 2.0).

GET  /v1/tiles/catalogue   the tile types the deployed stacks offer, each with an example of valid parameters
POST /v1/home              up to 20 tiles' current content in one response (anonymous: no account needed)
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from home_shared.catalogue import Catalogue
from home_shared.compose import compose, requested_tiles
from home_shared.store import BatchReader
from poche_common.api import JSON_CONTENT_TYPE, json_body, json_response, make_resolver
from poche_common.clock import to_paris_iso, utc_now
from poche_common.observability import logger, metrics
from poche_common.router import Response, response
from poche_common.settings import optional_int, required
from poche_common.tiles import EXAMPLE, tile_pk

from .openapi import CATALOGUE_CACHE_SECONDS

app = make_resolver()
_dynamodb = boto3.client("dynamodb")
_catalogue = Catalogue(None, required("TILES_PARAMETER_PATH"), ttl_s=optional_int("TILES_REFRESH_SECONDS", 300))


@app.get("/v1/tiles/catalogue")
def catalogue() -> Response:
    types = _catalogue.types()
    reader = BatchReader(_dynamodb)
    examples, _ = reader.read([(tile.table, tile_pk(tile.id), EXAMPLE) for tile in types.values()])
    items = []
    for tile in types.values():
        example = examples.get((tile.table, tile_pk(tile.id), EXAMPLE), {}).get("params")
        items.append(
            {
                "id": tile.id,
                "title": tile.title,
                "service": tile.service,
                "params": list(tile.params),
                "example": dict(example) if isinstance(example, dict) else None,
                "description": tile.description,
            }
        )
    payload = {"items": items, "next": None, "as_of": to_paris_iso(utc_now()), "stale": False}
    return json_response(app, payload, max_age=CATALOGUE_CACHE_SECONDS)


@app.route("POST", "/v1/home")
def home() -> Response:
    now = utc_now()
    tiles = requested_tiles(json_body(app))
    reader = BatchReader(_dynamodb)
    answers = compose(tiles, _catalogue.types(), reader, now)
    errors = sum(1 for answer in answers if "error" in answer)
    logger.info("home composed", extra={"tiles": len(answers), "errors": errors, "round_trips": reader.round_trips})
    metrics.add_metric("HomeRoundTrips", "Count", reader.round_trips)
    body = json.dumps({"tiles": answers}, ensure_ascii=False, separators=(",", ":"))
    return response(200, body, {"Content-Type": JSON_CONTENT_TYPE, "Cache-Control": "no-store"})


@logger.inject_lambda_context(correlation_id_path="api")
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
