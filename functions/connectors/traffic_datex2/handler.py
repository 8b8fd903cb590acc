"""Lambda entry point of the `traffic-datex2` connector (EventBridge Scheduler, every 5 minutes)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import boto3

from poche_common import sources
from poche_common.clock import utc_now
from poche_common.connector import Outcome, RunLog, run_connector
from poche_common.events import with_titles
from poche_common.observability import logger, metrics
from poche_common.outbox import Outbox
from poche_common.settings import required
from traffic_shared.reader import EventReader
from traffic_shared.tiles import write_commune_tiles

from .parser import parse_feed
from .store import EventWriter, SyncResult

CONNECTOR = "traffic-datex2"
SAMPLE = Path(__file__).parent / "sample" / "situations-v2.xml"
MAX_CHANGES_IN_EVENT = 500

_dynamodb = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_writer = EventWriter(_dynamodb, _table)
_runs = RunLog(_dynamodb, _table, CONNECTOR)
_outbox = Outbox(_dynamodb, _table, producer=CONNECTOR, source="poche.traffic", bus_name=required("EVENT_BUS_NAME"))


def event_facts(result: SyncResult) -> dict[str, Any]:
    """`TrafficEventsUpdated`: each change with its `title` (the event's description, bounded)."""
    return {
        "connector": CONNECTOR,
        "event_ids": sorted({c.event_id for c in result.changes}),
        "communes": sorted({code for c in result.changes for code in c.communes}),
        "changes": with_titles([c.as_fact() for c in result.changes[:MAX_CHANGES_IN_EVENT]]),
        "truncated": len(result.changes) > MAX_CHANGES_IN_EVENT,
    }


def ingest(payloads: list[bytes], writer: EventWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    """Parse every file (all must parse before anything is written), stage the event announcing the changes,
    write, project (the `traffic` tiles of the communes concerned); the runtime sends the event.

    The files together are the feed: an event found in none of them is withdrawn.
    """
    feeds = [parse_feed(data) for data in payloads]
    outcome = Outcome()
    keep: set[str] = set()
    for feed in feeds:
        outcome.read += feed.records_read
        outcome.rejected += len(feed.rejected)
        outcome.rejections += [{"record": r.ref, "reason": r.reason} for r in feed.rejected]
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


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = run_connector(
        connector=CONNECTOR,
        sources=sources.resolve_sources(CONNECTOR, sources.ssm_parameter_reader()),
        fetch=lambda url: sources.fetch(url, bundled=SAMPLE),
        ingest=lambda payloads: ingest(payloads, _writer, _outbox, utc_now()),
        runs=_runs,
        describe=sources.describe,
        outbox=_outbox,
    )
    return report.as_dict()
