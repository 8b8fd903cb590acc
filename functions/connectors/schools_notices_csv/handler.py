"""Lambda entry point of the `schools-notices-csv` connector (EventBridge Scheduler, every 15 minutes).

The département's bulk notices (for instance the prefect's order suspending all school transport on a snow
day), in the CSV documented in `parser.py` and `sample/README.md`; the run and its events are `ingest.py`.

This connector's runs also send what the schools admin API staged and could not send (its PutEvents was
refused): every run flushes the whole table's outbox, so a staff notice's event waits 15 minutes at most.
"""

from __future__ import annotations

from pathlib import Path

from poche_common.clock import utc_now
from poche_common.connector import connect, scheduled_handler
from poche_common.wiring import Provider

from .ingest import CONNECTOR, ingest
from .store import FeedNoticeWriter

SAMPLE = Path(__file__).parent / "sample" / "notices.csv"

dependencies = Provider(
    lambda: connect(CONNECTOR, "poche.schools", lambda client, table: FeedNoticeWriter(client, table, CONNECTOR))
)
handler = scheduled_handler(dependencies, ingest, sample=SAMPLE, clock=lambda: utc_now())
