"""Lambda entry point of the `transit-siri-lite` connector (EventBridge Scheduler, every minute).

The alternative real-time source for networks that publish SIRI Lite StopMonitoring rather than GTFS-Realtime:
one or several URLs (typically one per monitored stop, `?MonitoringRef=...`), all fetched, then
`ingest.SiriIngest` (`poche_common.realtime`, the same run as `transit_gtfs_rt`). Standard library, boto3 and
poche_common only: protobuf is never loaded here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poche_common import sources
from poche_common.clock import utc_now
from poche_common.connector import connect, run_scheduled_realtime
from poche_common.observability import logger, metrics
from poche_common.wiring import Provider

from .ingest import SiriIngest
from .store import CONNECTOR, TripWriter

SAMPLE = Path(__file__).parent / "sample" / "stop-monitoring.json"
FETCH_TIMEOUT_S = 10.0

dependencies = Provider(lambda: connect(CONNECTOR, "poche.transit", TripWriter, realtime=True))


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    deps = dependencies.get()
    return run_scheduled_realtime(
        deps,
        fetch=lambda url: sources.fetch(url, bundled=SAMPLE, timeout=FETCH_TIMEOUT_S),
        ingest=lambda named: SiriIngest(deps.store, deps.outbox)(named, runs=deps.realtime_runs, now=utc_now()),
    )
