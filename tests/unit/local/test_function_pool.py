"""`FunctionPool.stop`: the platform stops in a few seconds however many functions are busy, and starts none after."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import pytest

from poche_local.functions import STOP_GRACE_S, FunctionPool, InvocationError
from poche_local.model import FunctionSpec

SLOW = """
import time


def handler(event, context):
    time.sleep(60)
    return {"done": True}
"""


def _spec(code: Path, name: str) -> FunctionSpec:
    return FunctionSpec("Stack", name, name, "slow.handler.handler", str(code), [], {}, timeout_s=120)


def test_busy_workers_are_stopped_together_within_the_grace_and_none_starts_after(tmp_path: Path) -> None:
    package = tmp_path / "slow"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "handler.py").write_text(SLOW)
    names = [f"busy{i}" for i in range(4)]
    pool = FunctionPool({n: _spec(tmp_path, n) for n in names}, "http://127.0.0.1:9", lambda label, line: None)
    calls = [threading.Thread(target=lambda n=n: _invoke(pool, n), daemon=True) for n in names]
    for call in calls:
        call.start()
    time.sleep(1.5)  # every worker started and inside its 60-second invocation

    started = time.monotonic()
    pool.stop()
    elapsed = time.monotonic() - started

    assert elapsed < STOP_GRACE_S + 2, f"{len(names)} busy workers took {elapsed:.1f} s to stop"  # not 4 x 3 s
    assert all(worker.process.poll() is not None for worker in pool._workers.values())
    with pytest.raises(InvocationError, match="stopping"):
        pool.invoke("busy0", {})


def _invoke(pool: FunctionPool, name: str) -> None:
    with contextlib.suppress(InvocationError):  # killed by the stop
        pool.invoke(name, {})
