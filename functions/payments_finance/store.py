"""The DynamoDB adapter of the finance routes (`logic.FinanceLedger`): `PaymentsStore`'s `by_day` reads and put-once
`append`, plus what only finance staff read: the `by_closed` index of the Ledger, the `cancelled` index of the
Debts table, and the `RECON#<date>` partition's statements and resolutions (each read by its sort-key prefix, so a
day's statements are never read whole). boto3's low-level client only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from payments_shared import keys
from payments_shared.store import PaymentsStore
from poche_common.dynamo import from_item, query_all, to_item


class FinanceStore(PaymentsStore):
    def closed(self, gsi4pk: str) -> Iterator[dict[str, Any]]:
        """The items indexed `by_closed` under `gsi4pk` (CLOSED#<UTC date>): keys only are needed."""
        return self.indexed(self.ledger_table, keys.BY_CLOSED_INDEX, keys.BY_CLOSED_PK, gsi4pk, "pk, sk")

    def cancelled_debts(self) -> Iterator[tuple[str, str]]:
        """(exer, refdet) of the debts indexed `cancelled` in the Debts table."""
        for item in self.indexed(self.debts_table, keys.CANCELLED_INDEX, keys.CANCELLED_PK, keys.CANCELLED_DEBTS, "pk"):
            yield keys.split_debt_pk(str(item["pk"]))

    def _prefixed(self, paris_day: str, prefix: str, *, newest_first: bool = False) -> Iterator[dict[str, Any]]:
        for item in query_all(
            self.client,
            TableName=self.ledger_table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=to_item({":pk": keys.recon_pk(paris_day), ":prefix": prefix}),
            ConsistentRead=True,
            ScanIndexForward=not newest_first,
        ):
            yield from_item(item)

    def statement_items(self, paris_day: str) -> Iterator[dict[str, Any]]:
        """The day's `STATEMENT#` items, newest first, page by page as the caller reads them."""
        return self._prefixed(paris_day, keys.STATEMENT, newest_first=True)

    def resolutions(self, paris_day: str) -> Iterator[dict[str, Any]]:
        return self._prefixed(paris_day, keys.RESOLVED)
