"""Invoking functions locally: one worker process per function, started on first use."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from .model import FunctionSpec
from .resolver import REGION

PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
STOP_GRACE_S = 3.0  # what the workers get, together, to finish their invocation when the platform stops


class InvocationError(RuntimeError):
    def __init__(self, function: str, error: dict[str, Any]) -> None:
        super().__init__(f"{function}: {error.get('errorType')}: {error.get('errorMessage')}")
        self.error = error


def function_environment(spec: FunctionSpec, endpoint: str) -> dict[str, str]:
    """What the function sees: its template environment, Lambda's variables, the emulation."""
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.update(spec.environment)
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([spec.code_dir, *spec.layer_dirs]),
            "PYTHONDONTWRITEBYTECODE": "1",
            "_HANDLER": spec.handler,
            "TZ": "UTC",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(spec.timeout_s),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_DEV": os.environ.get("POWERTOOLS_DEV", "false"),
        }
    )
    # a devops override of a connector's source, e.g. POCHE_SOURCE_CANTEEN_MENUS_SCDL
    env.update({key: value for key, value in os.environ.items() if key.startswith("POCHE_SOURCE_")})
    return env


class Worker:
    def __init__(self, spec: FunctionSpec, endpoint: str, on_log: Callable[[str, str], None]) -> None:
        self.spec = spec
        self.lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "poche_local.worker"],
            env={
                **function_environment(spec, endpoint),
                "PYTHONPATH": os.pathsep.join([spec.code_dir, *spec.layer_dirs, *_own_path()]),
            },
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._pump_logs, args=(on_log,), daemon=True).start()

    def _pump_logs(self, on_log: Callable[[str, str], None]) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            on_log(self.spec.label, line.rstrip("\n"))

    def call(self, request: dict[str, Any]) -> Any:
        with self.lock:
            assert self.process.stdin is not None and self.process.stdout is not None
            if self.process.poll() is not None:
                raise InvocationError(self.spec.name, {"errorType": "Runtime.Exited", "errorMessage": "worker exited"})
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        if not line:
            raise InvocationError(self.spec.name, {"errorType": "Runtime.Exited", "errorMessage": "worker died"})
        answer = json.loads(line)
        if not answer["ok"]:
            raise InvocationError(self.spec.name, answer["error"])
        return answer["result"]

    def close(self) -> None:
        """No more requests: the worker exits once its current invocation (if any) is answered."""
        if self.process.poll() is None and self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()

    def stop(self, timeout_s: float = STOP_GRACE_S) -> None:
        self.close()
        try:
            self.process.wait(timeout=max(timeout_s, 0))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _own_path() -> list[str]:
    """Where poche_local itself is importable from (the worker module), last on the path."""
    import poche_local

    return [os.path.dirname(os.path.dirname(os.path.abspath(poche_local.__file__)))]


class FunctionPool:
    def __init__(self, functions: dict[str, FunctionSpec], endpoint: str, on_log: Callable[[str, str], None]) -> None:
        self.functions = functions
        self.endpoint = endpoint
        self.on_log = on_log
        self._workers: dict[str, Worker] = {}
        self._lock = threading.Lock()
        self._stopping = False

    def _worker(self, name: str) -> Worker:
        with self._lock:
            if self._stopping:
                raise InvocationError(
                    name, {"errorType": "Platform.Stopping", "errorMessage": "the platform is stopping"}
                )
            if name not in self._workers:
                self._workers[name] = Worker(self.functions[name], self.endpoint, self.on_log)
            return self._workers[name]

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        return self._worker(name).call({"op": "invoke", "event": event})

    def openapi(self, name: str) -> dict[str, Any] | None:
        result = self._worker(name).call({"op": "openapi"})
        return result if isinstance(result, dict) else None

    def stop(self) -> None:
        """Every worker told to stop at once, then given the same few seconds to finish its invocation (a scheduled
        run or a relayed event may be under way), then killed: stopping takes at most `STOP_GRACE_S`, however many
        workers are busy. No worker starts after this."""
        with self._lock:
            self._stopping = True
            workers = list(self._workers.values())
        for worker in workers:
            worker.close()
        deadline = time.monotonic() + STOP_GRACE_S
        for worker in workers:
            worker.stop(deadline - time.monotonic())
