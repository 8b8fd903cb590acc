"""The erasure queue's worker: completes the account erasures `DELETE /v1/me` recorded (issue 9, defect 11).

`DELETE /v1/me` writes the tombstone, queues `{"sub", "username", "requested_at"}` here and runs the erasure at
once; whatever that run could not finish (SNS, Cognito or DynamoDB failing) is done here, the same idempotent
run (`me_shared.erasure`): devices and their endpoints (only those the account still owns), the partition, the
subscribers index, the deferred pushes, the Cognito user, then the tombstone marked done. An erasure completed
already is acknowledged without work.

SQS event source with ReportBatchItemFailures: a message whose run fails is retried alone after the visibility
timeout, up to the queue's receive count, then kept in the dead-letter queue (alarm). A message that is not an
erasure request is refused the same way: nothing is dropped silently. Nothing of the account (sub, username,
token, device id) is ever logged.

Entry point only: the rules are `logic.py`, the dependencies `deps.py`.
"""

from __future__ import annotations

from typing import Any

from poche_common.observability import logger, metrics

from .deps import dependencies
from .logic import process


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    deps = dependencies.get()
    answer, counts = process(event, deps.erasure, deps.clock)
    metrics.add_metric(name="AccountsErased", unit="Count", value=counts["erased"])
    metrics.add_metric(name="AccountErasuresFailed", unit="Count", value=counts["failed"] + counts["refused"])
    logger.info("erasures", extra={**counts, "messages_failed": len(answer["batchItemFailures"])})
    return answer
