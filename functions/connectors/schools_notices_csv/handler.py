"""Lambda entry point of the `schools-notices-csv` connector (EventBridge Scheduler, every 15 minutes).

The département's bulk notices (for instance the prefect's order suspending all school transport on a snow
day), in the CSV documented in `parser.py` and `sample/README.md`. fetch -> parse every file (a file that
is not such a CSV changes nothing) -> diff against the notices this feed created -> write -> rewrite the
`school-notices` tile of every school touched -> events -> record the run.

Events (`poche.schools`), at most one of each per run: `SchoolNoticePublished` (notices created or
changed) and `SchoolNoticeWithdrawn` (notices whose row left the feed), facts `origin: departement`,
`connector`, `uais`, `notices: [{uai, notice_id, reference, kind, title, starts, ends, change}]` (at most
500, then `truncated: true`), staged in the table's outbox before the notices are written.

This connector's runs also send what the schools admin API staged and could not send (its PutEvents was
refused): every run flushes the whole table's outbox, so a staff notice's event waits 15 minutes at most.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import boto3

from poche_common import schools, sources
from poche_common.clock import utc_now
from poche_common.connector import Outcome, RunLog, run_connector
from poche_common.events import with_titles
from poche_common.observability import logger, metrics
from poche_common.outbox import Outbox
from poche_common.settings import required

from .parser import ParsedFeed, Rejection, parse_feed
from .store import Change, FeedNoticeWriter

CONNECTOR = "schools-notices-csv"
SAMPLE = Path(__file__).parent / "sample" / "notices.csv"
MAX_CHANGES_IN_EVENT = 500

_dynamodb = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_writer = FeedNoticeWriter(_dynamodb, _table, CONNECTOR)
_runs = RunLog(_dynamodb, _table, CONNECTOR)
_outbox = Outbox(_dynamodb, _table, producer=CONNECTOR, source="poche.schools", bus_name=required("EVENT_BUS_NAME"))


def merge(feeds: list[ParsedFeed]) -> ParsedFeed:
    """Several source files as one feed; a reference used in an earlier file rejects the later row."""
    merged = ParsedFeed()
    seen: set[str] = set()
    for feed in feeds:
        merged.rows_read += feed.rows_read
        merged.rejected += feed.rejected
        for row in feed.rows:
            if row.reference in seen:
                merged.rejected.append(Rejection(row.line, f"reference {row.reference!r} already used by another file"))
                continue
            seen.add(row.reference)
            merged.rows.append(row)
    return merged


def event_facts(changes: list[Change]) -> dict[str, Any]:
    return {
        "origin": "departement",
        "connector": CONNECTOR,
        "uais": sorted({c.uai for c in changes}),
        "notices": with_titles([c.as_fact() for c in changes[:MAX_CHANGES_IN_EVENT]]),
        "truncated": len(changes) > MAX_CHANGES_IN_EVENT,
    }


def announce(outbox: Outbox, changes: list[Change]) -> None:
    """Stage the run's events (before the notices are written)."""
    published = [c for c in changes if c.change != "withdrawn"]
    withdrawn = [c for c in changes if c.change == "withdrawn"]
    if published:
        outbox.stage("SchoolNoticePublished", event_facts(published))
    if withdrawn:
        outbox.stage("SchoolNoticeWithdrawn", event_facts(withdrawn))


def ingest(payloads: list[bytes], writer: FeedNoticeWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    feed = merge([parse_feed(data) for data in payloads])  # every file parses before anything is written
    changes = writer.sync(feed, now, before_write=lambda changes: announce(outbox, changes))
    if changes:
        schools.rewrite_projections(writer.client, writer.table, {c.uai for c in changes}, now)
    return Outcome(
        read=feed.rows_read,
        changed=len(changes),
        rejected=len(feed.rejected),
        rejections=[{"line": r.line, "reason": r.reason} for r in sorted(feed.rejected, key=lambda r: r.line)],
    )


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    now = utc_now()
    report = run_connector(
        connector=CONNECTOR,
        sources=sources.resolve_sources(CONNECTOR, sources.ssm_parameter_reader()),
        fetch=lambda url: sources.fetch(url, bundled=SAMPLE),
        ingest=lambda payloads: ingest(payloads, _writer, _outbox, now),
        runs=_runs,
        describe=sources.describe,
        outbox=_outbox,
    )
    return report.as_dict()
