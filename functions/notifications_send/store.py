"""The inbox on the `personal` table (the `InboxWriter` port of `ports.py`, over DynamoDB; item layout: `items.py`).

The NOTE is put with `attribute_not_exists(pk)` in one transaction with a ConditionCheck that the account's
tombstone does not exist, and the DUE item and pointer when the push is deferred: a delivery twice gives the
same key (one notification), an erased account gets nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from poche_common.dynamo import to_item

from .ports import DUPLICATE, ERASED, WRITTEN


def gone_pk(sub: str) -> str:
    return "GONE#" + hashlib.sha256(sub.encode()).hexdigest()


class Inbox:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def write(self, sub: str, note: dict[str, Any], extra: list[dict[str, Any]]) -> str:
        actions: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": to_item(note),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "ConditionCheck": {
                    "TableName": self.table,
                    "Key": {"pk": {"S": gone_pk(sub)}, "sk": {"S": "TOMBSTONE"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            *({"Put": {"TableName": self.table, "Item": to_item(item)}} for item in extra),
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
            Key={"pk": {"S": f"USER#{sub}"}, "sk": {"S": note["sk"]}},
            UpdateExpression="SET #push = :failed",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#push": "push"},
            ExpressionAttributeValues={":failed": {"S": "failed"}},
        )
