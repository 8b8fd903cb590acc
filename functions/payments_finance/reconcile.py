"""The reconciliation of a day: the payments the ledger recorded against the accountant's statement of PayFiP
receipts, with the exceptions finance staff must act on. Pure, dict-based, O(n).

Matching (one statement line pairs with at most one payment, and the reverse), in this order:
1. a line with an idOp is matched by idOp, and only by it: the payment with that idOp, provided it is of the same
   debt (exer, refdet); an idOp unknown here (or of another debt) leaves the line unmatched;
2. a line without idOp but with a numauto is matched by (exer, refdet, numauto);
3. a line with neither is matched by (exer, refdet, amount);
4. a line of (3) still unmatched takes the first payment of the same debt (exer, refdet) still unmatched: an
   `amount_mismatch`.
In (2), (3) and (4) refdet and numauto are compared in upper case without leading zeros (a spreadsheet turns
"00123" into 123). When several payments fit, the earliest (paid_at, then idop) is taken. A pair matched by (1) or
(2) whose amounts differ is an `amount_mismatch`; otherwise it is `matched`. Payments left are
`missing_from_statement`; lines left are `unknown_here`. Lines dated another day than the reconciliation's are
not matched: they are listed in `other_dates`.

Exceptions, each discrepancy once, each with `exception_id`, a digest of (date, kind, references) that a re-run
over the same facts gives again, so a resolution (`RESOLVED#<exception id>`) stays attached:
- `missing_from_statement`, `amount_mismatch`, `paid_after_cancellation`, `pending_too_long`: the payment_id;
- `duplicate`: (exer, refdet, attempt) of the second payment (its `DUPLICATE#<n>` item, or, without one, every
  success of a debt after its first of the day);
- `unknown_here`: the line's idOp, else (exer, refdet, numauto, amount) and its rank among identical lines.
A payment can be in two exceptions when two things are wrong with it (a duplicate absent from the statement).

`reconciliation_json` shape (amounts in integer cents, moments in Europe/Paris ISO 8601):

    {
      "date": "2026-03-29",
      "summary": {
        "ledger": {"count": 10000, "total_cents": 123456},
        "statement": {"count": 9990, "total_cents": 123000, "errors": 2, "other_dates": 1},
        "matched": 9980,
        "exceptions": {"missing_from_statement": 3, "unknown_here": 1, "amount_mismatch": 1, "duplicate": 1,
                       "pending_too_long": 0, "paid_after_cancellation": 0},
        "unresolved": 5
      },
      "exceptions": [
        {"exception_id": "<32 hex>", "kind": "amount_mismatch", "label": "<French>",
         "exer": "2026", "refdet": "...", "payment_id": "..." | null, "attempt": 1 | null, "idop": "..." | null,
         "numauto": "..." | null, "product": "..." | null, "amount_cents": 1250 | null,
         "statement_amount_cents": 1200 | null, "statement_line": 12 | null, "paid_at": "<Paris ISO>" | null,
         "created_at": "<Paris ISO>" | null, "resolved": true,
         "resolution": {"by": "...", "at": "...", "comment": "..."} | null}, ...
      ],
      "matched": [                                  # left out with include_matched=False
        {"payment_id": "...", "exer": "2026", "refdet": "...", "amount_cents": 1250, "idop": "...",
         "numauto": "...", "statement_line": 7, "matched_by": "idop" | "numauto" | "amount"}, ...
      ],
      "statement_errors": [{"line": 4, "reason": "<French>"}, ...],
      "other_dates": [{"line": 9, "date": "2026-03-28"}, ...]
    }
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict, deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from payments_shared.ledger import moment

from .journal import JournalEntry, journal_of, paris_iso, read_items
from .statement import LineError, Statement, StatementLine

Kind = Literal[
    "missing_from_statement",
    "unknown_here",
    "amount_mismatch",
    "duplicate",
    "pending_too_long",
    "paid_after_cancellation",
]
KINDS: tuple[Kind, ...] = get_args(Kind)
LABELS: dict[Kind, str] = {
    "missing_from_statement": "Paiement reçu ici, absent du relevé du comptable",
    "unknown_here": "Recette du relevé du comptable inconnue ici",
    "amount_mismatch": "Montant différent entre le paiement et le relevé du comptable",
    "duplicate": "Second paiement d'une dette déjà payée : remboursement à prévoir",
    "pending_too_long": "Paiement resté en attente au-delà du délai de vérification",
    "paid_after_cancellation": "Paiement d'une dette annulée par le comptable",
}
MatchedBy = Literal["idop", "numauto", "amount"]


@dataclass(frozen=True)
class Resolution:
    by: str
    at: str
    comment: str


@dataclass(frozen=True)
class Match:
    entry: JournalEntry
    line: StatementLine
    matched_by: MatchedBy


@dataclass(frozen=True)
class ReconException:
    exception_id: str
    kind: Kind
    exer: str
    refdet: str
    payment_id: str | None = None
    attempt: int | None = None
    idop: str | None = None
    numauto: str | None = None
    product: str | None = None
    amount_cents: int | None = None  # ours
    statement_amount_cents: int | None = None
    statement_line: int | None = None
    paid_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    resolution: Resolution | None = None

    @property
    def resolved(self) -> bool:
        return self.resolution is not None


@dataclass(frozen=True)
class Reconciliation:
    date: dt.date
    matched: tuple[Match, ...]
    exceptions: tuple[ReconException, ...]  # sorted by kind (KINDS order), exer, refdet, line, id
    ledger_count: int
    ledger_total_cents: int
    statement_count: int  # lines of the date
    statement_total_cents: int
    other_dates: tuple[StatementLine, ...]
    statement_errors: tuple[LineError, ...]

    def of_kind(self, kind: Kind) -> tuple[ReconException, ...]:
        return tuple(exception for exception in self.exceptions if exception.kind == kind)

    @property
    def unresolved(self) -> int:
        return sum(1 for exception in self.exceptions if not exception.resolved)


def exception_id(date: dt.date, kind: str, *references: object) -> str:
    """The stable id of an exception: 32 hex digits of SHA-256 over the date, the kind and the references."""
    text = "\x1f".join([date.isoformat(), kind, *(str(reference) for reference in references)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _norm(value: str) -> str:
    """refdet / numauto as compared: upper case, leading zeros dropped (a spreadsheet drops them)."""
    return value.upper().lstrip("0")


def _resolution(value: Mapping[str, Any] | Resolution | None) -> Resolution | None:
    if value is None or isinstance(value, Resolution):
        return value
    return Resolution(by=str(value.get("by", "")), at=str(value.get("at", "")), comment=str(value.get("comment", "")))


def reconcile(
    date: dt.date,
    successes: Iterable[Mapping[str, Any]],
    statement: Statement,
    *,
    pending: Iterable[Mapping[str, Any]] = (),
    cancelled_debts: Collection[tuple[str, str]] = frozenset(),
    resolved: Mapping[str, Mapping[str, Any] | Resolution] | None = None,
) -> Reconciliation:
    """The reconciliation of the Paris `date` (module docstring: the matching rule and the exceptions).

    `successes`: the day's success items (`OUTCOME#` succeeded, `LATE#`) and `DUPLICATE#` items; `pending`: the
    attempts still unsettled longer than the sweeper allows ({payment_id, exer, refdet, amount_cents, created_at,
    idop}); `cancelled_debts`: (exer, refdet) of the debts the accountant cancelled; `resolved`: exception id ->
    {by, at, comment} (the `RESOLVED#` items)."""
    resolutions = resolved or {}
    entries, markers = read_items(successes)
    day = journal_of(entries, date)
    lines = [line for line in statement.lines if line.date == date]
    other = tuple(line for line in statement.lines if line.date != date)
    exceptions: list[ReconException] = []

    def add(kind: Kind, exer: str, refdet: str, references: tuple[object, ...], **fields: Any) -> None:
        ident = exception_id(date, kind, *references)
        resolution = _resolution(resolutions.get(ident))
        exceptions.append(ReconException(ident, kind, exer, refdet, resolution=resolution, **fields))

    def of_entry(entry: JournalEntry) -> dict[str, Any]:
        return {
            "payment_id": entry.payment_id,
            "attempt": entry.attempt,
            "idop": entry.idop or None,
            "numauto": entry.numauto or None,
            "product": entry.product or None,
            "amount_cents": entry.amount_cents,
            "paid_at": entry.paid_at,
        }

    # --- matching (dicts of the payments not yet matched; deques keep them in journal order) -----------------
    by_idop: dict[str, JournalEntry] = {}
    by_numauto: dict[tuple[str, str, str], deque[JournalEntry]] = defaultdict(deque)
    by_amount: dict[tuple[str, str, int], deque[JournalEntry]] = defaultdict(deque)
    by_debt: dict[tuple[str, str], deque[JournalEntry]] = defaultdict(deque)
    for entry in day.entries:
        debt = (entry.exer, _norm(entry.refdet))
        if entry.idop:
            by_idop.setdefault(entry.idop, entry)
        if entry.numauto:
            by_numauto[(*debt, _norm(entry.numauto))].append(entry)
        by_amount[(*debt, entry.amount_cents)].append(entry)
        by_debt[debt].append(entry)
    taken: set[tuple[str, str, int]] = set()
    pairs: list[tuple[JournalEntry, StatementLine, MatchedBy]] = []
    unmatched: list[StatementLine] = []
    by_amount_lines: list[StatementLine] = []

    def first_free(queue: deque[JournalEntry] | None) -> JournalEntry | None:
        while queue:
            if queue[0].key not in taken:
                return queue[0]
            queue.popleft()
        return None

    for line in lines:
        if line.idop:
            candidate = by_idop.get(line.idop)
            if (
                candidate is not None
                and candidate.key not in taken
                and (candidate.exer, _norm(candidate.refdet)) == (line.exer, _norm(line.refdet))
            ):
                taken.add(candidate.key)
                pairs.append((candidate, line, "idop"))
            else:
                unmatched.append(line)
    for line in lines:
        if not line.idop and line.numauto:
            candidate = first_free(by_numauto.get((line.exer, _norm(line.refdet), _norm(line.numauto))))
            if candidate is not None:
                taken.add(candidate.key)
                pairs.append((candidate, line, "numauto"))
            else:
                unmatched.append(line)
    for line in lines:
        if not line.idop and not line.numauto:
            candidate = first_free(by_amount.get((line.exer, _norm(line.refdet), line.amount_cents)))
            if candidate is not None:
                taken.add(candidate.key)
                pairs.append((candidate, line, "amount"))
            else:
                by_amount_lines.append(line)
    for line in by_amount_lines:
        candidate = first_free(by_debt.get((line.exer, _norm(line.refdet))))
        if candidate is not None:
            taken.add(candidate.key)
            pairs.append((candidate, line, "amount"))
        else:
            unmatched.append(line)

    matched: list[Match] = []
    for entry, line, how in pairs:
        if entry.amount_cents == line.amount_cents:
            matched.append(Match(entry, line, how))
        else:
            add(
                "amount_mismatch",
                entry.exer,
                entry.refdet,
                (entry.payment_id,),
                **of_entry(entry),
                statement_amount_cents=line.amount_cents,
                statement_line=line.line,
            )
    for entry in day.entries:
        if entry.key not in taken:
            add("missing_from_statement", entry.exer, entry.refdet, (entry.payment_id,), **of_entry(entry))
    ranks: Counter[tuple[object, ...]] = Counter()
    for line in sorted(unmatched, key=lambda line: line.line):
        if line.idop:
            references: tuple[object, ...] = ("idop", line.idop)
        else:
            key = ("ref", line.exer, _norm(line.refdet), _norm(line.numauto), line.amount_cents)
            ranks[key] += 1
            references = (*key, ranks[key])
        add(
            "unknown_here",
            line.exer,
            line.refdet,
            references,
            idop=line.idop or None,
            numauto=line.numauto or None,
            product=line.product or None,
            statement_amount_cents=line.amount_cents,
            statement_line=line.line,
        )

    # --- what is wrong with a payment whatever the statement says -----------------------------------------------
    duplicates: dict[tuple[str, str, int], JournalEntry | None] = {}
    first_of_debt: dict[tuple[str, str], JournalEntry] = {}
    for entry in sorted(day.entries, key=lambda entry: entry.attempt):
        debt = entry.debt
        if debt in first_of_debt:
            duplicates[entry.key] = entry
        else:
            first_of_debt[debt] = entry
    by_key = {entry.key: entry for entry in day.entries}
    for marker in markers:
        duplicates[marker] = by_key.get(marker)
    for (exer, refdet, attempt), found in sorted(duplicates.items()):
        if found is not None:
            add("duplicate", exer, refdet, (exer, refdet, attempt), **of_entry(found))
        else:  # the DUPLICATE item alone (its success is of another day)
            item = markers[(exer, refdet, attempt)]
            amount = item.get("amount_cents")
            add(
                "duplicate",
                exer,
                refdet,
                (exer, refdet, attempt),
                payment_id=str(item["payment_id"]) if item.get("payment_id") else None,
                attempt=attempt,
                idop=str(item["idop"]) if item.get("idop") else None,
                amount_cents=int(amount) if amount is not None and not isinstance(amount, bool) else None,
            )
    cancelled = set(cancelled_debts)
    for entry in day.entries:
        if entry.debt in cancelled:
            add("paid_after_cancellation", entry.exer, entry.refdet, (entry.payment_id,), **of_entry(entry))
    seen: set[str] = set()
    for waiting in pending:
        payment_id = str(waiting["payment_id"])
        if payment_id in seen:
            continue
        seen.add(payment_id)
        add(
            "pending_too_long",
            str(waiting["exer"]),
            str(waiting["refdet"]),
            (payment_id,),
            payment_id=payment_id,
            idop=str(waiting["idop"]) if waiting.get("idop") else None,
            amount_cents=int(waiting["amount_cents"]),
            created_at=moment(waiting["created_at"], f"pending {payment_id} created_at"),
        )

    order = {kind: index for index, kind in enumerate(KINDS)}
    exceptions.sort(
        key=lambda ex: (order[ex.kind], ex.exer, ex.refdet, ex.statement_line or 0, ex.attempt or 0, ex.exception_id)
    )
    matched.sort(key=lambda match: match.line.line)
    return Reconciliation(
        date=date,
        matched=tuple(matched),
        exceptions=tuple(exceptions),
        ledger_count=day.count,
        ledger_total_cents=day.total_cents,
        statement_count=len(lines),
        statement_total_cents=sum(line.amount_cents for line in lines),
        other_dates=other,
        statement_errors=statement.errors,
    )


def _paris(moment: dt.datetime | None) -> str | None:
    return paris_iso(moment) if moment is not None else None


def exception_json(exception: ReconException) -> dict[str, Any]:
    resolution = exception.resolution
    return {
        "exception_id": exception.exception_id,
        "kind": exception.kind,
        "label": LABELS[exception.kind],
        "exer": exception.exer,
        "refdet": exception.refdet,
        "payment_id": exception.payment_id,
        "attempt": exception.attempt,
        "idop": exception.idop,
        "numauto": exception.numauto,
        "product": exception.product,
        "amount_cents": exception.amount_cents,
        "statement_amount_cents": exception.statement_amount_cents,
        "statement_line": exception.statement_line,
        "paid_at": _paris(exception.paid_at),
        "created_at": _paris(exception.created_at),
        "resolved": resolution is not None,
        "resolution": (
            {"by": resolution.by, "at": resolution.at, "comment": resolution.comment}
            if resolution is not None
            else None
        ),
    }


def reconciliation_json(reconciliation: Reconciliation, *, include_matched: bool = True) -> dict[str, Any]:
    """The reconciliation for the API (shape in the module docstring)."""
    counts = Counter(exception.kind for exception in reconciliation.exceptions)
    answer: dict[str, Any] = {
        "date": reconciliation.date.isoformat(),
        "summary": {
            "ledger": {"count": reconciliation.ledger_count, "total_cents": reconciliation.ledger_total_cents},
            "statement": {
                "count": reconciliation.statement_count,
                "total_cents": reconciliation.statement_total_cents,
                "errors": len(reconciliation.statement_errors),
                "other_dates": len(reconciliation.other_dates),
            },
            "matched": len(reconciliation.matched),
            "exceptions": {kind: counts.get(kind, 0) for kind in KINDS},
            "unresolved": reconciliation.unresolved,
        },
        "exceptions": [exception_json(exception) for exception in reconciliation.exceptions],
    }
    if include_matched:
        answer["matched"] = [
            {
                "payment_id": match.entry.payment_id,
                "exer": match.entry.exer,
                "refdet": match.entry.refdet,
                "amount_cents": match.entry.amount_cents,
                "idop": match.entry.idop or None,
                "numauto": match.entry.numauto or None,
                "statement_line": match.line.line,
                "matched_by": match.matched_by,
            }
            for match in reconciliation.matched
        ]
    answer["statement_errors"] = [
        {"line": error.line, "reason": error.reason} for error in reconciliation.statement_errors
    ]
    answer["other_dates"] = [{"line": line.line, "date": line.date.isoformat()} for line in reconciliation.other_dates]
    return answer
