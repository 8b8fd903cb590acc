"""`make bench`: cold start, peak memory, warm latency and DynamoDB calls of every Lambda function in cdk.out.

    python bench/functions.py --cdk-out cdk.out [--repeat 15] [--warm 200] [--only canteen]
                              [--json .bench/results.json] [--fake client|http]

A report, not a test: it prints a table and writes JSON, and exits 0 even when a goal is missed
(1 when a function could not be measured, 2 when cdk.out is unusable). See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from poche_local.assembly import AssemblyError
from poche_local.functions import function_environment
from poche_local.gateway import http_api_event
from poche_local.model import FunctionSpec, PlatformSpec, RouteSpec

GOAL_COLD_RATIO = 1.3  # cold start at most 1.3x the floor
GOAL_PEAK_MIB = 80.0  # peak memory under 80 MiB
FLOOR = 'import boto3; boto3.client("dynamodb")'
DUMMY_ENDPOINT = "http://127.0.0.1:9"  # creating a client makes no call; the fakes answer every call
REGION = "eu-west-3"
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CHILD = BENCH_DIR / "_child.py"
CHILD_TIMEOUT_S = 300
MEMORY_AFTER_INVOCATIONS = 5  # keep in step with bench/_child.py

# API Gateway HTTP API adds these to every request it forwards (names lowercased in payload 2.0).
HTTP_HEADERS = {
    "accept": "application/json",
    "accept-encoding": "gzip, deflate, br",
    "accept-language": "fr-FR,fr;q=0.9,en;q=0.8",
    "content-length": "0",
    "host": "api.poche.example",
    "user-agent": "Mozilla/5.0 (Linux; Android 14) poche-bench",
    "x-amzn-trace-id": "Root=1-6749a1b2-0123456789abcdef01234567",
    "x-forwarded-for": "203.0.113.7",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https",
}
MENUS_FROM, MENUS_TO = "2026-11-30", "2026-12-11"
DEPARTURES_LIMIT = 10
GOAL_DEPARTURES_DDB_CALLS = 2  # departures of one stop: at most 2 DynamoDB round trips (docs/transit-model.md)
GOAL_HOME_DDB_CALLS = 3  # a home screen of 20 tiles of mixed types: at most 3 DynamoDB round trips (docs/tiles.md)
HOME_TILES = 20
BENCH_CLAIMS = {"sub": "00000000-0000-4000-8000-000000000000", "token_use": "id", "cognito:groups": "[school-staff]"}


class BenchError(Exception):
    """A measurement could not be taken; the message says why."""


# --- what is benchmarked -------------------------------------------------------------------


@dataclass
class Platform:
    spec: PlatformSpec
    tables: dict[str, dict[str, Any]]  # table name -> DescribeTable layout (keys, indexes)
    parameters: dict[str, str]  # SSM parameters the stacks create, with their values


@dataclass
class Target:
    spec: FunctionSpec
    env: dict[str, str]

    @property
    def label(self) -> str:
        return self.spec.label


def load_platform(cdk_out: Path) -> Platform:
    """The functions of cdk.out as the local platform runs them, and the tables they use."""
    import boto3
    from moto import mock_aws

    from poche_local.cli import _offline_spec

    with mock_aws():  # held open around _offline_spec's own, so what it provisioned can be read back
        spec = _offline_spec(cdk_out)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        ssm = boto3.client("ssm", region_name=REGION)
        names = [n for page in dynamodb.get_paginator("list_tables").paginate() for n in page["TableNames"]]
        layout_keys = ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes", "LocalSecondaryIndexes")
        tables = {}
        for name in names:
            table = dynamodb.describe_table(TableName=name)["Table"]
            tables[name] = {key: table[key] for key in layout_keys if table.get(key)}
        pages = ssm.get_paginator("get_parameters_by_path").paginate(Path="/", Recursive=True)
        parameters = {p["Name"]: p["Value"] for page in pages for p in page["Parameters"]}
    for function in spec.functions.values():  # a connector never reaches the network from the bench
        source = function.environment.get("SOURCE_PARAMETER")
        if source in parameters and parameters[source].split(":", 1)[0].lower() in ("http", "https"):
            parameters[source] = "bundled"
    return Platform(spec=spec, tables=tables, parameters=parameters)


def target_of(spec: FunctionSpec) -> Target:
    """The function with its deployed environment and PYTHONPATH (absolute: children run elsewhere)."""
    spec = replace(
        spec,
        code_dir=str(Path(spec.code_dir).resolve()),
        layer_dirs=[str(Path(d).resolve()) for d in spec.layer_dirs],
    )
    env = function_environment(spec, DUMMY_ENDPOINT)
    for key in [k for k in env if k.startswith("POCHE_SOURCE_")]:
        del env[key]  # sources come from the stack's SSM parameter, as deployed
    return Target(spec=spec, env=env)


def select(targets: list[Target], only: list[str] | None) -> list[Target]:
    if not only:
        return targets
    chosen = [t for t in targets if any(n in (t.label, t.spec.package, t.spec.name) for n in only)]
    if not chosen:
        known = ", ".join(sorted(t.label for t in targets))
        raise BenchError(f"--only {' '.join(only)} matches no function; known: {known}")
    return chosen


# --- children ------------------------------------------------------------------------------


class Spawner:
    """A small process that starts every measured child (see `spawn` in bench/_child.py)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), "spawn"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def run(self, mode: str, env: dict[str, str], cwd: str, stdin: str = "") -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        request = {"mode": mode, "env": env, "cwd": cwd, "input": stdin, "timeout": CHILD_TIMEOUT_S}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise BenchError("the spawner process died")
        done = json.loads(line)
        if done.get("timeout"):
            raise BenchError(f"{mode} run did not finish in {CHILD_TIMEOUT_S} s")
        if done["returncode"] != 0 or not done["stdout"].strip():
            tail = "\n".join(done["stderr"].strip().splitlines()[-12:])
            raise BenchError(f"{mode} run failed (exit {done['returncode']}):\n{tail}")
        answer: dict[str, Any] = json.loads(done["stdout"].strip().splitlines()[-1])
        return answer

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


@dataclass
class ColdSamples:
    ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    error: str | None = None


def measure_cold(spawner: Spawner, targets: list[Target], repeat: int) -> tuple[ColdSamples, dict[str, ColdSamples]]:
    """`repeat` rounds (plus one discarded warm-up round) of floor and function imports, interleaved.

    Each round runs every process once, in an order rotated by one each round, so that machine
    drift and the position in the round weigh the same on the floor and on every function.
    """
    floor_env = {k: v for k, v in targets[0].env.items() if k not in ("PYTHONPATH", "_HANDLER")}
    floor_cwd = targets[0].spec.code_dir
    runs: list[tuple[str, str, dict[str, str], str]] = [("", "floor", floor_env, floor_cwd)]
    runs += [(t.spec.name, "cold", t.env, t.spec.code_dir) for t in targets]
    samples = {key: ColdSamples() for key, *_ in runs}
    _progress(f"cold start: {repeat} rounds (+1 warm-up) of {len(runs)} fresh interpreters")
    for round_number in range(repeat + 1):
        shift = round_number % len(runs)
        for key, mode, env, cwd in runs[shift:] + runs[:shift]:
            if samples[key].error:
                continue
            try:
                answer = spawner.run(mode, env, cwd)
            except BenchError as exc:
                samples[key].error = str(exc)
                continue
            if round_number:  # round 0 fills the page cache and is discarded
                samples[key].ms.append(answer["ms"])
                samples[key].cpu_ms.append(answer["cpu_ms"])
                samples[key].peak_mib.append(answer["peak_mib"])
    floor = samples.pop("")
    if floor.error:
        raise BenchError(f"the floor ({FLOOR}) could not be measured: {floor.error}")
    return floor, samples


# --- warm invocations ----------------------------------------------------------------------


@dataclass
class Scenario:
    description: str
    events: list[dict[str, Any]]
    ddb_calls_max: int | None = None  # a goal on the DynamoDB calls of one invocation, if any
    goal: str = ""  # what that goal is about, for its verdict line
    notes: list[str] = field(default_factory=list)  # said as WARNING lines (e.g. an empty seeded store)
    skip: str | None = None  # why the function cannot be measured (then `events` is empty)


def _stored_items(store: Path, table: str | None) -> list[dict[str, Any]]:
    if table is None or not store.exists():
        return []
    items: list[dict[str, Any]] = json.loads(store.read_text()).get(table, [])
    return items


def _canteen_with_most_meals(items: list[dict[str, Any]]) -> str:
    """The canteen of the seeded store with the most meals between MENUS_FROM and MENUS_TO."""
    counts: dict[str, int] = {}
    for item in items:
        pk, sk = item.get("pk", {}).get("S", ""), item.get("sk", {}).get("S", "")
        if not pk.startswith("CANTEEN#"):
            continue
        canteen = pk.removeprefix("CANTEEN#")
        in_range = f"MEAL#{MENUS_FROM}" <= sk <= f"MEAL#{MENUS_TO}#~"
        counts[canteen] = counts.get(canteen, 0) + (1 if in_range else 0)
    return max(sorted(counts), key=lambda c: counts[c]) if counts else "unknown"


def _http_event(route: RouteSpec, parameters: dict[str, str], query: str) -> dict[str, Any]:
    path = route.path
    for name, value in parameters.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    target = f"{path}?{query}" if query else path
    # A signed-in route gets what its JWT authorizer would pass on: the claims of a (made-up) signed-in user.
    authorizer = {"claims": dict(BENCH_CLAIMS), "scopes": None} if route.authorizer is not None else None
    event = http_api_event(route, route.method, target, dict(HTTP_HEADERS), b"", parameters, authorizer)
    event["requestContext"]["http"]["sourceIp"] = HTTP_HEADERS["x-forwarded-for"]
    return event


def _menus_scenario(route: RouteSpec, items: list[dict[str, Any]]) -> Scenario:
    canteen = _canteen_with_most_meals(items)
    event = _http_event(route, {"canteen_id": canteen}, f"from={MENUS_FROM}&to={MENUS_TO}")
    return Scenario(f"GET {event['rawPath']}?{event['rawQueryString']}", [event])


def _stops_by_departures(items: list[dict[str, Any]], after_sk: str) -> tuple[dict[str, int], dict[str, int]]:
    """stop_id -> its `DEP#` items after `after_sk`, and stop_id -> all its `DEP#` items (every stop
    of the store, with a profile or departures, is in the second)."""
    upcoming: dict[str, int] = {}
    stored: dict[str, int] = {}
    for item in items:
        pk, sk = item.get("pk", {}).get("S", ""), item.get("sk", {}).get("S", "")
        if not pk.startswith("STOP#") or not (sk == "PROFILE" or sk.startswith("DEP#")):
            continue
        stop = pk.removeprefix("STOP#")
        is_departure = sk.startswith("DEP#")
        stored[stop] = stored.get(stop, 0) + is_departure
        if is_departure and sk >= after_sk:
            upcoming[stop] = upcoming.get(stop, 0) + 1
    return upcoming, stored


def _departures_scenario(route: RouteSpec, items: list[dict[str, Any]]) -> Scenario:
    """`?limit=10` for the stop of the seeded store with the most upcoming departures (after now: the
    bench runs with the real clock, as the static connector that seeded the store)."""
    now_iso = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    upcoming, stored = _stops_by_departures(items, f"DEP#{now_iso}")
    goal = f"departures of one stop ({route.route_key})"
    if not stored:
        return Scenario(
            route.route_key,
            [],
            ddb_calls_max=GOAL_DEPARTURES_DDB_CALLS,
            goal=goal,
            skip="the seeded transit table holds no stop: did the transit-gtfs connector run? See its row",
        )
    notes = []
    if upcoming:
        stop = max(sorted(upcoming), key=lambda s: upcoming[s])
        told = f"{upcoming[stop]} upcoming departures stored, the most of any stop"
    else:
        stop = max(sorted(stored), key=lambda s: stored[s])
        told = f"no departure after {now_iso} stored for any stop"
        count = sum(stored.values())
        notes.append(
            f"departures: no departure after now ({now_iso}) in the seeded store ({count} stored"
            f"{', all past' if count else ''}): the timetable sample's service dates (its calendar) likely do not"
            " cover today's, the connector materialising yesterday to today + 2 by the real clock; the measured"
            " answer lists no departure (its DynamoDB round trips are still made)"
        )
    event = _http_event(route, {"stop_id": stop}, f"limit={DEPARTURES_LIMIT}")
    return Scenario(
        f"GET {event['rawPath']}?{event['rawQueryString']} ({told})",
        [event],
        ddb_calls_max=GOAL_DEPARTURES_DDB_CALLS,
        goal=goal,
        notes=notes,
    )


def tile_tables(parameters: dict[str, str]) -> dict[str, str]:
    """tile id -> table of every tile type registered (SSM `/poche/<stage>/tiles/<id>`)."""
    found: dict[str, str] = {}
    for name, value in parameters.items():
        if "/tiles/" in name:
            registration = json.loads(value)
            found[registration["id"]] = registration["table"]
    return found


def _home_scenario(route: RouteSpec, store: Path, parameters: dict[str, str]) -> Scenario:
    """20 tiles cycling over every tile type with an example in the seeded store (the examples are what the
    catalogue offers: projections with content)."""
    goal = f"a home screen of {HOME_TILES} tiles of mixed types ({route.route_key})"
    examples: list[tuple[str, dict[str, str]]] = []
    for tile_id, table in sorted(tile_tables(parameters).items()):
        for item in _stored_items(store, table):
            if item.get("pk", {}).get("S") == f"TILE#{tile_id}" and item.get("sk", {}).get("S") == "EXAMPLE":
                params = {k: v["S"] for k, v in item["params"]["M"].items()}
                examples.append((tile_id, params))
    if not examples:
        return Scenario(route.route_key, [], ddb_calls_max=GOAL_HOME_DDB_CALLS, goal=goal, skip="no tile has content")
    tiles = [{"type": examples[i % len(examples)][0], "params": examples[i % len(examples)][1]} for i in range(20)]
    body = json.dumps({"tiles": tiles}).encode()
    event = http_api_event(
        route, route.method, route.path, {**HTTP_HEADERS, "content-type": "application/json"}, body, {}
    )
    event["requestContext"]["http"]["sourceIp"] = HTTP_HEADERS["x-forwarded-for"]
    kinds = ", ".join(sorted({t for t, _ in examples}))
    return Scenario(
        f"POST {route.path} with {HOME_TILES} tiles of {len(examples)} types ({kinds})",
        [event],
        ddb_calls_max=GOAL_HOME_DDB_CALLS,
        goal=goal,
    )


# Route keys with a hand-made realistic request; other API functions get their first GET route
# without path parameters.
SCENARIOS: dict[str, Callable[[RouteSpec, list[dict[str, Any]]], Scenario]] = {
    "GET /v1/canteens/{canteen_id}/menus": _menus_scenario,
    "GET /v1/transit/stops/{stop_id}/departures": _departures_scenario,
}


def scenario_of(platform_: Platform, target: Target, store: Path) -> Scenario | None:
    spec = target.spec
    if spec.connector:
        schedule = platform_.spec.schedule_of(spec.name)
        manual = {"trigger": "manual", "connector": spec.connector}
        event = dict(schedule.input) if schedule and schedule.input else manual
        return Scenario(f"scheduled {json.dumps(event)}", [event])
    routes = [r for r in platform_.spec.routes if r.function == spec.name]
    for route in routes:
        if route.route_key == "POST /v1/home":
            return _home_scenario(route, store, platform_.parameters)
    items = _stored_items(store, spec.environment.get("TABLE_NAME"))
    for route in routes:
        if route.route_key in SCENARIOS:
            return SCENARIOS[route.route_key](route, items)
    for route in routes:
        if route.method in ("GET", "ANY") and "{" not in route.path:
            event = _http_event(route, {}, "")
            return Scenario(f"GET {route.path}", [event])
    return None


def measure_warm(
    spawner: Spawner,
    platform_: Platform,
    targets: list[Target],
    all_targets: list[Target],
    invocations: int,
    fake: str,
) -> dict[str, dict[str, Any]]:
    """Each function in a child with faked AWS: connectors first, so that their writes seed the
    store the services read (a connector not selected still runs once when it feeds a selected
    function's table)."""
    results: dict[str, dict[str, Any]] = {}
    selected = {t.spec.name for t in targets}
    read_tables = {t.spec.environment.get("TABLE_NAME") for t in targets if not t.spec.connector}
    if any("TILES_PARAMETER_PATH" in t.spec.environment for t in targets):  # the home screen reads every tile table
        read_tables |= set(tile_tables(platform_.parameters).values())
    seeders = [
        t
        for t in all_targets
        if t.spec.connector and t.spec.name not in selected and t.spec.environment.get("TABLE_NAME") in read_tables
    ]
    ordered = sorted(targets, key=lambda t: t.spec.connector is None)
    with tempfile.TemporaryDirectory(prefix="poche-bench-") as workdir:
        store = Path(workdir) / "store.json"
        for target in [*seeders, *ordered]:
            seeding = target.spec.name not in selected
            scenario = scenario_of(platform_, target, store)
            if scenario is None or scenario.skip:
                reason = scenario.skip if scenario else "no realistic event known for this function"
                results[target.spec.name] = {"skipped": reason}
                if scenario is not None and scenario.ddb_calls_max is not None:
                    results[target.spec.name] |= {"ddb_calls_max": scenario.ddb_calls_max, "goal": scenario.goal}
                continue
            config = {
                "bench_root": str(ROOT),
                "mode": fake,
                "tables": platform_.tables,
                "parameters": platform_.parameters,
                "store_in": str(store),
                "store_out": str(store),
                "events": scenario.events,
                "invocations": 0 if seeding else invocations,
            }
            _progress(f"warm: {target.label}: {scenario.description}" + (" (seeding only)" if seeding else ""))
            try:
                answer = spawner.run("warm", target.env, target.spec.code_dir, json.dumps(config))
            except BenchError as exc:
                if seeding:
                    _progress(f"warm: {target.label}: seeding failed, the store stays empty: {exc}")
                results[target.spec.name] = {"error": str(exc)}
                if scenario.ddb_calls_max is not None:
                    results[target.spec.name] |= {"ddb_calls_max": scenario.ddb_calls_max, "goal": scenario.goal}
                continue
            if not seeding:
                results[target.spec.name] = {
                    "scenario": scenario.description,
                    "ddb_calls_max": scenario.ddb_calls_max,
                    "goal": scenario.goal,
                    "notes": scenario.notes,
                    **answer,
                }
    return results


# --- report --------------------------------------------------------------------------------


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {}
    ordered = sorted(values)
    p95 = statistics.quantiles(ordered, n=20, method="inclusive")[18] if len(ordered) > 1 else ordered[0]
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": p95,
        "min_ms": ordered[0],
        "max_ms": ordered[-1],
        "mean_ms": statistics.fmean(ordered),
        "samples": len(ordered),
    }


def build_record(target: Target, floor: ColdSamples, cold: ColdSamples, warm: dict[str, Any]) -> dict[str, Any]:
    spec = target.spec
    record: dict[str, Any] = {
        "label": target.label,
        "function": spec.name,
        "stack": spec.stack,
        "handler": spec.handler,
        "configured_memory_mb": spec.memory_mb,
        "goals": {"cold_ratio_max": GOAL_COLD_RATIO, "peak_mib_max": GOAL_PEAK_MIB},
        "errors": [],
        "warnings": [],
        "missed": [],
    }
    if cold.error:
        record["errors"].append(f"cold start: {cold.error}")
    else:
        floor_median, cold_median = statistics.median(floor.ms), statistics.median(cold.ms)
        paired = [c / f for c, f in zip(cold.ms, floor.ms, strict=False)]
        record["cold"] = {**_stats(cold.ms), "samples_ms": [round(v, 3) for v in cold.ms]}
        record["cold_ratio"] = cold_median / floor_median
        record["cold_ratio_of_mins"] = min(cold.ms) / min(floor.ms)
        record["cold_ratio_paired_median"] = statistics.median(paired)
        record["cold_cpu_ms_median"] = statistics.median(cold.cpu_ms)
        record["cold_cpu_ratio"] = statistics.median(cold.cpu_ms) / statistics.median(floor.cpu_ms)
        record["import_peak_mib"] = statistics.median(cold.peak_mib)
        if record["cold_ratio"] > GOAL_COLD_RATIO:
            record["missed"].append(
                f"cold start {record['cold_ratio']:.2f}x the floor ({cold_median:.1f} ms vs {floor_median:.1f} ms),"
                f" goal <= {GOAL_COLD_RATIO}x"
            )
    goal = warm.get("ddb_calls_max")
    if goal is not None:  # said even when not measured
        record["goals"]["ddb_calls_per_invocation_max"] = goal
        record["ddb_calls"] = {"per_invocation_max": None, "goal_max": goal, "goal": warm.get("goal")}
    if "error" in warm:
        record["errors"].append(f"warm: {warm['error']}")
    elif "skipped" in warm:
        record["warm"] = {"skipped": warm["skipped"]}
    elif warm:
        record["warm"] = {
            "scenario": warm["scenario"],
            **_stats(warm["latencies_ms"]),
            "p50_ms": statistics.median(warm["latencies_ms"]) if warm["latencies_ms"] else None,
            "first_invocation_ms": warm["first_ms"],
            "import_with_fakes_ms": warm["import_ms"],
            "first_response": warm["first_response"],
            "last_response": warm["last_response"],
            "seeded_items": warm["seeded_items"],
            "dynamodb_calls": warm["dynamodb_calls"],
            "events_published": warm["events_published"],
        }
        per_invocation = warm["dynamodb_calls_per_invocation"]
        record["ddb_calls"] = {
            "per_invocation_min": min(per_invocation, default=None),
            "per_invocation_max": max(per_invocation, default=None),
            "per_invocation_mean": statistics.fmean(per_invocation) if per_invocation else None,
            "first_invocation": warm["dynamodb_calls_first"],
            "last_invocation": warm["dynamodb_calls_last"],
            "goal_max": goal,
            "goal": warm.get("goal"),
        }
        most = record["ddb_calls"]["per_invocation_max"]
        if goal is not None and most is not None and most > goal:
            record["missed"].append(
                f"{most} DynamoDB calls per invocation ({_operations(warm['dynamodb_calls_last'])}), goal <= {goal}"
            )
        record["warnings"] += warm.get("notes", [])
        last = warm["last_response"]
        if int(last.get("statusCode", 200)) >= 400 or last.get("status") == "failed":
            record["warnings"].append(f"warm invocations answered {_describe(last)}: the latency is an error path's")
        record["peak_mib"] = warm["peak_mib"]
        record["peak_mib_end"] = warm["peak_mib_end"]
        record["peak_measured"] = f"after import and {MEMORY_AFTER_INVOCATIONS} invocations"
    if "peak_mib" not in record and "import_peak_mib" in record:
        record["peak_mib"] = record["import_peak_mib"]
        record["peak_measured"] = "after import only (no warm invocation)"
    if record.get("peak_mib") is not None and record["peak_mib"] >= GOAL_PEAK_MIB:
        record["missed"].append(f"peak memory {record['peak_mib']:.1f} MiB, goal < {GOAL_PEAK_MIB:.0f} MiB")
    record["verdict"] = "ERROR" if record["errors"] else ("OVER" if record["missed"] else "OK")
    return record


def _cell(value: Any, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _calls_cell(record: dict[str, Any]) -> str:
    calls = record.get("ddb_calls", {})
    low, high = calls.get("per_invocation_min"), calls.get("per_invocation_max")
    if high is None:
        return "-"
    return str(high) if low == high else f"{low}-{high}"


def _operations(calls: dict[str, int]) -> str:
    """{"batch_get_item": 1, "query": 1} -> "BatchGetItem 1, Query 1" (the API's names)."""
    named = sorted(("".join(w.capitalize() for w in op.split("_")), n) for op, n in calls.items())
    return ", ".join(f"{op} {n}" for op, n in named) or "none"


def print_report(floor: ColdSamples, records: list[dict[str, Any]], repeat: int, elapsed_s: float) -> None:
    floor_median = statistics.median(floor.ms)
    width = max([len("function"), *(len(r["label"]) for r in records)])
    header = (
        f"{'function':<{width}}  {'floor ms':>8}  {'cold ms':>8}  {'ratio':>5}  {'peak MiB':>8}"
        f"  {'warm p50 ms':>11}  {'warm p95 ms':>11}  {'ddb calls/inv':>13}  verdict"
    )
    print(header)
    print("-" * len(header))
    for r in records:
        warm = r.get("warm", {})
        print(
            f"{r['label']:<{width}}  {floor_median:>8.1f}  {_cell(r.get('cold', {}).get('median_ms')):>8}"
            f"  {_cell(r.get('cold_ratio'), 2):>5}  {_cell(r.get('peak_mib')):>8}"
            f"  {_cell(warm.get('p50_ms'), 2):>11}  {_cell(warm.get('p95_ms'), 2):>11}  {_calls_cell(r):>13}"
            f"  {r['verdict']}"
        )
    print()
    print(
        f"floor = {FLOOR} in a fresh interpreter: median {floor_median:.1f} ms, min {min(floor.ms):.1f} ms"
        f" ({repeat} runs, interleaved with the functions'); goals: cold <= {GOAL_COLD_RATIO}x floor,"
        f" peak < {GOAL_PEAK_MIB:.0f} MiB"
    )
    print("ddb calls/inv: DynamoDB calls (round trips) of one warm invocation, counted by the fake (min-max if varied)")
    for r in records:
        calls = r.get("ddb_calls", {})
        goal = calls.get("goal_max")
        if goal is None:
            continue
        most = calls.get("per_invocation_max")
        warm = r.get("warm", {})
        if most is None:
            why = warm.get("skipped") or "; ".join(r["errors"]) or "no warm invocation"
            verdict = f"NOT MEASURED ({why.splitlines()[0]})"
        else:
            verdict = "OK" if most <= goal else "MISSED"
            request = warm["scenario"].split(" (", 1)[0]
            verdict += (
                f" ({_calls_cell(r)} per invocation: {_operations(calls['last_invocation'])};"
                f" {request} answered {_describe(warm['last_response'])})"
            )
        print(f"GOAL  {r['label']}: {calls['goal']}: at most {goal} DynamoDB round trips: {verdict}")
    for r in records:
        print(f"  {r['label']} ({r['handler']})")
        if "cold" in r:
            print(
                f"      cold   median {r['cold']['median_ms']:.1f} ms, min {r['cold']['min_ms']:.1f} ms;"
                f" ratio {r['cold_ratio']:.2f}, of mins {r['cold_ratio_of_mins']:.2f},"
                f" in CPU time {r['cold_cpu_ratio']:.2f}; {r['import_peak_mib']:.1f} MiB after the import alone"
            )
        warm = r.get("warm", {})
        if "scenario" in warm:
            print(f"      warm   {warm['scenario']} -> {_describe(warm['last_response'])}")
            print(f"      first  {_describe(warm['first_response'])} in {warm['first_invocation_ms']:.1f} ms")
            calls = r["ddb_calls"]
            print(
                f"      ddb    first invocation: {_operations(calls['first_invocation'])};"
                f" then per invocation: {_operations(calls['last_invocation'])}"
            )
        elif "skipped" in warm:
            print(f"      warm   not measured: {warm['skipped']}")
    for r in records:
        for missed in r["missed"]:
            print(f"GOAL MISSED  {r['label']}: {missed}")
        for warning in r["warnings"]:
            print(f"WARNING  {r['label']}: {warning}")
        for error in r["errors"]:
            print(f"ERROR  {r['label']}: {error}")
    print(f"run time {elapsed_s:.1f} s")


def _describe(response: dict[str, Any]) -> str:
    if "statusCode" in response:
        text = f"HTTP {response['statusCode']}, {response.get('body_bytes', 0)} bytes"
        if "items" in response:
            text += f", {response['items']} items"
        if "detail" in response:
            text += f" ({response['detail']})"
        return text
    if "status" in response:
        return ", ".join(f"{k} {v}" for k, v in response.items() if v is not None)
    return json.dumps(response)


def machine_info() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for package in ("boto3", "botocore", "aws-lambda-powertools", "pydantic"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    affinity = getattr(os, "sched_getaffinity", None)
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(affinity(0)) if affinity else os.cpu_count(),
        "packages": versions,
    }


# --- command line --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], prog="bench/functions.py")
    parser.add_argument("--cdk-out", default="cdk.out", help="synthesized assembly (make synth)")
    parser.add_argument("--repeat", type=int, default=15, help="cold start runs per function and for the floor")
    parser.add_argument("--warm", type=int, default=200, help="warm invocations measured per function")
    parser.add_argument("--json", default=".bench/results.json", help="where to write the results")
    parser.add_argument("--only", action="append", help="a function (label, package or name); repeatable")
    parser.add_argument(
        "--fake",
        choices=("client", "http"),
        default="client",
        help="client: boto3.client returns in-memory fakes; http: real clients, HTTP answered in memory",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warm < 1:
        parser.error("--repeat and --warm must be at least 1")
    started = time.perf_counter()
    try:
        platform_ = load_platform(Path(args.cdk_out))
        all_targets = [target_of(f) for f in platform_.spec.functions.values()]
        if not all_targets:
            raise BenchError(f"{args.cdk_out} holds no Lambda function")
        targets = select(all_targets, args.only)
        spawner = Spawner()
        try:
            floor, cold = measure_cold(spawner, targets, args.repeat)
            warm = measure_warm(spawner, platform_, targets, all_targets, args.warm, args.fake)
        finally:
            spawner.close()
    except (AssemblyError, BenchError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    records = [build_record(t, floor, cold[t.spec.name], warm.get(t.spec.name, {})) for t in targets]
    elapsed = time.perf_counter() - started
    print_report(floor, records, args.repeat, elapsed)
    results = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "duration_s": round(elapsed, 1),
        "machine": machine_info(),
        "settings": {
            "cdk_out": str(Path(args.cdk_out).resolve()),
            "repeat": args.repeat,
            "warm_invocations": args.warm,
            "fake": args.fake,
            "memory_after_invocations": MEMORY_AFTER_INVOCATIONS,
        },
        "goals": {
            "cold_ratio_max": GOAL_COLD_RATIO,
            "peak_mib_max": GOAL_PEAK_MIB,
            "departures_ddb_calls_max": GOAL_DEPARTURES_DDB_CALLS,
        },
        "floor": {
            "what": FLOOR,
            **_stats(floor.ms),
            "cpu_ms_median": statistics.median(floor.cpu_ms),
            "peak_mib": statistics.median(floor.peak_mib),
            "samples_ms": [round(v, 3) for v in floor.ms],
        },
        "functions": records,
    }
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"results written to {out}")
    return 1 if any(r["verdict"] == "ERROR" for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
