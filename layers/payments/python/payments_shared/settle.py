"""Settling an attempt by asking PayFiP (the authoritative `recupererDetailPaiementSecurise`), shared by the
notification processor and the sweeper; the adapters they use, built from the environment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .ledger import Answer, Verdict
from .record import Recorder
from .store import AttemptRef, PaymentsStore


@dataclass
class Settlement:
    store: PaymentsStore
    recorder: Recorder
    provider: Any  # payfip.PaymentProvider
    outbox: Any  # poche_common.outbox.Outbox of the Debts table


def settle(settlement: Settlement, ref: AttemptRef, now: dt.datetime, *, notified: bool = False) -> Verdict | None:
    """Ask PayFiP about the attempt `ref` and record the answer. None when there is nothing to ask (no idOp yet,
    or already paid). `notified`: PayFiP's notification came (recorded once). Raises `errors.ProviderError`
    when PayFiP could not answer (the caller retries)."""
    ledger = settlement.store.ledger(ref.exer, ref.refdet)
    attempt = ledger.attempt(ref.number) if ledger else None
    if ledger is None or attempt is None:
        return None
    if notified:
        settlement.recorder.notified(attempt, now)
    if attempt.idop is None or attempt.succeeded:
        return None
    answer: Answer = settlement.provider.detail(attempt.idop)
    return settlement.recorder.apply(ledger, attempt, answer, now)


def from_environment(producer: str) -> Settlement:
    """The adapters over the deployed environment (`adapters`): the tables, the outbox, PayFiP."""
    from . import adapters

    store, outbox = adapters.tables(producer, PaymentsStore)
    return Settlement(store, Recorder(store, outbox), adapters.payfip(), outbox)
