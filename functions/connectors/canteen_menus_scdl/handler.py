"""Lambda entry point of the `canteen-menus-scdl` connector (EventBridge Scheduler, daily).

A run that changed something also rewrites the home screen's `canteen-menu` tile projections of every canteen
of its feeds (`tiles.py`), after the data writes and before the run is recorded."""

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

from .parser import parse_feed
from .store import Change, MenuWriter, canteen_item
from .tiles import MenuProjector

CONNECTOR = "canteen-menus-scdl"
SAMPLE = Path(__file__).parent / "sample" / "menus-collectifs.csv"
MAX_CHANGES_IN_EVENT = 500

_dynamodb = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_writer = MenuWriter(_dynamodb, _table)
_projector = MenuProjector(_dynamodb, _table)
_runs = RunLog(_dynamodb, _table, CONNECTOR)
_outbox = Outbox(_dynamodb, _table, producer=CONNECTOR, source="poche.canteen", bus_name=required("EVENT_BUS_NAME"))


def ingest(
    payloads: list[bytes], writer: MenuWriter, outbox: Outbox, projector: MenuProjector, now: dt.datetime
) -> Outcome:
    """Parse every file (all must parse before anything is written); per file, stage the event announcing its
    changes, then write them; then, if anything changed, rewrite the tile projections of every canteen of the
    feeds. The runtime sends the events."""
    feeds = [parse_feed(data) for data in payloads]
    outcome = Outcome()
    profiles: dict[str, dict[str, Any]] = {}
    for feed in feeds:
        profiles.update({canteen_id: canteen_item(canteen) for canteen_id, canteen in feed.canteens.items()})
        changes = writer.sync(feed, before_write=lambda changes: announce(outbox, changes))
        outcome.read += feed.rows_read
        outcome.rejected += len(feed.rejected)
        outcome.rejections += [{"line": r.line, "reason": r.reason} for r in feed.rejected]
        outcome.changed += len(changes)
    if outcome.changed:
        projector.project(profiles, now)
    return outcome


def announce(outbox: Outbox, changes: list[Change]) -> None:
    if changes:
        facts = [c.as_fact() for c in changes]
        outbox.stage(
            "MenusUpdated",
            {
                "connector": CONNECTOR,
                "canteen_ids": sorted({c.canteen_id for c in changes}),
                "dates": sorted({c.date for c in changes if c.date}),
                "changes": facts[:MAX_CHANGES_IN_EVENT],
                "truncated": len(facts) > MAX_CHANGES_IN_EVENT,
            },
        )


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = run_connector(
        connector=CONNECTOR,
        sources=sources.resolve_sources(CONNECTOR, sources.ssm_parameter_reader()),
        fetch=lambda url: sources.fetch(url, bundled=SAMPLE),
        ingest=lambda payloads: ingest(payloads, _writer, _outbox, _projector, utc_now()),
        runs=_runs,
        describe=sources.describe,
        outbox=_outbox,
    )
    return report.as_dict()
