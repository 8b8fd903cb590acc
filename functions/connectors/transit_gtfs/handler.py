"""Lambda entry point of the `transit-gtfs` connector (EventBridge Scheduler, daily at 04:00 Paris time): the run is
`ingest.py` (parse every zip, diff, `TimetableUpdated`, the `departures` tiles)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poche_common import sources
from poche_common.clock import utc_now
from poche_common.connector import connect, run_scheduled
from poche_common.observability import logger, metrics
from poche_common.wiring import Provider

from .ingest import ingest
from .store import CONNECTOR, TimetableWriter

SAMPLE = Path(__file__).parent / "sample" / "network.zip"
MAX_FEED_BYTES = 50 * 1024 * 1024  # a regional GTFS zip exceeds the house default of 20 MiB
FETCH_DEADLINE_S = 90.0  # the whole download of up to 50 MiB, within the function's 5 minutes

dependencies = Provider(lambda: connect(CONNECTOR, "poche.transit", TimetableWriter))


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    deps, now = dependencies.get(), utc_now()
    return run_scheduled(
        deps,
        fetch=lambda url: sources.fetch(url, bundled=SAMPLE, max_bytes=MAX_FEED_BYTES, timeout=FETCH_DEADLINE_S),
        ingest=lambda payloads: ingest(payloads, deps.store, deps.outbox, now),
    )
