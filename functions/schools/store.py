"""The DynamoDB adapter of the schools service's reader port (`logic.NoticeReader`); layout in
`poche_common.schools`. Never a Scan."""

from __future__ import annotations

from typing import Any

from poche_common import feeds, schools

from .policy import CONNECTOR


class DynamoNoticeReader:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def notices(self, uai: str) -> list[dict[str, Any]]:
        """Every stored notice of the school (expired ones included)."""
        return schools.read_notices(self.client, self.table, uai)

    def fetched_at(self) -> str | None:
        """When the département's notices feed was last read successfully."""
        return feeds.fetched_at(self.client, self.table, CONNECTOR)
