"""The deferred pushes on the `personal` table (the `DuePushes` port of `ports.py`, over DynamoDB):

    pk = DUE#<YYYY-MM-DDTHH> sk = <due UTC ISO>#<sub>#<event_id>       a push due at that hour (UTC)
    pk = USER#<sub>          sk = DUE#<hour>#<due UTC ISO>#<event_id>   its pointer, for the erasure

(written by the sender, `notifications_send/items.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from poche_common.clock import to_utc_iso
from poche_common.dynamo import batch_write, from_item, query_all


class DueStore:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def due(self, hours: list[str], now: dt.datetime) -> Iterator[dict[str, Any]]:
        """Query of each hour's partition, every page."""
        upper = to_utc_iso(now) + "$"  # `$` sorts after `#`: every sk `<due>#...` with due <= now
        for hour in hours:
            items = query_all(
                self.client,
                TableName=self.table,
                KeyConditionExpression="pk = :pk AND sk < :upper",
                ExpressionAttributeValues={":pk": {"S": f"DUE#{hour}"}, ":upper": {"S": upper}},
            )
            yield from (from_item(item) for item in items)

    def done(self, sub: str, items: list[dict[str, Any]]) -> None:
        requests: list[dict[str, Any]] = []
        for item in items:
            hour = str(item["pk"]).removeprefix("DUE#")
            due_iso, _, event_id = str(item["sk"]).partition(f"#{sub}#")
            pointer = {"pk": {"S": f"USER#{sub}"}, "sk": {"S": f"DUE#{hour}#{due_iso}#{event_id}"}}
            requests.append({"DeleteRequest": {"Key": {"pk": {"S": item["pk"]}, "sk": {"S": item["sk"]}}}})
            requests.append({"DeleteRequest": {"Key": pointer}})
        batch_write(self.client, self.table, requests)
