"""Lambda entry point of the `transit-siri-lite` connector (EventBridge Scheduler, every minute).

The alternative real-time source for networks that publish SIRI Lite StopMonitoring rather than
GTFS-Realtime. One or several URLs (typically one per monitored stop, `?MonitoringRef=...`): all
are fetched and parsed before anything is written; unchanged answers (same digest as the last
successful run) write nothing; otherwise the trips that changed are written, the ledger is
committed with one `RealtimeUpdated` event (on `poche.transit`) staged in the same transaction
(see `transit_gtfs_rt`), the run is recorded with the answer's age and the event is sent.
Standard library, boto3 and poche_common only: protobuf is never loaded here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import boto3

from poche_common import sources
from poche_common.clock import to_utc_iso, utc_now
from poche_common.connector import Outcome, RealtimeRunLog, run_realtime_connector, watch_freshness
from poche_common.errors import FeedFormatError
from poche_common.ledger import payload_digest
from poche_common.observability import logger, metrics
from poche_common.outbox import Outbox
from poche_common.settings import required

from .parser import ParsedFeed, merge_trips, parse_feed
from .store import CONNECTOR, SyncResult, TripWriter

SAMPLE = Path(__file__).parent / "sample" / "stop-monitoring.json"
FETCH_TIMEOUT_S = 10.0
STALE_AFTER_S = 65
MAX_IDS_IN_EVENT = 200


def _watch_freshness(shown: str, feed_timestamp: str | None, now: dt.datetime) -> int | None:
    return watch_freshness(
        shown, feed_timestamp, now, kind="SIRI", stamp="ResponseTimestamp", stale_after_s=STALE_AFTER_S
    )


def _parse_all(named: Sequence[tuple[str, bytes]], now: dt.datetime) -> list[ParsedFeed]:
    feeds = []
    for number, (shown, data) in enumerate(named, 1):
        try:
            feeds.append(parse_feed(data, received_at=now))
        except FeedFormatError as exc:
            raise FeedFormatError(f"Source {number}/{len(named)} ({shown}) : {exc}") from None
    return feeds


def _facts(result: SyncResult, feed_timestamp: str | None) -> dict[str, Any]:
    return {
        "connector": CONNECTOR,
        "feed_timestamp": feed_timestamp,
        "trips": {
            change: sum(1 for c in result.changes if c.change == change) for change in ("created", "updated", "deleted")
        },
        "cancelled_trip_ids": sorted(result.cancelled_trips)[:MAX_IDS_IN_EVENT],
        "truncated": len(result.cancelled_trips) > MAX_IDS_IN_EVENT,
    }


def ingest(
    named: Sequence[tuple[str, bytes]],
    *,
    writer: TripWriter,
    runs: RealtimeRunLog,
    outbox: Outbox,
    now: dt.datetime,
) -> Outcome:
    """`named`: (source as shown in logs, payload) in source order."""
    runs.extras = {}
    digest = payload_digest([data for _, data in named])
    state = runs.state() or {}
    if state.get("payload_digest") == digest:
        feed_timestamp = state.get("feed_timestamp")
        age = _watch_freshness(", ".join(shown for shown, _ in named), feed_timestamp, now)
        runs.extras = {"unchanged": True, "feed_timestamp": feed_timestamp, "feed_age_s": age}
        return Outcome()

    feeds = _parse_all(named, now)
    ages = [_watch_freshness(shown, feed.timestamp, now) for (shown, _), feed in zip(named, feeds, strict=True)]
    timestamps = [feed.timestamp for feed in feeds if feed.timestamp]
    feed_timestamp = min(timestamps) if timestamps else None
    result = writer.sync(
        merge_trips(feeds),
        [rejection for feed in feeds for rejection in feed.rejected],
        now_s=int(now.timestamp()),
        now_iso=to_utc_iso(now),
    )
    rejections = [
        {"source": number, **rejection.as_dict()} for number, feed in enumerate(feeds, 1) for rejection in feed.rejected
    ] + [rejection.as_dict() for rejection in result.rejected]
    known_ages = [age for age in ages if age is not None]
    runs.extras = {
        "feed_timestamp": feed_timestamp,
        "feed_age_s": max(known_ages) if known_ages else None,
        "refreshed": result.refreshed,
    }
    if known_ages:
        metrics.add_metric(name="FeedAgeSeconds", unit="Seconds", value=max(known_ages))
    staged = [outbox.prepare("RealtimeUpdated", _facts(result, feed_timestamp), ready=True)] if result.changes else []
    writer.commit(result, digest, feed_timestamp, staged)
    return Outcome(
        read=sum(feed.visits for feed in feeds),
        changed=len(result.changes),
        rejected=len(rejections),
        rejections=rejections,
    )


# ---------------------------------------------------------------- Lambda wiring (cold start)

_dynamodb = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_writer = TripWriter(_dynamodb, _table)
_runs = RealtimeRunLog(_dynamodb, _table, CONNECTOR)
_outbox = Outbox(_dynamodb, _table, producer=CONNECTOR, source="poche.transit", bus_name=required("EVENT_BUS_NAME"))
_clock: Callable[[], dt.datetime] = utc_now


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    urls = sources.resolve_sources(CONNECTOR, sources.ssm_parameter_reader())
    return run_realtime_connector(
        connector=CONNECTOR,
        sources=urls,
        fetch=lambda url: sources.fetch(url, bundled=SAMPLE, timeout=FETCH_TIMEOUT_S),
        ingest=lambda named: ingest(named, writer=_writer, runs=_runs, outbox=_outbox, now=_clock()),
        runs=_runs,
        describe=sources.describe,
        outbox=_outbox,
    )
