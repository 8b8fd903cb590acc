"""Write side of the schools table for the admin API (layout documented in `poche_common.schools`).

Each write is conditional: a notice is created only if its key is free, replaced or deleted only if it
still has the digest read just before (two staff editing the same notice: the second gets 409). Each
write stages its event in the table's outbox (`poche_common.outbox`) in the same TransactWriteItems: the
notice changes if and only if its event is owed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from poche_common.dynamo import from_item, to_item
from poche_common.errors import ConflictError
from poche_common.outbox import StagedEvent
from poche_common.schools import notice_pk, notice_sk

_CHANGED = "Cette information vient d'être modifiée par ailleurs ; relisez-la puis recommencez."


class NoticeStore:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def get(self, uai: str, notice_id: str) -> dict[str, Any] | None:
        response = self.client.get_item(
            TableName=self.table, Key=to_item({"pk": notice_pk(uai), "sk": notice_sk(notice_id)}), ConsistentRead=True
        )
        return from_item(response["Item"]) if "Item" in response else None

    def _write(self, action: dict[str, Any], events: Sequence[StagedEvent]) -> None:
        """`action` (one conditional Put or Delete of the notice) and the events' outbox items, all or nothing."""
        actions = [action, *({"Put": {"TableName": self.table, "Item": event.item()}} for event in events)]
        try:
            self.client.transact_write_items(TransactItems=actions)
        except self.client.exceptions.TransactionCanceledException as exc:
            reasons = [reason.get("Code") for reason in exc.response.get("CancellationReasons", [])]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise ConflictError(_CHANGED) from None
            raise

    def create(self, item: dict[str, Any], events: Sequence[StagedEvent] = ()) -> None:
        put = {"TableName": self.table, "Item": to_item(item), "ConditionExpression": "attribute_not_exists(pk)"}
        self._write({"Put": put}, events)

    def replace(self, item: dict[str, Any], previous_digest: str, events: Sequence[StagedEvent] = ()) -> None:
        put = {
            "TableName": self.table,
            "Item": to_item(item),
            "ConditionExpression": "digest = :previous",
            "ExpressionAttributeValues": to_item({":previous": previous_digest}),
        }
        self._write({"Put": put}, events)

    def delete(self, uai: str, notice_id: str, previous_digest: str, events: Sequence[StagedEvent] = ()) -> None:
        delete = {
            "TableName": self.table,
            "Key": to_item({"pk": notice_pk(uai), "sk": notice_sk(notice_id)}),
            "ConditionExpression": "digest = :previous",
            "ExpressionAttributeValues": to_item({":previous": previous_digest}),
        }
        self._write({"Delete": delete}, events)
