"""Lambda entry point of the notification processor (SQS, fed by PayFiP's notifications).

Each message carries an idOp PayFiP (or anyone) posted. An idOp the ledger does not know is dropped (forged, or
not ours: nothing to credit); otherwise the notification is recorded once and PayFiP is asked for the result,
which is recorded (`payments_shared.settle`). PayFiP unreachable: the message is retried by SQS (partial batch
failure), then lands in the dead-letter queue; the sweeper settles the attempt meanwhile all the same.
"""

from __future__ import annotations

import json
from typing import Any

from payments_shared.errors import ProviderError
from payments_shared.settle import Settlement, from_environment, settle
from poche_common.clock import utc_now
from poche_common.observability import logger, metrics
from poche_common.wiring import Provider

PRODUCER = "payments-processor"
dependencies: Provider[Settlement] = Provider(lambda: from_environment(PRODUCER))


def process(settlement: Settlement, idop: str) -> str:
    """What became of one notification: `unknown`, or the verdict's record."""
    ref = settlement.store.by_idop(idop)
    if ref is None:
        logger.warning("notification of an idOp the ledger does not know: nothing credited")
        metrics.add_metric(name="PaymentNotificationsUnknown", unit="Count", value=1)
        return "unknown"
    verdict = settle(settlement, ref, utc_now(), notified=True)
    record = verdict.record if verdict else "nothing"
    logger.info("notification processed", extra={"record": record, "reason": verdict.reason if verdict else ""})
    return record


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    settlement = dependencies.get()
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        try:
            idop = str(json.loads(record["body"])["idop"])
        except (ValueError, KeyError, TypeError):
            logger.warning("malformed notification message: dropped")
            continue
        try:
            process(settlement, idop)
        except ProviderError as exc:
            if exc.retryable:
                logger.warning("PayFiP unavailable: the notification will be retried", extra={"code": exc.code})
                failures.append({"itemIdentifier": record["messageId"]})
            else:
                logger.error("PayFiP refused the detail request", extra={"code": exc.code})
    return {"batchItemFailures": failures}
