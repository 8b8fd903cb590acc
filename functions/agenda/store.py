"""Read side of the agenda table (layout documented in the connector's `store.py`).

A list is `agenda_shared.reader.OccurrenceReader.occurrences` (shared with the connectors' tile projections).
Never a Scan.
Cinemas (layout in `functions/connectors/agenda_cinema/store.py`): `CINEMAS#<insee>` on `by_commune` or
`CINEMAS` on `by_month` for lists, `CINEMA#<id>` / `PROFILE` and `SESSION#<start UTC>#...` for a day.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agenda_shared.reader import OccurrenceReader
from poche_common.dynamo import from_item, to_item


class AgendaReader(OccurrenceReader):
    """The shared occurrence lists (`agenda_shared.reader`), and the reads only the service makes."""

    def profile(self, event_id: str) -> dict[str, Any] | None:
        response = self.client.get_item(TableName=self.table, Key=to_item({"pk": f"EVENT#{event_id}", "sk": "PROFILE"}))
        return from_item(response["Item"]) if "Item" in response else None

    def event_occurrences(
        self, event_id: str, *, limit: int, accept: Callable[[dict[str, Any]], bool]
    ) -> list[dict[str, Any]]:
        """The first `limit` accepted occurrences of one event, by begin."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :occ)",
            "ExpressionAttributeValues": to_item({":pk": f"EVENT#{event_id}", ":occ": "OCC#"}),
            "ProjectionExpression": "#b, #e, expires_at",
            "ExpressionAttributeNames": {"#b": "begin", "#e": "end"},
        }
        found: list[dict[str, Any]] = []
        while True:
            page = self.client.query(**kwargs)
            for raw in page.get("Items", []):
                item = from_item(raw)
                if accept(item):
                    found.append(item)
                    if len(found) >= limit:
                        return found
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def cinemas(self, commune: str | None, *, after: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        """Cinemas by name, of a commune (`CINEMAS#<insee>` on `by_commune`) or all (`CINEMAS` on `by_month`),
        after the sort key `after`; at most `limit`, and the sort key to resume from (None: nothing more)."""
        attribute, index, value = (
            ("gsi1", "by_commune", f"CINEMAS#{commune}") if commune else ("gsi2", "by_month", "CINEMAS")
        )
        condition = "#p = :p" + (" AND #s > :after" if after else "")
        values: dict[str, Any] = {":p": value, **({":after": after} if after else {})}
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {"#p": f"{attribute}pk", **({"#s": f"{attribute}sk"} if after else {})},
            "ExpressionAttributeValues": to_item(values),
            "Limit": limit + 1,
        }
        found: list[dict[str, Any]] = []
        while True:
            page = self.client.query(**kwargs)
            found += [from_item(raw) for raw in page.get("Items", [])]
            if len(found) > limit:
                return found[:limit], str(found[limit - 1][f"{attribute}sk"])
            if "LastEvaluatedKey" not in page:
                return found, None
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def cinema(self, cinema_id: str) -> dict[str, Any] | None:
        response = self.client.get_item(
            TableName=self.table, Key=to_item({"pk": f"CINEMA#{cinema_id}", "sk": "PROFILE"})
        )
        return from_item(response["Item"]) if "Item" in response else None

    def sessions(self, cinema_id: str, lower: str, upper: str) -> list[dict[str, Any]]:
        """A cinema's sessions whose sort key is in [SESSION#lower, SESSION#upper~], by start."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": to_item(
                {":pk": f"CINEMA#{cinema_id}", ":lo": f"SESSION#{lower}", ":hi": f"SESSION#{upper}#~"}
            ),
        }
        found: list[dict[str, Any]] = []
        while True:
            page = self.client.query(**kwargs)
            found += [from_item(raw) for raw in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def fetched_at(self, connectors: tuple[str, ...]) -> str | None:
        """The oldest last successful read of the agenda's connectors (None: one never read)."""
        oldest: str | None = None
        for connector in connectors:
            response = self.client.get_item(
                TableName=self.table,
                Key=to_item({"pk": f"FEED#{connector}", "sk": "STATE"}),
                ProjectionExpression="fetched_at",
            )
            value = response.get("Item", {}).get("fetched_at", {}).get("S")
            if not value:
                return None
            oldest = value if oldest is None or value < oldest else oldest
        return oldest
