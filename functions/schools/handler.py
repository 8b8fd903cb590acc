"""Lambda entry point of the schools service (API Gateway HTTP API, payload 2.0), read only: the routes.

GET /v1/schools?commune=&limit=&cursor=   collèges and lycées (reference data shipped in the common layer),
                                          by name; of a commune when `commune` is given
GET /v1/schools/{uai}/notices             the school's notices not ended (current and upcoming), by start

Notices are written by school staff (function `schools_admin`) and by the département's feed (connector
`schools-notices-csv`); table layout in `poche_common.schools`. Each route reads its parameters, calls one rule
of `logic` with the clock's `now` and the dependencies of `deps`, and answers through `poche_common.api`.
"""

from __future__ import annotations

from typing import Any

from poche_common.api import json_response, make_resolver, query, query_commune, query_limit
from poche_common.clock import utc_now
from poche_common.observability import logger
from poche_common.router import Response

from . import logic
from .deps import dependencies
from .policy import LIST_CACHE_SECONDS, NOTICES_CACHE_SECONDS

app = make_resolver()


@app.get("/v1/schools")
def list_schools() -> Response:
    commune = query_commune(app)
    limit = query_limit(app)
    payload = logic.school_list(commune=commune, limit=limit, cursor=query(app, "cursor"))
    return json_response(app, payload, max_age=LIST_CACHE_SECONDS)


@app.get("/v1/schools/{uai}/notices")
def list_notices(uai: str) -> Response:
    now = utc_now()
    deps = dependencies.get()
    payload = logic.notices(deps.reader, deps.stale_after_s, now, uai=uai)
    return json_response(app, payload, max_age=NOTICES_CACHE_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
