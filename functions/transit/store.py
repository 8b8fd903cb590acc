"""The DynamoDB adapter of the transit service's reader port (`logic.TransitReader`); layout: docs/transit-model.md,
written by the transit connectors.

Every method is one DynamoDB round trip, except `stops_in_cells` (one Query per geohash cell, sent
concurrently) and the reads of a whole partition, which may exceed 1 MB (`query_all`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from poche_common import feeds
from poche_common.dynamo import batch_get, from_item, query_all, query_page, to_item
from poche_common.pagination import check_cursor_key

CELL_QUERY_THREADS = 8
MAX_KEYS = 100  # BatchGetItem's limit

Item = dict[str, Any]
Key = tuple[str, str]


class DynamoTransitReader:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def _query_all(self, **kwargs: Any) -> list[Item]:
        return [from_item(item) for item in query_all(self.client, TableName=self.table, **kwargs)]

    def get_many(self, keys: Iterable[Key]) -> dict[Key, Item]:
        """Items by (pk, sk) in one BatchGetItem (at most 100 keys, unprocessed ones retried); missing ones are
        absent."""
        wanted = list(dict.fromkeys(keys))
        if len(wanted) > MAX_KEYS:
            raise ValueError(f"{len(wanted)} keys: BatchGetItem reads at most {MAX_KEYS}")
        result = batch_get(self.client, {self.table: {"Keys": [to_item({"pk": pk, "sk": sk}) for pk, sk in wanted]}})
        items = (from_item(raw) for raw in result.items.get(self.table, []))
        return {(item["pk"], item["sk"]): item for item in items}

    # ------------------------------------------------------------ static data
    def fetched_at(self, connector: str) -> str | None:
        """When a connector last read its source successfully (the timetable's: the `as_of` of static answers)."""
        return feeds.fetched_at(self.client, self.table, connector)

    def stops_in_cells(self, cells: list[str]) -> list[Item]:
        """Every stop whose geohash cell is one of `cells` (by_cell index, one Query per cell)."""

        def one(cell: str) -> list[Item]:
            return self._query_all(
                IndexName="by_cell",
                KeyConditionExpression="gsi1pk = :c",
                ExpressionAttributeValues=to_item({":c": f"CELL#{cell}"}),
            )

        if len(cells) <= 2:
            return [stop for cell in cells for stop in one(cell)]
        from concurrent.futures import ThreadPoolExecutor  # lazily: a near look-up is the only user

        with ThreadPoolExecutor(max_workers=min(CELL_QUERY_THREADS, len(cells))) as pool:
            return [stop for stops in pool.map(one, cells) for stop in stops]

    def _listed(
        self, list_key: str, prefix: str | None, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[Item], dict[str, Any] | None]:
        condition = "gsi2pk = :p" + (" AND begins_with(gsi2sk, :prefix)" if prefix else "")
        values: dict[str, Any] = {":p": list_key}
        if prefix:
            values[":prefix"] = prefix
        if start is not None:
            check_cursor_key(start, {"gsi2pk": {"S": list_key}})
        items, last_key = query_page(
            self.client,
            start,
            TableName=self.table,
            IndexName="by_list",
            KeyConditionExpression=condition,
            ExpressionAttributeValues=to_item(values),
            Limit=limit,
        )
        return [from_item(item) for item in items], last_key

    def stops(
        self, name_prefix: str | None, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[Item], dict[str, Any] | None]:
        """One page of stops by name (all, or those whose folded name starts with `name_prefix`)."""
        return self._listed("STOPS", name_prefix, limit, start)

    def routes(self, limit: int, start: dict[str, Any] | None) -> tuple[list[Item], dict[str, Any] | None]:
        return self._listed("ROUTES", None, limit, start)

    # ------------------------------------------------------------ departures (round trip 1 of 2)
    def departures(self, stop_id: str, first_sk: str, last_sk: str, *, limit: int) -> tuple[list[Item], bool]:
        """At most `limit` of the stop's departures between two sort keys, in scheduled order; and whether more
        follow."""
        items, last_key = query_page(
            self.client,
            None,
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues=to_item({":pk": f"STOP#{stop_id}", ":from": first_sk, ":to": last_sk}),
            Limit=limit,
        )
        return [from_item(item) for item in items], last_key is not None

    # ------------------------------------------------------------ real time
    def route_and_vehicles(self, route_id: str) -> tuple[Item | None, list[Item]]:
        """The route's profile (None if unknown) and its vehicle items, in one Query (PROFILE < VEH#)."""
        items = self._query_all(
            KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues=to_item({":pk": f"ROUTE#{route_id}", ":from": "PROFILE", ":to": "VEH#~"}),
        )
        profile = next((item for item in items if item["sk"] == "PROFILE"), None)
        return profile, [item for item in items if str(item["sk"]).startswith("VEH#")]

    def alerts(self) -> list[Item]:
        return self._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :a)",
            ExpressionAttributeValues=to_item({":pk": "ALERTS", ":a": "ALERT#"}),
        )

    def feed_states(self, connectors: Iterable[str]) -> dict[str, Item]:
        """connector -> its feed state item, for those that ever ran (one BatchGetItem)."""
        found = self.get_many(feeds.state_key(name) for name in connectors)
        return {feeds.connector_of(pk): item for (pk, _), item in found.items()}
