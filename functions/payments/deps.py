"""What the payments routes use, built from the environment on first use (`dependencies.get()`, a `logic.Deps`);
a test passes fakes with `dependencies.override(Deps(...))`."""

from __future__ import annotations

from functools import partial

from poche_common.wiring import Provider

from .logic import Deps

PRODUCER = "payments-service"


def build() -> Deps:
    import boto3

    from payments_shared.keys import SOURCE
    from payments_shared.payfip import PayfipClient, PayfipConfig, PaymentRequest
    from payments_shared.record import Recorder
    from payments_shared.store import PaymentsStore
    from poche_common.outbox import Outbox
    from poche_common.settings import optional, required

    from .policy import LOOKUPS_PER_MINUTE
    from .throttle import CallerThrottle

    client = boto3.client("dynamodb")
    debts = required("TABLE_NAME")
    store = PaymentsStore(client, debts, required("LEDGER_TABLE_NAME"))
    outbox = Outbox(client, debts, producer=PRODUCER, source=SOURCE, bus_name=required("EVENT_BUS_NAME"))
    api = required("PUBLIC_API_URL").rstrip("/")
    config = PayfipConfig(
        endpoint=required("PAYFIP_ENDPOINT"),
        page_url=required("PAYFIP_PAGE_URL"),
        numcli=required("PAYFIP_NUMCLI"),
        saisie=required("PAYFIP_SAISIE"),
    )
    return Deps(
        store=store,
        recorder=Recorder(store, outbox),
        provider=PayfipClient(config),
        request=partial(
            PaymentRequest,
            urlnotif=f"{api}/v1/payments/payfip/notifications",
            urlredirect=optional("PAYFIP_RETURN_URL") or f"{api}/v1/payments/payfip/return",
        ),
        throttle=CallerThrottle(client, debts, LOOKUPS_PER_MINUTE),
    )


dependencies: Provider[Deps] = Provider(build)
