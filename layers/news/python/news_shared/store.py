"""Reads of the news table shared by the service and the connector (layout: the connector's `store.py`)."""

from __future__ import annotations

from typing import Any

from poche_common.dynamo import to_item

INDEX = "by_tag"


def newest(
    client: Any, table: str, tag: str, limit: int, start: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """Up to `limit` raw `TAG#<tag>` entries of the `by_tag` index after `start`, newest first (one Query);
    and whether more may follow."""
    kwargs: dict[str, Any] = {
        "TableName": table,
        "IndexName": INDEX,
        "KeyConditionExpression": "#p = :v",
        "ExpressionAttributeNames": {"#p": "gsi1pk"},
        "ExpressionAttributeValues": to_item({":v": f"TAG#{tag}"}),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if start is not None:
        kwargs["ExclusiveStartKey"] = start
    page = client.query(**kwargs)
    return list(page.get("Items", [])), "LastEvaluatedKey" in page
