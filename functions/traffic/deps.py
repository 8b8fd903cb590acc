"""What the traffic route uses: `poche_common.wiring.table_reader` over `traffic_shared.reader.EventReader`."""

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
