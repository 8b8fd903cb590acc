"""Lambda entry point of the `traffic-datex2` connector (EventBridge Scheduler, every 5 minutes): the run is
`ingest.py` (parse, diff, `TrafficEventsUpdated`, the `traffic` tiles of the communes concerned)."""

from __future__ import annotations

from pathlib import Path

from poche_common.clock import utc_now
from poche_common.connector import connect, scheduled_handler
from poche_common.wiring import Provider
from traffic_shared.keys import CONNECTOR

from .ingest import ingest
from .store import EventWriter

SAMPLE = Path(__file__).parent / "sample" / "situations-v2.xml"

dependencies = Provider(lambda: connect(CONNECTOR, "poche.traffic", EventWriter))
handler = scheduled_handler(dependencies, ingest, sample=SAMPLE, clock=lambda: utc_now())
