"""One measurement in a fresh interpreter, run by `bench/functions.py` (not a module to import).

    python bench/_child.py floor   time `import boto3; boto3.client("dynamodb")`
    python bench/_child.py cold    time the import of the module named by `_HANDLER` (Lambda's init)
    python bench/_child.py warm    fake AWS, import, invoke; its settings come as JSON on stdin
    python bench/_child.py spawn   start the above on request (one JSON line each way per run)

The process runs with the function's own environment and `PYTHONPATH` (code asset, then
layers). Times are taken inside the process with `time.perf_counter`, so interpreter start-up
is excluded. The answer is one JSON line on the original stdout; whatever the function prints
(its logs, its metrics) goes to /dev/null, and tracebacks to stderr.

Why a spawner: on Linux `ru_maxrss` survives fork and exec, so a child started by the benchmark
itself (a large process: moto, the CDK assembly) would report the benchmark's peak, not its own.
Children started by this small process report their own peak.
"""

from __future__ import annotations

import os
import sys
import time

# `python bench/_child.py` puts bench/ first on sys.path: it must shadow nothing of the function's.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

import importlib  # after the sys.path fix, on purpose
from typing import Any

MEMORY_AFTER_INVOCATIONS = 5  # peak memory is read after the import and this many invocations


def _answer_channel() -> int:
    """A private copy of stdout for the answer; fd 1 (the function's prints) goes to /dev/null."""
    channel = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    return channel


def _peak_mib() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _send(channel: int, answer: dict[str, Any]) -> None:
    import json

    with os.fdopen(channel, "w") as out:
        out.write(json.dumps(answer) + "\n")


def floor() -> dict[str, Any]:
    started, cpu_started = time.perf_counter(), time.process_time()
    import boto3

    client = boto3.client("dynamodb")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert client is not None
    return {"ms": elapsed * 1000, "cpu_ms": cpu * 1000, "peak_mib": _peak_mib()}


def cold() -> dict[str, Any]:
    module_name, attribute = os.environ["_HANDLER"].rsplit(".", 1)
    started, cpu_started = time.perf_counter(), time.process_time()
    module = importlib.import_module(module_name)
    handler = getattr(module, attribute)
    if os.environ.get("BENCH_BUILD_DEPENDENCIES") and hasattr(module, "dependencies"):
        module.dependencies.get()  # what the first request builds (clients, settings): Lambda's init + first call
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert callable(handler)
    return {"ms": elapsed * 1000, "cpu_ms": cpu * 1000, "peak_mib": _peak_mib()}


class Context:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    def __init__(self, timeout_s: float) -> None:
        import uuid

        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        region = os.environ.get("AWS_REGION", "eu-west-3")
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{self.function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "bench"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _summary(result: Any) -> dict[str, Any]:
    """What the invocation answered, in a few numbers (to check the benchmark measured real work)."""
    import json

    json.dumps(result)  # Lambda must be able to serialize it
    if isinstance(result, dict) and "statusCode" in result:
        body = str(result.get("body") or "")
        summary: dict[str, Any] = {"statusCode": result["statusCode"], "body_bytes": len(body.encode())}
        try:
            payload = json.loads(body)
        except ValueError:
            return summary
        if isinstance(payload, dict) and isinstance(payload.get("items"), list):
            summary["items"] = len(payload["items"])
        if isinstance(payload, dict) and "detail" in payload:
            summary["detail"] = payload["detail"]
        return summary
    if isinstance(result, dict) and "status" in result:
        return {k: result[k] for k in ("status", "read", "changed", "rejected", "error") if k in result}
    return {"type": type(result).__name__}


def warm() -> dict[str, Any]:
    import json

    config = json.loads(sys.stdin.read())
    sys.path.append(config["bench_root"])  # last: only `bench` is imported from there
    from bench import fakes

    schemas = [fakes.TableSchema.from_description(name, table) for name, table in config["tables"].items()]
    dynamodb = fakes.DynamoDB(schemas)
    seeded = 0
    if config.get("store_in") and os.path.exists(config["store_in"]):
        with open(config["store_in"]) as snapshot:
            seeded = dynamodb.load(json.load(snapshot), binary_as_bytes=config["mode"] == "client")
    events = fakes.EventBridge()
    backends: dict[str, fakes.Backend] = {
        "dynamodb": dynamodb,
        "events": events,
        "ssm": fakes.SSM(config["parameters"]),
    }
    fakes.install(backends, config["mode"])

    module_name, attribute = os.environ["_HANDLER"].rsplit(".", 1)
    started = time.perf_counter()
    handler = getattr(importlib.import_module(module_name), attribute)
    import_ms = (time.perf_counter() - started) * 1000

    timeout_s = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))
    raw_events = [json.dumps(event) for event in config["events"]]
    invocations = 1 + int(config["invocations"])
    latencies: list[float] = []
    first_ms = 0.0
    first: dict[str, Any] = {}
    last: dict[str, Any] = {}
    peak_after_few: float | None = None
    calls_first: dict[str, int] = {}  # DynamoDB calls by operation: of the first invocation,
    calls_last: dict[str, int] = {}  # of the last one,
    calls_per_invocation: list[int] = []  # and in all, of each measured one
    for number in range(invocations):
        event = json.loads(raw_events[number % len(raw_events)])  # a fresh event, as the runtime gives
        context = Context(timeout_s)
        calls_before = dict(dynamodb.calls)
        started = time.perf_counter()
        result = handler(event, context)
        elapsed = (time.perf_counter() - started) * 1000
        calls = {op: n - calls_before.get(op, 0) for op, n in sorted(dynamodb.calls.items())}
        calls = {op: n for op, n in calls.items() if n}
        if number == 0:
            first_ms, first = elapsed, _summary(result)
            calls_first = calls
        else:
            latencies.append(elapsed)
            calls_per_invocation.append(sum(calls.values()))
        calls_last = calls
        if number + 1 == MEMORY_AFTER_INVOCATIONS:
            peak_after_few = _peak_mib()
        if number == invocations - 1:
            last = _summary(result)
    peak_end = _peak_mib()
    if config.get("store_out"):
        with open(config["store_out"], "w") as snapshot:
            json.dump(dynamodb.dump(), snapshot)
    return {
        "import_ms": import_ms,
        "first_ms": first_ms,
        "latencies_ms": latencies,
        "peak_mib": peak_after_few if peak_after_few is not None else peak_end,
        "peak_mib_end": peak_end,
        "first_response": first,
        "last_response": last,
        "seeded_items": seeded,
        "dynamodb_calls": dynamodb.calls,
        "dynamodb_calls_first": calls_first,
        "dynamodb_calls_last": calls_last,
        "dynamodb_calls_per_invocation": calls_per_invocation,
        "events_published": len(events.published),
    }


def spawn() -> None:
    """Run children for the benchmark: reads {mode, env, cwd, input, timeout} lines on stdin."""
    import json
    import subprocess

    for line in sys.stdin:
        request = json.loads(line)
        try:
            done = subprocess.run(
                [sys.executable, os.path.abspath(__file__), request["mode"]],
                env=request["env"],
                cwd=request["cwd"],
                input=request.get("input", ""),
                capture_output=True,
                text=True,
                timeout=request["timeout"],
            )
            answer: dict[str, Any] = {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}
        except subprocess.TimeoutExpired:
            answer = {"timeout": True}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def main() -> None:
    modes = {"floor": floor, "cold": cold, "warm": warm}
    if sys.argv[1:] == ["spawn"]:
        spawn()
        return
    if len(sys.argv) != 2 or sys.argv[1] not in modes:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(modes)}|spawn")
    channel = _answer_channel()
    _send(channel, modes[sys.argv[1]]())


if __name__ == "__main__":
    main()
