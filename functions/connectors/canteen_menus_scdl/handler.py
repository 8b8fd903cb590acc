"""Lambda entry point of the `canteen-menus-scdl` connector (EventBridge Scheduler, daily): the run is `ingest.py`
(parse, diff, `MenusUpdated`, the `canteen-menu` tiles of the feeds' canteens)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poche_common import sources
from poche_common.clock import utc_now
from poche_common.connector import connect, run_scheduled
from poche_common.observability import logger, metrics
from poche_common.wiring import Provider

from .ingest import CONNECTOR, MenuStores, ingest

SAMPLE = Path(__file__).parent / "sample" / "menus-collectifs.csv"

dependencies = Provider(lambda: connect(CONNECTOR, "poche.canteen", MenuStores.over))


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    deps = dependencies.get()
    return run_scheduled(
        deps,
        fetch=lambda url: sources.fetch(url, bundled=SAMPLE),
        ingest=lambda payloads: ingest(payloads, deps.store, deps.outbox, utc_now()),
    )
