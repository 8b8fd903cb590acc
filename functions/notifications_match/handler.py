"""Notification matcher: a domain event from the bus → the subscribers of its topics → the delivery queue.

Invoked by an EventBridge rule (`SchoolNoticePublished`, `NewsPublished`, `TrafficEventsUpdated`,
`RealtimeUpdated`). Subscribers are read by Query on `TOPIC#<kind>#<id>` of the `personal` table, page by page,
and sent in messages of at most 100 recipients (see docs/notifications.md). A failure raises: the invocation is
retried by Lambda, then kept in the function's dead-letter queue; a redelivered event gives the same inbox
keys, so nobody gets it twice: the `occurred_at` of an event id is the one of its first delivery
(`Fanout.first_seen`), so even an event sent again with another `occurred_at` is deduplicated on its id.
"""

from __future__ import annotations

from typing import Any

import boto3

from poche_common.observability import logger, metrics
from poche_common.settings import required

from .fanout import Fanout
from .topics import event_envelope, topics


def match(event: dict[str, Any], fanout: Fanout) -> dict[str, int]:
    found = topics(str(event.get("detail-type")), str(event.get("source")), event.get("detail") or {})
    envelope = event_envelope(event)
    totals = {"topics": len(found), "recipients": 0, "messages": 0, "queries": 0}
    if found:
        envelope = fanout.first_seen(envelope)
    for topic in found:
        result = fanout.deliver(envelope, topic)
        totals["recipients"] += result.recipients
        totals["messages"] += result.messages
        totals["queries"] += result.queries
    return totals


_fanout = Fanout(boto3.client("dynamodb"), boto3.client("sqs"), required("TABLE_NAME"), required("QUEUE_URL"))


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    totals = match(event, _fanout)
    metrics.add_metric(name="NotificationRecipients", unit="Count", value=totals["recipients"])
    metrics.add_metric(name="NotificationMessages", unit="Count", value=totals["messages"])
    logger.info("event matched", extra={"detail_type": event.get("detail-type"), **totals})
    return totals
