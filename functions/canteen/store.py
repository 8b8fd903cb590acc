"""Read side of the canteen table (layout documented in the connector's `store.py`)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from canteen_shared.store import read_meals
from poche_common.dynamo import from_item, to_item
from poche_common.pagination import check_cursor_key

CONNECTOR = "canteen-menus-scdl"


class MenuReader:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def canteen_and_fetched_at(self, canteen_id: str) -> tuple[dict[str, Any] | None, str | None]:
        """The canteen's profile and the feed's `fetched_at`, in one round trip (BatchGetItem)."""
        keys = [
            to_item({"pk": f"CANTEEN#{canteen_id}", "sk": "PROFILE"}),
            to_item({"pk": f"FEED#{CONNECTOR}", "sk": "STATE"}),
        ]
        found: dict[str, dict[str, Any]] = {}
        request: dict[str, Any] = {self.table: {"Keys": keys}}
        for attempt in range(4):  # unprocessed keys only under throttling
            response = self.client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self.table, []):
                found[item["pk"]["S"]] = from_item(item)
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(0.05 * 2**attempt)
        state = found.get(f"FEED#{CONNECTOR}") or {}
        fetched_at = state.get("fetched_at")
        return found.get(f"CANTEEN#{canteen_id}"), str(fetched_at) if fetched_at else None

    def canteens(
        self, commune: str | None, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of canteens (all, or in a commune), by name; and the key to continue from."""
        index, attribute, value = (
            ("by_commune", "gsi1pk", f"COMMUNE#{commune}") if commune else ("all_canteens", "gsi2pk", "CANTEENS")
        )
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": "#p = :v",
            "ExpressionAttributeNames": {"#p": attribute},
            "ExpressionAttributeValues": to_item({":v": value}),
            "Limit": limit,
        }
        if start is not None:
            check_cursor_key(start, {attribute: {"S": value}})
            kwargs["ExclusiveStartKey"] = start
        page = self.client.query(**kwargs)
        return [from_item(item) for item in page.get("Items", [])], page.get("LastEvaluatedKey")

    def meals(self, canteen_id: str, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        return read_meals(self.client, self.table, canteen_id, first, last)

    def fetched_at(self) -> str | None:
        """When the canteen feed was last read successfully: the `as_of` of every answer."""
        response = self.client.get_item(
            TableName=self.table,
            Key=to_item({"pk": f"FEED#{CONNECTOR}", "sk": "STATE"}),
            ProjectionExpression="fetched_at",
        )
        value = response.get("Item", {}).get("fetched_at", {}).get("S")
        return str(value) if value else None
