"""Lambda entry point of the finance staff API (API Gateway HTTP API, payload 2.0, staff pool JWT authorizer).

GET  /v1/admin/finance/journal?date=D[&format=csv]        the day's payments received (JSON, or CSV when asked
                                                          by `format=csv` or `Accept: text/csv`)
PUT  /v1/admin/finance/statements/{date}                  the accountant's statement CSV -> 201 its summary
GET  /v1/admin/finance/reconciliations/{date}[?matched=false]   the day's reconciliation
POST /v1/admin/finance/reconciliations/{date}/exceptions/{exception_id}/resolution   {"comment"} -> 201

Only the `finance` group (403 otherwise, `auth.py`). The caller's `sub` is recorded as `by` of a resolution and of
an upload; nothing about the caller is logged. Routes only: the rules are `logic`, the adapters `deps`.
"""

from __future__ import annotations

import json
from typing import Any

from poche_common.api import JSON_CONTENT_TYPE, json_body, json_response, make_resolver, query
from poche_common.clock import utc_now
from poche_common.errors import InvalidRequestError
from poche_common.observability import logger, metrics
from poche_common.router import Response, response

from . import logic
from .auth import authorize
from .deps import dependencies

NO_STORE = {"Cache-Control": "private, no-store"}
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# What a statement upload may be sent as (browsers send a .csv as text/csv, or Excel's type on Windows).
STATEMENT_TYPES = frozenset(
    {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "application/octet-stream"}
)

app = make_resolver()


def _json(status: int, payload: dict[str, Any], **headers: str) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return response(status, body, {"Content-Type": JSON_CONTENT_TYPE, **NO_STORE, **headers})


def _wants_csv() -> bool:
    wanted = query(app, "format")
    if wanted is not None:
        if wanted.lower() not in ("csv", "json"):
            raise InvalidRequestError("format vaut json ou csv.", field="format")
        return wanted.lower() == "csv"
    accept = app.current_event.headers.get("accept", "")
    return any(part.split(";", 1)[0].strip().lower() == "text/csv" for part in accept.split(","))


def _statement_body() -> bytes:
    request = app.current_event
    media_type = request.headers.get("content-type", "text/csv").split(";", 1)[0].strip().lower()
    if media_type not in STATEMENT_TYPES:
        raise InvalidRequestError(
            f"Le relevé s'envoie tel quel en CSV (Content-Type: text/csv), pas en {media_type}.", field="statement"
        )
    try:
        return request.body
    except ValueError:  # isBase64Encoded with a body that is not base64
        raise InvalidRequestError("Le corps de la requête est mal encodé.", field="statement") from None


@app.route("GET", "/v1/admin/finance/journal")
def get_journal() -> Response:
    authorize(app.current_event.claims)
    day = logic.parse_day(query(app, "date"), "date")
    as_csv = _wants_csv()
    journal = logic.day_journal(dependencies.get().ledger, day)
    if not as_csv:
        from .journal import journal_json

        return json_response(app, journal_json(journal), max_age=0, private=True)
    headers = {
        "Content-Type": CSV_CONTENT_TYPE,
        "Content-Disposition": f'attachment; filename="journal-paiements-{day.isoformat()}.csv"',
        **NO_STORE,
    }
    from .journal import journal_csv

    return response(200, journal_csv(journal).decode("utf-8"), headers)  # UTF-8 (BOM included): sent as text


@app.route("PUT", "/v1/admin/finance/statements/{date}")
def put_statement(date: str) -> Response:
    by = authorize(app.current_event.claims)
    day = logic.parse_day(date, "date")
    summary = logic.upload_statement(dependencies.get(), day, _statement_body(), by, utc_now())
    return _json(201, summary, Location=f"/v1/admin/finance/reconciliations/{day.isoformat()}")


@app.route("GET", "/v1/admin/finance/reconciliations/{date}")
def get_reconciliation(date: str) -> Response:
    authorize(app.current_event.claims)
    day = logic.parse_day(date, "date")
    matched = (query(app, "matched") or "true").lower()
    if matched not in ("true", "false"):
        raise InvalidRequestError("matched vaut true ou false.", field="matched")
    reconciliation = logic.day_reconciliation(dependencies.get().ledger, day, utc_now())
    from .reconcile import reconciliation_json

    return _json(200, reconciliation_json(reconciliation, include_matched=matched == "true"))


@app.route("POST", "/v1/admin/finance/reconciliations/{date}/exceptions/{exception_id}/resolution")
def post_resolution(date: str, exception_id: str) -> Response:
    by = authorize(app.current_event.claims)
    day = logic.parse_day(date, "date")
    comment = logic.parse_comment(json_body(app, max_bytes=16 * 1024))
    exception = logic.resolve(dependencies.get(), day, exception_id, comment, by, utc_now())
    from .reconcile import exception_json

    return _json(201, exception_json(exception))


@logger.inject_lambda_context(correlation_id_path="api")
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
