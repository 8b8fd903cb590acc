"""Reading many items of many tables in as few DynamoDB round trips as possible.

`BatchGetItem` takes up to 100 keys of any tables in one call; what DynamoDB leaves unprocessed
(throttling, 16 MB) is handed back to the caller, who adds it to its next round trip instead of
retrying at once: the home screen has a budget of round trips, not of calls.
"""

from __future__ import annotations

from typing import Any

from poche_common.dynamo import batch_get, from_item

MAX_KEYS = 100

Key = tuple[str, str, str]  # (table, pk, sk)


class BatchReader:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.round_trips = 0  # BatchGetItem calls made (each is one round trip)

    def read(self, keys: list[Key]) -> tuple[dict[Key, dict[str, Any]], list[Key]]:
        """One round trip per 100 distinct keys: the items found, and the keys left unprocessed."""
        found: dict[Key, dict[str, Any]] = {}
        unprocessed: list[Key] = []
        distinct = list(dict.fromkeys(keys))
        for start in range(0, len(distinct), MAX_KEYS):
            request: dict[str, Any] = {}
            for table, pk, sk in distinct[start : start + MAX_KEYS]:
                request.setdefault(table, {"Keys": []})["Keys"].append({"pk": {"S": pk}, "sk": {"S": sk}})
            result = batch_get(self.client, request, attempts=1)  # the caller decides whether to read again
            self.round_trips += result.round_trips
            for table, items in result.items.items():
                for item in items:
                    found[(table, item["pk"]["S"], item["sk"]["S"])] = from_item(item)
            for table, left in result.unprocessed.items():
                unprocessed += [(table, key["pk"]["S"], key["sk"]["S"]) for key in left.get("Keys", [])]
        return found, unprocessed
