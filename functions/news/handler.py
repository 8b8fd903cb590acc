"""Lambda entry point of the news service (API Gateway HTTP API, payload 2.0): the route.

GET /v1/news?commune=&limit=&cursor=   news of the département (`general`) and, with `commune`, that
                                       commune's news too; newest first, each article once
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


@app.get("/v1/news")
def list_news() -> Response:
    commune = query_commune(app)
    limit = query_limit(app)
    payload = dependencies.get().ask(logic.news, utc_now(), commune=commune, limit=limit, cursor=query(app, "cursor"))
    return json_response(app, payload, max_age=CACHE_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
