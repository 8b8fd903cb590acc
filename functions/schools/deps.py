"""What the schools routes use: `poche_common.wiring.table_reader` over `store.DynamoNoticeReader`."""

from __future__ import annotations

from typing import Any

from poche_common.wiring import Provider, ReaderDeps, table_reader

from .logic import NoticeReader
from .policy import STALE_AFTER_SECONDS

Deps = ReaderDeps


def _reader(client: Any, table: str) -> NoticeReader:
    from .store import DynamoNoticeReader

    return DynamoNoticeReader(client, table)


dependencies: Provider[ReaderDeps[NoticeReader]] = table_reader(_reader, STALE_AFTER_SECONDS)
