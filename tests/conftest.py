"""Shared fixtures. Tests never reach AWS: fake credentials, region Paris, moto for AWS services."""

from __future__ import annotations

import compileall
import fcntl
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import Synthesized

ROOT = Path(__file__).resolve().parents[1]

# Before anything imports boto3 or Powertools: no real account can ever be reached.
for _key, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_REGION": "eu-west-3",
    "POWERTOOLS_METRICS_NAMESPACE": "Poche",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
}.items():
    os.environ[_key] = _value
for _key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
    os.environ.pop(_key, None)
for _key in [k for k in os.environ if k.startswith("POCHE_SOURCE_")]:
    os.environ.pop(_key)


SYNTH_CACHE = ROOT / "build" / "test-synth"
SYNTH_INPUTS = ("infra", "functions", "layers")


def synth_key() -> str:
    """A digest of everything a synth reads: the CDK app, the functions, the layers (with the territory files, in
    infra/), the pins and the dependency layers built by `make layers`. Another key, another synth."""
    digest = hashlib.sha256()
    files = [f for top in SYNTH_INPUTS for f in (ROOT / top).rglob("*") if f.is_file()]
    files += [ROOT / name for name in ("cdk.json", "constraints.txt", "package-lock.json")]
    for path in sorted(f for f in files if "__pycache__" not in f.parts and f.suffix != ".pyc" and f.exists()):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    built = ROOT / "build" / "layers"
    for layer in sorted(built.iterdir()) if built.is_dir() else []:  # rebuilt only when its requirements change
        digest.update(f"{layer.name}:{layer.stat().st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _synthesize(outdir: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "infra"))
    from poche_infra.app import build_app

    app, _ = build_app(outdir=str(outdir))
    assembly = app.synth()
    errors: list[str] = []
    warnings: list[str] = []
    for stack in assembly.stacks:
        for message in stack.messages:
            text = f"{message.id}: {message.entry.data}"
            if message.entry.type == "aws:cdk:error":
                errors.append(text)
            elif message.entry.type == "aws:cdk:warning":
                warnings.append(text)
    return {
        "templates": {stack.stack_name: stack.template for stack in assembly.stacks},
        "errors": errors,
        "warnings": warnings,
        "missing_context": json.loads((outdir / "manifest.json").read_text()).get("missing", []),
    }


def pytest_configure(config: pytest.Config) -> None:
    """The synth key is computed once, by the controller, before xdist starts its workers (they inherit it): every
    worker of a session then shares one synth even if the tree is edited while the tests run."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        os.environ["POCHE_TEST_SYNTH_KEY"] = synth_key()


SYNTH_FIXTURES = {"synthesized", "synthesized_with_push"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs a CDK synth is marked `synth`: `make test-unit` (`-m "not synth"`) leaves it to `make test`."""
    for item in items:
        if SYNTH_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.synth)


def _prune_synth_cache(keep: Path) -> None:
    """Synths of other keys unused for a day go (a key is the content of the tree, so old ones never return)."""
    for folder in SYNTH_CACHE.iterdir():
        if folder != keep and folder.stat().st_mtime < time.time() - 86_400:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def synthesized() -> Synthesized:
    """The CDK app synthesized once per content of its inputs (`synth_key`), shared by every xdist worker and
    every later session: the first to need it synthesizes under a file lock, the others wait and read it."""
    folder = SYNTH_CACHE / (os.environ.get("POCHE_TEST_SYNTH_KEY") or synth_key())
    folder.mkdir(parents=True, exist_ok=True)
    os.utime(folder)
    outdir, summary = folder / "cdk.out", folder / "synthesized.json"
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not summary.exists():
                shutil.rmtree(outdir, ignore_errors=True)
                result = _synthesize(outdir)
                # the local functions run with PYTHONDONTWRITEBYTECODE (as Lambda's read-only code): compiled once
                # here, each worker process started from this synth imports bytecode instead of compiling its code
                compileall.compile_dir(outdir, quiet=1, workers=0)
                partial = summary.with_suffix(".partial")
                partial.write_text(json.dumps(result))
                partial.rename(summary)  # whole or absent, even if this session is killed
                _prune_synth_cache(keep=folder)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return Synthesized(outdir=outdir, **json.loads(summary.read_text()))


@pytest.fixture
def lambda_context() -> Any:
    class Context:
        function_name = "test-function"
        function_version = "$LATEST"
        memory_limit_in_mb = 256
        invoked_function_arn = "arn:aws:lambda:eu-west-3:123456789012:function:test-function"
        aws_request_id = "00000000-0000-0000-0000-000000000000"

        @staticmethod
        def get_remaining_time_in_millis() -> int:
            return 10_000

    return Context()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Refuse any socket connection outside loopback."""
    import socket

    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise OSError(f"network access to {host} refused in tests")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield
