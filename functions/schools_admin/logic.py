"""The schools admin API's rules and write sequence over small ports: a notice's stored item and event, what a
change may touch (404 unknown, 409 the département's feed owns it), and each write with its projection and event.

No boto3, no environment: the clock's `now` and the new notice's id are given, and the notices, the outbox and the
projections are any `Notices`, `Events` and `Projections` (the adapters are `store.NoticeStore`,
`poche_common.outbox.Outbox` and `poche_common.schools.rewrite_projections`; unit tests pass fakes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from poche_common import schools
from poche_common.clock import parse_iso
from poche_common.errors import ConflictError, NotFoundError
from poche_common.events import headline
from poche_common.observability import logger, metrics

from .validation import NoticeFields

if TYPE_CHECKING:  # the outbox module imports boto3: at the first write, not at cold start
    from poche_common.outbox import FlushResult, StagedEvent

Item = dict[str, Any]
PUBLISHED = "SchoolNoticePublished"
WITHDRAWN = "SchoolNoticeWithdrawn"


class Notices(Protocol):
    """The notices of the schools table (conditional writes, each with its staged events)."""

    def get(self, uai: str, notice_id: str) -> Item | None: ...
    def create(self, item: Item, events: Sequence[StagedEvent] = ()) -> None: ...
    def replace(self, item: Item, previous_digest: str, events: Sequence[StagedEvent] = ()) -> None: ...
    def delete(self, uai: str, notice_id: str, previous_digest: str, events: Sequence[StagedEvent] = ()) -> None: ...


class Events(Protocol):
    """The table's outbox: an event staged with a write, then sent."""

    def prepare(self, detail_type: str, facts: Mapping[str, Any], *, ready: bool = False) -> StagedEvent: ...
    def send(self, staged: Sequence[StagedEvent]) -> FlushResult: ...


class Projections(Protocol):
    """Rewrites the `school-notices` tile projections of these schools."""

    def __call__(self, uais: list[str], now: dt.datetime) -> Any: ...


@dataclass
class Writer:
    notices: Notices
    outbox: Events
    projections: Projections


def fields_of(item: Item) -> NoticeFields:
    return NoticeFields(
        title=item["title"],
        body=item.get("body", ""),
        kind=item["kind"],
        starts=parse_iso(item["starts"]),
        ends=parse_iso(item["ends"]),
    )


def notice_item(uai: str, notice_id: str, fields: NoticeFields, now: dt.datetime) -> Item:
    """The stored item of a notice published by the school (never by a person: nothing about the caller)."""
    return schools.notice_item(
        uai=uai,
        notice_id=notice_id,
        kind=fields.kind,
        title=fields.title,
        body=fields.body,
        starts=fields.starts,
        ends=fields.ends,
        origin="school",
        updated_at=now,
    )


def event_facts(item: Item, change: str) -> dict[str, Any]:
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


def existing(notices: Notices, uai: str, notice_id: str) -> Item:
    """The school's own notice, or 404 (unknown) / 409 (the département's feed owns it)."""
    item = notices.get(uai, notice_id)
    if item is None:
        raise NotFoundError(f"L'établissement {uai} n'a pas d'information « {notice_id} ».")
    if item.get("origin") != "school":
        raise ConflictError(
            "Cette information a été publiée par le Département (flux groupé) : elle ne se modifie que dans ce flux."
        )
    return item


def _after_write(writer: Writer, item: Item, event: StagedEvent, change: str, now: dt.datetime) -> None:
    """The school's tile rewritten, then the staged event sent; a refused event stays staged (the next run of
    `schools-notices-csv` flushes the outbox) and the write is still a success."""
    writer.projections([item["uai"]], now)
    logger.info("school notice written", extra={"uai": item["uai"], "notice_id": item["id"], "change": change})
    try:
        failed = writer.outbox.send([event]).failed
    except Exception:  # the notice and its staged event are saved: the answer stays a success
        logger.exception("event sent but its outbox item not deleted: sent again later (same id)")
        return
    if failed:
        metrics.add_metric(name="EventsNotSent", unit="Count", value=1)
        logger.error(
            "event refused by the bus: staged, sent by the next run of schools-notices-csv",
            extra={"event_id": event.id, "error": failed[event.id]},
        )


def create(writer: Writer, uai: str, notice_id: str, fields: NoticeFields, now: dt.datetime) -> Item:
    """Publishes a new notice; its stored item."""
    item = notice_item(uai, notice_id, fields, now)
    event = writer.outbox.prepare(PUBLISHED, event_facts(item, "created"), ready=True)
    writer.notices.create(item, [event])
    _after_write(writer, item, event, "created", now)
    return item


def change(writer: Writer, current: Item, fields: NoticeFields, now: dt.datetime) -> Item:
    """Rewrites the notice `current` with `fields`; nothing written and no event when nothing changed."""
    item = notice_item(current["uai"], current["id"], fields, now)
    if item["digest"] == current["digest"]:
        return current
    event = writer.outbox.prepare(PUBLISHED, event_facts(item, "updated"), ready=True)
    writer.notices.replace(item, current["digest"], [event])
    _after_write(writer, item, event, "updated", now)
    return item


def withdraw(writer: Writer, current: Item, now: dt.datetime) -> None:
    event = writer.outbox.prepare(WITHDRAWN, event_facts(current, "withdrawn"), ready=True)
    writer.notices.delete(current["uai"], current["id"], current["digest"], [event])
    _after_write(writer, current, event, "withdrawn", now)
