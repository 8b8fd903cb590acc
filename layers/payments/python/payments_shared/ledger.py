"""The payments ledger's rules, pure: facts folded into the state of a debt's attempts, and what PayFiP's answer
about an attempt means. No I/O, no clock (`now` is a parameter), no boto3.

A debt's ledger partition (`keys.py`) holds, per attempt n: the reservation `ATTEMPT#n`, facts `FACT#n#<kind>`,
at most one terminal `OUTCOME#n`, and the exceptional `LATE#n` (a success after a terminal failure) and
`DUPLICATE#n` (a second success on a settled debt). Every item is written once; nothing is ever updated, so a
state is always what `fold` derives from the facts.

PayFiP's behaviour these rules follow (the DGFiP's interface, and its long use by French authorities; see
../shared SOURCES §14 and docs/payments.md): an idOp is valid 15 minutes; until a result exists the detail
answers fault P5; a P5 long after creation means the payment never happened; after about a day the idOp is
purged (fault P1); a result `A` (cancelled) can still become a payment for a short while, so it is final only
after two minutes; a new attempt on a debt is refused within 20 minutes of the previous one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from . import keys

PARIS = ZoneInfo("Europe/Paris")

IDOP_VALIDITY = dt.timedelta(minutes=15)  # PayFiP's page accepts the idOp this long
ATTEMPT_LOCK = dt.timedelta(minutes=20)  # no new attempt on a debt while one this recent is unsettled
PENDING_EXPIRY = dt.timedelta(minutes=30)  # a P5 this long after creation: the payment never happened
CANCEL_GRACE = dt.timedelta(minutes=2)  # a result A is final only this long after the transaction
SWEEP_HORIZON = dt.timedelta(days=1)  # the idOp is purged by PayFiP after about a day (fault P1)

SUCCESS_RESULTS = frozenset({"P", "V"})  # paid by card, paid by one-off debit
REFUSED_RESULTS = frozenset({"R", "Z"})  # card refused, debit refused
CANCELLED_RESULT = "A"
RESULTS = SUCCESS_RESULTS | REFUSED_RESULTS | {CANCELLED_RESULT}

Outcome = Literal["succeeded", "failed", "cancelled", "expired"]
OUTCOMES: tuple[Outcome, ...] = ("succeeded", "failed", "cancelled", "expired")
Status = Literal["starting", "pending", "paid", "refused", "cancelled", "expired", "error"]
STATUS_OF_OUTCOME: dict[str, Status] = {
    "succeeded": "paid",
    "failed": "refused",
    "cancelled": "cancelled",
    "expired": "expired",
}


class LedgerError(ValueError):
    """An item of the ledger does not have the shape `keys.py` describes (a bug or a hand edit: never guessed)."""


@dataclass(frozen=True)
class Detail:
    """`recupererDetailPaiementSecurise`'s answer for an idOp that has a result (schema3.xsd)."""

    idop: str
    resultrans: str  # P V R Z A
    montant: int  # cents, as PayFiP returns it
    exer: str
    refdet: str
    numauto: str  # authorisation number ("" when refused)
    dattrans: str  # DDMMYYYY, Paris time
    heurtrans: str  # HHMM, Paris time

    def transaction_at(self) -> dt.datetime | None:
        """The transaction's moment (UTC), from PayFiP's Paris date and time; None when they are not a moment."""
        try:
            local = dt.datetime.strptime(self.dattrans + self.heurtrans, "%d%m%Y%H%M")
        except ValueError:
            return None
        return local.replace(tzinfo=PARIS).astimezone(dt.UTC)


@dataclass(frozen=True)
class Pending:
    """Fault P5: no result yet."""


@dataclass(frozen=True)
class Unknown:
    """Fault P1: PayFiP does not know the idOp (purged after about a day, or never created)."""


Answer = Detail | Pending | Unknown


@dataclass
class Attempt:
    """One attempt to pay a debt, as its facts tell it."""

    number: int
    payment_id: str
    exer: str
    refdet: str
    created_at: dt.datetime
    amount_cents: int
    objet: str
    product: str
    payer: str | None  # the citizen's `sub` when signed in
    idop: str | None = None
    start_failed: bool = False
    notified: bool = False
    results_seen: set[str] = field(default_factory=set)
    outcome: dict[str, Any] | None = None
    late: dict[str, Any] | None = None
    duplicate: dict[str, Any] | None = None

    @property
    def settled(self) -> bool:
        """The attempt has its terminal fact (or never started)."""
        return self.outcome is not None or self.start_failed

    @property
    def succeeded(self) -> bool:
        return (self.outcome is not None and self.outcome["kind"] == "succeeded") or self.late is not None

    @property
    def status(self) -> Status:
        if self.late is not None:
            return "paid"
        if self.outcome is not None:
            return STATUS_OF_OUTCOME[str(self.outcome["kind"])]
        if self.start_failed:
            return "error"
        return "pending" if self.idop else "starting"

    def success(self) -> dict[str, Any] | None:
        """The fact that says this attempt was paid (its outcome, or the late success)."""
        if self.outcome is not None and self.outcome["kind"] == "succeeded":
            return self.outcome
        return self.late


@dataclass
class DebtLedger:
    """Every attempt on one debt, oldest first."""

    exer: str
    refdet: str
    attempts: list[Attempt]

    @property
    def next_number(self) -> int:
        return (self.attempts[-1].number + 1) if self.attempts else 1

    def settled_by(self) -> Attempt | None:
        """The attempt that paid the debt: the first success (by attempt number); later ones are duplicates."""
        return next((a for a in self.attempts if a.succeeded), None)

    def blocking(self, now: dt.datetime) -> Attempt | None:
        """An unsettled attempt started less than `ATTEMPT_LOCK` ago: a new one must wait (409)."""
        for attempt in reversed(self.attempts):
            if not attempt.settled and now - attempt.created_at < ATTEMPT_LOCK:
                return attempt
        return None

    def attempt(self, number: int) -> Attempt | None:
        return next((a for a in self.attempts if a.number == number), None)


def moment(value: Any, what: str) -> dt.datetime:
    """A ledger item's moment (an ISO text with its offset, or a datetime), in UTC; `LedgerError` naming `what`
    otherwise (a naive or malformed moment is never guessed)."""
    if isinstance(value, dt.datetime):
        found = value
    else:
        try:
            found = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise LedgerError(f"{what}: {value!r} is not an ISO moment") from None
    if found.tzinfo is None:
        raise LedgerError(f"{what}: {value!r} has no timezone")
    return found.astimezone(dt.UTC)


def fold(items: Iterable[Mapping[str, Any]]) -> DebtLedger | None:
    """The ledger of one debt from the items of its partition (any order); None when it has none. `LedgerError`
    for any item not of the shape `keys.py` describes (a missing attribute, a number that is not one...)."""
    try:
        return _fold(items)
    except LedgerError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise LedgerError(f"malformed ledger item: {exc!r}") from None


def _fold(items: Iterable[Mapping[str, Any]]) -> DebtLedger | None:
    attempts: dict[int, Attempt] = {}
    facts: list[Mapping[str, Any]] = []
    exer = refdet = ""
    for item in items:
        sk = str(item["sk"])
        if sk.startswith(keys.ATTEMPT):
            exer, refdet = keys.split_debt_pk(str(item["pk"]))
            number = keys.attempt_of(sk)
            attempts[number] = Attempt(
                number=number,
                payment_id=str(item["payment_id"]),
                exer=exer,
                refdet=refdet,
                created_at=moment(item["created_at"], sk),
                amount_cents=int(item["amount_cents"]),
                objet=str(item.get("objet", "")),
                product=str(item.get("product", "")),
                payer=str(item["payer"]) if item.get("payer") else None,
            )
        else:
            facts.append(item)
    for item in facts:
        sk = str(item["sk"])
        attempt = attempts.get(keys.attempt_of(sk)) if "#" in sk else None
        if attempt is None:
            raise LedgerError(f"{item['pk']} {sk}: a fact of an attempt that has no ATTEMPT item")
        if sk.startswith(keys.FACT):
            kind = sk.split("#", 2)[2]
            if kind == "initiated":
                attempt.idop = str(item["idop"])
            elif kind == "start-failed":
                attempt.start_failed = True
            elif kind == "notified":
                attempt.notified = True
            elif kind.startswith("detail-"):
                attempt.results_seen.add(kind.removeprefix("detail-"))
        elif sk.startswith(keys.OUTCOME):
            if item.get("kind") not in OUTCOMES:
                raise LedgerError(f"{item['pk']} {sk}: outcome {item.get('kind')!r} is not one of {OUTCOMES}")
            attempt.outcome = dict(item)
        elif sk.startswith(keys.LATE):
            attempt.late = dict(item)
        elif sk.startswith(keys.DUPLICATE):
            attempt.duplicate = dict(item)
    if not attempts:
        return None
    return DebtLedger(exer=exer, refdet=refdet, attempts=[attempts[n] for n in sorted(attempts)])


# --- what PayFiP's answer means -----------------------------------------------------------------------------------

Record = Literal["succeeded", "failed", "cancelled", "expired", "late", "wait", "nothing"]


@dataclass(frozen=True)
class Verdict:
    """What to write about an attempt after asking PayFiP: `record` the fact to add (`wait`: nothing final yet,
    only the result seen; `nothing`: the attempt is already settled as the answer says), `duplicate` when a
    success lands on a debt another attempt already paid, and why (for the logs and the exceptions list)."""

    record: Record
    duplicate: bool = False
    reason: str = ""


def judge(ledger: DebtLedger, attempt: Attempt, answer: Answer, now: dt.datetime) -> Verdict:
    """What PayFiP's `answer` about `attempt` (of `ledger`) means at `now`.

    A success is never lost: on an attempt already written as failed, cancelled or expired it is recorded as a
    late success; on a debt another attempt paid, it is recorded and flagged as a duplicate (a refund to arrange).
    A detail whose idOp, amount or references differ from the attempt is not trusted: `nothing`, with the reason.
    """
    if isinstance(answer, Detail):
        mismatch = _mismatch(attempt, answer)
        if mismatch:
            return Verdict("nothing", reason=mismatch)
        result = answer.resultrans
        if result in SUCCESS_RESULTS:
            if attempt.succeeded:
                return Verdict("nothing", reason="already recorded as paid")
            first = ledger.settled_by()
            duplicate = first is not None and first.number != attempt.number
            if attempt.outcome is not None:
                late = f"paid after being recorded {attempt.outcome['kind']}"
                return Verdict("late", duplicate=duplicate, reason=late)
            return Verdict("succeeded", duplicate=duplicate)
        if attempt.outcome is not None or attempt.late is not None:
            return Verdict("nothing", reason=f"already settled ({attempt.status})")
        if result in REFUSED_RESULTS:
            return Verdict("failed")
        if result == CANCELLED_RESULT:
            moment = answer.transaction_at() or attempt.created_at
            if now - moment >= CANCEL_GRACE:
                return Verdict("cancelled")
            return Verdict("wait", reason="cancelled less than two minutes ago: may still turn into a payment")
        return Verdict("nothing", reason=f"unknown result {result!r}")
    if attempt.settled:
        return Verdict("nothing", reason=f"already settled ({attempt.status})")
    if isinstance(answer, Unknown):
        return Verdict("expired", reason="PayFiP no longer knows the idOp (P1)")
    if now - attempt.created_at >= PENDING_EXPIRY:
        return Verdict("expired", reason="no result long after the idOp's validity (P5)")
    return Verdict("wait", reason="no result yet (P5)")


def _mismatch(attempt: Attempt, detail: Detail) -> str:
    if attempt.idop is not None and detail.idop != attempt.idop:
        return f"detail for idOp {detail.idop!r}, attempt has {attempt.idop!r}"
    if (detail.exer, detail.refdet) != (attempt.exer, attempt.refdet):
        return "detail for another debt"
    if detail.resultrans in SUCCESS_RESULTS and detail.montant != attempt.amount_cents:
        # PayFiP charges the amount the attempt asked for: another amount is a bug or a forgery, never credited;
        # the attempt stays pending and the reconciliation reports it as pending too long.
        return f"amount {detail.montant} differs from the attempt's {attempt.amount_cents}"
    return ""


def paris_date(moment: dt.datetime) -> str:
    """The Paris calendar date (YYYY-MM-DD) of a moment: the day a payment belongs to in the journal."""
    return moment.astimezone(PARIS).date().isoformat()
