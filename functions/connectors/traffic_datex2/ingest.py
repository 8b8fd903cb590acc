"""One run of the `traffic-datex2` connector over its files: parse them all (before anything is written), stage the
`TrafficEventsUpdated` event announcing the changes, write (`store.py`), then rewrite the `traffic` tiles of the
communes concerned; the runtime sends the event. The files together are the feed: an event found in none of them
is withdrawn."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from poche_common.changes import change_facts
from poche_common.connector import Outcome
from poche_common.observability import logger
from poche_common.outbox import Outbox
from traffic_shared.keys import CONNECTOR
from traffic_shared.reader import EventReader
from traffic_shared.tiles import write_commune_tiles

from .parser import parse_feed
from .store import EventWriter, SyncResult

if TYPE_CHECKING:  # annotations only: the event registry is not compiled at this function's cold start
    from poche_common.eventtypes import TrafficChange, TrafficEventsUpdatedFacts

MAX_CHANGES_IN_EVENT = 500


def event_facts(result: SyncResult) -> TrafficEventsUpdatedFacts:
    """`TrafficEventsUpdated`: each change with its `title` (the event's description, bounded)."""
    listed: list[TrafficChange] = [c.as_fact() for c in result.changes]
    bounded = change_facts(CONNECTOR, listed={"changes": listed}, limit=MAX_CHANGES_IN_EVENT, titled="changes")
    return {
        "connector": CONNECTOR,
        "event_ids": sorted({c.event_id for c in result.changes}),
        "communes": sorted({code for c in result.changes for code in c.communes}),
        "changes": bounded["changes"],
        "truncated": bounded["truncated"],
    }


def ingest(payloads: list[bytes], writer: EventWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    feeds = [parse_feed(data) for data in payloads]
    outcome = Outcome()
    keep: set[str] = set()
    for feed in feeds:
        outcome.add(feed.records_read, [{"record": r.ref, "reason": r.reason} for r in feed.rejected])
        keep |= {r.ref for r in feed.rejected if r.situation_id and r.record_id}

    def announce(result: SyncResult) -> None:
        if result.changes:
            outbox.stage("TrafficEventsUpdated", event_facts(result))

    result = writer.sync([event for feed in feeds for event in feed.events], keep=keep, now=now, before_write=announce)
    if result.outside or result.expired:
        logger.info("events not stored", extra={"outside_territory": result.outside, "ended_long_ago": result.expired})
    outcome.changed = len(result.changes)
    touched = result.touched()
    if touched:  # nothing changed and nothing started or ended: no projection read nor written
        written = write_commune_tiles(EventReader(writer.client, writer.table), touched, now)
        writer.mark_shown(result.shown)
        logger.info("tile projections", extra={"communes": len(touched), "written": written})
    return outcome
