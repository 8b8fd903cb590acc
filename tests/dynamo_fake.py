"""An in-memory fake of the DynamoDB low-level client for the connector store tests: tables of wire items keyed by
(pk, sk), get/put (the outbox's conditions), update (the run log), Query on `pk` or on the origin index (with its
projection), BatchWriteItem. Every call is recorded with its table. And a fake of the EventBridge client the outbox
sends to."""

from __future__ import annotations

import uuid
from typing import Any

from poche_common.dynamo import from_item, to_item
from poche_common.outbox import OUTBOX_PK

Table = dict[tuple[str, str], dict[str, Any]]


class ConditionalCheckFailedException(Exception):
    pass


class FakeDynamo:
    """The first table is the connector's own (its outbox included); `others` exist from the start too.

    `origin_index` is the index a writer queries by origin, on the `origin_key` attribute. With
    `table_queries=False` every Query must go to that index. A Query on a table of `consistent` must be strongly
    consistent, and its key is recorded in `consistent_queries[table]`."""

    class exceptions:
        ConditionalCheckFailedException = ConditionalCheckFailedException

    def __init__(
        self,
        table: str,
        *others: str,
        origin_index: str,
        origin_key: str,
        table_queries: bool = True,
        consistent: tuple[str, ...] = (),
    ) -> None:
        self.table = table
        self.tables: dict[str, Table] = {name: {} for name in (table, *others)}
        self.origin_index = origin_index
        self.origin_key = origin_key
        self.table_queries = table_queries
        self.consistent_queries: dict[str, list[str]] = {name: [] for name in consistent}
        self.calls: list[tuple[str, str]] = []

    def _table(self, name: str) -> Table:
        return self.tables.setdefault(name, {})

    @staticmethod
    def _key(item: dict[str, Any]) -> tuple[str, str]:
        return item["pk"]["S"], item["sk"]["S"]

    def put_item(self, TableName: str, Item: dict[str, Any], ConditionExpression: str | None = None) -> dict[str, Any]:
        self.calls.append(("PutItem", TableName))
        exists = self._key(Item) in self._table(TableName)
        if (ConditionExpression == "attribute_not_exists(pk)" and exists) or (
            ConditionExpression == "attribute_exists(pk)" and not exists
        ):
            raise ConditionalCheckFailedException()
        self._table(TableName)[self._key(Item)] = dict(Item)
        return {}

    def get_item(self, TableName: str, Key: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("GetItem", TableName))
        item = self._table(TableName).get(self._key(Key))
        return {"Item": item} if item is not None else {}

    def update_item(self, TableName: str, Key: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("UpdateItem", TableName))
        values = from_item(kwargs["ExpressionAttributeValues"])
        current = self._table(TableName).setdefault(self._key(Key), dict(Key))
        current.update(to_item({"last_run": values[":last"]}))
        return {}

    def query(self, TableName: str, ExpressionAttributeValues: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("Query", TableName))
        (value,) = [v["S"] for v in ExpressionAttributeValues.values()]
        items = sorted(self._table(TableName).items())
        if not self.table_queries:
            assert kwargs.get("IndexName") == self.origin_index
        if kwargs.get("IndexName") == self.origin_index:
            names = kwargs["ExpressionAttributeNames"]
            assert kwargs["KeyConditionExpression"] == "#origin = :origin" and names["#origin"] == self.origin_key
            found = [item for _, item in items if item.get(self.origin_key, {}).get("S") == value]
            wanted = [names.get(name.strip(), name.strip()) for name in kwargs["ProjectionExpression"].split(",")]
            return {"Items": [{k: v for k, v in item.items() if k in wanted} for item in found]}
        assert "IndexName" not in kwargs and kwargs["KeyConditionExpression"] == "pk = :pk"
        if TableName in self.consistent_queries:
            assert kwargs.get("ConsistentRead") is True
            self.consistent_queries[TableName].append(value)
        return {"Items": [item for (pk, _), item in items if pk == value]}

    def batch_write_item(self, RequestItems: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        for table, requests in RequestItems.items():
            assert len(requests) <= 25
            self.calls.append(("BatchWriteItem", table))
            for request in requests:
                if "DeleteRequest" in request:
                    self._table(table).pop(self._key(request["DeleteRequest"]["Key"]), None)
                else:
                    item = request["PutRequest"]["Item"]
                    self._table(table)[self._key(item)] = item
        return {}

    # helpers for the assertions
    def rows(self, sk: str) -> dict[str, dict[str, Any]]:
        """The plain items of the connector's table with that sort key, by pk."""
        return {pk: from_item(item) for (pk, item_sk), item in sorted(self.tables[self.table].items()) if item_sk == sk}

    def outbox(self) -> list[dict[str, Any]]:
        return [from_item(item) for (pk, _), item in sorted(self.tables[self.table].items()) if pk == OUTBOX_PK]

    def clear_outbox(self) -> None:
        for key in [k for k in self.tables[self.table] if k[0] == OUTBOX_PK]:
            del self.tables[self.table][key]

    def writes(self) -> list[tuple[str, str]]:
        return [call for call in self.calls if call[0] in ("PutItem", "BatchWriteItem", "UpdateItem")]


class FakeBus:
    """The EventBridge client of the outbox: every entry put is kept, none fails."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.entries += Entries
        return {"FailedEntryCount": 0, "Entries": [{"EventId": str(uuid.uuid4())} for _ in Entries]}
