"""Lambda entry point of the home screen service (API Gateway HTTP API, payload 2.0): the routes.

GET  /v1/tiles/catalogue   the tile types the deployed stacks offer, each with an example of valid parameters
POST /v1/home              up to 20 tiles' current content in one response (anonymous: no account needed)

Each route calls one rule of `logic` with the clock's `now` and the dependencies of `deps`.
"""

from __future__ import annotations

import json
from typing import Any

from home_shared.compose import requested_tiles
from poche_common.api import JSON_CONTENT_TYPE, json_body, json_response, make_resolver
from poche_common.clock import utc_now
from poche_common.observability import logger, metrics
from poche_common.router import Response, response

from . import logic
from .deps import dependencies
from .policy import CATALOGUE_CACHE_SECONDS

app = make_resolver()


@app.get("/v1/tiles/catalogue")
def catalogue() -> Response:
    deps = dependencies.get()
    payload = logic.catalogue(deps.catalogue.types(), deps.reader(), utc_now())
    return json_response(app, payload, max_age=CATALOGUE_CACHE_SECONDS)


@app.route("POST", "/v1/home")
def home() -> Response:
    now = utc_now()
    tiles = requested_tiles(json_body(app))
    deps = dependencies.get()
    reader = deps.reader()
    answers = logic.home(tiles, deps.catalogue.types(), reader, now)
    errors = sum(1 for answer in answers["tiles"] if "error" in answer)
    extra = {"tiles": len(answers["tiles"]), "errors": errors, "round_trips": reader.round_trips}
    logger.info("home composed", extra=extra)
    metrics.add_metric("HomeRoundTrips", "Count", reader.round_trips)
    body = json.dumps(answers, ensure_ascii=False, separators=(",", ":"))
    return response(200, body, {"Content-Type": JSON_CONTENT_TYPE, "Cache-Control": "no-store"})


@logger.inject_lambda_context(correlation_id_path="api")
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
