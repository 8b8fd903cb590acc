"""What the admin routes use, built from the environment on first use: `dependencies.get()`, a `logic.Writer`.

Nothing is built at import (no client, no setting read): a test passes fakes with
`dependencies.override(Writer(notices=..., outbox=..., projections=...))`.
"""

from __future__ import annotations

from poche_common.settings import required
from poche_common.wiring import Provider

from .logic import Writer

SOURCE = "poche.schools"
PRODUCER = "schools-admin"


def build() -> Writer:
    import boto3

    from poche_common.outbox import Outbox
    from poche_common.schools import rewrite_projections

    from .store import NoticeStore

    client = boto3.client("dynamodb")
    table = required("TABLE_NAME")
    outbox = Outbox(client, table, producer=PRODUCER, source=SOURCE, bus_name=required("EVENT_BUS_NAME"))
    return Writer(
        notices=NoticeStore(client, table),
        outbox=outbox,
        projections=lambda uais, now: rewrite_projections(client, table, uais, now),
    )


dependencies: Provider[Writer] = Provider(build)
