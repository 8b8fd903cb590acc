"""The inbox (NOTE) and deferred push (DUE) items of the `personal` table, as the issue 5 contract lays them out
(plain values: the adapter, `store.Inbox`, writes them):

    pk = USER#<sub>          sk = NOTE#<occurred_at>#<event_id>        the inbox item (TTL 90 days)
    pk = DUE#<YYYY-MM-DDTHH> sk = <due UTC ISO>#<sub>#<event_id>       a push due at that hour (UTC)
    pk = USER#<sub>          sk = DUE#<hour>#<due UTC ISO>#<event_id>   its pointer, for the erasure
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from notifications_shared.delivery import Notification
from poche_common.clock import parse_iso, to_utc_iso

from .policy import NOTE_TTL


def note_sk(occurred_at: str, event_id: str) -> str:
    return f"NOTE#{to_utc_iso(parse_iso(occurred_at))}#{event_id}"


def note_id(occurred_at: str, event_id: str) -> str:
    """The public id, reversible to the sk: `<epoch seconds of occurred_at>-<event_id>`."""
    return f"{int(parse_iso(occurred_at).timestamp())}-{event_id}"


def due_hour(due: dt.datetime) -> str:
    return due.astimezone(dt.UTC).strftime("%Y-%m-%dT%H")


def note_item(message: Notification, sub: str, push: str, now: dt.datetime) -> dict[str, Any]:
    """The inbox item of one recipient of a delivery message (`push`: what became of its push)."""
    occurred_at = to_utc_iso(parse_iso(message["occurred_at"]))
    item: dict[str, Any] = {
        "pk": f"USER#{sub}",
        "sk": note_sk(occurred_at, message["event_id"]),
        "id": note_id(occurred_at, message["event_id"]),
        "event_id": message["event_id"],
        "kind": message["kind"],
        "title": message["title"],
        "body": message["body"],
        "url": message["url"],
        "occurred_at": occurred_at,
        "created_at": to_utc_iso(now),
        "push": push,
        "expires_at": int((now + NOTE_TTL).timestamp()),
    }
    if message["topic_id"]:  # none for an emergency
        item["topic_id"] = message["topic_id"]
    return item


def due_items(message: Notification, sub: str, note: dict[str, Any], due: dt.datetime) -> list[dict[str, Any]]:
    """The DUE item and its pointer in the user's partition."""
    hour, due_iso, event_id = due_hour(due), to_utc_iso(due), message["event_id"]
    return [
        {
            "pk": f"DUE#{hour}",
            "sk": f"{due_iso}#{sub}#{event_id}",
            "sub": sub,
            "note_sk": note["sk"],
            "title": note["title"],
            "expires_at": note["expires_at"],
        },
        {"pk": f"USER#{sub}", "sk": f"DUE#{hour}#{due_iso}#{event_id}", "expires_at": note["expires_at"]},
    ]
