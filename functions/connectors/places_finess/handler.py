"""Lambda entry point of the `places-finess` connector (EventBridge Scheduler, on the territory's schedule): the
etalab FINESS establishments extract -> the health places of the wanted départements; the run and its event are
`ingest.py`, the Places table `store.py`.

Environment: `TABLE_NAME` (the Places table), `EVENT_BUS_NAME`, `PLACES_DEPARTEMENTS` (FINESS département codes,
comma-separated, default `61`).
"""

from __future__ import annotations

from pathlib import Path

from poche_common.clock import utc_now
from poche_common.connector import connect, scheduled_handler
from poche_common.wiring import Provider

from .ingest import ingest
from .store import CONNECTOR, SOURCE, FinessWriter

SAMPLE = Path(__file__).parent / "sample" / "etalab-cs1100502-stock-orne.csv"
MAX_FEED_BYTES = 64 * 1024 * 1024  # the national extract is 30-40 MB, above the house default of 20 MiB
FETCH_DEADLINE_S = 60.0  # the whole download (a few seconds from data.gouv.fr), well within the run's time

dependencies = Provider(lambda: connect(CONNECTOR, SOURCE, FinessWriter.over))
handler = scheduled_handler(
    dependencies, ingest, sample=SAMPLE, max_bytes=MAX_FEED_BYTES, timeout=FETCH_DEADLINE_S, clock=lambda: utc_now()
)
