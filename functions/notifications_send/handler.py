"""Notification sender: the delivery queue's messages → one inbox item per recipient, and the pushes.

SQS event source, batch size 10, ReportBatchItemFailures: a message whose DynamoDB writes fail is reported
and retried alone (the recipients already written are then duplicates, skipped), then kept in the dead-letter
queue. Per recipient: the NOTE (and, when the push waits, the DUE item and its pointer) in one transaction
guarded by the tombstone; then `immediate` outside quiet hours (and `emergency` always) is pushed to every
device at once. A push failure never fails the message: the NOTE says `push: failed`.

Entry point only: the rules are `logic.py` and `policy.py`, the items `items.py`, the dependencies `deps.py`.
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
    answer, counts = process(event, deps.inbox, deps.pusher, deps.clock)
    metrics.add_metric(name="NotificationsDelivered", unit="Count", value=counts["delivered"])
    metrics.add_metric(name="NotificationsDuplicate", unit="Count", value=counts["duplicate"])
    metrics.add_metric(name="PushesSent", unit="Count", value=counts["sent"])
    metrics.add_metric(name="PushesFailed", unit="Count", value=counts["failed"])
    metrics.add_metric(name="PushesDeferred", unit="Count", value=counts["deferred"])
    logger.info("deliveries", extra={**counts, "messages_failed": len(answer["batchItemFailures"])})
    return answer
