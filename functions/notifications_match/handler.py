"""Notification matcher: a domain event from the bus → the subscribers of its topics → the delivery queue.

Invoked by an EventBridge rule (`SchoolNoticePublished`, `NewsPublished`, `TrafficEventsUpdated`,
`RealtimeUpdated`). Subscribers are read by Query on `TOPIC#<kind>#<id>` of the `personal` table, page by page,
and sent in messages of at most 100 recipients (see docs/notifications.md). A failure raises: the invocation is
retried by Lambda, then kept in the function's dead-letter queue; a redelivered event gives the same inbox
keys, so nobody gets it twice: the `occurred_at` of an event id is the one of its first delivery, so even an
event sent again with another `occurred_at` is deduplicated on its id. An event whose detail is not what its
definition says (`poche_common.eventtypes`: a field missing or mistyped) is logged once and fails the same way:
it is never read with defaults, which would silently notify nobody.

Entry point only: the rules are `logic.py` and `topics.py`, the dependencies `deps.py`.
"""

from __future__ import annotations

from typing import Any

from poche_common.observability import logger, metrics

from .deps import dependencies
from .logic import MalformedEvent, match


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    deps = dependencies.get()
    try:
        totals = match(event, deps.subscribers, deps.queue, deps.clock())
    except MalformedEvent as exc:  # logged once, here; the invocation fails: retried, then the dead-letter queue
        logger.error("malformed event", extra={"event_id": event.get("id"), "problem": str(exc)})
        raise
    metrics.add_metric(name="NotificationRecipients", unit="Count", value=totals["recipients"])
    metrics.add_metric(name="NotificationMessages", unit="Count", value=totals["messages"])
    logger.info("event matched", extra={"detail_type": event.get("detail-type"), **totals})
    return totals
