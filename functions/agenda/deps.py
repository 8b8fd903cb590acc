"""What the agenda routes use: `poche_common.wiring.table_reader` over `store.DynamoAgendaReader`."""

from __future__ import annotations

from typing import Any

from poche_common.wiring import Provider, ReaderDeps, table_reader

from .logic import AgendaReader
from .policy import STALE_AFTER_SECONDS

Deps = ReaderDeps


def _reader(client: Any, table: str) -> AgendaReader:
    from .store import DynamoAgendaReader

    return DynamoAgendaReader(client, table)


dependencies: Provider[ReaderDeps[AgendaReader]] = table_reader(_reader, STALE_AFTER_SECONDS)
