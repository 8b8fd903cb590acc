"""Reads of the news table shared by the service and the connector (layout: `news_shared.keys`)."""

from __future__ import annotations

from typing import Any

from poche_common.dynamo import query_page, to_item

from .keys import BY_TAG_INDEX, BY_TAG_PK, tag_key


def newest(
    client: Any, table: str, tag: str, limit: int, start: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """Up to `limit` raw `TAG#<tag>` entries of the `by_tag` index after `start`, newest first (one Query);
    and whether more may follow."""
    items, last_key = query_page(
        client,
        start,
        TableName=table,
        IndexName=BY_TAG_INDEX,
        KeyConditionExpression="#p = :v",
        ExpressionAttributeNames={"#p": BY_TAG_PK},
        ExpressionAttributeValues=to_item({":v": tag_key(tag)}),
        ScanIndexForward=False,
        Limit=limit,
    )
    return items, last_key is not None
