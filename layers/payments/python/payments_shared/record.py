"""What happens to a debt's ledger, step by step: reserve an attempt, record its idOp, record what PayFiP says.
Shared by the payments service (start, re-check on return), the notification processor and the sweeper, so the
three write the same facts the same way; whichever writes a fact first wins, the others find it written (the
store's put-once transaction) and do nothing: one attempt, one credit, one event per fact.

Events are staged in the Debts table's outbox in the same transaction as their fact, then sent at once; one the
bus refuses stays staged and the sweeper's next flush sends it (every 5 minutes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from poche_common.clock import to_utc_iso
from poche_common.errors import ConflictError

from . import keys
from .ledger import Answer, Attempt, DebtLedger, Detail, Verdict, judge, paris_date

if TYPE_CHECKING:
    from poche_common.eventtypes import PaymentFacts
    from poche_common.outbox import StagedEvent

# Every fact is also an event on the bus: initiated, start-failed, notified, detail fetched (a result seen while it
# may still change), and the outcomes below.
EVENT_OF_RECORD = {
    "succeeded": "PaymentSucceeded",
    "late": "PaymentSucceeded",
    "failed": "PaymentFailed",
    "cancelled": "PaymentCancelled",
    "expired": "PaymentExpired",
}


class LedgerWriter(Protocol):
    def append(self, items: list[dict[str, Any]], events: list[StagedEvent]) -> bool: ...


class EventOutbox(Protocol):
    def prepare(self, detail_type: str, facts: Mapping[str, Any], *, ready: bool = False) -> StagedEvent: ...

    def send(self, staged: list[StagedEvent]) -> Any: ...


class Recorder:
    def __init__(self, ledger: LedgerWriter, outbox: EventOutbox) -> None:
        self.ledger = ledger
        self.outbox = outbox

    # --- starting -----------------------------------------------------------------------------------------
    def reserve(
        self, debt: Mapping[str, Any], ledger: DebtLedger | None, payment_id: str, payer: str | None, now: dt.datetime
    ) -> Attempt:
        """Reserve the debt's next attempt (its number is the lock: two requests at the same instant compute the
        same number, one put succeeds, the other is refused with 409)."""
        number = ledger.next_number if ledger else 1
        exer, refdet = str(debt["exer"]), str(debt["refdet"])
        item: dict[str, Any] = {
            "pk": keys.debt_pk(exer, refdet),
            "sk": keys.attempt_sk(number),
            "attempt": number,
            "payment_id": payment_id,
            "exer": exer,
            "refdet": refdet,
            "objet": str(debt["objet"]),
            "product": str(debt.get("product", "")),
            "amount_cents": int(debt["amount_cents"]),
            "created_at": to_utc_iso(now),
            keys.BY_PAYMENT_PK: keys.payment_gsi(payment_id),
            keys.BY_PAYMENT_SK: "ATTEMPT",
        }
        if payer:
            item["payer"] = payer
        if not self.ledger.append([item], []):
            raise ConflictError("Un paiement de cette créance vient d'être commencé ; réessayez dans quelques minutes.")
        return Attempt(
            number=number,
            payment_id=payment_id,
            exer=exer,
            refdet=refdet,
            created_at=now,
            amount_cents=item["amount_cents"],
            objet=item["objet"],
            product=item["product"],
            payer=payer,
        )

    def initiated(self, attempt: Attempt, idop: str, now: dt.datetime) -> None:
        """PayFiP gave the attempt its idOp: indexed by idOp (notifications) and by day (the sweeper)."""
        created = to_utc_iso(attempt.created_at)
        item = self._fact(attempt, keys.fact_sk(attempt.number, "initiated"), now, idop=idop)
        item |= {
            keys.BY_IDOP_PK: keys.idop_gsi(idop),
            keys.BY_IDOP_SK: "IDOP",
            keys.BY_DAY_PK: keys.opened_gsi(attempt.created_at.astimezone(dt.UTC).date().isoformat()),
            keys.BY_DAY_SK: f"{created}#{item['pk']}#{keys.attempt_number(attempt.number)}",
        }
        attempt.idop = idop
        self._commit([item], [("PaymentInitiated", self._facts(attempt, now))])

    def start_failed(self, attempt: Attempt, reason: str, now: dt.datetime) -> None:
        """PayFiP refused or did not answer `creerPaiementSecurise`: the attempt never started (no lock kept)."""
        attempt.start_failed = True
        item = self._fact(attempt, keys.fact_sk(attempt.number, "start-failed"), now, reason=reason)
        self._commit([self._closed(attempt, item)], [("PaymentStartFailed", self._facts(attempt, now, reason=reason))])

    def notified(self, attempt: Attempt, now: dt.datetime) -> bool:
        """PayFiP's notification came (once per attempt: later deliveries find it written)."""
        if attempt.notified:
            return False
        attempt.notified = True
        item = self._fact(attempt, keys.fact_sk(attempt.number, "notified"), now)
        return self._commit([item], [("PaymentNotified", self._facts(attempt, now))])

    # --- settling -----------------------------------------------------------------------------------------
    def apply(self, ledger: DebtLedger, attempt: Attempt, answer: Answer, now: dt.datetime) -> Verdict:
        """Record what PayFiP's `answer` means for `attempt` (`ledger.judge`); the verdict says what was done.
        When another writer recorded it first, the verdict is `nothing`."""
        verdict = judge(ledger, attempt, answer, now)
        items: list[dict[str, Any]] = []
        events: list[tuple[str, PaymentFacts]] = []
        if verdict.record in ("succeeded", "late") and isinstance(answer, Detail):
            late = verdict.record == "late"
            success = self._success(attempt, answer, now, late=late, reason=verdict.reason)
            items.append(success if late else self._closed(attempt, success))
            events.append(("PaymentSucceeded", self._facts(attempt, now, answer, success["paid_at"], verdict.reason)))
            if verdict.duplicate:
                first = ledger.settled_by()
                duplicate = self._fact(
                    attempt,
                    keys.duplicate_sk(attempt.number),
                    now,
                    kind="duplicate",
                    amount_cents=attempt.amount_cents,
                    idop=answer.idop,
                    paid_at=success["paid_at"],
                    first_payment_id=first.payment_id if first else "",
                    reason="créance déjà payée par un autre paiement : remboursement à organiser",
                )
                duplicate[keys.BY_DAY_PK] = keys.exception_gsi(
                    paris_date(dt.datetime.fromisoformat(success["paid_at"]))
                )
                duplicate[keys.BY_DAY_SK] = f"{success['paid_at']}#{answer.idop}"
                items.append(duplicate)
                events.append(("PaymentDuplicated", self._facts(attempt, now, answer, success["paid_at"], "duplicate")))
        elif verdict.record in ("failed", "cancelled", "expired"):
            extra: dict[str, Any] = {"kind": verdict.record, "reason": verdict.reason}
            if isinstance(answer, Detail):
                extra |= {"resultrans": answer.resultrans, "idop": answer.idop}
            items.append(self._closed(attempt, self._fact(attempt, keys.outcome_sk(attempt.number), now, **extra)))
            event_answer = answer if isinstance(answer, Detail) else None
            events.append(
                (EVENT_OF_RECORD[verdict.record], self._facts(attempt, now, event_answer, None, verdict.reason))
            )
        elif verdict.record == "wait" and isinstance(answer, Detail) and answer.resultrans not in attempt.results_seen:
            sk = keys.fact_sk(attempt.number, f"detail-{answer.resultrans}")
            items.append(self._fact(attempt, sk, now, resultrans=answer.resultrans, idop=answer.idop))
            events.append(("PaymentDetailFetched", self._facts(attempt, now, answer, None, verdict.reason)))
        if not items or self._commit(items, events):
            return verdict
        return Verdict("nothing", reason="already recorded by another writer")

    # --- helpers ------------------------------------------------------------------------------------------
    def _success(
        self, attempt: Attempt, detail: Detail, now: dt.datetime, *, late: bool, reason: str
    ) -> dict[str, Any]:
        paid_at = detail.transaction_at() or now
        sk = keys.late_sk(attempt.number) if late else keys.outcome_sk(attempt.number)
        item = self._fact(
            attempt,
            sk,
            now,
            kind="late-success" if late else "succeeded",
            idop=detail.idop,
            resultrans=detail.resultrans,
            numauto=detail.numauto,
            paid_at=to_utc_iso(paid_at),
        )
        if reason:
            item["reason"] = reason
        item[keys.BY_DAY_PK] = keys.settled_gsi(paris_date(paid_at))
        item[keys.BY_DAY_SK] = f"{item['paid_at']}#{detail.idop}"
        return item

    @staticmethod
    def _closed(attempt: Attempt, item: dict[str, Any]) -> dict[str, Any]:
        """`item` (the attempt's outcome, or its failed start) indexed `by_closed` under the attempt's opening day."""
        created = to_utc_iso(attempt.created_at)
        item[keys.BY_CLOSED_PK] = keys.closed_gsi(attempt.created_at.astimezone(dt.UTC).date().isoformat())
        item[keys.BY_CLOSED_SK] = f"{created}#{item['pk']}#{keys.attempt_number(attempt.number)}"
        return item

    @staticmethod
    def _fact(attempt: Attempt, sk: str, now: dt.datetime, **attributes: Any) -> dict[str, Any]:
        return {
            "pk": keys.debt_pk(attempt.exer, attempt.refdet),
            "sk": sk,
            "attempt": attempt.number,
            "payment_id": attempt.payment_id,
            "exer": attempt.exer,
            "refdet": attempt.refdet,
            "objet": attempt.objet,
            "product": attempt.product,
            "amount_cents": attempt.amount_cents,
            "at": to_utc_iso(now),
            **attributes,
        }

    @staticmethod
    def _facts(
        attempt: Attempt,
        now: dt.datetime,
        detail: Detail | None = None,
        paid_at: str | None = None,
        reason: str = "",
    ) -> PaymentFacts:
        """The event of a fact (every fact of the ledger is also an event)."""
        facts: PaymentFacts = {
            "payment_id": attempt.payment_id,
            "attempt": attempt.number,
            "exer": attempt.exer,
            "refdet": attempt.refdet,
            "product": attempt.product,
            "amount_cents": attempt.amount_cents,
            "at": to_utc_iso(now),
        }
        if attempt.payer:
            facts["payer"] = attempt.payer
        if attempt.idop:
            facts["idop"] = attempt.idop
        if detail is not None:
            facts["resultrans"] = detail.resultrans
        if paid_at:
            facts["paid_at"] = paid_at
        if reason:
            facts["reason"] = reason
        return facts

    def _commit(self, items: list[dict[str, Any]], events: list[tuple[str, PaymentFacts]]) -> bool:
        staged = [self.outbox.prepare(detail_type, facts, ready=True) for detail_type, facts in events]
        if not self.ledger.append(items, staged):
            return False
        if staged:
            try:
                self.outbox.send(staged)
            except Exception:  # the events stay staged: the sweeper's flush sends them
                from poche_common.observability import logger

                logger.warning("payment events left in the outbox", extra={"events": len(staged)})
        return True
