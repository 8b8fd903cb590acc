"""Lambda entry point of the schools admin API (API Gateway HTTP API, payload 2.0, JWT authorizer).

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
sends it with the same id.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3

from poche_common import schools
from poche_common.api import json_body, make_resolver
from poche_common.clock import parse_iso, utc_now
from poche_common.errors import ConflictError, NotFoundError
from poche_common.events import headline
from poche_common.observability import logger, metrics
from poche_common.outbox import Outbox, StagedEvent
from poche_common.router import Response, response
from poche_common.settings import required

from .auth import authorize
from .store import NoticeStore
from .validation import NoticeFields, validate_change, validate_new

SOURCE = "poche.schools"
JSON = "application/json; charset=utf-8"

app = make_resolver()
_client = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_store = NoticeStore(_client, _table)
_outbox = Outbox(_client, _table, producer="schools-admin", source=SOURCE, bus_name=required("EVENT_BUS_NAME"))


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def _created(body: dict[str, Any], location: str) -> Response:
    return response(
        201,
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        {"Content-Type": JSON, "Cache-Control": "no-store", "Location": location},
    )


def _ok(body: dict[str, Any]) -> Response:
    return response(
        200,
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        {"Content-Type": JSON, "Cache-Control": "no-store"},
    )


def _fields(item: dict[str, Any]) -> NoticeFields:
    return NoticeFields(
        title=item["title"],
        body=item.get("body", ""),
        kind=item["kind"],
        starts=parse_iso(item["starts"]),
        ends=parse_iso(item["ends"]),
    )


def _item(uai: str, notice_id: str, fields: NoticeFields) -> dict[str, Any]:
    return schools.notice_item(
        uai=uai,
        notice_id=notice_id,
        kind=fields.kind,
        title=fields.title,
        body=fields.body,
        starts=fields.starts,
        ends=fields.ends,
        origin="school",
        updated_at=utc_now(),
    )


def event_facts(item: dict[str, Any], change: str) -> dict[str, Any]:
    """The event of one notice: who published it (never a person), what, when, and what changed."""
    notice = {
        "uai": item["uai"],
        "notice_id": item["id"],
        "kind": item["kind"],
        "title": headline(item["title"]) or "",
        "starts": item["starts"],
        "ends": item["ends"],
        "change": change,
    }
    return {
        "origin": "school",
        "connector": None,
        "uai": item["uai"],
        "notice_id": item["id"],
        "change": change,
        "uais": [item["uai"]],
        "notices": [notice],
        "truncated": False,
    }


def _existing(uai: str, notice_id: str) -> dict[str, Any]:
    item = _store.get(uai, notice_id)
    if item is None:
        raise NotFoundError(f"L'établissement {uai} n'a pas d'information « {notice_id} ».")
    if item.get("origin") != "school":
        raise ConflictError(
            "Cette information a été publiée par le Département (flux groupé) : elle ne se modifie que dans ce flux."
        )
    return item


def _event(item: dict[str, Any], detail_type: str, change: str) -> StagedEvent:
    """The write's event, ready to be staged in the same transaction as the notice."""
    return _outbox.prepare(detail_type, event_facts(item, change), ready=True)


def _after_write(uai: str, item: dict[str, Any], event: StagedEvent, change: str) -> None:
    schools.rewrite_projections(_client, _table, [uai], utc_now())
    logger.info("school notice written", extra={"uai": uai, "notice_id": item["id"], "change": change})
    try:
        failed = _outbox.send([event]).failed
    except Exception:  # the notice and its staged event are saved: the answer stays a success
        logger.exception("event sent but its outbox item not deleted: sent again later (same id)")
        return
    if failed:
        metrics.add_metric(name="EventsNotSent", unit="Count", value=1)
        logger.error(
            "event refused by the bus: staged, sent by the next run of schools-notices-csv",
            extra={"event_id": event.id, "error": failed[event.id]},
        )


@app.route("POST", "/v1/admin/schools/{uai}/notices")
def create_notice(uai: str) -> Response:
    school = authorize(app.current_event.claims, uai)
    fields = validate_new(json_body(app), utc_now())
    item = _item(school.uai, new_id(), fields)
    event = _event(item, "SchoolNoticePublished", "created")
    _store.create(item, [event])
    _after_write(school.uai, item, event, "created")
    return _created(schools.notice_view(item), f"/v1/admin/schools/{school.uai}/notices/{item['id']}")


@app.route("PATCH", "/v1/admin/schools/{uai}/notices/{notice_id}")
def change_notice(uai: str, notice_id: str) -> Response:
    school = authorize(app.current_event.claims, uai)
    body = json_body(app)
    current = _existing(school.uai, notice_id)
    fields = validate_change(body, _fields(current), utc_now())
    item = _item(school.uai, notice_id, fields)
    if item["digest"] == current["digest"]:
        return _ok(schools.notice_view(current))  # nothing changed: nothing written, no event
    event = _event(item, "SchoolNoticePublished", "updated")
    _store.replace(item, current["digest"], [event])
    _after_write(school.uai, item, event, "updated")
    return _ok(schools.notice_view(item))


@app.route("DELETE", "/v1/admin/schools/{uai}/notices/{notice_id}")
def withdraw_notice(uai: str, notice_id: str) -> Response:
    school = authorize(app.current_event.claims, uai)
    current = _existing(school.uai, notice_id)
    event = _event(current, "SchoolNoticeWithdrawn", "withdrawn")
    _store.delete(school.uai, notice_id, current["digest"], [event])
    _after_write(school.uai, current, event, "withdrawn")
    return response(204, "", {"Cache-Control": "no-store"})


@logger.inject_lambda_context(correlation_id_path="api")
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
