"""What the canteen routes use: `poche_common.wiring.table_reader` over `store.DynamoCanteenReader`."""

from __future__ import annotations

from typing import Any

from poche_common.wiring import Provider, ReaderDeps, table_reader

from .logic import CanteenReader
from .policy import STALE_AFTER_SECONDS

Deps = ReaderDeps


def _reader(client: Any, table: str) -> CanteenReader:
    from .store import DynamoCanteenReader

    return DynamoCanteenReader(client, table)


dependencies: Provider[ReaderDeps[CanteenReader]] = table_reader(_reader, STALE_AFTER_SECONDS)
