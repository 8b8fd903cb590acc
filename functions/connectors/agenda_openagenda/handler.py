"""Lambda entry point of the `agenda-openagenda` connector (EventBridge Scheduler, hourly).

Source: the events endpoint URL of one or more agendas, comma-separated
(`https://api.openagenda.com/v2/agendas/<uid>/events?detailed=1&relative[]=current&relative[]=upcoming&key=...`),
or `bundled` (two sample pages). Each source's pages are followed to the end (`pages.py`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3

from agenda_shared.reader import OccurrenceReader
from agenda_shared.store import EventWriter, SyncResult
from agenda_shared.tiles import write_commune_tiles
from poche_common import sources
from poche_common.clock import utc_now
from poche_common.connector import Outcome, RunLog, run_connector
from poche_common.observability import logger, metrics
from poche_common.outbox import Outbox
from poche_common.settings import required

from .pages import SAMPLE_DIR, read_pages
from .parser import SOURCE, parse_feed

CONNECTOR = "agenda-openagenda"

_dynamodb = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_writer = EventWriter(_dynamodb, _table)
_runs = RunLog(_dynamodb, _table, CONNECTOR)
_outbox = Outbox(_dynamodb, _table, producer=CONNECTOR, source="poche.agenda", bus_name=required("EVENT_BUS_NAME"))


def fetch_source(url: str) -> bytes:
    """Every page of one source, merged (bounded in pages and bytes)."""
    return read_pages(url, lambda page, budget: sources.fetch(page, bundled=SAMPLE_DIR, max_bytes=max(budget, 1)))


def ingest(payloads: list[bytes], writer: EventWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    """Parse every source (all must parse before anything is written), stage the event announcing the changes,
    write, project (the `events` tiles of the communes concerned); the runtime sends the event.

    The sources together are the feed of OpenAgenda events: an event found in none of them is withdrawn,
    unless one of them could not be read to its end.
    """
    feeds = [parse_feed(data) for data in payloads]
    outcome = Outcome()
    keep: set[str] = set()
    for feed in feeds:
        outcome.read += feed.read
        outcome.rejected += len(feed.rejected)
        outcome.rejections += [{"event": r.ref, "reason": r.reason} for r in feed.rejected]
        keep |= {f"{SOURCE}:{r.uid}" for r in feed.rejected if r.uid}
    complete = all(feed.complete for feed in feeds)
    if not complete:
        logger.warning("feed not read to its end (page limit): withdrawn events are kept this run")

    def announce(result: SyncResult) -> None:
        if result.changes:
            outbox.stage("EventsUpdated", result.event_facts(CONNECTOR, SOURCE))

    result = writer.sync(
        SOURCE,
        [event for feed in feeds for event in feed.events],
        keep=keep,
        complete=complete,
        now=now,
        before_write=announce,
    )
    if result.past:
        logger.info("past events not stored", extra={"past": result.past})
    outcome.changed = len(result.changes)
    if result.touched():  # the `events` tiles of the communes concerned; nothing changed: no read, no write
        write_commune_tiles(OccurrenceReader(writer.client, writer.table), result.touched(), now)
    return outcome


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = run_connector(
        connector=CONNECTOR,
        sources=sources.resolve_sources(CONNECTOR, sources.ssm_parameter_reader()),
        fetch=fetch_source,
        ingest=lambda payloads: ingest(payloads, _writer, _outbox, utc_now()),
        runs=_runs,
        describe=sources.describe,
        outbox=_outbox,
    )
    return report.as_dict()
