"""Write side of the schools table for the admin API (layout documented in `poche_common.schools`).

Each write is conditional: a notice is created only if its key is free, replaced or deleted only if it
still has the digest read just before (two staff editing the same notice: the second gets 409).
"""

from __future__ import annotations

from typing import Any

from poche_common.dynamo import from_item, to_item
from poche_common.errors import ConflictError
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

    def _conditional(self, call: Any, **kwargs: Any) -> None:
        try:
            call(TableName=self.table, **kwargs)
        except self.client.exceptions.ConditionalCheckFailedException:
            raise ConflictError(_CHANGED) from None

    def create(self, item: dict[str, Any]) -> None:
        self._conditional(self.client.put_item, Item=to_item(item), ConditionExpression="attribute_not_exists(pk)")

    def replace(self, item: dict[str, Any], previous_digest: str) -> None:
        self._conditional(
            self.client.put_item,
            Item=to_item(item),
            ConditionExpression="digest = :previous",
            ExpressionAttributeValues=to_item({":previous": previous_digest}),
        )

    def delete(self, uai: str, notice_id: str, previous_digest: str) -> None:
        self._conditional(
            self.client.delete_item,
            Key=to_item({"pk": notice_pk(uai), "sk": notice_sk(notice_id)}),
            ConditionExpression="digest = :previous",
            ExpressionAttributeValues=to_item({":previous": previous_digest}),
        )
