"""What the news route uses: `poche_common.wiring.table_reader` over `store.DynamoNewsReader`."""

from __future__ import annotations

from typing import Any

from poche_common.wiring import Provider, ReaderDeps, table_reader

from .logic import NewsReader
from .policy import STALE_AFTER_SECONDS

Deps = ReaderDeps


def _reader(client: Any, table: str) -> NewsReader:
    from .store import DynamoNewsReader

    return DynamoNewsReader(client, table)


dependencies: Provider[ReaderDeps[NewsReader]] = table_reader(_reader, STALE_AFTER_SECONDS)
