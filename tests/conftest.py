"""Shared fixtures. Tests never reach AWS: fake credentials, region Paris, moto for AWS services."""

from __future__ import annotations

import json
import os
import sys
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


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    sys.path.insert(0, str(ROOT / "infra"))
    from poche_infra.app import build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
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
    return Synthesized(
        outdir=outdir,
        templates={stack.stack_name: stack.template for stack in assembly.stacks},
        errors=errors,
        warnings=warnings,
        missing_context=json.loads((outdir / "manifest.json").read_text()).get("missing", []),
    )


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
