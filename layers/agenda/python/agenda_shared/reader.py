"""Occurrence lists of the agenda table: read by the service (`GET /v1/events`) and by the event connectors for
the `events` tile projections (layout in `store.py`).

A list is a Query of one `COMMUNE#<insee>` partition (index `by_commune`) or of the `ALL#<YYYY-MM>` partitions
of the range (index `by_month`), on the sort key `<begin UTC>#<event id>`, so occurrences come in date order.
Occurrence items carry the list view: no other read. Never a Scan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from poche_common.dynamo import from_item, query_all, to_item


class OccurrenceReader:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def occurrences(
        self,
        partitions: list[tuple[str, str, str]],  # (index, key attribute prefix "gsi1"/"gsi2", partition value)
        lower: str,
        upper: str,
        *,
        after: str | None,
        accept: Callable[[dict[str, Any]], bool],
        limit: int,
        max_examined: int,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Accepted occurrences whose sort key is in [lower, upper] and after `after`, in order; at most
        `limit`. Returns them and the sort key to resume from (None: nothing more). Reads at most
        `max_examined` items: a page may then hold fewer than `limit` with a `next`."""
        found: list[dict[str, Any]] = []
        examined = 0
        last: str | None = None
        for index, attribute, value in partitions:
            start = max(lower, after) if after else lower
            pages = query_all(
                self.client,
                TableName=self.table,
                IndexName=index,
                KeyConditionExpression="#p = :p AND #s BETWEEN :lo AND :hi",
                ExpressionAttributeNames={"#p": f"{attribute}pk", "#s": f"{attribute}sk"},
                ExpressionAttributeValues=to_item({":p": value, ":lo": start, ":hi": upper}),
                Limit=200,
            )
            for raw in pages:
                item = from_item(raw)
                key = str(item[f"{attribute}sk"])
                if after is not None and key <= after:
                    continue
                examined += 1
                last = key
                if accept(item):
                    found.append(item)
                    if len(found) > limit:
                        return found[:limit], str(found[limit - 1][f"{attribute}sk"])
                if examined >= max_examined:
                    return found, last
        return found, None
