"""Lambda entry point of the `transit-siri-lite` connector (EventBridge Scheduler, every minute).

The alternative real-time source for networks that publish SIRI Lite StopMonitoring rather than GTFS-Realtime:
one or several URLs (typically one per monitored stop, `?MonitoringRef=...`), all fetched, then
`ingest.SiriIngest` (`poche_common.realtime`, the same run as `transit_gtfs_rt`). Standard library, boto3 and
poche_common only: protobuf is never loaded here.
"""

from __future__ import annotations

from pathlib import Path

from poche_common.clock import utc_now
from poche_common.connector import connect
from poche_common.realtime import realtime_handler
from poche_common.wiring import Provider

from .ingest import SiriIngest
from .store import CONNECTOR, TripWriter

SAMPLE = Path(__file__).parent / "sample" / "stop-monitoring.json"
FETCH_TIMEOUT_S = 10.0

dependencies = Provider(lambda: connect(CONNECTOR, "poche.transit", TripWriter, realtime=True))
handler = realtime_handler(dependencies, SiriIngest, sample=SAMPLE, timeout=FETCH_TIMEOUT_S, clock=lambda: utc_now())
