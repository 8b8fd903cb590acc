"""Lambda entry point of the `traffic-datex2` connector (EventBridge Scheduler, every 5 minutes): the run is
`ingest.py` (parse, diff, `TrafficEventsUpdated`, the `traffic` tiles of the communes concerned)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poche_common import sources
from poche_common.clock import utc_now
from poche_common.connector import connect, run_scheduled
from poche_common.observability import logger, metrics
from poche_common.wiring import Provider

from .ingest import CONNECTOR, ingest
from .store import EventWriter

SAMPLE = Path(__file__).parent / "sample" / "situations-v2.xml"

dependencies = Provider(lambda: connect(CONNECTOR, "poche.traffic", EventWriter))


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    deps = dependencies.get()
    return run_scheduled(
        deps,
        fetch=lambda url: sources.fetch(url, bundled=SAMPLE),
        ingest=lambda payloads: ingest(payloads, deps.store, deps.outbox, utc_now()),
    )
