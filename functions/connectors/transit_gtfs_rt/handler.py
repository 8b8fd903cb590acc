"""Lambda entry point of the `transit-gtfs-rt` connector (EventBridge Scheduler, every minute).

Fetch every source URL, then `ingest.GtfsRtIngest` (`poche_common.realtime`): payloads unchanged since the last
successful run are not even parsed; otherwise the items that changed or need their expiry pushed are written, then
the ledger with the `RealtimeUpdated` event staged in the same transaction (`store.py`), and the run is recorded
with the feed's age (`feed_age_s`; a warning past 65 s, as the national validator) before the event is sent. A run
retried after the bus refused its event finds the same payloads, parses nothing and sends the staged event once.
"""

from __future__ import annotations

from pathlib import Path

from poche_common.clock import utc_now
from poche_common.connector import Connection, connect
from poche_common.realtime import realtime_handler
from poche_common.settings import optional_int
from poche_common.wiring import Provider

from .ingest import GtfsRtIngest
from .store import CONNECTOR, RealtimeWriter

SAMPLE = Path(__file__).parent / "sample" / "mixed.pb"
FETCH_TIMEOUT_S = 10.0


def _connect() -> Connection[RealtimeWriter]:
    """Items are built in DynamoDB's wire format by store.py and checked by DynamoDB itself: botocore's client-side
    validation of a first run's 5,000 nested items would cost about a second."""
    from botocore.config import Config

    config = Config(parameter_validation=False, max_pool_connections=16, retries={"mode": "standard"})
    threads = optional_int("WRITE_THREADS", 4)
    return connect(
        CONNECTOR,
        "poche.transit",
        lambda client, table: RealtimeWriter(client, table, write_threads=threads),
        realtime=True,
        client_config=config,
    )


dependencies = Provider(_connect)
handler = realtime_handler(dependencies, GtfsRtIngest, sample=SAMPLE, timeout=FETCH_TIMEOUT_S, clock=lambda: utc_now())
