"""Starting the local platform for real (`poche run`) and calling it over HTTP."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

READY = "Poche is ready"


@dataclass
class RunningPlatform:
    base_url: str
    process: subprocess.Popen[str]
    env: dict[str, str]
    cdk_out: Path
    lines: list[str] = field(default_factory=list)

    def logged(self, text: str, *, within_s: float = 5.0) -> bool:
        """Whether a line of the platform's output contains `text`, waiting for it a little: the output reaches
        `lines` through a pipe and a reader thread, so a line may arrive just after the HTTP answer it describes."""
        deadline = time.monotonic() + within_s
        while True:
            if any(text in line for line in list(self.lines)):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def poche(self, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run the `poche` command line against this platform."""
        return subprocess.run(
            [sys.executable, "-m", "poche_local.cli", "--cdk-out", str(self.cdk_out), *args],
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=120,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def only_connectors(*names: str) -> dict[str, str]:
    """The environment of a platform that runs only these connectors at start (none without a name): a module that
    reads no other domain's data is ready sooner (`POCHE_START_CONNECTORS`; `poche run` alone runs them all)."""
    return {"POCHE_START_CONNECTORS": ",".join(names) or "none"}


def start_platform(
    cdk_out: Path, state_dir: Path, extra_env: dict[str, str] | None = None, *, sigint_ignored: bool = False
) -> RunningPlatform:
    """`poche run` as a process; `sigint_ignored`: started as a non-interactive shell starts a background job (`make
    run &`), with SIGINT ignored, which the platform must still stop on."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POCHE_SOURCE_", "AWS_"))}
    env.update({"POCHE_STATE_DIR": str(state_dir), "PYTHONUNBUFFERED": "1", **(extra_env or {})})
    process = subprocess.Popen(
        [sys.executable, "-m", "poche_local.cli", "--cdk-out", str(cdk_out), "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored else None,
    )
    platform = RunningPlatform(f"http://127.0.0.1:{port}", process, env, cdk_out)
    ready: queue.Queue[bool] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            platform.lines.append(line.rstrip("\n"))
            if READY in line:
                ready.put(True)
        ready.put(False)

    threading.Thread(target=pump, daemon=True).start()
    started = time.monotonic()
    try:
        ok = ready.get(timeout=90)
    except queue.Empty:
        ok = False
    if not ok:
        process.kill()
        raise AssertionError("platform not ready in 90 s:\n" + "\n".join(platform.lines[-40:]))
    platform.lines.append(f"(ready after {time.monotonic() - started:.1f} s)")
    return platform


def stop_platform(platform: RunningPlatform) -> int:
    if platform.process.poll() is None:
        platform.process.send_signal(signal.SIGINT)
        try:
            return platform.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            platform.process.kill()
            raise
    return int(platform.process.returncode)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def json_get(url: str) -> Any:
    import json

    status, _, body = get(url)
    assert status == 200, (url, status, body[:500])
    return json.loads(body)
