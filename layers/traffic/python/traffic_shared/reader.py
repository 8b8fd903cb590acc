"""Read side of the traffic table (layout documented in `functions/connectors/traffic_datex2/store.py`), used by
the service and by the connector's tile projections.

Every look-up is a Query on an index partition (`ALL`, `COMMUNE#<insee>`, `CELL#<geohash>`) returning
small summaries, then one BatchGetItem for the profiles of the page shown. Never a Scan.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from poche_common.dynamo import from_item, to_item

CONNECTOR = "traffic-datex2"
BATCH_GET_MAX = 100


class EventReader:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def _partition(self, index: str, attribute: str, value: str) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": "#p = :v",
            "ExpressionAttributeNames": {"#p": attribute},
            "ExpressionAttributeValues": to_item({":v": value}),
        }
        found: list[dict[str, Any]] = []
        while True:
            page = self.client.query(**kwargs)
            found += [from_item(item) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def everywhere(self) -> list[dict[str, Any]]:
        """Summaries of every event of the département."""
        return self._partition("by_area", "gsi2pk", "ALL")

    def in_commune(self, insee: str) -> list[dict[str, Any]]:
        """Summaries of the events touching a commune."""
        return self._partition("by_area", "gsi2pk", f"COMMUNE#{insee}")

    def in_cells(self, cells: Iterable[str]) -> list[dict[str, Any]]:
        """Summaries of the events crossing any of these geohash cells, each once."""
        by_id: dict[str, dict[str, Any]] = {}
        for cell in cells:
            for summary in self._partition("by_cell", "gsi1pk", f"CELL#{cell}"):
                by_id.setdefault(summary["id"], summary)
        return list(by_id.values())

    def profiles(self, partitions: list[str]) -> dict[str, dict[str, Any]]:
        """pk -> profile of these events (BatchGetItem, unprocessed keys retried)."""
        found: dict[str, dict[str, Any]] = {}
        for offset in range(0, len(partitions), BATCH_GET_MAX):
            keys = [to_item({"pk": pk, "sk": "PROFILE"}) for pk in partitions[offset : offset + BATCH_GET_MAX]]
            request: dict[str, Any] = {self.table: {"Keys": keys}}
            for attempt in range(8):
                response = self.client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table, []):
                    profile = from_item(item)
                    found[profile["pk"]] = profile
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))
            else:
                raise RuntimeError(f"profiles still unprocessed after 8 attempts in {self.table}")
        return found

    def fetched_at(self) -> str | None:
        """When the DATEX II feed was last read successfully: the `as_of` of every answer."""
        response = self.client.get_item(
            TableName=self.table,
            Key=to_item({"pk": f"FEED#{CONNECTOR}", "sk": "STATE"}),
            ProjectionExpression="fetched_at",
        )
        value = response.get("Item", {}).get("fetched_at", {}).get("S")
        return str(value) if value else None
