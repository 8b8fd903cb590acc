"""Stored debts and derived payment states -> public JSON (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from payments_shared.ledger import IDOP_VALIDITY, Attempt, DebtLedger
from poche_common.clock import to_paris_iso


def debt_status(debt: Mapping[str, Any], ledger: DebtLedger | None, now: dt.datetime) -> str:
    """`paid` (a payment settled it), `cancelled` (by the accountant), `pending` (an attempt under way) or
    `payable`. A debt paid online stays paid whatever a later file says."""
    if ledger is not None and ledger.settled_by() is not None:
        return "paid"
    if debt.get("status") == "cancelled":
        return "cancelled"
    if ledger is not None and ledger.blocking(now) is not None:
        return "pending"
    return "payable"


def debt_view(debt: Mapping[str, Any], ledger: DebtLedger | None, now: dt.datetime) -> dict[str, Any]:
    view: dict[str, Any] = {
        "exer": str(debt["exer"]),
        "refdet": str(debt["refdet"]),
        "objet": str(debt["objet"]),
        "amount_cents": int(debt["amount_cents"]),
        "product": str(debt.get("product", "")),
        "due_date": debt.get("due_date"),
        "status": debt_status(debt, ledger, now),
    }
    settled = ledger.settled_by() if ledger is not None else None
    if settled is not None:
        success = settled.success() or {}
        view["paid_at"] = to_paris_iso(str(success.get("paid_at")))
        view["payment_id"] = settled.payment_id
    return view


def payment_view(attempt: Attempt, page: str | None, now: dt.datetime) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": attempt.payment_id,
        "status": attempt.status,
        "exer": attempt.exer,
        "refdet": attempt.refdet,
        "objet": attempt.objet,
        "amount_cents": attempt.amount_cents,
        "created_at": to_paris_iso(attempt.created_at),
    }
    success = attempt.success()
    if success is not None:
        view["paid_at"] = to_paris_iso(str(success["paid_at"]))
        view["means"] = "card" if success.get("resultrans") == "P" else "debit"
    if attempt.status == "pending" and page and now - attempt.created_at < IDOP_VALIDITY:
        view["payfip_url"] = page
    return view
