"""A connector's feed state: the item `FEED#<connector>` / `STATE` of its domain's table.

The connector's run log (`poche_common.connector`) writes it; its `fetched_at` (UTC ISO 8601) is the last time
the source was read successfully, hence the `as_of` of every answer built from that source. Services read it
here, the home screen reads it with its tiles' projections (`state_key`). Light on purpose: no boto3 import,
keys in DynamoDB's wire format.
"""

from __future__ import annotations

from typing import Any

PREFIX = "FEED#"
STATE_SK = "STATE"


def state_pk(connector: str) -> str:
    return f"{PREFIX}{connector}"


def state_key(connector: str) -> tuple[str, str]:
    """(pk, sk) of the connector's state item."""
    return state_pk(connector), STATE_SK


def connector_of(pk: str) -> str:
    """The connector whose state item has this partition key."""
    return pk.removeprefix(PREFIX)


def fetched_at_of(state: dict[str, Any] | None) -> str | None:
    """The `fetched_at` of a state item read as plain Python (None: the source was never read successfully)."""
    value = (state or {}).get("fetched_at")
    return str(value) if value else None


def fetched_at(client: Any, table: str, connector: str) -> str | None:
    """When the connector last read its source successfully (one GetItem); None if it never did."""
    pk, sk = state_key(connector)
    response = client.get_item(
        TableName=table,
        Key={"pk": {"S": pk}, "sk": {"S": sk}},
        ProjectionExpression="fetched_at",
    )
    value = response.get("Item", {}).get("fetched_at", {}).get("S")
    return str(value) if value else None
