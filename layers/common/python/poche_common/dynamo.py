"""Plain dicts <-> DynamoDB attribute values, content digests, and the loops every store needs once: every page of a
Query (`query_all`), a BatchGetItem retrying unprocessed keys (`batch_get`), batched writes with retries
(`batch_write`). Items are in DynamoDB's wire format (boto3's low-level client) unless said otherwise."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Mapping
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


def content_digest(content: Mapping[str, Any]) -> str:
    """A short, stable digest of plain content (keys sorted): what a writer compares to skip an unchanged item."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def query_all(client: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item of a Query (or `limit` of them: `Limit` is DynamoDB's page size), page after page."""
    while True:
        page = client.query(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def query_page(
    client: Any, start: dict[str, Any] | None = None, **kwargs: Any
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of a Query from `start` (an ExclusiveStartKey, None for the first), and the key to continue from."""
    if start:
        kwargs["ExclusiveStartKey"] = start
    page = client.query(**kwargs)
    return list(page.get("Items", [])), page.get("LastEvaluatedKey")


BATCH_GET_ATTEMPTS = 3  # unprocessed keys only come back under throttling: each retry is one more round trip


class BatchGetResult:
    """The items a BatchGetItem found, per table (wire format), with its round trips and what stayed unread."""

    def __init__(self) -> None:
        self.items: dict[str, list[dict[str, Any]]] = {}
        self.round_trips = 0
        self.unprocessed: dict[str, Any] = {}


def batch_get(
    client: Any, request: Mapping[str, Any], *, attempts: int = BATCH_GET_ATTEMPTS, pause_s: float = 0.05
) -> BatchGetResult:
    """BatchGetItem of `request` (`RequestItems`: at most 100 keys in all), retrying unprocessed keys with a short
    backoff up to `attempts` round trips; what is still unprocessed then is in `unprocessed` (the caller decides
    whether that is an error)."""
    result = BatchGetResult()
    pending: dict[str, Any] = {table: dict(spec) for table, spec in request.items() if spec.get("Keys")}
    for attempt in range(attempts):
        if not pending:
            break
        if attempt:
            time.sleep(pause_s * 2 ** (attempt - 1))
        response = client.batch_get_item(RequestItems=pending)
        result.round_trips += 1
        for table, items in response.get("Responses", {}).items():
            result.items.setdefault(table, []).extend(items)
        pending = {table: spec for table, spec in (response.get("UnprocessedKeys") or {}).items() if spec.get("Keys")}
    result.unprocessed = pending
    return result
