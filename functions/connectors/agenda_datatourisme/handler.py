"""Lambda entry point of the `agenda-datatourisme` connector (EventBridge Scheduler, hourly).

Source: URL(s) of DATAtourisme JSON / JSON-LD exports (a list of objects or a `@graph`), comma-separated, or
`bundled` (`sample/orne-evenements.jsonld`). Event objects become `datatourisme:<last segment of @id>` events of
the agenda table; one already known from another source (OpenAgenda) is marked `duplicate_of` (see `matcher.py`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import boto3

from agenda_shared.model import AgendaEvent
from agenda_shared.reader import OccurrenceReader
from agenda_shared.store import SyncResult
from agenda_shared.tiles import write_commune_tiles
from poche_common import sources
from poche_common.clock import utc_now
from poche_common.connector import Outcome, RunLog, run_connector
from poche_common.observability import logger, metrics
from poche_common.outbox import Outbox
from poche_common.settings import required

from .matcher import WINDOW, find_duplicate
from .parser import SOURCE, parse_feed
from .store import EventWriter

CONNECTOR = "agenda-datatourisme"
SAMPLE = Path(__file__).with_name("sample") / "orne-evenements.jsonld"

_dynamodb = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_writer = EventWriter(_dynamodb, _table)
_runs = RunLog(_dynamodb, _table, CONNECTOR)
_outbox = Outbox(_dynamodb, _table, producer=CONNECTOR, source="poche.agenda", bus_name=required("EVENT_BUS_NAME"))


def fetch_source(url: str) -> bytes:
    return sources.fetch(url, bundled=SAMPLE)


def duplicates_of(events: list[AgendaEvent], writer: EventWriter) -> dict[str, str]:
    """event id -> the other source's event it duplicates: one `by_commune` Query per commune, over the span of
    that commune's DATAtourisme occurrences (± the matching window)."""
    by_commune: dict[str, list[AgendaEvent]] = {}
    for event in events:
        if event.location.commune:
            by_commune.setdefault(event.location.commune, []).append(event)
    found: dict[str, str] = {}
    for commune, group in sorted(by_commune.items()):
        begins = [o.begin.astimezone(dt.UTC) for event in group for o in event.occurrences]
        candidates = writer.candidates(commune, min(begins) - WINDOW, max(begins) + WINDOW)
        if not candidates:
            continue
        for event in group:
            other = find_duplicate(event, candidates)
            if other is not None:
                found[event.id] = other
    return found


def ingest(payloads: list[bytes], writer: EventWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    """Parse every source (all must parse before anything is written), mark duplicates, stage the event announcing
    the changes, write, project (the `events` tiles of the communes concerned); the runtime sends the event."""
    feeds = [parse_feed(data, now) for data in payloads]
    outcome = Outcome()
    keep: set[str] = set()
    for feed in feeds:
        outcome.read += feed.read
        outcome.rejected += len(feed.rejected)
        outcome.rejections += [{"event": r.ref, "reason": r.reason} for r in feed.rejected]
        keep |= {f"{SOURCE}:{r.uid}" for r in feed.rejected if r.uid}
    parsed = [event for feed in feeds for event in feed.events]
    duplicates = duplicates_of(parsed, writer)
    if duplicates:
        logger.info("events already known from another source", extra={"duplicates": len(duplicates)})

    def announce(result: SyncResult) -> None:
        if result.changes:
            outbox.stage("EventsUpdated", result.event_facts(CONNECTOR, SOURCE))

    result = writer.sync(
        SOURCE, parsed, keep=keep, complete=True, now=now, duplicates=duplicates, before_write=announce
    )
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
