"""The payments service's rules over its ports (the store, the recorder, PayFiP), with `now` as a parameter.

- A debt is found the way paper bills say: its reference (exer, refdet) **and** its amount; a wrong amount is the
  same 404 as an unknown reference, so references cannot be enumerated (and the caller is throttled).
- A payment's amount always comes from the stored debt, never from the request.
- Starting a payment: refused (409) on a debt paid, cancelled, or with an attempt started less than 20 minutes
  ago and not settled; the attempt is reserved in the ledger first (the lock), then PayFiP's idOp is asked for.
- A payment's status re-checks PayFiP while it is pending (the browser's return may come before the notification).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from payments_shared.errors import ProviderError
from payments_shared.ledger import Answer, Attempt, DebtLedger
from payments_shared.record import Recorder
from payments_shared.store import AttemptRef
from poche_common.errors import ConflictError, NotFoundError, UnprocessableError, UpstreamUnavailableError

from .policy import MAX_PAYER_DEBTS
from .views import debt_status, debt_view, payment_view

UNKNOWN_DEBT = "Aucune créance ne correspond à cette référence et à ce montant."
UNKNOWN_PAYMENT = "Paiement inconnu."


class Store(Protocol):
    def debt(self, exer: str, refdet: str) -> dict[str, Any] | None: ...
    def debts_of_payer(self, email: str, limit: int) -> list[dict[str, Any]]: ...
    def ledger(self, exer: str, refdet: str) -> DebtLedger | None: ...
    def by_payment(self, payment_id: str) -> AttemptRef | None: ...
    def by_idop(self, idop: str) -> AttemptRef | None: ...


class Provider(Protocol):
    def create(self, request: Any) -> str: ...
    def detail(self, idop: str) -> Answer: ...
    def page(self, idop: str) -> str: ...


@dataclass
class Deps:
    store: Store
    recorder: Recorder
    provider: Provider
    request: Callable[..., Any]  # payfip.PaymentRequest with the platform's urlnotif and urlredirect
    throttle: Callable[[str, dt.datetime], None]  # raises TooManyRequestsError past the caller's budget


def find_debt(deps: Deps, exer: str, refdet: str, amount_cents: int, now: dt.datetime) -> dict[str, Any]:
    debt, ledger = _matching(deps, exer, refdet, amount_cents)
    return debt_view(debt, ledger, now)


def _matching(deps: Deps, exer: str, refdet: str, amount_cents: int) -> tuple[dict[str, Any], DebtLedger | None]:
    debt = deps.store.debt(exer, refdet)
    if debt is None or int(debt["amount_cents"]) != amount_cents:
        raise NotFoundError(UNKNOWN_DEBT)
    return debt, deps.store.ledger(exer, refdet)


def start(
    deps: Deps,
    exer: str,
    refdet: str,
    amount_cents: int,
    email: str,
    payer: str | None,
    payment_id: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """Reserve an attempt, ask PayFiP for its idOp, answer the payment with the page to send the browser to."""
    debt, ledger = _matching(deps, exer, refdet, amount_cents)
    status = debt_status(debt, ledger, now)
    if status == "paid":
        raise ConflictError("Cette créance est déjà payée.")
    if status == "cancelled":
        raise ConflictError("Cette créance a été annulée : il n'y a rien à payer.")
    if status == "pending":
        raise ConflictError(
            "Un paiement de cette créance est en cours depuis moins de 20 minutes ; terminez-le ou réessayez plus tard."
        )
    try:  # built before the attempt is reserved: a request PayFiP would refuse must not lock the debt
        request = deps.request(
            exer=str(debt["exer"]),
            refdet=str(debt["refdet"]),
            objet=str(debt["objet"]),
            amount_cents=int(debt["amount_cents"]),
            email=email,
        )
    except ValueError as exc:
        raise UnprocessableError(
            "PayFiP refuserait ce paiement.",
            params=[{"name": "email" if "mail" in str(exc) else "debt", "reason": str(exc)}],
        ) from None
    attempt = deps.recorder.reserve(debt, ledger, payment_id, payer, now)

    try:
        idop = deps.provider.create(request)
    except ProviderError as exc:
        deps.recorder.start_failed(attempt, f"PayFiP: {exc.code}", now)
        raise UpstreamUnavailableError(
            "Le service de paiement de la DGFiP (PayFiP) ne répond pas ; réessayez dans quelques minutes."
        ) from None
    deps.recorder.initiated(attempt, idop, now)
    return payment_view(attempt, deps.provider.page(idop), now)


def status(deps: Deps, ref: AttemptRef | None, now: dt.datetime) -> dict[str, Any]:
    """The payment's status; while pending, PayFiP is asked again (safe to repeat) and its answer recorded."""
    if ref is None:
        raise NotFoundError(UNKNOWN_PAYMENT)
    ledger, attempt = _attempt(deps, ref)
    if attempt.status == "pending" and attempt.idop:
        try:
            answer = deps.provider.detail(attempt.idop)
        except ProviderError:
            answer = None  # the sweeper will ask again; the status stays pending meanwhile
        if answer is not None and deps.recorder.apply(ledger, attempt, answer, now).record != "nothing":
            ledger, attempt = _attempt(deps, ref)
    page = deps.provider.page(attempt.idop) if attempt.idop else None
    return payment_view(attempt, page, now)


def _attempt(deps: Deps, ref: AttemptRef) -> tuple[DebtLedger, Attempt]:
    ledger = deps.store.ledger(ref.exer, ref.refdet)
    attempt = ledger.attempt(ref.number) if ledger else None
    if ledger is None or attempt is None:
        raise NotFoundError(UNKNOWN_PAYMENT)
    return ledger, attempt


ORDER = {"payable": 0, "pending": 1, "paid": 2, "cancelled": 3}


def payer_debts(deps: Deps, email: str, now: dt.datetime) -> dict[str, Any]:
    """The debts carrying the payer's verified e-mail: unpaid first (by due date), then paid and cancelled."""
    views = []
    for debt in deps.store.debts_of_payer(email, MAX_PAYER_DEBTS):
        views.append(debt_view(debt, deps.store.ledger(str(debt["exer"]), str(debt["refdet"])), now))
    views.sort(key=lambda v: (ORDER.get(v["status"], 9), v.get("due_date") or "", v["exer"], v["refdet"]))
    return {"debts": views, "count": len(views)}
