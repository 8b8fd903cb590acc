"""One run of the `transit-gtfs-rt` connector over its payloads (`poche_common.realtime.RealtimeIngest`).

Each payload may hold any mix of TripUpdates, VehiclePositions and Alerts. Payloads with entities none of which is
usable fail the run (nothing written). The `RealtimeUpdated` event (on `poche.transit`) announces changes of trips
and alerts (vehicles move every minute: not news), with the title and routes of each alert created or updated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from poche_common.changes import change_facts
from poche_common.errors import FeedFormatError
from poche_common.events import headline
from poche_common.outbox import StagedEvent
from poche_common.realtime import RealtimeIngest

from .model import ParsedFeed
from .parser import parse_feed
from .store import CONNECTOR, RealtimeWriter, SyncResult

MAX_IDS_IN_EVENT = 200
MAX_REASONS_IN_ERROR = 3


def facts(result: SyncResult, feed_timestamp: str | None, feeds: Sequence[ParsedFeed] = ()) -> dict[str, Any]:
    """The `RealtimeUpdated` detail: counts per kind and change, the trips cancelled and the alerts changed (each
    created or updated one with its title and routes, for the notifications), at most `MAX_IDS_IN_EVENT` of each."""
    counts = {
        kind: {change: result.count(kind, change) for change in ("created", "updated", "deleted")}
        for kind in ("trip", "vehicle", "alert")
    }
    alerts = [{"alert_id": c.key[1].split("#", 2)[2], "change": c.change} for c in result.changes if c.kind == "alert"]
    detail = change_facts(
        CONNECTOR,
        feed_timestamp=feed_timestamp,
        trips=counts["trip"],
        vehicles=counts["vehicle"],
        alerts=counts["alert"],
        listed={"cancelled_trip_ids": sorted(result.cancelled_trips), "alert_changes": alerts},
        limit=MAX_IDS_IN_EVENT,
    )
    informed = {a.alert_id: a.informed for feed in feeds for a in feed.alerts}
    headers = {a.alert_id: a.header for feed in feeds for a in feed.alerts}
    listed: list[dict[str, Any]] = detail["alert_changes"]
    for entry in listed:  # what the alert says (its header), for the notifications
        title = headline(headers.get(entry["alert_id"])) if entry["change"] != "deleted" else None
        if title:
            entry["title"] = title
    # The routes of each created or updated alert (notifications of `route/<route_id>` subscribers).
    detail["alert_routes"] = {
        entry["alert_id"]: sorted({i["route_id"] for i in informed.get(entry["alert_id"], []) if i.get("route_id")})
        for entry in listed
        if entry["change"] != "deleted"
    }
    return detail


class GtfsRtIngest(RealtimeIngest[ParsedFeed, SyncResult, RealtimeWriter]):
    kind, stamp = "GTFS-RT", "header timestamp"

    def parse(self, data: bytes, now: dt.datetime) -> ParsedFeed:
        return parse_feed(data, received_at=now)

    def check(self, feeds: list[ParsedFeed]) -> None:
        entities = sum(f.entities - f.deleted for f in feeds)
        usable = sum(len(f.trips) + len(f.vehicles) + len(f.alerts) for f in feeds)
        if entities and not usable:
            reasons = "; ".join(r.reason for f in feeds for r in f.rejected[:MAX_REASONS_IN_ERROR])
            raise FeedFormatError(
                f"Aucune des {entities} entités du flux n'est exploitable. Premières erreurs : {reasons}"
            )

    def entities(self, feed: ParsedFeed) -> int:
        return feed.entities

    def sync(self, feeds: list[ParsedFeed], now_s: int, now_iso: str) -> SyncResult:
        return self.writer.sync(feeds, now_s=now_s, now_iso=now_iso)

    def events(self, result: SyncResult, feed_timestamp: str | None, feeds: list[ParsedFeed]) -> list[StagedEvent]:
        if not any(change.kind != "vehicle" for change in result.changes):  # vehicles move every minute: not news
            return []
        return [self.outbox.prepare("RealtimeUpdated", facts(result, feed_timestamp, feeds), ready=True)]
