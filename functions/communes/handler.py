"""Lambda entry point of the communes service (API Gateway HTTP API, payload 2.0): the routes.

GET /v1/communes?q=&limit=&cursor=   communes by name; with `q`, those whose name starts with it (accents, case,
                                     hyphens, apostrophes and a leading article ignored), or an exact postcode /
                                     INSEE code
GET /v1/communes/{insee}             one commune

Reference data shipped in the common layer (`poche_common.communes`): no table, no AWS client, so no `deps.py`.
Each route reads its parameters, calls one rule of `logic` over that data and answers through `poche_common.api`.
"""

from __future__ import annotations

from typing import Any

from poche_common import communes
from poche_common.api import json_response, make_resolver, query, query_limit
from poche_common.observability import logger
from poche_common.router import Response

from . import logic
from .policy import CACHE_SECONDS, DEFAULT_LIMIT, MAX_LIMIT

app = make_resolver()


@app.get("/v1/communes")
def list_communes() -> Response:
    q = logic.parse_q(query(app, "q"))
    limit = query_limit(app, default=DEFAULT_LIMIT, maximum=MAX_LIMIT)
    payload = logic.communes(communes, q=q, limit=limit, cursor=query(app, "cursor"))
    return json_response(app, payload, max_age=CACHE_SECONDS)


@app.get("/v1/communes/{insee}")
def get_commune(insee: str) -> Response:
    return json_response(app, logic.commune(communes, insee), max_age=CACHE_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
