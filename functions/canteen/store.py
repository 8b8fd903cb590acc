"""The DynamoDB adapter of the canteen service's reader port (`logic.CanteenReader`); layout in
`canteen_shared.keys`. Never a Scan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from canteen_shared.keys import (
    ALL_CANTEENS,
    ALL_CANTEENS_INDEX,
    BY_COMMUNE_INDEX,
    CONNECTOR,
    PROFILE,
    canteen_pk,
    commune_gsi,
)
from canteen_shared.store import read_meals
from poche_common import feeds
from poche_common.dynamo import batch_get, from_item, query_page, to_item
from poche_common.pagination import check_cursor_key

CANTEEN_ATTEMPTS = 4  # unprocessed keys only under throttling


class DynamoCanteenReader:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def canteen_and_fetched_at(self, canteen_id: str) -> tuple[dict[str, Any] | None, str | None]:
        """The canteen's profile and the feed's `fetched_at`, in one round trip (BatchGetItem)."""
        state_pk, state_sk = feeds.state_key(CONNECTOR)
        keys = [to_item({"pk": canteen_pk(canteen_id), "sk": PROFILE}), to_item({"pk": state_pk, "sk": state_sk})]
        result = batch_get(self.client, {self.table: {"Keys": keys}}, attempts=CANTEEN_ATTEMPTS)
        found = {item["pk"]["S"]: from_item(item) for item in result.items.get(self.table, [])}
        return found.get(canteen_pk(canteen_id)), feeds.fetched_at_of(found.get(state_pk))

    def canteens(
        self, commune: str | None, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of canteens (all, or in a commune), by name; and the key to continue from."""
        index, attribute, value = (
            (BY_COMMUNE_INDEX, "gsi1pk", commune_gsi(commune))
            if commune
            else (ALL_CANTEENS_INDEX, "gsi2pk", ALL_CANTEENS)
        )
        if start is not None:
            check_cursor_key(start, {attribute: {"S": value}})
        items, last_key = query_page(
            self.client,
            start,
            TableName=self.table,
            IndexName=index,
            KeyConditionExpression="#p = :v",
            ExpressionAttributeNames={"#p": attribute},
            ExpressionAttributeValues=to_item({":v": value}),
            Limit=limit,
        )
        return [from_item(item) for item in items], last_key

    def meals(self, canteen_id: str, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
        return read_meals(self.client, self.table, canteen_id, first, last)

    def fetched_at(self) -> str | None:
        """When the canteen feed was last read successfully: the `as_of` of every answer."""
        return feeds.fetched_at(self.client, self.table, CONNECTOR)
