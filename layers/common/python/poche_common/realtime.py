"""One run of a real-time connector (a run a minute), the same for every format: `RealtimeIngest`.

Given the run's payloads, (source as shown in logs, bytes) in source order:
- unless they are exactly those of the last successful run (`ledger.payload_digest` against `STATE`: then nothing
  is parsed nor written, the run records the feed's age as last known), parse them all (one unusable payload
  fails the run before anything is written: `FeedFormatError` naming its source);
- watch each feed's age by its own timestamp (`connector.watch_freshness`: a warning past `stale_after_s`);
- `sync` the items (the connector's writer: only what changed, or needs its expiry pushed), prepare the events
  announcing the changes (`events`, `Outbox.prepare(..., ready=True)`), and `commit` the ledger with them and the
  payloads' digest (`ledger.write_ledger`: the event exists exactly when the diff base has moved on);
- give the run log the feed's freshness (`RealtimeRunLog.extras`) and the `FeedAgeSeconds` metric.

A connector subclasses `RealtimeIngest` with its format (`parse`, `entities`), its writer (`sync`; a `LedgerWriter`
that `commit`s) and its events (`events`); see `transit_gtfs_rt` and `transit_siri_lite`. `realtime_handler` is its
Lambda handler.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from .clock import to_utc_iso
from .connector import (
    Connection,
    Handler,
    Outcome,
    RealtimeRunLog,
    lambda_handler,
    run_scheduled_realtime,
    source_fetch,
    watch_freshness,
)
from .dynamo import batch_write
from .errors import FeedFormatError
from .feeds import state_pk
from .ledger import Ledger, payload_digest, save_payload_state, write_ledger
from .observability import metrics
from .outbox import Outbox, StagedEvent

if TYPE_CHECKING:
    from pathlib import Path

    from .wiring import Provider


class _Rejection(Protocol):
    def as_dict(self) -> dict[str, Any]: ...


class ParsedRealtime(Protocol):
    """What a parsed real-time payload must tell."""

    @property
    def timestamp(self) -> str | None: ...  # UTC ISO, the feed's own timestamp

    @property
    def rejected(self) -> Sequence[_Rejection]: ...


class Written(Protocol):
    """What a writer's `sync` must tell."""

    @property
    def changes(self) -> Sequence[Any]: ...

    @property
    def refreshed(self) -> int: ...

    @property
    def rejected(self) -> Sequence[_Rejection]: ...  # found while writing (an item too big to store...)

    @property
    def ledger(self) -> list[dict[str, Any]]: ...  # the ledger chunk requests (`Ledger.requests`) for `commit`


class LedgerWriter:
    """The write side every real-time connector shares: the client and table, the ledger of what the previous run
    left (`FEED#<connector> / DIGESTS#<n>`, `poche_common.ledger`), how a list of BatchWriteItem requests is written
    (`write`: `batch_write`, a writer may write in threads) and the run's `commit`."""

    def __init__(self, client: Any, table: str, connector: str) -> None:
        self.client = client
        self.table = table
        self.feed_pk = state_pk(connector)
        self.ledger = Ledger(client, table, self.feed_pk)

    def write(self, requests: list[dict[str, Any]]) -> None:
        batch_write(self.client, self.table, requests)

    def commit(
        self, result: Written, payload: str, feed_timestamp: str | None, events: Sequence[StagedEvent] = ()
    ) -> None:
        """After the items (`sync`): the ledger that describes them with the run's `events` staged in the outbox
        (`poche_common.ledger.write_ledger`), then the payloads' digest (the same payloads next time are not even
        parsed)."""
        write_ledger(self.client, self.table, result.ledger, events, write=self.write)
        save_payload_state(self.client, self.table, self.feed_pk, payload, feed_timestamp)


F = TypeVar("F", bound=ParsedRealtime)
W = TypeVar("W", bound=Written)
S = TypeVar("S", bound=LedgerWriter)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """A large feed makes about a million small dicts and lists that live until the run ends and hold no reference
    cycles: the cyclic collector's repeated passes over them cost a third of the run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class RealtimeIngest(Generic[F, W, S]):
    """The `ingest` of a real-time connector's run (module docstring) over its `writer` and `outbox`; `kind` and
    `stamp` name the format and its timestamp for people ("GTFS-RT", "header timestamp")."""

    kind = ""
    stamp = ""
    stale_after_s = 65  # the national validator warns past 65 s

    def __init__(self, writer: S, outbox: Outbox) -> None:
        self.writer = writer
        self.outbox = outbox

    # ------------------------------------------------------------ what a connector defines
    def parse(self, data: bytes, now: dt.datetime) -> F:
        raise NotImplementedError

    def check(self, feeds: list[F]) -> None:
        """Refuse payloads that parse but say nothing usable (`FeedFormatError`); by default all are accepted."""

    def entities(self, feed: F) -> int:
        """How many things the feed holds (the run's `read`)."""
        raise NotImplementedError

    def sync(self, feeds: list[F], now_s: int, now_iso: str) -> W:
        """Write the items that changed or need their expiry pushed (not the ledger: `commit`)."""
        raise NotImplementedError

    def events(self, result: W, feed_timestamp: str | None, feeds: list[F]) -> list[StagedEvent]:
        """The events announcing `result` (`Outbox.prepare(..., ready=True)`), staged by `commit`."""
        raise NotImplementedError

    def commit(self, result: W, digest: str, feed_timestamp: str | None, events: list[StagedEvent]) -> None:
        """The ledger of `result` with `events`, then the payloads' `digest` (the writer's `LedgerWriter.commit`)."""
        self.writer.commit(result, digest, feed_timestamp, events)

    # ------------------------------------------------------------ the run
    def watch(self, shown: str, feed_timestamp: str | None, now: dt.datetime) -> int | None:
        return watch_freshness(
            shown, feed_timestamp, now, kind=self.kind, stamp=self.stamp, stale_after_s=self.stale_after_s
        )

    def parse_all(self, named: Sequence[tuple[str, bytes]], now: dt.datetime) -> list[F]:
        feeds = []
        for number, (shown, data) in enumerate(named, 1):
            try:
                feeds.append(self.parse(data, now))
            except FeedFormatError as exc:
                raise FeedFormatError(f"Source {number}/{len(named)} ({shown}) : {exc}") from None
        self.check(feeds)
        return feeds

    def __call__(self, named: Sequence[tuple[str, bytes]], *, runs: RealtimeRunLog, now: dt.datetime) -> Outcome:
        """`named`: (source as shown in logs, payload) in source order."""
        runs.extras = {}
        digest = payload_digest([data for _, data in named])
        state = runs.state() or {}
        if state.get("payload_digest") == digest:
            feed_timestamp = state.get("feed_timestamp")
            age = self.watch(", ".join(shown for shown, _ in named), feed_timestamp, now)
            runs.extras = {"unchanged": True, "feed_timestamp": feed_timestamp, "feed_age_s": age}
            if age is not None:
                metrics.add_metric(name="FeedAgeSeconds", unit="Seconds", value=age)
            return Outcome()

        with cyclic_gc_paused():
            feeds = self.parse_all(named, now)
            ages = [self.watch(shown, feed.timestamp, now) for (shown, _), feed in zip(named, feeds, strict=True)]
            timestamps = [feed.timestamp for feed in feeds if feed.timestamp]
            feed_timestamp = min(timestamps) if timestamps else None
            result = self.sync(feeds, int(now.timestamp()), to_utc_iso(now))
        rejections = [
            {"source": number, **rejection.as_dict()}
            for number, feed in enumerate(feeds, 1)
            for rejection in feed.rejected
        ] + [rejection.as_dict() for rejection in result.rejected]
        known_ages = [age for age in ages if age is not None]
        runs.extras = {
            "feed_timestamp": feed_timestamp,
            "feed_age_s": max(known_ages) if known_ages else None,
            "refreshed": result.refreshed,
        }
        if known_ages:
            metrics.add_metric(name="FeedAgeSeconds", unit="Seconds", value=max(known_ages))
        self.commit(result, digest, feed_timestamp, self.events(result, feed_timestamp, feeds))
        return Outcome(
            read=sum(self.entities(feed) for feed in feeds),
            changed=len(result.changes),
            rejected=len(rejections),
            rejections=rejections,
        )


def realtime_handler(
    dependencies: Provider[Connection[S]],
    ingest: Callable[[S, Outbox], RealtimeIngest[Any, Any, S]],
    *,
    clock: Callable[[], dt.datetime],
    sample: Path,
    timeout: float | None = None,
) -> Handler:
    """The Lambda handler of a real-time connector: `run_scheduled_realtime` over its connection
    (`dependencies.get()`, connected with `realtime=True`), each source fetched with `sources.fetch` (`bundled`:
    `sample`), then `ingest(store, outbox)` over the named payloads with `clock()` read at that time (a handler passes
    `lambda: utc_now()`, which tests replace)."""
    fetch_one = source_fetch(sample, timeout=timeout)

    def run() -> dict[str, Any]:
        deps = dependencies.get()
        return run_scheduled_realtime(
            deps,
            fetch=fetch_one,
            ingest=lambda named: ingest(deps.store, deps.outbox)(named, runs=deps.realtime_runs, now=clock()),
        )

    return lambda_handler(run)
