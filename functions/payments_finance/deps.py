"""What the finance routes use, built from the environment on first use (`dependencies.get()`, a `logic.Deps`):
TABLE_NAME (the Debts table: cancelled debts, the outbox), LEDGER_TABLE_NAME, EVENT_BUS_NAME. Nothing is built at
import; a test passes fakes with `dependencies.override(Deps(ledger=..., events=...))`."""

from __future__ import annotations

from poche_common.wiring import Provider

from .logic import Deps

PRODUCER = "payments-finance"


def build() -> Deps:
    import boto3

    from payments_shared.keys import SOURCE
    from poche_common.outbox import Outbox
    from poche_common.settings import required

    from .store import FinanceStore

    client = boto3.client("dynamodb")
    debts = required("TABLE_NAME")
    store = FinanceStore(client, debts, required("LEDGER_TABLE_NAME"))
    outbox = Outbox(client, debts, producer=PRODUCER, source=SOURCE, bus_name=required("EVENT_BUS_NAME"))
    return Deps(ledger=store, events=outbox)


dependencies: Provider[Deps] = Provider(build)
