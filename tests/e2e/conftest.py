"""e2e fixtures: one platform per test worker, started for real and shared by every e2e module.

Starting a platform costs seconds (the emulation, the provisioning, a process per function, every connector at
start), so the modules share one, as `make run` starts it (every connector at start). A module keeps to its own
data: its own accounts (e-mails no other module uses), its own schools' notices, its own feeds through `poche
invoke`. A test that starts or stops a platform itself (readiness, ctrl-c, `POCHE_START_CONNECTORS`) starts its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from platform_support import RunningPlatform, start_platform, stop_platform
from support import Synthesized


@pytest.fixture(scope="session")
def platform(synthesized: Synthesized, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    running = start_platform(synthesized.outdir, tmp_path_factory.mktemp("poche-state"))
    yield running
    stop_platform(running)
