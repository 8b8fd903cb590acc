"""The life of one connector run, the same for every connector.

fetch (bounded) -> parse and validate -> diff against what is stored -> stage the event describing the
changes in the table's outbox -> write the changes -> confirm the event -> record the run -> send what
the outbox holds. A source that cannot be used at all (`FeedError`) changes nothing stored: the run is
recorded as failed, logged once with its reason and counted in the `ConnectorRunFailed` metric, which
the stack alarms on. Any other exception is a bug or an AWS outage: it propagates so that Lambda
retries and, at last, the invocation lands in the function's dead-letter queue.

Events (`poche_common.outbox`): `ingest` stages them through the `Outbox` given to `run_connector`, in
its store's `before_write` hook, so that an event exists before any data it describes; the runtime
confirms them once `ingest` returned, discards them on `FeedError`, and at the end of every run
(succeeded or failed) flushes the table's outbox: this run's events and any a previous run of the
domain still owes. Events the bus refuses stay staged; the run, already recorded, then raises
`EventsNotSentError` so that Lambda retries soon (the retry finds nothing to write and sends them).

Wiring (every connector's handler): `connect` builds what a run uses (the DynamoDB client, the domain table, the
RunLog, the Outbox and the connector's own store over them), called by the handler's `wiring.Provider` on first
use, never at import; `run_scheduled` (`run_scheduled_realtime`) then runs the connector over its configured
sources (the SSM parameter in AWS, `POCHE_SOURCE_<NAME>` locally) and returns the run's report. `scheduled_handler`
(`realtime.realtime_handler`) is the whole Lambda handler over them:

    dependencies = Provider(lambda: connect(CONNECTOR, "poche.canteen", Stores))
    handler = scheduled_handler(dependencies, ingest, sample=SAMPLE, clock=lambda: utc_now())
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

from .clock import to_utc_iso, utc_now
from .dynamo import from_item, query_all, to_item
from .errors import FeedError
from .feeds import STATE_SK, state_pk
from .observability import logger, metrics
from .outbox import Outbox
from .settings import optional_int, required

if TYPE_CHECKING:
    from pathlib import Path

    from .wiring import Provider

RUN_HISTORY_DAYS = 30
MAX_REJECTIONS_KEPT = 50


class EventsNotSentError(RuntimeError):
    """Events staged in the outbox that the bus refused: they stay staged, the next run sends them."""


@dataclass
class Outcome:
    """What ingesting one fetched feed did."""

    read: int = 0
    changed: int = 0
    rejected: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)  # [{"line": 12, "reason": "..."}]

    def add(self, read: int, rejections: list[dict[str, Any]]) -> None:
        """Count one parsed source: the rows (records, items) it had and the ones it rejected, with their reasons."""
        self.read += read
        self.rejected += len(rejections)
        self.rejections += rejections


@dataclass
class RunReport:
    connector: str
    status: str  # "succeeded" | "failed"
    started_at: str
    finished_at: str
    sources: list[str]
    read: int = 0
    changed: int = 0
    rejected: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class RunLog:
    """A connector's state and run history, kept in its domain's table.

    `FEED#<connector> / STATE` holds `fetched_at` (the `as_of` of the data: the last time the
    source was read successfully) and the last run; `FEED#<connector> / RUN#<started_at>` keeps
    each run for `RUN_HISTORY_DAYS` days (environment variable of the same name; a connector that
    runs every minute keeps fewer days: 1,440 runs a day).
    """

    def __init__(self, client: Any, table: str, connector: str, history_days: int | None = None) -> None:
        self.history_days = history_days or optional_int("RUN_HISTORY_DAYS", RUN_HISTORY_DAYS)
        self.client = client
        self.table = table
        self.connector = connector
        self.pk = state_pk(connector)

    def state(self) -> dict[str, Any] | None:
        response = self.client.get_item(TableName=self.table, Key=to_item({"pk": self.pk, "sk": STATE_SK}))
        return from_item(response["Item"]) if "Item" in response else None

    def last_started(self) -> str:
        """`started_at` of the last run recorded ("" before the first): the base of the run's event ids, the same
        for a run redone after a crash (it recorded nothing), another after any recorded run."""
        response = self.client.get_item(
            TableName=self.table,
            Key=to_item({"pk": self.pk, "sk": STATE_SK}),
            ConsistentRead=True,
            ProjectionExpression="#last",
            ExpressionAttributeNames={"#last": "last_run"},
        )
        last = from_item(response.get("Item") or {}).get("last_run") or {}
        return str(last.get("started_at") or "")

    def record(self, report: RunReport) -> None:
        expires = dt.datetime.fromisoformat(report.started_at) + dt.timedelta(days=self.history_days)
        unique = f"{report.started_at}#{uuid.uuid4().hex[:8]}"  # two runs may start in the same second
        run = {"pk": self.pk, "sk": f"RUN#{unique}", "expires_at": int(expires.timestamp())}
        run.update(report.as_dict())
        self.client.put_item(TableName=self.table, Item=to_item(run))
        names = {"#last": "last_run"}
        values: dict[str, Any] = {":last": report.as_dict()}
        expression = "SET #last = :last"
        if report.status == "succeeded":
            names["#fetched"] = "fetched_at"
            values[":fetched"] = report.finished_at
            expression += ", #fetched = :fetched"
        self.client.update_item(
            TableName=self.table,
            Key=to_item({"pk": self.pk, "sk": STATE_SK}),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_item(values),
        )


def run_connector(
    *,
    connector: str,
    sources: list[str],
    fetch: Callable[[str], bytes],
    ingest: Callable[[list[bytes]], Outcome],
    runs: RunLog,
    describe: Callable[[str], str] = lambda url: url,
    outbox: Outbox | None = None,
) -> RunReport:
    """Run one connector once and record it, then send the events its outbox holds; see the module docstring."""
    metrics.add_dimension(name="connector", value=connector)
    started = to_utc_iso(utc_now())
    shown_sources = [describe(url) for url in sources]
    if outbox is not None:
        outbox.begin(base=runs.last_started)
    try:
        payloads = [fetch(url) for url in sources]
        outcome = ingest(payloads)
    except FeedError as exc:
        if outbox is not None:
            outbox.discard()
        report = RunReport(connector, "failed", started, to_utc_iso(utc_now()), shown_sources, error=str(exc))
        logger.error("connector run failed: source unusable, stored data kept", extra={"report": report.as_dict()})
        metrics.add_metric(name="ConnectorRunFailed", unit="Count", value=1)
        runs.record(report)
        send_staged(outbox)
        return report
    if outbox is not None:
        outbox.confirm()
    report = RunReport(
        connector,
        "succeeded",
        started,
        to_utc_iso(utc_now()),
        shown_sources,
        read=outcome.read,
        changed=outcome.changed,
        rejected=outcome.rejected,
        rejections=outcome.rejections[:MAX_REJECTIONS_KEPT],
    )
    if outcome.rejected:
        logger.warning(
            "rows rejected",
            extra={"rejected": outcome.rejected, "first": outcome.rejections[:MAX_REJECTIONS_KEPT]},
        )
    logger.info("connector run succeeded", extra={"read": outcome.read, "changed": outcome.changed})
    metrics.add_metric(name="ConnectorRunFailed", unit="Count", value=0)
    metrics.add_metric(name="RowsRead", unit="Count", value=outcome.read)
    metrics.add_metric(name="RowsRejected", unit="Count", value=outcome.rejected)
    metrics.add_metric(name="ItemsChanged", unit="Count", value=outcome.changed)
    runs.record(report)
    send_staged(outbox)
    return report


def send_staged(outbox: Outbox | None) -> None:
    """Flush the table's outbox; raise `EventsNotSentError` (after logging once) for events the bus refused."""
    if outbox is None:
        return
    result = outbox.flush()
    metrics.add_metric(name="EventsSent", unit="Count", value=len(result.sent))
    if result.waiting:
        logger.info(
            "events of a run that may still be alive: sent once its grace ends", extra={"waiting": result.waiting}
        )
    if result.failed:
        metrics.add_metric(name="EventsNotSent", unit="Count", value=len(result.failed))
        logger.error(
            "events refused by the bus: kept in the outbox for the next run",
            extra={"events": len(result.failed), "errors": sorted(set(result.failed.values()))},
        )
        raise EventsNotSentError(f"{len(result.failed)} event(s) refused by the bus, kept in the outbox")


# ---------------------------------------------------------------- real-time feeds (runs every minute)


@dataclass
class RealtimeRunReport(RunReport):
    """A run of a real-time connector: the RunReport, with the feed's freshness."""

    feed_timestamp: str | None = None  # oldest timestamp the sources gave for their data
    feed_age_s: int | None = None  # how old that was when the run started
    unchanged: bool = False  # same payloads as the last successful run: not parsed, nothing written
    refreshed: int = 0  # unchanged items put again to keep them from expiring


class RealtimeRunLog(RunLog):
    """The RunLog, with the feed's freshness in every recorded run.

    `ingest` sets `extras` (fields of `RealtimeRunReport`); a succeeded run is recorded with them.
    `last` is the report last recorded, extras included.
    """

    def __init__(self, client: Any, table: str, connector: str) -> None:
        super().__init__(client, table, connector)
        self.extras: dict[str, Any] = {}
        self.last: RunReport | None = None

    def record(self, report: RunReport) -> None:
        extras, self.extras = self.extras, {}
        if extras and report.status == "succeeded":
            report = RealtimeRunReport(**report.as_dict(), **extras)
        self.last = report
        super().record(report)

    def recorded(self, report: RunReport) -> RunReport:
        """`report` as recorded (with its extras) when it was the last one recorded, else `report`."""
        return self.last if self.last is not None and self.last.started_at == report.started_at else report


def run_realtime_connector(
    *,
    connector: str,
    sources: list[str],
    fetch: Callable[[str], bytes],
    ingest: Callable[[list[tuple[str, bytes]]], Outcome],
    runs: RealtimeRunLog,
    describe: Callable[[str], str] = lambda url: url,
    outbox: Outbox | None = None,
) -> dict[str, Any]:
    """`run_connector` for a real-time connector: `ingest` gets (source as shown in logs, payload)
    in source order; returns the run's report as recorded, freshness included."""
    shown = [describe(url) for url in sources]
    report = run_connector(
        connector=connector,
        sources=sources,
        fetch=fetch,
        ingest=lambda payloads: ingest(list(zip(shown, payloads, strict=True))),
        runs=runs,
        describe=describe,
        outbox=outbox,
    )
    return runs.recorded(report).as_dict()


def watch_freshness(
    shown: str, feed_timestamp: str | None, now: dt.datetime, *, kind: str, stamp: str, stale_after_s: int
) -> int | None:
    """The age in seconds of a real-time feed by its own timestamp (None when it has none), warning once when it
    is unknown, stale (older than `stale_after_s`) or in the future. `kind` and `stamp` name them for people
    ("GTFS-RT", "header timestamp")."""
    if feed_timestamp is None:
        logger.warning(f"{kind} {stamp} missing: freshness unknown", extra={"source": shown})
        return None
    age = int((now - dt.datetime.fromisoformat(feed_timestamp)).total_seconds())
    if age > stale_after_s:
        logger.warning(
            f"{kind} feed is stale ({stamp} older than {stale_after_s} s)",
            extra={"source": shown, "feed_timestamp": feed_timestamp, "feed_age_s": age},
        )
    elif age < -stale_after_s:
        logger.warning(
            f"{kind} {stamp} is in the future (a producer's clock or time zone error)",
            extra={"source": shown, "feed_timestamp": feed_timestamp, "feed_age_s": age},
        )
    return age


# ---------------------------------------------------------------- wiring: what a handler builds on first use

S = TypeVar("S")


@dataclass
class Connection(Generic[S]):
    """What every run of one connector uses, built once per execution environment by `connect`."""

    connector: str
    client: Any  # boto3's low-level DynamoDB client
    table: str  # the domain's table
    runs: RunLog
    outbox: Outbox
    store: S  # the connector's own writer(s), over the same client and table

    @property
    def realtime_runs(self) -> RealtimeRunLog:
        if not isinstance(self.runs, RealtimeRunLog):
            raise TypeError(f"{self.connector} was not connected as a real-time connector")
        return self.runs


WR = TypeVar("WR")
PR = TypeVar("PR")


@dataclass
class TiledStores(Generic[WR, PR]):
    """A connector's store when a run writes its items (`writer`), then the tile projections of what changed
    (`projector`), both over one client and table. A subclass names their classes (`writer_type`, `projector_type`);
    `over` is the `store` given to `connect`."""

    writer: WR
    projector: PR

    writer_type: ClassVar[type[Any]]  # (client, table) -> WR
    projector_type: ClassVar[type[Any]]  # (client, table) -> PR

    @classmethod
    def over(cls, client: Any, table: str) -> Self:
        return cls(cls.writer_type(client, table), cls.projector_type(client, table))


def connect(
    connector: str,
    source: str,
    store: Callable[[Any, str], S],
    *,
    realtime: bool = False,
    client_config: Any = None,
) -> Connection[S]:
    """The client (with botocore `client_config` if given), the table (`TABLE_NAME`), the run log (a
    `RealtimeRunLog` for a `realtime` connector), the outbox of events on `source` (bus `EVENT_BUS_NAME`) and
    `store(client, table)`. For a handler's `wiring.Provider`: it reads the environment and builds clients."""
    import boto3

    client = boto3.client("dynamodb", config=client_config)
    table = required("TABLE_NAME")
    runs = RealtimeRunLog(client, table, connector) if realtime else RunLog(client, table, connector)
    outbox = Outbox(client, table, producer=connector, source=source, bus_name=required("EVENT_BUS_NAME"))
    return Connection(connector, client, table, runs, outbox, store(client, table))


def partition_keys(client: Any, table: str, pk: str) -> set[str]:
    """The sort keys of every item of one partition (a store replacing or deleting a whole entity)."""
    found = query_all(
        client,
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues=to_item({":pk": pk}),
        ProjectionExpression="sk",
    )
    return {item["sk"]["S"] for item in found}


def configured_sources(connector: str) -> list[str]:
    """The connector's source URLs: its SSM parameter in AWS, `POCHE_SOURCE_<NAME>` locally."""
    from . import sources

    return sources.resolve_sources(connector, sources.ssm_parameter_reader())


def run_scheduled(
    connection: Connection[Any],
    *,
    fetch: Callable[[str], bytes],
    ingest: Callable[[list[bytes]], Outcome],
    describe: Callable[[str], str] | None = None,
    entries: list[str] | None = None,
) -> dict[str, Any]:
    """`run_connector` over the configured sources (or `entries`), with the connection's run log and outbox; the
    run's report. `describe` shows a source in logs and reports (default `sources.describe`: no credentials)."""
    from . import sources

    report = run_connector(
        connector=connection.connector,
        sources=configured_sources(connection.connector) if entries is None else entries,
        fetch=fetch,
        ingest=ingest,
        runs=connection.runs,
        describe=describe or sources.describe,
        outbox=connection.outbox,
    )
    return report.as_dict()


def run_scheduled_realtime(
    connection: Connection[Any],
    *,
    fetch: Callable[[str], bytes],
    ingest: Callable[[list[tuple[str, bytes]]], Outcome],
) -> dict[str, Any]:
    """`run_realtime_connector` over the configured sources; the run's report as recorded, freshness included."""
    from . import sources

    return run_realtime_connector(
        connector=connection.connector,
        sources=configured_sources(connection.connector),
        fetch=fetch,
        ingest=ingest,
        runs=connection.realtime_runs,
        describe=sources.describe,
        outbox=connection.outbox,
    )


Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def source_fetch(
    sample: Path | None,
    fetch: Callable[[str], bytes] | None = None,
    *,
    max_bytes: int | None = None,
    timeout: float | None = None,
) -> Callable[[str], bytes]:
    """`fetch`, or `sources.fetch` of one source (`bundled`: `sample`) with the connector's `max_bytes` and
    `timeout` when it has its own (else the house defaults)."""
    if fetch is not None:
        return fetch
    if sample is None:
        raise TypeError("a connector fetches with its own `fetch` or its bundled `sample`")
    bundled = sample
    limits: dict[str, Any] = {"max_bytes": max_bytes, "timeout": timeout}
    options = {name: value for name, value in limits.items() if value is not None}

    def fetch_one(url: str) -> bytes:
        from . import sources

        return sources.fetch(url, bundled=bundled, **options)

    return fetch_one


def lambda_handler(run: Callable[[], dict[str, Any]]) -> Handler:
    """A connector's Lambda handler: `run()` with the invocation's context in every log line and its metrics
    flushed when it ends."""

    @logger.inject_lambda_context()
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return run()

    return handler


def scheduled_handler(
    dependencies: Provider[Connection[S]],
    ingest: Callable[[list[bytes], S, Outbox, dt.datetime], Outcome],
    *,
    clock: Callable[[], dt.datetime],
    sample: Path | None = None,
    fetch: Callable[[str], bytes] | None = None,
    max_bytes: int | None = None,
    timeout: float | None = None,
) -> Handler:
    """The Lambda handler of a scheduled connector: `run_scheduled` over its connection (`dependencies.get()`),
    fetching each source with `source_fetch(sample, fetch, ...)`, then `ingest(payloads, store, outbox, clock())`.
    `clock` is read when the payloads are ingested (a handler passes `lambda: utc_now()`, which tests replace)."""
    fetch_one = source_fetch(sample, fetch, max_bytes=max_bytes, timeout=timeout)

    def run() -> dict[str, Any]:
        deps = dependencies.get()
        return run_scheduled(
            deps, fetch=fetch_one, ingest=lambda payloads: ingest(payloads, deps.store, deps.outbox, clock())
        )

    return lambda_handler(run)
