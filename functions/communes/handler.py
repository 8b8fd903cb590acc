"""Lambda entry point of the communes service (API Gateway HTTP API, payload 2.0).

GET /v1/communes?q=&limit=&cursor=   communes by name; with `q`, those whose name starts with it (accents, case,
                                     hyphens, apostrophes and a leading article ignored), or an exact postcode /
                                     INSEE code
GET /v1/communes/{insee}             one commune

Reference data shipped in the common layer (`poche_common.communes`): no table, no AWS client.
"""

from __future__ import annotations

from typing import Any

from poche_common import communes
from poche_common.api import INSEE_RE, json_response, make_resolver, query, query_limit
from poche_common.errors import InvalidRequestError
from poche_common.observability import logger
from poche_common.pagination import decode_cursor, encode_cursor
from poche_common.router import Response

from .policy import CACHE_SECONDS, DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY_LENGTH
from .views import commune_view, freshness

app = make_resolver()
_BAD_CURSOR = "Le curseur de pagination est invalide ou ne correspond pas à cette requête ; recommencez sans curseur."


def page(found: list[communes.Commune], after: str | None, limit: int) -> tuple[list[communes.Commune], str | None]:
    """The `limit` communes following the one coded `after` (None: from the start), and the last one's code
    when more follow."""
    start = 0
    if after is not None:
        codes = [c.insee for c in found]
        if after not in codes:
            raise InvalidRequestError(_BAD_CURSOR, field="cursor")
        start = codes.index(after) + 1
    chunk = found[start : start + limit]
    more = start + limit < len(found)
    return chunk, (chunk[-1].insee if more and chunk else None)


@app.get("/v1/communes")
def list_communes() -> Response:
    q = query(app, "q")
    if q is not None and len(q) > MAX_QUERY_LENGTH:
        raise InvalidRequestError(f"q ne doit pas dépasser {MAX_QUERY_LENGTH} caractères.", field="q")
    limit = query_limit(app, default=DEFAULT_LIMIT, maximum=MAX_LIMIT)
    # The scope binds a cursor to this query and to this edition of the data.
    scope = f"communes|{q or ''}|{communes.as_of()}"
    key = decode_cursor(scope, query(app, "cursor"))
    after = key.get("after") if key else None
    if key is not None and not isinstance(after, str):
        raise InvalidRequestError(_BAD_CURSOR, field="cursor")
    everything = communes.all_communes()
    found = communes.search(q, limit=len(everything)) if q else everything
    items, last = page(found, after, limit)
    payload = {
        "items": [commune_view(c) for c in items],
        "next": encode_cursor(scope, {"after": last} if last else None),
        **freshness(),
    }
    return json_response(app, payload, max_age=CACHE_SECONDS)


@app.get("/v1/communes/{insee}")
def get_commune(insee: str) -> Response:
    code = insee.strip().upper()
    if not INSEE_RE.match(code):
        raise InvalidRequestError(
            f"« {insee} » n'est pas un code INSEE de commune (5 caractères, par exemple 61001 pour Alençon).",
            field="insee",
        )
    payload = {**commune_view(communes.require(code)), **freshness()}
    return json_response(app, payload, max_age=CACHE_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
