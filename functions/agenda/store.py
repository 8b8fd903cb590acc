"""The DynamoDB adapter of the agenda service's reader port (`logic.AgendaReader`); layouts documented in the
connectors' `store.py`.

A list is `agenda_shared.reader.OccurrenceReader.occurrences` (shared with the connectors' tile projections).
Never a Scan.
Cinemas (layout in `functions/connectors/agenda_cinema/store.py`): `CINEMAS#<insee>` on `by_commune` or
`CINEMAS` on `by_month` for lists, `CINEMA#<id>` / `PROFILE` and `SESSION#<start UTC>#...` for a day.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agenda_shared.reader import OccurrenceReader
from poche_common import feeds
from poche_common.dynamo import from_item, query_all, to_item


class DynamoAgendaReader(OccurrenceReader):
    """The shared occurrence lists (`agenda_shared.reader`), and the reads only the service makes."""

    def _profile(self, pk: str) -> dict[str, Any] | None:
        response = self.client.get_item(TableName=self.table, Key=to_item({"pk": pk, "sk": "PROFILE"}))
        return from_item(response["Item"]) if "Item" in response else None

    def profile(self, event_id: str) -> dict[str, Any] | None:
        return self._profile(f"EVENT#{event_id}")

    def event_occurrences(
        self, event_id: str, *, limit: int, accept: Callable[[dict[str, Any]], bool]
    ) -> list[dict[str, Any]]:
        """The first `limit` accepted occurrences of one event, by begin."""
        found: list[dict[str, Any]] = []
        for raw in query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :occ)",
            ExpressionAttributeValues=to_item({":pk": f"EVENT#{event_id}", ":occ": "OCC#"}),
            ProjectionExpression="#b, #e, expires_at",
            ExpressionAttributeNames={"#b": "begin", "#e": "end"},
        ):
            item = from_item(raw)
            if accept(item):
                found.append(item)
                if len(found) >= limit:
                    break
        return found

    def cinemas(self, commune: str | None, *, after: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        """Cinemas by name, of a commune (`CINEMAS#<insee>` on `by_commune`) or all (`CINEMAS` on `by_month`),
        after the sort key `after`; at most `limit`, and the sort key to resume from (None: nothing more)."""
        attribute, index, value = (
            ("gsi1", "by_commune", f"CINEMAS#{commune}") if commune else ("gsi2", "by_month", "CINEMAS")
        )
        condition = "#p = :p" + (" AND #s > :after" if after else "")
        values: dict[str, Any] = {":p": value, **({":after": after} if after else {})}
        found: list[dict[str, Any]] = []
        for raw in query_all(
            self.client,
            TableName=self.table,
            IndexName=index,
            KeyConditionExpression=condition,
            ExpressionAttributeNames={"#p": f"{attribute}pk", **({"#s": f"{attribute}sk"} if after else {})},
            ExpressionAttributeValues=to_item(values),
            Limit=limit + 1,
        ):
            found.append(from_item(raw))
            if len(found) > limit:
                return found[:limit], str(found[limit - 1][f"{attribute}sk"])
        return found, None

    def cinema(self, cinema_id: str) -> dict[str, Any] | None:
        return self._profile(f"CINEMA#{cinema_id}")

    def sessions(self, cinema_id: str, lower: str, upper: str) -> list[dict[str, Any]]:
        """A cinema's sessions whose sort key is in [SESSION#lower, SESSION#upper~], by start."""
        pages = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
            ExpressionAttributeValues=to_item(
                {":pk": f"CINEMA#{cinema_id}", ":lo": f"SESSION#{lower}", ":hi": f"SESSION#{upper}#~"}
            ),
        )
        return [from_item(raw) for raw in pages]

    def fetched_at(self, connector: str) -> str | None:
        return feeds.fetched_at(self.client, self.table, connector)
