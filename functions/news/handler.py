"""Lambda entry point of the news service (API Gateway HTTP API, payload 2.0).

GET /v1/news?commune=&limit=&cursor=   news of the département (`general`) and, with `commune`, that
                                       commune's news too; newest first, each article once
"""

from __future__ import annotations

from typing import Any

import boto3

from poche_common.api import json_response, make_resolver, query, query_commune, query_limit
from poche_common.clock import utc_now
from poche_common.observability import logger
from poche_common.pagination import decode_cursor, encode_cursor
from poche_common.router import Response
from poche_common.settings import optional_int, required

from .policy import CACHE_SECONDS, GENERAL, STALE_AFTER_SECONDS
from .store import NewsReader
from .views import freshness, news_view

app = make_resolver()
_reader = NewsReader(boto3.client("dynamodb"), required("TABLE_NAME"))
_stale_after = optional_int("STALE_AFTER_SECONDS", STALE_AFTER_SECONDS)


@app.get("/v1/news")
def list_news() -> Response:
    commune = query_commune(app)
    limit = query_limit(app)
    scope = f"news|{commune or ''}"
    positions = decode_cursor(scope, query(app, "cursor"))
    tags = [GENERAL, commune] if commune else [GENERAL]
    items, next_positions = _reader.page(tags, limit, positions)
    payload = {
        "items": [news_view(item) for item in items],
        "next": encode_cursor(scope, next_positions),
        **freshness(_reader.fetched_at(), _stale_after, utc_now()),
    }
    return json_response(app, payload, max_age=CACHE_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
