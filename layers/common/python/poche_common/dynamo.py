"""Plain dicts <-> DynamoDB attribute values, and batched writes with retries."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_item(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in data.items() if value is not None}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    return value


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _plain(_deserializer.deserialize(value)) for key, value in item.items()}


def batch_write(client: Any, table: str, requests: Iterable[dict[str, Any]], *, attempts: int = 8) -> int:
    """Send PutRequest/DeleteRequest entries in batches of 25, retrying unprocessed ones."""
    pending = list(requests)
    written = 0
    while pending:
        batch, pending = pending[:25], pending[25:]
        for attempt in range(attempts):
            response = client.batch_write_item(RequestItems={table: batch})
            unprocessed = response.get("UnprocessedItems", {}).get(table, [])
            written += len(batch) - len(unprocessed)
            if not unprocessed:
                break
            batch = unprocessed
            time.sleep(min(0.05 * 2**attempt, 2.0))
        else:
            raise RuntimeError(f"{len(batch)} writes to {table} still unprocessed after {attempts} attempts")
    return written
