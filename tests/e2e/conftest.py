"""e2e fixtures: one platform per module, started for real."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from platform_support import RunningPlatform, only_connectors, start_platform, stop_platform
from support import Synthesized


@pytest.fixture(scope="module")
def platform(synthesized: Synthesized, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    running = start_platform(
        synthesized.outdir, tmp_path_factory.mktemp("poche-state"), only_connectors("canteen-menus-scdl")
    )
    yield running
    stop_platform(running)
