"""Reads of the canteen table shared by the service and the connector (layout: the connector's `store.py`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from poche_common.dynamo import from_item, to_item


def read_meals(
    client: Any, table: str, canteen_id: str, first: dt.date, last: dt.date, *, consistent: bool = False
) -> list[dict[str, Any]]:
    """The canteen's meal items from `first` to `last` included, by date then meal code (one Query, paged)."""
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :from AND :to",
        "ExpressionAttributeValues": to_item(
            {
                ":pk": f"CANTEEN#{canteen_id}",
                ":from": f"MEAL#{first.isoformat()}",
                ":to": f"MEAL#{last.isoformat()}#~",
            }
        ),
    }
    if consistent:
        kwargs["ConsistentRead"] = True
    meals: list[dict[str, Any]] = []
    while True:
        page = client.query(**kwargs)
        meals += [from_item(item) for item in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return meals
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
