"""One run of the `transit-gtfs` connector over its zips: parse them all (before anything is written) into one
network, stage the `TimetableUpdated` event announcing the differences, write them (`store.py`); the runtime sends
the event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from poche_common.changes import change_facts
from poche_common.connector import Outcome
from poche_common.errors import FeedFormatError
from poche_common.observability import logger
from poche_common.outbox import Outbox

from .model import ParsedFeed
from .parser import parse_feed
from .store import CONNECTOR, SyncResult, TimetableWriter

MAX_IDS_IN_EVENT = 500


def merge_feeds(feeds: list[ParsedFeed]) -> ParsedFeed:
    """Several sources make one network (ids must not collide: a later feed's entity replaces an earlier one)."""
    merged = feeds[0]
    for feed in feeds[1:]:
        if feed.timezone != merged.timezone:
            raise FeedFormatError(
                f"Les sources GTFS n'ont pas le même fuseau horaire ({merged.timezone}, {feed.timezone})."
            )
        merged.stops.update(feed.stops)
        merged.routes.update(feed.routes)
        merged.trips.update(feed.trips)
        merged.stop_times.update(feed.stop_times)
        merged.rules.update(feed.rules)
        for service_id, days in feed.exceptions.items():
            merged.exceptions.setdefault(service_id, {}).update(days)
        merged.rejected += feed.rejected
        merged.rejected_count += feed.rejected_count
        merged.rows_read += feed.rows_read
        merged.rejected_stop_ids |= feed.rejected_stop_ids
        merged.rejected_route_ids |= feed.rejected_route_ids
        merged.rejected_trip_ids |= feed.rejected_trip_ids
        merged.notes += feed.notes
    return merged


def event_facts(result: SyncResult) -> dict[str, Any]:
    """The `TimetableUpdated` detail: counts per kind, the service dates and ids that changed."""
    kinds = (("stops", result.stops), ("routes", result.routes), ("departures", result.departures))
    return change_facts(
        CONNECTOR,
        counts={kind: counts.as_fact() for kind, counts in (*kinds, ("trip_maps", result.trips))},
        dates=sorted(result.dates),
        window=result.window,
        listed={"stop_ids": sorted(result.stop_ids), "route_ids": sorted(result.route_ids)},
        limit=MAX_IDS_IN_EVENT,
    )


def ingest(payloads: list[bytes], writer: TimetableWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    feed = merge_feeds([parse_feed(data) for data in payloads])
    for note in feed.notes:
        logger.info("ignored on purpose", extra={"note": note})

    def announce(result: SyncResult) -> None:
        if result.changed:
            outbox.stage("TimetableUpdated", event_facts(result))

    result = writer.sync(feed, now, before_write=announce)
    return Outcome(
        read=feed.rows_read,
        changed=result.changed,
        rejected=feed.rejected_count,
        rejections=[rejection.as_dict() for rejection in feed.rejected],
    )
