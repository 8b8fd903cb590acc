"""Ingest benchmark of the `transit-gtfs-rt` connector: a 5,000-entity GTFS-RT feed, in-process.

    .venv/bin/python bench/transit_rt.py [--store fake|moto|both] [--fake http|client] [--entities 5000]
                                         [--stops 20] [--alerts 20] [--repeat 3] [--threads 1]
                                         [--json .bench/transit_rt.json]

Generates a GTFS-Realtime feed with the official bindings (half TripUpdates with ~20
stop_time_updates each, half VehiclePositions, a few Alerts), then calls the connector's Lambda
handler, as the scheduler does, three times:
1. first ingest (empty table): everything is written;
2. the same feed again: the payload digest matches, nothing is written;
3. the next minute's feed (new header timestamp, every vehicle moved, a tenth of the trips
   with new delays): what a live feed costs every minute.
Each measurement starts from an empty store and a fresh import of the handler (a cold container);
the figures are the median of --repeat measurements.

Storage (DynamoDB, EventBridge) is emulated in this process, by:
- `fake` (default): the in-memory fakes of bench/fakes.py. With `--fake http` (default) the
  handler's real boto3 client serializes, signs and parses every call and only its HTTP send is
  answered from memory; `--fake client` replaces the client (no serialization: a lower bound);
- `moto`: moto, as the integration tests do; it spends more time emulating than the connector
  spends working (about 2 s of a 3.5 s first ingest), so it says little about the connector;
- `both`: the two, one table each.
The emulator's own CPU time (`store s`) is measured around every answer and taken out: `own s`,
the handler's CPU time minus that, is the connector's own handler time (parse, diff, building the
items, botocore's work on the write calls) and the figure of the goal: first ingest under 2 s,
and a second run of the unchanged feed without any BatchWriteItem.

Threads: deployed, the handler sends its BatchWriteItem calls on 4 threads (WRITE_THREADS), which
overlap the network round trips of AWS. In this process the emulator answers them with CPU work
under the GIL, so threads only add contention (about +1.5 s on a first ingest against moto on 2
cores): the benchmark runs the handler with WRITE_THREADS=1 unless --threads says otherwise.

A report, not a test: exits 0 even when a goal is missed.
"""

from __future__ import annotations

import argparse
import calendar
import collections
import contextlib
import datetime as dt
import functools
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions/connectors"), str(ROOT / "layers/common/python")]
sys.path.append(str(ROOT))  # last: only `bench` (the fakes) is imported from there

GOAL_FIRST_S = 2.0
TABLE = "poche-bench-transit"
BUS = "poche-bench"
REGION = "eu-west-3"
FEED_TIME = calendar.timegm((2026, 11, 30, 7, 30, 0))
WRITES = {"BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem"}
STORES = {"fake": ("fake",), "moto": ("moto",), "both": ("fake", "moto")}
TABLE_LAYOUT: dict[str, Any] = {  # the transit table of docs/transit-model.md
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [
        {"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": index,
            "KeySchema": [
                {"AttributeName": f"{prefix}pk", "KeyType": "HASH"},
                {"AttributeName": f"{prefix}sk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
        for index, prefix in (("by_cell", "gsi1"), ("by_list", "gsi2"))
    ],
}


def build_feed(*, entities: int, stops: int, alerts: int, minute: int = 0) -> bytes:
    """A deterministic mixed feed; `minute` > 0 moves every vehicle and re-times a tenth of the trips."""
    from google.transit import gtfs_realtime_pb2 as pb

    message = pb.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.incrementality = pb.FeedHeader.FULL_DATASET
    message.header.timestamp = FEED_TIME + 60 * minute
    trips = (entities - alerts) // 2
    vehicles = entities - alerts - trips
    for n in range(trips):
        entity = message.entity.add(id=f"tu-{n}")
        update = entity.trip_update
        route = 1 + n % 40
        update.trip.trip_id = f"{route}-sem-{n:05d}"
        update.trip.route_id = str(route)
        update.trip.start_date = "20261130"
        update.vehicle.id = f"v{n}"
        first = FEED_TIME - 600 + (n % 120) * 60
        delay = 30 * (n % 7) + (60 if minute and n % 10 == minute % 10 else 0)
        for stop in range(1, stops + 1):
            stu = update.stop_time_update.add(stop_sequence=stop, stop_id=f"stop-{(n * 7 + stop) % 1500:04d}")
            if n % 2:  # half the producers send absolute times, half delays
                stu.arrival.time = first + 120 * stop + delay
                stu.departure.time = first + 120 * stop + delay + 20
            else:
                stu.arrival.delay = delay + stop * (n % 3)
                stu.departure.delay = delay + stop * (n % 3)
    for n in range(vehicles):
        entity = message.entity.add(id=f"vp-{n}")
        vehicle = entity.vehicle
        route = 1 + n % 40
        vehicle.trip.trip_id = f"{route}-sem-{n:05d}"
        vehicle.trip.route_id = str(route)
        vehicle.vehicle.id = f"v{n}"
        vehicle.vehicle.label = f"Car {n}"
        vehicle.position.latitude = 48.2 + (n % 500) / 1000 + minute / 5000
        vehicle.position.longitude = -0.5 + (n // 500) / 10 + minute / 5000
        vehicle.position.bearing = float((n * 37) % 360)
        vehicle.position.speed = float(n % 20)
        vehicle.current_status = pb.VehiclePosition.IN_TRANSIT_TO
        vehicle.stop_id = f"stop-{n % 1500:04d}"
        vehicle.timestamp = FEED_TIME + 60 * minute - n % 30
    for n in range(alerts):
        entity = message.entity.add(id=f"alert-{n}")
        alert = entity.alert
        alert.active_period.add(start=FEED_TIME - 3600, end=FEED_TIME + 86400)
        alert.informed_entity.add(route_id=str(1 + n % 40))
        alert.cause = pb.Alert.CONSTRUCTION
        alert.effect = pb.Alert.DETOUR
        alert.header_text.translation.add(text=f"Ligne {1 + n % 40} : déviation", language="fr")
        alert.description_text.translation.add(text="Travaux : arrêts déplacés. " * 5, language="fr")
    return message.SerializeToString(deterministic=True)


RUNS = (("first ingest", 0, 0), ("same feed again", 0, 1), ("next minute's feed", 1, 2))  # (label, feed, minute)


@dataclass
class Hooks:
    """What a measurement reads from the store emulator, both counted since it started."""

    calls: Callable[[], dict[str, int]]  # DynamoDB calls by API operation (BatchWriteItem...)
    busy_s: Callable[[], float]  # CPU time the emulator spent answering


def _api_name(method: str) -> str:
    return "".join(word.capitalize() for word in method.split("_"))  # batch_write_item -> BatchWriteItem


@contextlib.contextmanager
def _fake_store(mode: str) -> Iterator[Hooks]:
    """bench/fakes.py installed into boto3 for the duration (clients made meanwhile answer from memory)."""
    import boto3.session

    from bench import fakes

    dynamodb = fakes.DynamoDB([fakes.TableSchema.from_description(TABLE, TABLE_LAYOUT)])
    backends: dict[str, fakes.Backend] = {"dynamodb": dynamodb, "events": fakes.EventBridge(), "ssm": fakes.SSM()}
    real_client = boto3.session.Session.client
    fakes.install(backends, mode)
    try:
        yield Hooks(
            calls=lambda: {_api_name(method): n for method, n in dynamodb.calls.items()},
            busy_s=lambda: sum(backend.busy_s for backend in backends.values()),
        )
    finally:
        boto3.session.Session.client = real_client


@contextlib.contextmanager
def _moto_store() -> Iterator[Hooks]:
    """A fresh moto account with the table and the bus; every request moto answers is timed and counted."""
    import boto3
    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    with mock_aws():
        boto3.client("dynamodb", region_name=REGION).create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST", **TABLE_LAYOUT
        )
        boto3.client("events", region_name=REGION).create_event_bus(Name=BUS)
        calls: collections.Counter[str] = collections.Counter()
        busy = {"s": 0.0}
        lock = threading.Lock()
        real_call = BotocoreStubber.__call__

        def timed_call(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
            # CPU time of this thread: with the writer's threads, wall-clock spans would overlap
            begin = time.thread_time()
            try:
                return real_call(self, event_name, request, **kwargs)
            finally:
                _, service, operation = event_name.split(".", 2)  # before-send.dynamodb.BatchWriteItem
                with lock:
                    busy["s"] += time.thread_time() - begin
                    if service == "dynamodb":
                        calls[operation] += 1

        BotocoreStubber.__call__ = timed_call  # type: ignore[method-assign]
        try:
            yield Hooks(calls=lambda: dict(calls), busy_s=lambda: busy["s"])
        finally:
            BotocoreStubber.__call__ = real_call  # type: ignore[method-assign]


def measure(feeds: list[bytes], folder: Path, store: str, fake_mode: str) -> list[dict[str, Any]]:
    """The three runs, against a fresh store and a fresh import of the handler (a cold container)."""
    for name in [m for m in sys.modules if m.startswith(("transit_gtfs_rt", "poche_common"))]:
        del sys.modules[name]
    emulator = _fake_store(fake_mode) if store == "fake" else _moto_store()
    with emulator as hooks:
        feed_path = folder / "feed.pb"
        os.environ["POCHE_SOURCE_TRANSIT_GTFS_RT"] = feed_path.as_uri()

        import transit_gtfs_rt.handler as handler

        base_now = dt.datetime(2026, 11, 30, 7, 30, 20, tzinfo=dt.UTC)
        runs: list[dict[str, Any]] = []
        for label, feed, minute in RUNS:
            feed_path.write_bytes(feeds[feed])
            handler.utc_now = functools.partial(lambda m: base_now + dt.timedelta(minutes=m), minute)
            calls_before, busy_before = hooks.calls(), hooks.busy_s()
            cpu, begin = time.process_time(), time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):  # the handler's log and metric lines
                report = handler.handler({"trigger": "schedule", "connector": "transit-gtfs-rt"}, None)
            elapsed, cpu = time.perf_counter() - begin, time.process_time() - cpu
            store_s = hooks.busy_s() - busy_before
            calls = {op: n - calls_before.get(op, 0) for op, n in sorted(hooks.calls().items())}
            calls = {op: n for op, n in calls.items() if n}
            runs.append(
                {
                    "run": label,
                    "handler_s": elapsed,
                    "cpu_s": cpu,
                    "store_s": store_s,
                    "own_s": cpu - store_s,
                    "status": report["status"],
                    "read": report["read"],
                    "changed": report["changed"],
                    "refreshed": report.get("refreshed", 0),
                    "calls": calls,
                    "write_calls": sum(n for op, n in calls.items() if op in WRITES),
                    "entity_write_calls": calls.get("BatchWriteItem", 0),
                }
            )
    return runs


def summarize(measured: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per run: the first measurement's counts, the median (and min) of its times."""
    runs = []
    for index in range(len(RUNS)):
        samples = [repetition[index] for repetition in measured]
        run = dict(samples[0])
        for key in ("handler_s", "cpu_s", "store_s", "own_s"):
            values = [sample[key] for sample in samples]
            run[key] = round(statistics.median(values), 3)
            run[key.replace("_s", "_min_s")] = round(min(values), 3)
        runs.append(run)
    return runs


def verdicts(runs: list[dict[str, Any]]) -> dict[str, str]:
    first, second = runs[0], runs[1]
    return {
        "first": "OK" if first["status"] == "succeeded" and first["own_s"] < GOAL_FIRST_S else "MISSED",
        "unchanged": "OK" if second["entity_write_calls"] == 0 and second["changed"] == 0 else "MISSED",
    }


STORE_TOLD = {
    "fake": "bench/fakes.py in memory",
    "moto": "moto in this process",
}
FAKE_MODE_TOLD = {
    "http": "the real boto3 client serializes, signs and parses; its HTTP send is answered from memory",
    "client": "the boto3 client is replaced: no serialization, a lower bound",
}


def print_report(results: dict[str, list[dict[str, Any]]], fake_mode: str) -> None:
    for store, runs in results.items():
        told = STORE_TOLD[store] + (f" (--fake {fake_mode}: {FAKE_MODE_TOLD[fake_mode]})" if store == "fake" else "")
        print(f"store {store}: {told}")
        print(
            f"{'run':<20}{'handler s':>16}{'store s':>9}{'own s':>8}{'read':>6}{'changed':>8}{'refreshed':>10}  calls"
        )
        for run in runs:
            handler_s = f"{run['handler_s']:.3f} ({run['handler_min_s']:.3f})"
            calls = ", ".join(f"{op} {n}" for op, n in run["calls"].items())
            print(
                f"{run['run']:<20}{handler_s:>16}{run['store_s']:>9.3f}{run['own_s']:>8.3f}{run['read']:>6}"
                f"{run['changed']:>8}{run['refreshed']:>10}  {calls}"
            )
            if run["status"] != "succeeded":
                print(f"WARNING  {store}: {run['run']}: the connector answered {run['status']}")
        print()
    print("handler s: wall clock of the handler call; store s: CPU time the store's emulator spent answering inside")
    print("it; own s: the handler's CPU time minus store s, the connector's own work (parse, diff, items, and")
    print("botocore's work on the calls with the fake in http mode or moto).")
    print(f"first ingest under {GOAL_FIRST_S:.0f} s (the connector's own handler time: parse + diff + write calls):")
    for store, runs in results.items():
        first = runs[0]
        print(
            f"  {store:<5} {verdicts(runs)['first']:<7} {first['own_s']:.3f} s "
            f"(handler {first['handler_s']:.3f} s, of which the {store} store {first['store_s']:.3f} s)"
        )
    print("unchanged feed writes nothing (second run: 0 BatchWriteItem):")
    for store, runs in results.items():
        second = runs[1]
        writes = ", ".join(f"{op} {n}" for op, n in second["calls"].items() if op in WRITES) or "none"
        print(
            f"  {store:<5} {verdicts(runs)['unchanged']:<7} {second['entity_write_calls']} BatchWriteItem, "
            f"{second['changed']} changed; {second['write_calls']} write calls in all ({writes}: the run record)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=sorted(STORES), default="fake", help="fake (default), moto, or both")
    parser.add_argument(
        "--fake", choices=("http", "client"), default="http", help="how the fake store is plugged (default http)"
    )
    parser.add_argument("--entities", type=int, default=5000)
    parser.add_argument("--stops", type=int, default=20, help="stop_time_updates per TripUpdate")
    parser.add_argument("--alerts", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="measurements of the three runs; the median is shown")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="the handler's WRITE_THREADS (default 1 here; 4 deployed, see the module docstring)",
    )
    parser.add_argument("--json", type=Path, default=ROOT / ".bench/transit_rt.json")
    args = parser.parse_args()

    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "TABLE_NAME": TABLE,
            "EVENT_BUS_NAME": BUS,
        }
    )
    os.environ["WRITE_THREADS"] = str(args.threads)
    for key in [k for k in os.environ if k.startswith("POCHE_SOURCE_") or k == "SOURCE_PARAMETER"]:
        os.environ.pop(key)

    started = time.perf_counter()
    feeds = [build_feed(entities=args.entities, stops=args.stops, alerts=args.alerts, minute=m) for m in (0, 1)]
    build_s = time.perf_counter() - started
    results: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for store in STORES[args.store]:
            measured = [measure(feeds, Path(folder), store, args.fake) for _ in range(max(1, args.repeat))]
            results[store] = summarize(measured)
    total_s = time.perf_counter() - started

    print(
        f"transit-gtfs-rt ingest benchmark: {args.entities} entities ({len(feeds[0]) // 1024} KiB), "
        f"{args.stops} stop_time_updates per TripUpdate, WRITE_THREADS={args.threads}, "
        f"median of {max(1, args.repeat)} (min in brackets)"
    )
    print()
    print_report(results, args.fake)
    print(f"feeds built in {build_s:.2f} s; benchmark took {total_s:.1f} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "duration_s": round(total_s, 1),
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "arch": platform.machine()},
                "entities": args.entities,
                "feed_bytes": len(feeds[0]),
                "stops": args.stops,
                "repeat": max(1, args.repeat),
                "write_threads": args.threads,
                "fake_mode": args.fake,
                "goals": {"first_ingest_own_s_max": GOAL_FIRST_S, "unchanged_batch_write_calls": 0},
                "stores": {store: {"runs": runs, "verdicts": verdicts(runs)} for store, runs in results.items()},
            },
            indent=2,
        )
        + "\n"
    )
    print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
