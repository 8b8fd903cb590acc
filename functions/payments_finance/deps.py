"""What the finance routes use, built from the environment on first use (`dependencies.get()`, a `logic.Deps`):
TABLE_NAME (the Debts table: cancelled debts, the outbox), LEDGER_TABLE_NAME, EVENT_BUS_NAME. Nothing is built at
import; a test passes fakes with `dependencies.override(Deps(ledger=..., events=...))`."""

from __future__ import annotations

from poche_common.wiring import Provider

from .logic import Deps

PRODUCER = "payments-finance"


def build() -> Deps:
    from payments_shared import adapters

    from .store import FinanceStore

    store, outbox = adapters.tables(PRODUCER, FinanceStore)
    return Deps(ledger=store, events=outbox)


dependencies: Provider[Deps] = Provider(build)
