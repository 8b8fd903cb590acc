"""Lambda entry point of the `agenda-cinema` connector (EventBridge Scheduler, hourly).

Source: URL(s) of cinema sessions CSV files in the format of `FORMAT.md`, comma-separated, or `bundled`
(`sample/seances.csv`). Cinemas and sessions go to the agenda table (layout in `store.py`); one `SessionsUpdated`
event on the bus says which cinemas and days changed (`ingest.py`).
"""

from __future__ import annotations

from pathlib import Path

from poche_common.clock import utc_now
from poche_common.connector import connect, scheduled_handler
from poche_common.wiring import Provider

from .ingest import CONNECTOR, ingest
from .store import CinemaWriter

SAMPLE = Path(__file__).with_name("sample") / "seances.csv"
MAX_FEED_BYTES = 5 * 1024 * 1024

dependencies = Provider(lambda: connect(CONNECTOR, "poche.agenda", CinemaWriter))
handler = scheduled_handler(dependencies, ingest, sample=SAMPLE, max_bytes=MAX_FEED_BYTES, clock=lambda: utc_now())
