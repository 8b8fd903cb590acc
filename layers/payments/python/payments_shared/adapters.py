"""The payments functions' adapters over their deployed environment, built in one place: the store of the Debts
and Ledger tables (`TABLE_NAME`, `LEDGER_TABLE_NAME`) with the outbox of the Debts table (`EVENT_BUS_NAME`), and
the PayFiP client (`PAYFIP_ENDPOINT`, `PAYFIP_PAGE_URL`, `PAYFIP_NUMCLI`, `PAYFIP_SAISIE`). Each function's
`deps.py` calls them on its first request (boto3 and the adapters imported then, not at cold start)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from .store import PaymentsStore

if TYPE_CHECKING:
    from poche_common.outbox import Outbox

    from .payfip import PayfipClient

S = TypeVar("S", bound=PaymentsStore)


def tables(producer: str, store_type: type[S]) -> tuple[S, Outbox]:
    """`store_type` over the two tables, and the outbox of the events `producer` stages in the Debts table."""
    import boto3

    from poche_common.outbox import Outbox
    from poche_common.settings import required

    from .keys import SOURCE

    client = boto3.client("dynamodb")
    debts = required("TABLE_NAME")
    store = store_type(client, debts, required("LEDGER_TABLE_NAME"))
    return store, Outbox(client, debts, producer=producer, source=SOURCE, bus_name=required("EVENT_BUS_NAME"))


def payfip() -> PayfipClient:
    """The PayFiP client of the territory's account."""
    from poche_common.settings import required

    from .payfip import PayfipClient, PayfipConfig

    config = PayfipConfig(
        endpoint=required("PAYFIP_ENDPOINT"),
        page_url=required("PAYFIP_PAGE_URL"),
        numcli=required("PAYFIP_NUMCLI"),
        saisie=required("PAYFIP_SAISIE"),
    )
    return PayfipClient(config)
