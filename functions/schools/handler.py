"""Lambda entry point of the schools service (API Gateway HTTP API, payload 2.0), read only.

GET /v1/schools?commune=&limit=&cursor=   collèges and lycées (reference data shipped in the common layer),
                                          by name; of a commune when `commune` is given
GET /v1/schools/{uai}/notices             the school's notices not ended (current and upcoming), by start

Notices are written by school staff (function `schools_admin`) and by the département's feed (connector
`schools-notices-csv`); table layout in `poche_common.schools`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3

from poche_common import schools
from poche_common.api import json_response, make_resolver, query, query_commune, query_limit
from poche_common.clock import parse_iso, to_paris_iso, utc_now
from poche_common.dynamo import to_item
from poche_common.errors import InvalidRequestError
from poche_common.observability import logger
from poche_common.pagination import decode_cursor, encode_cursor
from poche_common.router import Response
from poche_common.settings import optional_int, required

from .policy import CONNECTOR, LIST_CACHE_SECONDS, NOTICES_CACHE_SECONDS, STALE_AFTER_SECONDS

app = make_resolver()
_client = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_stale_after = optional_int("STALE_AFTER_SECONDS", STALE_AFTER_SECONDS)


@app.get("/v1/schools")
def list_schools() -> Response:
    commune = query_commune(app)
    limit = query_limit(app)
    scope = f"schools|{commune or ''}"
    start = decode_cursor(scope, query(app, "cursor"))
    found = schools.in_commune(commune) if commune else schools.all_schools()
    offset = 0
    if start is not None:
        after = start.get("after")
        position = next((i for i, s in enumerate(found) if s.uai == after), None)
        if position is None:
            raise InvalidRequestError("Le curseur de pagination ne correspond pas à cette liste.", field="cursor")
        offset = position + 1
    page = found[offset : offset + limit]
    more = offset + limit < len(found)
    payload = {
        "items": [schools.school_view(school) for school in page],
        "next": encode_cursor(scope, {"after": page[-1].uai}) if more and page else None,
        "as_of": to_paris_iso(schools.as_of()),
        "stale": False,
    }
    return json_response(app, payload, max_age=LIST_CACHE_SECONDS)


def _feed_fetched_at() -> str | None:
    response = _client.get_item(
        TableName=_table,
        Key=to_item({"pk": f"FEED#{CONNECTOR}", "sk": "STATE"}),
        ProjectionExpression="fetched_at",
    )
    value = response.get("Item", {}).get("fetched_at", {}).get("S")
    return str(value) if value else None


def freshness(now: dt.datetime, fetched_at: str | None, stale_after_s: int) -> dict[str, Any]:
    """Notices are read live from the table staff write to, so `as_of` is now; `stale` says the département's
    feed has not been read for too long (its bulk notices may be missing or out of date)."""
    stale = fetched_at is None or (now - parse_iso(fetched_at)).total_seconds() > stale_after_s
    return {"as_of": to_paris_iso(now), "stale": stale}


@app.get("/v1/schools/{uai}/notices")
def list_notices(uai: str) -> Response:
    school = schools.require(uai.strip().upper())
    now = utc_now()
    items = schools.current_notices(schools.read_notices(_client, _table, school.uai), now)
    payload = {
        "school": schools.school_view(school),
        "items": [schools.notice_view(item) for item in items],
        "next": None,
        **freshness(now, _feed_fetched_at(), _stale_after),
    }
    return json_response(app, payload, max_age=NOTICES_CACHE_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
