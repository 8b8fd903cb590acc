"""The DynamoDB adapter of the places service's port (`logic.PlacesReader`): index Queries of the cells or the
commune, a place by id, and the live availability of several places in one BatchGetItem."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from places_shared import keys
from poche_common.dynamo import batch_get, from_item, query_all, to_item

Item = dict[str, Any]
INDEX_PK = {keys.BY_CELL_INDEX: keys.BY_CELL_PK, keys.BY_AREA_INDEX: keys.BY_AREA_PK}
INDEX_SK = {keys.BY_CELL_INDEX: keys.BY_CELL_SK, keys.BY_AREA_INDEX: keys.BY_AREA_SK}


class DynamoPlacesReader:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def _query(self, index: str, partition: str, value: str, sort: str, prefix: str | None) -> list[Item]:
        condition = f"{partition} = :p" + (f" AND begins_with({sort}, :s)" if prefix else "")
        values = {":p": value, **({":s": prefix} if prefix else {})}
        found = query_all(
            self.client,
            TableName=self.table,
            IndexName=index,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=to_item(values),
        )
        return [from_item(item) for item in found]

    def in_cells(self, index: str, partitions: list[str], category: str | None) -> list[Item]:
        prefix = f"{category}#" if category else None
        found: list[Item] = []
        for partition in partitions:
            found += self._query(index, INDEX_PK[index], partition, INDEX_SK[index], prefix)
        return found

    def in_commune(self, insee: str, category: str | None) -> list[Item]:
        prefix = f"{category}#" if category else None
        value = keys.commune_gsi(insee)
        return self._query(keys.BY_COMMUNE_INDEX, keys.BY_COMMUNE_PK, value, keys.BY_COMMUNE_SK, prefix)

    def place(self, place_id: str) -> Item | None:
        found = self.client.get_item(
            TableName=self.table, Key=to_item({"pk": keys.place_pk(place_id), "sk": keys.PLACE})
        ).get("Item")
        return from_item(found) if found else None

    def live(self, place_ids: Iterable[str]) -> dict[str, Item]:
        wanted = [{"pk": keys.place_pk(p), "sk": keys.LIVE} for p in dict.fromkeys(place_ids)]
        if not wanted:
            return {}
        found = batch_get(self.client, {self.table: {"Keys": [to_item(k) for k in wanted[:100]]}})
        lives = [from_item(item) for item in found.items.get(self.table, [])]
        return {str(item["pk"]).removeprefix("PLACE#"): item for item in lives}  # unread (throttled): none shown
