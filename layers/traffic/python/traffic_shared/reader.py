"""Read side of the traffic table (layout: `keys.py`), used by
the service and by the connector's tile projections.

Every look-up is a Query on an index partition (`ALL`, `COMMUNE#<insee>`, `CELL#<geohash>`) returning
small summaries, then one BatchGetItem for the profiles of the page shown. Never a Scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from poche_common import feeds
from poche_common.dynamo import batch_get, from_item, query_all, to_item

from .keys import ALL, AREA_PK, BY_AREA, BY_CELL, CELL_PK, CONNECTOR, PROFILE, cell_partition, commune_partition

BATCH_GET_MAX = 100
PROFILE_ATTEMPTS = 8  # round trips of one BatchGetItem before unprocessed profiles are an error


class EventReader:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def _partition(self, index: str, attribute: str, value: str) -> list[dict[str, Any]]:
        items = query_all(
            self.client,
            TableName=self.table,
            IndexName=index,
            KeyConditionExpression="#p = :v",
            ExpressionAttributeNames={"#p": attribute},
            ExpressionAttributeValues=to_item({":v": value}),
        )
        return [from_item(item) for item in items]

    def everywhere(self) -> list[dict[str, Any]]:
        """Summaries of every event of the département."""
        return self._partition(BY_AREA, AREA_PK, ALL)

    def in_commune(self, insee: str) -> list[dict[str, Any]]:
        """Summaries of the events touching a commune."""
        return self._partition(BY_AREA, AREA_PK, commune_partition(insee))

    def in_cells(self, cells: Iterable[str]) -> list[dict[str, Any]]:
        """Summaries of the events crossing any of these geohash cells, each once."""
        by_id: dict[str, dict[str, Any]] = {}
        for cell in cells:
            for summary in self._partition(BY_CELL, CELL_PK, cell_partition(cell)):
                by_id.setdefault(summary["id"], summary)
        return list(by_id.values())

    def profiles(self, partitions: list[str]) -> dict[str, dict[str, Any]]:
        """pk -> profile of these events (BatchGetItem, unprocessed keys retried)."""
        found: dict[str, dict[str, Any]] = {}
        for offset in range(0, len(partitions), BATCH_GET_MAX):
            keys = [to_item({"pk": pk, "sk": PROFILE}) for pk in partitions[offset : offset + BATCH_GET_MAX]]
            result = batch_get(self.client, {self.table: {"Keys": keys}}, attempts=PROFILE_ATTEMPTS)
            if result.unprocessed:
                raise RuntimeError(f"profiles still unprocessed after {PROFILE_ATTEMPTS} attempts in {self.table}")
            for item in result.items.get(self.table, []):
                profile = from_item(item)
                found[profile["pk"]] = profile
        return found

    def fetched_at(self) -> str | None:
        """When the DATEX II feed was last read successfully: the `as_of` of every answer."""
        return feeds.fetched_at(self.client, self.table, CONNECTOR)
