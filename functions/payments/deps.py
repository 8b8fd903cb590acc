"""What the payments routes use, built from the environment on first use (`dependencies.get()`, a `logic.Deps`);
a test passes fakes with `dependencies.override(Deps(...))`."""

from __future__ import annotations

from functools import partial

from poche_common.wiring import Provider

from .logic import Deps

PRODUCER = "payments-service"


def build() -> Deps:
    from payments_shared import adapters
    from payments_shared.payfip import PaymentRequest
    from payments_shared.record import Recorder
    from payments_shared.store import PaymentsStore
    from poche_common.settings import optional, required

    from .policy import LOOKUPS_PER_MINUTE
    from .throttle import CallerThrottle

    store, outbox = adapters.tables(PRODUCER, PaymentsStore)
    api = required("PUBLIC_API_URL").rstrip("/")
    return Deps(
        store=store,
        recorder=Recorder(store, outbox),
        provider=adapters.payfip(),
        request=partial(
            PaymentRequest,
            urlnotif=f"{api}/v1/payments/payfip/notifications",
            urlredirect=optional("PAYFIP_RETURN_URL") or f"{api}/v1/payments/payfip/return",
        ),
        throttle=CallerThrottle(store.client, store.debts_table, LOOKUPS_PER_MINUTE),
    )


dependencies: Provider[Deps] = Provider(build)
