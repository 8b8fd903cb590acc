"""What the traffic route use, built from the environment on first use: `dependencies.get()` (the table's reader and
`STALE_AFTER_SECONDS`, `poche_common.wiring.table_reader`).

Nothing is built at import (no client, no setting read): a test passes fakes with
`dependencies.override(Deps(reader=FakeReader(...), stale_after_s=...))`.
"""

from __future__ import annotations

from typing import Any

from poche_common.wiring import Provider, ReaderDeps, table_reader

from .logic import EventsReader
from .policy import STALE_AFTER_SECONDS

Deps = ReaderDeps


def _reader(client: Any, table: str) -> EventsReader:
    from traffic_shared.reader import EventReader

    return EventReader(client, table)


dependencies: Provider[ReaderDeps[EventsReader]] = table_reader(_reader, STALE_AFTER_SECONDS)
