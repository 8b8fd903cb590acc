"""Lambda entry point of the `agenda-cinema` connector (EventBridge Scheduler, hourly).

Source: URL(s) of cinema sessions CSV files in the format of `FORMAT.md`, comma-separated, or `bundled`
(`sample/seances.csv`). Cinemas and sessions go to the agenda table (layout in `store.py`); one `SessionsUpdated`
event on the bus says which cinemas and days changed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import boto3

from poche_common import sources
from poche_common.clock import utc_now
from poche_common.connector import Outcome, RunLog, run_connector
from poche_common.observability import logger, metrics
from poche_common.outbox import Outbox
from poche_common.settings import required

from .parser import Cinema, parse_feed
from .store import CinemaWriter, SyncResult

CONNECTOR = "agenda-cinema"
SAMPLE = Path(__file__).with_name("sample") / "seances.csv"

_dynamodb = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_writer = CinemaWriter(_dynamodb, _table)
_runs = RunLog(_dynamodb, _table, CONNECTOR)
_outbox = Outbox(_dynamodb, _table, producer=CONNECTOR, source="poche.agenda", bus_name=required("EVENT_BUS_NAME"))


def fetch_source(url: str) -> bytes:
    return sources.fetch(url, bundled=SAMPLE, max_bytes=5 * 1024 * 1024)


def ingest(payloads: list[bytes], writer: CinemaWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    """Parse every file (all must parse before anything is written), stage the event announcing the changes in the
    outbox, write them (the runtime sends the event)."""
    feeds = [parse_feed(data) for data in payloads]
    outcome = Outcome()
    cinemas: dict[str, Cinema] = {}
    for number, feed in enumerate(feeds, start=1):
        outcome.read += feed.read
        outcome.rejected += len(feed.rejected)
        prefix = {"source": number} if len(feeds) > 1 else {}
        outcome.rejections += [{**prefix, "line": line, "reason": reason} for line, reason in feed.rejected]
        cinemas.update(feed.cinemas)
    unsure = set().union(*(feed.unsure_days for feed in feeds))

    def announce(result: SyncResult) -> None:
        if result.days:
            outbox.stage(
                "SessionsUpdated",
                {
                    "connector": CONNECTOR,
                    "cinema_ids": sorted(result.days),
                    "communes": sorted({cinemas[c].commune for c in result.days}),
                    "days": {cinema_id: sorted(days) for cinema_id, days in sorted(result.days.items())},
                },
            )

    result = writer.sync(cinemas, [s for feed in feeds for s in feed.sessions], now, unsure, before_write=announce)
    if result.past:
        logger.info("past sessions not stored", extra={"past": result.past})
    outcome.changed = result.changed
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
