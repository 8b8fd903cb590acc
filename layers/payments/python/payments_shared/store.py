"""The DynamoDB adapter of the payments tables: the debts (read), the append-only ledger (read, and put-once
writes staged with their events in one transaction). boto3's low-level client only (cheap at cold start).

Every ledger write is a `TransactWriteItems` of Puts conditioned on `attribute_not_exists(pk)` plus the outbox
items of their events in the Debts table: the fact and its event exist together or not at all, and a fact written
twice (a notification delivered five times, the sweeper racing the processor) fails the condition: `append`
answers False and nothing is written, so each fact and each event exist once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from poche_common.dynamo import from_item, query_all, to_item
from poche_common.outbox import StagedEvent

from . import keys
from .ledger import DebtLedger, fold


class AttemptRef(NamedTuple):
    """Where an attempt's facts are: its debt and its number."""

    exer: str
    refdet: str
    number: int


class PaymentsStore:
    def __init__(self, client: Any, debts_table: str, ledger_table: str) -> None:
        self.client = client
        self.debts_table = debts_table
        self.ledger_table = ledger_table

    # --- debts ----------------------------------------------------------------------------------------------
    def debt(self, exer: str, refdet: str) -> dict[str, Any] | None:
        found = self.client.get_item(
            TableName=self.debts_table, Key=to_item({"pk": keys.debt_pk(exer, refdet), "sk": keys.DEBT_SK})
        ).get("Item")
        return from_item(found) if found else None

    def debts_of_payer(self, email: str, limit: int) -> list[dict[str, Any]]:
        """The debts carrying this payer e-mail (index `by_payer`), by due date, at most `limit`."""
        found = self.indexed(self.debts_table, keys.BY_PAYER_INDEX, keys.BY_PAYER_PK, keys.payer_gsi(email))
        return [item for _, item in zip(range(limit), found, strict=False)]

    def indexed(
        self, table: str, index: str, attribute: str, value: str, projection: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """The items of `table`'s `index` whose partition `attribute` is `value`, in order, page by page as the
        caller reads them (`projection`: the attributes to read, all by default)."""
        options = {"ProjectionExpression": projection} if projection else {}
        for item in query_all(
            self.client,
            TableName=table,
            IndexName=index,
            KeyConditionExpression=f"{attribute} = :v",
            ExpressionAttributeValues=to_item({":v": value}),
            **options,
        ):
            yield from_item(item)

    # --- ledger reads ---------------------------------------------------------------------------------------
    def ledger(self, exer: str, refdet: str) -> DebtLedger | None:
        """Every fact of a debt (a strongly consistent Query of its partition), folded."""
        return fold(
            from_item(item)
            for item in query_all(
                self.client,
                TableName=self.ledger_table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues=to_item({":pk": keys.debt_pk(exer, refdet)}),
                ConsistentRead=True,
            )
        )

    def _one(self, index: str, attribute: str, value: str) -> AttemptRef | None:
        page = self.client.query(
            TableName=self.ledger_table,
            IndexName=index,
            KeyConditionExpression=f"{attribute} = :v",
            ExpressionAttributeValues=to_item({":v": value}),
            ProjectionExpression="pk, sk",
            Limit=1,
        )
        for item in page.get("Items", []):
            exer, refdet = keys.split_debt_pk(item["pk"]["S"])
            return AttemptRef(exer, refdet, keys.attempt_of(item["sk"]["S"]))
        return None

    def by_payment(self, payment_id: str) -> AttemptRef | None:
        return self._one(keys.BY_PAYMENT_INDEX, keys.BY_PAYMENT_PK, keys.payment_gsi(payment_id))

    def by_idop(self, idop: str) -> AttemptRef | None:
        return self._one(keys.BY_IDOP_INDEX, keys.BY_IDOP_PK, keys.idop_gsi(idop))

    def day(self, gsi3pk: str) -> Iterator[dict[str, Any]]:
        """The items indexed `by_day` under `gsi3pk` (OPENED#<date>, SETTLED#<date>, EXCEPTION#<date>), in order."""
        return self.indexed(self.ledger_table, keys.BY_DAY_INDEX, keys.BY_DAY_PK, gsi3pk)

    # --- ledger writes --------------------------------------------------------------------------------------
    def append(self, items: Sequence[dict[str, Any]], events: Sequence[StagedEvent] = ()) -> bool:
        """Put `items` in the ledger, each only if absent, with the outbox items of `events`, in one transaction.
        False (and nothing written) when one of the items already exists."""
        actions: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.ledger_table,
                    "Item": to_item(item),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for item in items
        ]
        actions += [{"Put": {"TableName": self.debts_table, "Item": event.item()}} for event in events]
        try:
            self.client.transact_write_items(TransactItems=actions)
        except self.client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                return False
            raise
        return True
