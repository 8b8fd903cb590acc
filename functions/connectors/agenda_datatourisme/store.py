"""Write side of the agenda table for DATAtourisme events: the shared `agenda_shared.store.EventWriter` (layout,
diff, `duplicate_of`), plus the read this connector needs to find duplicates of another source's events."""

from __future__ import annotations

import datetime as dt

from agenda_shared import store
from poche_common.clock import to_utc_iso
from poche_common.dynamo import query_all, to_item

from .matcher import Candidate


class EventWriter(store.EventWriter):
    def candidates(self, commune: str, lower: dt.datetime, upper: dt.datetime) -> list[Candidate]:
        """Occurrences of a commune beginning in [lower, upper] (index `by_commune`, never a Scan)."""
        found: list[Candidate] = []
        for item in query_all(
            self.client,
            TableName=self.table,
            IndexName="by_commune",
            KeyConditionExpression="gsi1pk = :p AND gsi1sk BETWEEN :lo AND :hi",
            ExpressionAttributeValues=to_item(
                {":p": f"COMMUNE#{commune}", ":lo": to_utc_iso(lower), ":hi": to_utc_iso(upper) + "#~"}
            ),
            ProjectionExpression="event_id, title, #b",
            ExpressionAttributeNames={"#b": "begin"},
        ):
            try:
                begin = dt.datetime.fromisoformat(item["begin"]["S"])
                found.append(Candidate(item["event_id"]["S"], item.get("title", {}).get("S", ""), begin))
            except (KeyError, ValueError):
                continue
        return found
