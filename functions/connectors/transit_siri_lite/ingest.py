"""One run of the `transit-siri-lite` connector over its answers (`poche_common.realtime.RealtimeIngest`).

Every answer is parsed before anything is written; the trips of all answers are merged (`parser.merge_trips`) and
written by `store.TripWriter`; one `RealtimeUpdated` event (on `poche.transit`) announces the trips that changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from poche_common.changes import change_facts
from poche_common.outbox import StagedEvent
from poche_common.realtime import RealtimeIngest

from .parser import ParsedFeed, merge_trips, parse_feed
from .store import CONNECTOR, SyncResult, TripWriter

MAX_IDS_IN_EVENT = 200


def facts(result: SyncResult, feed_timestamp: str | None) -> dict[str, Any]:
    """The `RealtimeUpdated` detail: trips per change, the cancelled ones (at most `MAX_IDS_IN_EVENT`)."""
    trips = {
        change: sum(1 for c in result.changes if c.change == change) for change in ("created", "updated", "deleted")
    }
    return change_facts(
        CONNECTOR,
        feed_timestamp=feed_timestamp,
        trips=trips,
        listed={"cancelled_trip_ids": sorted(result.cancelled_trips)},
        limit=MAX_IDS_IN_EVENT,
    )


class SiriIngest(RealtimeIngest[ParsedFeed, SyncResult, TripWriter]):
    kind, stamp = "SIRI", "ResponseTimestamp"

    def parse(self, data: bytes, now: dt.datetime) -> ParsedFeed:
        return parse_feed(data, received_at=now)

    def entities(self, feed: ParsedFeed) -> int:
        return feed.visits

    def sync(self, feeds: list[ParsedFeed], now_s: int, now_iso: str) -> SyncResult:
        rejections = [rejection for feed in feeds for rejection in feed.rejected]
        return self.writer.sync(merge_trips(feeds), rejections, now_s=now_s, now_iso=now_iso)

    def events(self, result: SyncResult, feed_timestamp: str | None, feeds: list[ParsedFeed]) -> list[StagedEvent]:
        return (
            [self.outbox.prepare("RealtimeUpdated", facts(result, feed_timestamp), ready=True)]
            if result.changes
            else []
        )
