"""Read side of the transit table (layout: docs/transit-model.md, written by the transit connectors).

Every method is one DynamoDB round trip, except `stops_in_cells` (one Query per geohash cell,
sent concurrently) and the loops over pages of a partition that may exceed 1 MB.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from poche_common.dynamo import from_item, to_item
from poche_common.pagination import check_cursor_key

STATIC_CONNECTOR = "transit-gtfs"
CELL_QUERY_THREADS = 8
BATCH_ATTEMPTS = 3  # UnprocessedKeys only come back under throttling: each retry is one more round trip

Key = tuple[str, str]


class TransitReader:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    # ------------------------------------------------------------ generic
    def _query(self, **kwargs: Any) -> dict[str, Any]:
        response: dict[str, Any] = self.client.query(TableName=self.table, **kwargs)
        return response

    def _query_all(self, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = self._query(**kwargs)
            items += [from_item(item) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get_many(self, keys: Iterable[Key]) -> dict[Key, dict[str, Any]]:
        """Items by (pk, sk) in one BatchGetItem (at most 100 keys); missing ones are absent."""
        wanted = list(dict.fromkeys(keys))
        if len(wanted) > 100:
            raise ValueError(f"{len(wanted)} keys: BatchGetItem reads at most 100")
        found: dict[Key, dict[str, Any]] = {}
        request: dict[str, Any] = {self.table: {"Keys": [to_item({"pk": pk, "sk": sk}) for pk, sk in wanted]}}
        for _ in range(BATCH_ATTEMPTS):
            if not wanted:
                break
            response = self.client.batch_get_item(RequestItems=request)
            for raw in response.get("Responses", {}).get(self.table, []):
                item = from_item(raw)
                found[(item["pk"], item["sk"])] = item
            request = response.get("UnprocessedKeys") or {}
            if not request.get(self.table, {}).get("Keys"):
                break
        return found

    # ------------------------------------------------------------ static data
    def fetched_at(self, connector: str = STATIC_CONNECTOR) -> str | None:
        """When the timetable was last read successfully: the `as_of` of static answers."""
        response = self.client.get_item(
            TableName=self.table,
            Key=to_item({"pk": f"FEED#{connector}", "sk": "STATE"}),
            ProjectionExpression="fetched_at",
        )
        value = response.get("Item", {}).get("fetched_at", {}).get("S")
        return str(value) if value else None

    def stops_in_cells(self, cells: list[str]) -> list[dict[str, Any]]:
        """Every stop whose geohash cell is one of `cells` (by_cell index, one Query per cell)."""

        def one(cell: str) -> list[dict[str, Any]]:
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
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        condition = "gsi2pk = :p" + (" AND begins_with(gsi2sk, :prefix)" if prefix else "")
        values: dict[str, Any] = {":p": list_key}
        if prefix:
            values[":prefix"] = prefix
        kwargs: dict[str, Any] = {
            "IndexName": "by_list",
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": to_item(values),
            "Limit": limit,
        }
        if start is not None:
            check_cursor_key(start, {"gsi2pk": {"S": list_key}})
            kwargs["ExclusiveStartKey"] = start
        page = self._query(**kwargs)
        return [from_item(item) for item in page.get("Items", [])], page.get("LastEvaluatedKey")

    def stops(
        self, name_prefix: str | None, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of stops by name (all, or those whose folded name starts with `name_prefix`)."""
        return self._listed("STOPS", name_prefix, limit, start)

    def routes(self, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        return self._listed("ROUTES", None, limit, start)

    # ------------------------------------------------------------ departures (round trip 1 of 2)
    def departures(self, stop_id: str, first_sk: str, last_sk: str, *, limit: int) -> tuple[list[dict[str, Any]], bool]:
        """At most `limit` of the stop's departures between two sort keys, in scheduled order; and
        whether more follow. (A route is filtered by the caller: a FilterExpression would read and
        bill the same items.)"""
        page = self._query(
            KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues=to_item({":pk": f"STOP#{stop_id}", ":from": first_sk, ":to": last_sk}),
            Limit=limit,
        )
        return [from_item(item) for item in page.get("Items", [])], "LastEvaluatedKey" in page

    # ------------------------------------------------------------ real time
    def route_and_vehicles(self, route_id: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The route's profile (None if unknown) and its vehicle items, in one Query (PROFILE < VEH#)."""
        items = self._query_all(
            KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues=to_item({":pk": f"ROUTE#{route_id}", ":from": "PROFILE", ":to": "VEH#~"}),
        )
        profile = next((item for item in items if item["sk"] == "PROFILE"), None)
        return profile, [item for item in items if str(item["sk"]).startswith("VEH#")]

    def alerts(self) -> list[dict[str, Any]]:
        return self._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :a)",
            ExpressionAttributeValues=to_item({":pk": "ALERTS", ":a": "ALERT#"}),
        )

    def feed_states(self, connectors: Iterable[str]) -> dict[str, dict[str, Any]]:
        """connector -> its FEED#<connector>/STATE item, for those that ever ran."""
        found = self.get_many((f"FEED#{name}", "STATE") for name in connectors)
        return {pk.removeprefix("FEED#"): item for (pk, _), item in found.items()}
