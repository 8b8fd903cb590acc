"""Inbox (NOTE) and deferred push (DUE) items of the `personal` table, as the issue 5 contract lays them out.

    pk = USER#<sub>          sk = NOTE#<occurred_at>#<event_id>        the inbox item (TTL 90 days)
    pk = DUE#<YYYY-MM-DDTHH> sk = <due UTC ISO>#<sub>#<event_id>       a push due at that hour (UTC)
    pk = USER#<sub>          sk = DUE#<hour>#<due UTC ISO>#<event_id>   its pointer, for the erasure

The NOTE is put with `attribute_not_exists(pk)` in one transaction with a ConditionCheck that the account's
tombstone does not exist, and the DUE item and pointer when the push is deferred: a delivery twice gives the
same key (one notification), an erased account gets nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from poche_common.clock import parse_iso, to_utc_iso

from .policy import NOTE_TTL

WRITTEN, DUPLICATE, ERASED = "written", "duplicate", "erased"


def gone_pk(sub: str) -> str:
    return "GONE#" + hashlib.sha256(sub.encode()).hexdigest()


def note_sk(occurred_at: str, event_id: str) -> str:
    return f"NOTE#{to_utc_iso(parse_iso(occurred_at))}#{event_id}"


def note_id(occurred_at: str, event_id: str) -> str:
    """The public id, reversible to the sk: `<epoch seconds of occurred_at>-<event_id>`."""
    return f"{int(parse_iso(occurred_at).timestamp())}-{event_id}"


def due_hour(due: dt.datetime) -> str:
    return due.astimezone(dt.UTC).strftime("%Y-%m-%dT%H")


def note_item(message: dict[str, Any], sub: str, push: str, now: dt.datetime) -> dict[str, Any]:
    occurred_at = to_utc_iso(parse_iso(message["occurred_at"]))
    item: dict[str, Any] = {
        "pk": {"S": f"USER#{sub}"},
        "sk": {"S": note_sk(occurred_at, message["event_id"])},
        "id": {"S": note_id(occurred_at, message["event_id"])},
        "event_id": {"S": message["event_id"]},
        "kind": {"S": message["kind"]},
        "title": {"S": message["title"]},
        "body": {"S": message["body"]},
        "url": {"S": message["url"]},
        "occurred_at": {"S": occurred_at},
        "created_at": {"S": to_utc_iso(now)},
        "push": {"S": push},
        "expires_at": {"N": str(int((now + NOTE_TTL).timestamp()))},
    }
    if message.get("topic_id"):
        item["topic_id"] = {"S": message["topic_id"]}
    return item


def due_items(message: dict[str, Any], sub: str, note: dict[str, Any], due: dt.datetime) -> list[dict[str, Any]]:
    """The DUE item and its pointer in the user's partition."""
    hour, due_iso, event_id = due_hour(due), to_utc_iso(due), message["event_id"]
    return [
        {
            "pk": {"S": f"DUE#{hour}"},
            "sk": {"S": f"{due_iso}#{sub}#{event_id}"},
            "sub": {"S": sub},
            "note_sk": note["sk"],
            "title": note["title"],
            "expires_at": note["expires_at"],
        },
        {"pk": {"S": f"USER#{sub}"}, "sk": {"S": f"DUE#{hour}#{due_iso}#{event_id}"}, "expires_at": note["expires_at"]},
    ]


class Inbox:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def write(self, sub: str, note: dict[str, Any], extra: list[dict[str, Any]]) -> str:
        """WRITTEN, DUPLICATE (the NOTE exists: nothing written) or ERASED (the tombstone exists)."""
        actions: list[dict[str, Any]] = [
            {"Put": {"TableName": self.table, "Item": note, "ConditionExpression": "attribute_not_exists(pk)"}},
            {
                "ConditionCheck": {
                    "TableName": self.table,
                    "Key": {"pk": {"S": gone_pk(sub)}, "sk": {"S": "TOMBSTONE"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            *({"Put": {"TableName": self.table, "Item": item}} for item in extra),
        ]
        try:
            self.client.transact_write_items(TransactItems=actions)
        except self.client.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                return ERASED
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return DUPLICATE
            raise
        return WRITTEN

    def mark_failed(self, sub: str, note: dict[str, Any]) -> None:
        self.client.update_item(
            TableName=self.table,
            Key={"pk": {"S": f"USER#{sub}"}, "sk": note["sk"]},
            UpdateExpression="SET #push = :failed",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#push": "push"},
            ExpressionAttributeValues={":failed": {"S": "failed"}},
        )
