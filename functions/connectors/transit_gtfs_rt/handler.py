"""Lambda entry point of the `transit-gtfs-rt` connector (EventBridge Scheduler, every minute).

One run: fetch every source URL (each may hold any mix of TripUpdates, VehiclePositions and
Alerts); unless the payloads are exactly those of the last successful run (then nothing is parsed
or written), parse them all (one unusable payload fails the run before anything is written), write
the items that changed or need their expiry pushed, then commit the ledger — its head in one
transaction with the `RealtimeUpdated` event (on `poche.transit`) announcing changes of trips and
alerts, staged in the table's outbox — and the payloads' digest, record the run with the feed's age
(`feed_age_s`; a warning past 65 s, as the national validator), and send the event. A run retried
after the bus refused its event finds the same payloads, parses nothing and sends the staged event:
the same id, once.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from poche_common import sources
from poche_common.clock import to_utc_iso, utc_now
from poche_common.connector import Outcome, RealtimeRunLog, run_realtime_connector, watch_freshness
from poche_common.errors import FeedFormatError
from poche_common.events import headline
from poche_common.ledger import payload_digest
from poche_common.observability import logger, metrics
from poche_common.outbox import Outbox
from poche_common.settings import optional_int, required

from .model import ParsedFeed
from .parser import parse_feed
from .store import CONNECTOR, RealtimeWriter, SyncResult

SAMPLE = Path(__file__).parent / "sample" / "mixed.pb"
FETCH_TIMEOUT_S = 10.0
STALE_AFTER_S = 65  # the national validator warns past 65 s
MAX_IDS_IN_EVENT = 200
MAX_REASONS_IN_ERROR = 3


def _watch_freshness(shown: str, feed_timestamp: str | None, now: dt.datetime) -> int | None:
    return watch_freshness(
        shown, feed_timestamp, now, kind="GTFS-RT", stamp="header timestamp", stale_after_s=STALE_AFTER_S
    )


def _parse_all(named: Sequence[tuple[str, bytes]], now: dt.datetime) -> list[ParsedFeed]:
    feeds = []
    for number, (shown, data) in enumerate(named, 1):
        try:
            feeds.append(parse_feed(data, received_at=now))
        except FeedFormatError as exc:
            raise FeedFormatError(f"Source {number}/{len(named)} ({shown}) : {exc}") from None
    entities = sum(f.entities - f.deleted for f in feeds)
    usable = sum(len(f.trips) + len(f.vehicles) + len(f.alerts) for f in feeds)
    if entities and not usable:
        reasons = "; ".join(r.reason for f in feeds for r in f.rejected[:MAX_REASONS_IN_ERROR])
        raise FeedFormatError(f"Aucune des {entities} entités du flux n'est exploitable. Premières erreurs : {reasons}")
    return feeds


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A large feed makes about a million small dicts and lists that live until the run ends and hold
    no reference cycles: the cyclic collector's repeated passes over them cost a third of the run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _facts(result: SyncResult, feed_timestamp: str | None, feeds: Sequence[ParsedFeed] = ()) -> dict[str, Any]:
    counts = {
        kind: {change: result.count(kind, change) for change in ("created", "updated", "deleted")}
        for kind in ("trip", "vehicle", "alert")
    }
    alerts = [{"alert_id": c.key[1].split("#", 2)[2], "change": c.change} for c in result.changes if c.kind == "alert"]
    informed = {a.alert_id: a.informed for feed in feeds for a in feed.alerts}
    headers = {a.alert_id: a.header for feed in feeds for a in feed.alerts}
    for entry in alerts[:MAX_IDS_IN_EVENT]:  # what the alert says (its header), for the notifications
        title = headline(headers.get(entry["alert_id"])) if entry["change"] != "deleted" else None
        if title:
            entry["title"] = title
    # The routes of each created or updated alert (notifications of `route/<route_id>` subscribers).
    routes = {
        entry["alert_id"]: sorted({i["route_id"] for i in informed.get(entry["alert_id"], []) if i.get("route_id")})
        for entry in alerts[:MAX_IDS_IN_EVENT]
        if entry["change"] != "deleted"
    }
    return {
        "connector": CONNECTOR,
        "feed_timestamp": feed_timestamp,
        "trips": counts["trip"],
        "vehicles": counts["vehicle"],
        "alerts": counts["alert"],
        "cancelled_trip_ids": sorted(result.cancelled_trips)[:MAX_IDS_IN_EVENT],
        "alert_changes": alerts[:MAX_IDS_IN_EVENT],
        "alert_routes": routes,
        "truncated": max(len(result.cancelled_trips), len(alerts)) > MAX_IDS_IN_EVENT,
    }


def ingest(
    named: Sequence[tuple[str, bytes]],
    *,
    writer: RealtimeWriter,
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
        if age is not None:
            metrics.add_metric(name="FeedAgeSeconds", unit="Seconds", value=age)
        return Outcome()

    with _cyclic_gc_paused():
        feeds = _parse_all(named, now)
        ages = [_watch_freshness(shown, feed.timestamp, now) for (shown, _), feed in zip(named, feeds, strict=True)]
        timestamps = [feed.timestamp for feed in feeds if feed.timestamp]
        feed_timestamp = min(timestamps) if timestamps else None
        result = writer.sync(
            feeds,
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
    staged = []
    if any(change.kind != "vehicle" for change in result.changes):  # vehicles move every minute: not news
        staged.append(outbox.prepare("RealtimeUpdated", _facts(result, feed_timestamp, feeds), ready=True))
    writer.commit(result, digest, feed_timestamp, staged)
    return Outcome(
        read=sum(feed.entities for feed in feeds),
        changed=len(result.changes),
        rejected=len(rejections),
        rejections=rejections,
    )


# ---------------------------------------------------------------- Lambda wiring (cold start)

# Items are built in DynamoDB's wire format by store.py and checked by DynamoDB itself: botocore's
# client-side validation of a first run's 5,000 nested items would cost about a second.
_dynamodb = boto3.client(
    "dynamodb", config=Config(parameter_validation=False, max_pool_connections=16, retries={"mode": "standard"})
)
_table = required("TABLE_NAME")
_writer = RealtimeWriter(_dynamodb, _table, write_threads=optional_int("WRITE_THREADS", 4))
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
