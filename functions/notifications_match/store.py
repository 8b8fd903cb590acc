"""The topics' subscribers and the event markers on the `personal` table (the `SubscriberReader` port, over
DynamoDB):

    pk = TOPIC#<kind>#<id>   sk = USER#<sub>   the subscribers index (mode, quiet_hours; written by `me`)
    pk = EVENT#<event id>    sk = FIRST        when an event id was first delivered (`occurred_at`; TTL)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from poche_common.dynamo import query_page

if TYPE_CHECKING:
    from notifications_shared.delivery import QuietHours, Recipient

PAGE_SIZE = 1000


def topic_pk(kind: str, topic_id: str | None) -> str:
    return f"TOPIC#{kind}" if topic_id is None else f"TOPIC#{kind}#{topic_id}"


def _plain(value: dict[str, Any]) -> Any:
    if "S" in value:
        return value["S"]
    if "M" in value:
        return {k: _plain(v) for k, v in value["M"].items()}
    return None


class Subscribers:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table

    def first_seen(self, event_id: str, occurred_at: str, expires_at: int) -> str:
        key = {"pk": {"S": f"EVENT#{event_id}"}, "sk": {"S": "FIRST"}}
        item = {**key, "occurred_at": {"S": occurred_at}, "expires_at": {"N": str(expires_at)}}
        try:
            self.dynamodb.put_item(TableName=self.table, Item=item, ConditionExpression="attribute_not_exists(pk)")
            return occurred_at
        except self.dynamodb.exceptions.ConditionalCheckFailedException:
            found = self.dynamodb.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item") or {}
        return str(found.get("occurred_at", {}).get("S") or occurred_at)

    def pages(self, kind: str, topic_id: str | None) -> Iterator[list[Recipient]]:
        query = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": topic_pk(kind, topic_id)}},
            "ProjectionExpression": "sk, #mode, quiet_hours",
            "ExpressionAttributeNames": {"#mode": "mode"},
            "Limit": PAGE_SIZE,
        }
        start: dict[str, Any] | None = None
        while True:
            items, start = query_page(self.dynamodb, start, **query)
            yield [_recipient(item) for item in items if item["sk"]["S"].startswith("USER#")]
            if not start:
                return


def _recipient(item: dict[str, Any]) -> Recipient:
    return {
        "sub": item["sk"]["S"].removeprefix("USER#"),
        "mode": item.get("mode", {}).get("S", "immediate"),
        "quiet_hours": _quiet_hours(item),
    }


def _quiet_hours(item: dict[str, Any]) -> QuietHours | None:
    """The subscription's quiet hours, or None when it has none the sender could use (a window needs both ends, as
    `HH:MM` texts: `notifications_send.policy` reads anything else as no quiet hours)."""
    quiet = _plain(item["quiet_hours"]) if "quiet_hours" in item else None
    if not isinstance(quiet, dict):
        return None
    start, end = quiet.get("start"), quiet.get("end")
    if not start or not isinstance(start, str) or not isinstance(end, str):
        return None
    return {"start": start, "end": end}
