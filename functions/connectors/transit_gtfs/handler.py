"""Lambda entry point of the `transit-gtfs` connector (EventBridge Scheduler, daily at 04:00 Paris time): the run is
`ingest.py` (parse every zip, diff, `TimetableUpdated`, the `departures` tiles)."""

from __future__ import annotations

from pathlib import Path

from poche_common.clock import utc_now
from poche_common.connector import connect, scheduled_handler
from poche_common.wiring import Provider

from .ingest import ingest
from .store import CONNECTOR, TimetableWriter

SAMPLE = Path(__file__).parent / "sample" / "network.zip"
MAX_FEED_BYTES = 50 * 1024 * 1024  # a regional GTFS zip exceeds the house default of 20 MiB
FETCH_DEADLINE_S = 90.0  # the whole download of up to 50 MiB, within the function's 5 minutes

dependencies = Provider(lambda: connect(CONNECTOR, "poche.transit", TimetableWriter))
handler = scheduled_handler(
    dependencies, ingest, sample=SAMPLE, max_bytes=MAX_FEED_BYTES, timeout=FETCH_DEADLINE_S, clock=lambda: utc_now()
)
