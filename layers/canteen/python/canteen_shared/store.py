"""Reads of the canteen table shared by the service and the connector (layout: `canteen_shared.keys`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from poche_common.dynamo import from_item, query_all, to_item

from .keys import canteen_pk, meals_from, meals_until


def read_meals(
    client: Any, table: str, canteen_id: str, first: dt.date, last: dt.date, *, consistent: bool = False
) -> list[dict[str, Any]]:
    """The canteen's meal items from `first` to `last` included, by date then meal code (one Query, paged)."""
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :from AND :to",
        "ExpressionAttributeValues": to_item(
            {":pk": canteen_pk(canteen_id), ":from": meals_from(first), ":to": meals_until(last)}
        ),
    }
    if consistent:
        kwargs["ConsistentRead"] = True
    return [from_item(item) for item in query_all(client, **kwargs)]
