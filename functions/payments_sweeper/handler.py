"""Lambda entry point of the payments sweeper (EventBridge Scheduler, every 5 minutes).

It settles the attempts whose notification never came: every attempt opened today or yesterday (UTC; PayFiP
purges an idOp after about a day) that has no outcome yet is asked about again. P5 within the validity window:
still pending; P5 long after, or P1: expired; `A`: final only after its grace period (`payments_shared.ledger`).
Then it sends the events the bus refused earlier (the Debts table's outbox).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from payments_shared import keys
from payments_shared.errors import ProviderError
from payments_shared.settle import Settlement, from_environment, settle
from payments_shared.store import AttemptRef
from poche_common.clock import utc_now
from poche_common.observability import logger, metrics
from poche_common.wiring import Provider

PRODUCER = "payments-sweeper"
dependencies: Provider[Settlement] = Provider(lambda: from_environment(PRODUCER))


def open_attempts(settlement: Settlement, now: dt.datetime) -> list[AttemptRef]:
    """The attempts opened today and yesterday (UTC) that are not settled, oldest first."""
    refs: list[AttemptRef] = []
    today = now.astimezone(dt.UTC).date()
    for day in (today - dt.timedelta(days=1), today):
        for item in settlement.store.day(keys.opened_gsi(day.isoformat())):
            exer, refdet = keys.split_debt_pk(str(item["pk"]))
            refs.append(AttemptRef(exer, refdet, keys.attempt_of(str(item["sk"]))))
    return refs


def sweep(settlement: Settlement, now: dt.datetime) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for ref in open_attempts(settlement, now):
        ledger = settlement.store.ledger(ref.exer, ref.refdet)
        attempt = ledger.attempt(ref.number) if ledger else None
        if attempt is None or attempt.settled:
            continue
        try:
            verdict = settle(settlement, ref, now)
        except ProviderError as exc:
            logger.warning("PayFiP could not answer: asked again next sweep", extra={"code": exc.code})
            counts["unavailable"] += 1
            continue
        counts[verdict.record if verdict else "nothing"] += 1
    flushed = settlement.outbox.flush()
    counts["events_sent"] = len(flushed.sent)
    return dict(counts)


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    counts = sweep(dependencies.get(), utc_now())
    logger.info("sweep done", extra=counts)
    for name in ("succeeded", "expired", "cancelled", "failed"):
        if counts.get(name):
            metrics.add_metric(name=f"PaymentsSwept{name.capitalize()}", unit="Count", value=counts[name])
    return counts
