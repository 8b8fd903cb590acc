"""Lambda entry point of the `payments-debts-csv` connector (EventBridge Scheduler, on the territory's schedule).

The département's payable debts (titres de recette, régie products), exported by its finance software in the CSV
documented in `FORMAT.md`; the run and its event are `ingest.py`, the Debts table and the ledger check `store.py`.

Environment: `TABLE_NAME` (the Debts table), `LEDGER_TABLE_NAME` (the payments ledger, read only: a debt paid online
is never changed by a file), `EVENT_BUS_NAME`.
"""

from __future__ import annotations

from pathlib import Path

from payments_shared import keys
from poche_common.clock import utc_now
from poche_common.connector import connect, scheduled_handler
from poche_common.wiring import Provider

from .ingest import ingest
from .store import DebtWriter

CONNECTOR = keys.CONNECTOR
SAMPLE = Path(__file__).parent / "sample" / "debts.csv"

dependencies = Provider(lambda: connect(CONNECTOR, keys.SOURCE, DebtWriter.over))
handler = scheduled_handler(dependencies, ingest, sample=SAMPLE, clock=lambda: utc_now())
