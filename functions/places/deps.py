"""What the places routes use: `poche_common.wiring.table_reader` over `store.DynamoPlacesReader`."""

from __future__ import annotations

from typing import Any

from poche_common.wiring import Provider, ReaderDeps, table_reader

from .logic import PlacesReader
from .policy import STALE_AFTER_SECONDS

Deps = ReaderDeps


def _reader(client: Any, table: str) -> PlacesReader:
    from .store import DynamoPlacesReader

    return DynamoPlacesReader(client, table)


dependencies: Provider[ReaderDeps[PlacesReader]] = table_reader(_reader, STALE_AFTER_SECONDS)
