"""Fuzzing fixtures: the local platform started for real (as in tests/e2e) and accounts of its emulated pools."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fuzz_accounts import Accounts, make_accounts
from platform_support import RunningPlatform, start_platform, stop_platform
from support import Synthesized


@pytest.fixture(scope="module")
def platform(synthesized: Synthesized, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    running = start_platform(synthesized.outdir, tmp_path_factory.mktemp("poche-state-fuzz"))
    yield running
    stop_platform(running)


@pytest.fixture(scope="module")
def accounts(platform: RunningPlatform) -> Accounts:
    return make_accounts(platform)


@pytest.fixture(scope="module", autouse=True)
def loopback_only() -> Iterator[None]:
    """The fuzzing talks to the platform and its emulated AWS on 127.0.0.1 and to nothing else (the function-scoped
    `no_network` of tests/conftest.py cannot serve: Hypothesis refuses function-scoped fixtures in its tests)."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise OSError(f"network access to {host} refused in tests")
        return real_connect(self, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", guarded)
        yield
