"""Lambda entry point of the schools admin API (API Gateway HTTP API, payload 2.0, JWT authorizer): the routes.

POST   /v1/admin/schools/{uai}/notices               publish a notice -> 201 + Location
PATCH  /v1/admin/schools/{uai}/notices/{notice_id}   change some of its fields -> 200
DELETE /v1/admin/schools/{uai}/notices/{notice_id}   withdraw it -> 204

Only the `school-staff` group may write, and only for the schools of its `custom:schools` claim (403
otherwise, see `auth.py`); an unknown UAI or notice is 404; a notice of the département's feed belongs to
that feed (409). Every write rewrites the school's `school-notices` tile projection and puts a
`SchoolNoticePublished` / `SchoolNoticeWithdrawn` event on the bus. Nothing about the caller is stored or
logged (no e-mail, no `sub`). Table layout: `poche_common.schools`.

Events go through the table's outbox (`poche_common.outbox`): the event is staged in the same
TransactWriteItems as the notice, then sent at once. When the bus refuses it, the notice is saved all the
same and the answer is the usual success: the event stays staged, and the next run of the domain's
scheduled connector (`schools-notices-csv`, every 15 minutes), which flushes the whole table's outbox,
sends it with the same id. The rules and that sequence are `logic`; the adapters are built by `deps`.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from poche_common import schools
from poche_common.api import JSON_CONTENT_TYPE, json_body, make_resolver
from poche_common.clock import utc_now
from poche_common.observability import logger, metrics
from poche_common.router import Response, response

from . import logic
from .auth import authorize
from .deps import dependencies
from .validation import validate_change, validate_new

NO_STORE = {"Cache-Control": "no-store"}

app = make_resolver()


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def _json(status: int, item: dict[str, Any], **headers: str) -> Response:
    body = json.dumps(schools.notice_view(item), ensure_ascii=False, separators=(",", ":"))
    return response(status, body, {"Content-Type": JSON_CONTENT_TYPE, **NO_STORE, **headers})


@app.route("POST", "/v1/admin/schools/{uai}/notices")
def create_notice(uai: str) -> Response:
    school = authorize(app.current_event.claims, uai)
    now = utc_now()
    fields = validate_new(json_body(app), now)
    item = logic.create(dependencies.get(), school.uai, new_id(), fields, now)
    return _json(201, item, Location=f"/v1/admin/schools/{school.uai}/notices/{item['id']}")


@app.route("PATCH", "/v1/admin/schools/{uai}/notices/{notice_id}")
def change_notice(uai: str, notice_id: str) -> Response:
    school = authorize(app.current_event.claims, uai)
    body = json_body(app)
    writer = dependencies.get()
    current = logic.existing(writer.notices, school.uai, notice_id)
    now = utc_now()
    fields = validate_change(body, logic.fields_of(current), now)
    return _json(200, logic.change(writer, current, fields, now))


@app.route("DELETE", "/v1/admin/schools/{uai}/notices/{notice_id}")
def withdraw_notice(uai: str, notice_id: str) -> Response:
    school = authorize(app.current_event.claims, uai)
    writer = dependencies.get()
    logic.withdraw(writer, logic.existing(writer.notices, school.uai, notice_id), utc_now())
    return response(204, "", NO_STORE)


@logger.inject_lambda_context(correlation_id_path="api")
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
