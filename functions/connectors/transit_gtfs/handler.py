"""Lambda entry point of the `transit-gtfs` connector (EventBridge Scheduler, daily at 04:00 Paris time)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import boto3

from poche_common import sources
from poche_common.clock import utc_now
from poche_common.connector import Outcome, RunLog, run_connector
from poche_common.errors import FeedFormatError
from poche_common.observability import logger, metrics
from poche_common.outbox import Outbox
from poche_common.settings import required

from .model import ParsedFeed
from .parser import parse_feed
from .store import CONNECTOR, SyncResult, TimetableWriter

SAMPLE = Path(__file__).parent / "sample" / "network.zip"
MAX_IDS_IN_EVENT = 500
MAX_FEED_BYTES = 50 * 1024 * 1024  # a regional GTFS zip exceeds the house default of 20 MiB
FETCH_DEADLINE_S = 90.0  # the whole download of up to 50 MiB, within the function's 5 minutes

_dynamodb = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_writer = TimetableWriter(_dynamodb, _table)
_runs = RunLog(_dynamodb, _table, CONNECTOR)
_outbox = Outbox(_dynamodb, _table, producer=CONNECTOR, source="poche.transit", bus_name=required("EVENT_BUS_NAME"))


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
    stop_ids, route_ids = sorted(result.stop_ids), sorted(result.route_ids)
    return {
        "connector": CONNECTOR,
        "counts": {
            kind: {"created": counts.created, "updated": counts.updated, "deleted": counts.deleted}
            for kind, counts in (
                ("stops", result.stops),
                ("routes", result.routes),
                ("departures", result.departures),
                ("trip_maps", result.trips),
            )
        },
        "dates": sorted(result.dates),
        "window": result.window,
        "stop_ids": stop_ids[:MAX_IDS_IN_EVENT],
        "route_ids": route_ids[:MAX_IDS_IN_EVENT],
        "truncated": len(stop_ids) > MAX_IDS_IN_EVENT or len(route_ids) > MAX_IDS_IN_EVENT,
    }


def ingest(payloads: list[bytes], writer: TimetableWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    """Parse every zip (all must parse before anything is written), stage the event announcing the differences,
    write them; the runtime sends the event."""
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


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    now = utc_now()
    report = run_connector(
        connector=CONNECTOR,
        sources=sources.resolve_sources(CONNECTOR, sources.ssm_parameter_reader()),
        fetch=lambda url: sources.fetch(url, bundled=SAMPLE, max_bytes=MAX_FEED_BYTES, timeout=FETCH_DEADLINE_S),
        ingest=lambda payloads: ingest(payloads, _writer, _outbox, now),
        runs=_runs,
        describe=sources.describe,
        outbox=_outbox,
    )
    return report.as_dict()
