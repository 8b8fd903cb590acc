"""Write side of the connector: the Debts table, of which the finance software's file is the complete list.

Layout (`payments_shared.keys`): one item per debt, `DEBT#<exer>#<refdet>` / `DEBT`, with `origin` (this connector),
the index keys `gsi2pk = ORIGIN#payments-debts-csv`, `gsi2sk = <exer>#<refdet>` (index `by_origin`, through which a
run reads every debt the file created, with one Query and no Scan), and, when the file gives the payer's e-mail,
`gsi1pk = PAYER#<digest of the e-mail>`, `gsi1sk = <due_date>#<exer>#<refdet>` (index `by_payer`).

Diff (`sync`, `poche_common.changes.diff` over content digests): an unchanged debt is not written (an unchanged file
writes nothing and announces nothing); a new or changed debt is put; a stored debt the file no longer has is deleted
(withdrawn), unless its row was rejected (its stored debt is kept as it is). A debt already paid online (the Ledger
table says so, `PaidDebts`) is never changed, cancelled nor withdrawn by a file: it is left exactly as stored and
reported. Only the debts the diff would change, cancel or withdraw are looked up in the Ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from payments_shared import keys, ledger
from poche_common.changes import CREATED, DELETED, UPDATED, Kind, diff
from poche_common.dynamo import batch_write, content_digest, from_item, query_all, to_item
from poche_common.observability import logger
from poche_common.settings import required

from .model import Debt, Key, ParsedFeed

if TYPE_CHECKING:
    from poche_common.eventtypes import DebtChange

ChangeName = Literal["created", "updated", "cancelled", "withdrawn"]
PAID_UPDATE = "créance déjà payée en ligne : modification ignorée"
PAID_CANCEL = "créance déjà payée en ligne : annulation ignorée"
PAID_WITHDRAW = "créance {exer}/{refdet} absente du fichier mais déjà payée en ligne : retrait ignoré"


class PaidDebts(Protocol):
    """The port to the payments ledger: was this debt paid online?"""

    def paid(self, exer: str, refdet: str) -> bool: ...


class LedgerPaidDebts:
    """`PaidDebts` over the Ledger table: the debt's partition (`keys.debt_pk`) read (strongly consistent: a payment
    just recorded counts) and folded (`ledger.fold`); paid when an attempt settled it. A partition the rules cannot
    read (`LedgerError`, a bug or a hand edit) counts as paid: the file never changes what the ledger cannot vouch
    for, and the error is logged."""

    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def paid(self, exer: str, refdet: str) -> bool:
        found = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.debt_pk(exer, refdet)}),
            ConsistentRead=True,
        )
        try:
            debt = ledger.fold(from_item(item) for item in found)
        except ledger.LedgerError as exc:
            logger.error(
                "ledger partition unreadable: the debt is left as stored",
                extra={"exer": exer, "refdet": refdet, "error": str(exc)},
            )
            return True
        return debt is not None and debt.settled_by() is not None


class Change(NamedTuple):
    """One debt the run changes: what the event says (`change`) and what the write was (`kind`)."""

    exer: str
    refdet: str
    change: ChangeName
    kind: Kind  # created | updated | deleted: the event's counts

    def as_fact(self) -> DebtChange:
        return {"exer": self.exer, "refdet": self.refdet, "change": self.change}


class Kept(NamedTuple):
    """A debt already paid online that the file would have changed: left as stored, reported to finance staff."""

    exer: str
    refdet: str
    line: int | None  # its row's line; None when the file no longer has it
    reason: str

    def as_report(self) -> dict[str, Any]:
        if self.line is None:
            return {"record": f"{self.exer}/{self.refdet}", "reason": self.reason}
        return {"line": self.line, "reason": self.reason}


class SyncResult(NamedTuple):
    changes: list[Change]  # in a stable order: puts in the file's order, then withdrawals by key
    kept: list[Kept]  # paid debts left as stored


def debt_item(debt: Debt, connector: str = keys.CONNECTOR) -> dict[str, Any]:
    """The Debts table item of a debt (plain values; `to_item` for the wire)."""
    content: dict[str, Any] = {
        "exer": debt.exer,
        "refdet": debt.refdet,
        "objet": debt.objet,
        "amount_cents": debt.amount_cents,
        "product": debt.product,
        "due_date": debt.due_date,
        "status": debt.status,
    }
    if debt.email:
        content["email"] = debt.email
    item: dict[str, Any] = {"pk": keys.debt_pk(debt.exer, debt.refdet), "sk": keys.DEBT_SK, **content}
    item["digest"] = content_digest(content)
    item["origin"] = connector
    if debt.email:
        item[keys.BY_PAYER_PK] = keys.payer_gsi(debt.email)
        item[keys.BY_PAYER_SK] = keys.payer_sk(debt.due_date, debt.exer, debt.refdet)
    item[keys.BY_ORIGIN_PK] = keys.origin_gsi(connector)
    item[keys.BY_ORIGIN_SK] = f"{debt.exer}#{debt.refdet}"
    if debt.status == "cancelled":  # sparse: the reconciliation reads the cancelled debts in one Query
        item[keys.CANCELLED_PK] = keys.CANCELLED_DEBTS
        item[keys.CANCELLED_SK] = f"{debt.exer}#{debt.refdet}"
    return item


class DebtWriter:
    """The connector's store: reads what the file created, writes what differs, asks the ledger before touching."""

    def __init__(self, client: Any, table: str, paid: PaidDebts, connector: str = keys.CONNECTOR) -> None:
        self.client = client
        self.table = table
        self.paid = paid
        self.connector = connector

    @classmethod
    def over(cls, client: Any, table: str) -> DebtWriter:
        """The store `connect` builds: the Ledger table is `LEDGER_TABLE_NAME`, read now."""
        return cls(client, table, LedgerPaidDebts(client, required("LEDGER_TABLE_NAME")))

    def stored(self) -> dict[Key, dict[str, Any]]:
        """(exer, refdet) -> {pk, sk, digest, status} of every debt this connector wrote (Query on `by_origin`)."""
        found = query_all(
            self.client,
            TableName=self.table,
            IndexName=keys.BY_ORIGIN_INDEX,
            KeyConditionExpression="#origin = :origin",
            ProjectionExpression="pk, sk, digest, #status",
            ExpressionAttributeNames={"#origin": keys.BY_ORIGIN_PK, "#status": "status"},
            ExpressionAttributeValues=to_item({":origin": keys.origin_gsi(self.connector)}),
        )
        stored: dict[Key, dict[str, Any]] = {}
        for item in map(from_item, found):
            stored[keys.split_debt_pk(str(item["pk"]))] = item
        return stored

    def sync(self, feed: ParsedFeed, before_write: Callable[[list[Change]], None] | None = None) -> SyncResult:
        """Write what differs from the store, except on debts paid online; return the changes and the paid debts
        left alone. `before_write(changes)` is called once the changes are known, before anything is written (the
        run stages its event there), and not at all when nothing changes."""
        stored = self.stored()
        rows = {debt.key: debt for debt in feed.debts}
        wanted = {key: debt_item(debt, self.connector) for key, debt in rows.items()}
        rejected = feed.rejected_keys
        unattributed = feed.unattributed_rejections
        found = diff(
            {key: item.get("digest") for key, item in stored.items()},
            {key: item["digest"] for key, item in wanted.items()},
            # a rejected row keeps its stored debt; a row rejected before its debt could be told keeps them all
            lambda key: key not in rejected and not unattributed,
        )
        changes: list[Change] = []
        kept: list[Kept] = []
        puts: list[dict[str, Any]] = []
        deletes: list[dict[str, Any]] = []
        for key, kind in found.changes:
            if kind == CREATED:
                debt = rows[key]
                changes.append(Change(*key, "cancelled" if debt.status == "cancelled" else "created", kind))
                puts.append(wanted[key])
                continue
            if self.paid.paid(*key):
                kept.append(_kept(key, rows.get(key), stored[key]))
                continue
            if kind == UPDATED:
                debt = rows[key]
                cancels = debt.status == "cancelled" and stored[key].get("status") != "cancelled"
                changes.append(Change(*key, "cancelled" if cancels else "updated", kind))
                puts.append(wanted[key])
            elif kind == DELETED:
                changes.append(Change(*key, "withdrawn", kind))
                deletes.append({"pk": stored[key]["pk"], "sk": stored[key]["sk"]})
        if not changes:
            return SyncResult(changes, kept)
        if before_write is not None:
            before_write(changes)
        batch_write(self.client, self.table, _requests(puts, deletes))
        return SyncResult(changes, kept)


def _kept(key: Key, row: Debt | None, stored: dict[str, Any]) -> Kept:
    exer, refdet = key
    if row is None:
        return Kept(exer, refdet, None, PAID_WITHDRAW.format(exer=exer, refdet=refdet))
    cancels = row.status == "cancelled" and stored.get("status") != "cancelled"
    return Kept(exer, refdet, row.line, PAID_CANCEL if cancels else PAID_UPDATE)


def _requests(puts: Iterable[dict[str, Any]], deletes: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    requests = [{"PutRequest": {"Item": to_item(item)}} for item in puts]
    requests += [{"DeleteRequest": {"Key": to_item(key)}} for key in deletes]
    return requests
