"""Lambda entry point of the traffic service (API Gateway HTTP API, payload 2.0): the route.

GET /v1/traffic/events?commune=&bbox=&active=&limit=&cursor=
    road events (works, closures, accidents, weather...), most recent start first:
    - `commune` (INSEE code): the events touching that commune (404 for a code not of the département);
    - `bbox` (min_lon,min_lat,max_lon,max_lat, at most 1 degree each way): the events whose point or line
      meets the box;
    - both: the events touching the commune AND meeting the box (the commune's partition, filtered);
    - neither: every event of the département;
    - `active` (default true): only the events in force now; `false`: also finished and future ones.
"""

from __future__ import annotations

from typing import Any

from poche_common.api import json_response, make_resolver, query, query_commune, query_limit
from poche_common.clock import utc_now
from poche_common.observability import logger
from poche_common.router import Response

from . import logic
from .deps import dependencies
from .policy import CACHE_SECONDS

app = make_resolver()


@app.get("/v1/traffic/events")
def list_events() -> Response:
    commune = query_commune(app)
    box = logic.parse_bbox(query(app, "bbox"))
    active = logic.parse_active(query(app, "active"))
    limit = query_limit(app)
    payload = dependencies.get().ask(
        logic.events, utc_now(), commune=commune, box=box, active=active, limit=limit, cursor=query(app, "cursor")
    )
    return json_response(app, payload, max_age=CACHE_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
