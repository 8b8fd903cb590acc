"""Notification sender: the delivery queue's messages → one inbox item per recipient, and the pushes.

SQS event source, batch size 10, ReportBatchItemFailures: a message whose DynamoDB writes fail is reported
and retried alone (the recipients already written are then duplicates, skipped), then kept in the dead-letter
queue. Per recipient: the NOTE (and, when the push waits, the DUE item and its pointer) in one transaction
guarded by the tombstone; then `immediate` outside quiet hours (and `emergency` always) is pushed to every
device at once. A push failure never fails the message: the NOTE says `push: failed`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3

from notifications_shared.push import Pusher, message
from poche_common.clock import utc_now
from poche_common.observability import logger, metrics
from poche_common.settings import required

from .policy import decide
from .store import DUPLICATE, ERASED, Inbox, due_items, note_item

PUSH_STATE = {"deferred": "deferred", "digest": "digest"}


def deliver(body: dict[str, Any], inbox: Inbox, pusher: Pusher, now: dt.datetime, counts: Counter[str]) -> None:
    """Every recipient of one queue message; raises on a storage failure (the message is retried)."""
    for recipient in body.get("recipients", []):
        sub = recipient["sub"]
        decision = decide(now, body["kind"], recipient.get("mode", "immediate"), recipient.get("quiet_hours"))
        devices: list[dict[str, Any]] = []
        if decision.push == "now":
            devices = pusher.devices(sub)
            state = "sent" if devices else "no_device"
        else:
            state = PUSH_STATE[decision.push]
        note = note_item(body, sub, state, now)
        extra = due_items(body, sub, note, decision.due) if decision.due is not None else []
        outcome = inbox.write(sub, note, extra)
        if outcome == DUPLICATE:
            counts["duplicate"] += 1
            continue
        if outcome == ERASED:
            counts["erased"] += 1
            continue
        counts["delivered"] += 1
        if extra:
            counts["deferred"] += 1
            continue
        if not devices:
            counts["no_device"] += 1
            continue
        result = pusher.push(sub, devices, message(body["title"], body["body"], body["url"], note["id"]["S"]))
        counts["sent"] += result.sent
        counts["failed"] += result.failed
        counts["removed"] += result.removed
        if result.sent == 0:
            inbox.mark_failed(sub, note)


def process(
    event: dict[str, Any], inbox: Inbox, pusher: Pusher, clock: Callable[[], dt.datetime] = utc_now
) -> tuple[dict[str, Any], Counter[str]]:
    counts: Counter[str] = Counter()
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        try:
            deliver(json.loads(record["body"]), inbox, pusher, clock(), counts)
        except Exception:
            logger.exception("delivery message failed, retried", extra={"message_id": record.get("messageId")})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}, counts


_dynamodb = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_inbox = Inbox(_dynamodb, _table)
_pusher = Pusher(_dynamodb, boto3.client("sns"), _table)
_clock: Callable[[], dt.datetime] = utc_now


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    answer, counts = process(event, _inbox, _pusher, _clock)
    metrics.add_metric(name="NotificationsDelivered", unit="Count", value=counts["delivered"])
    metrics.add_metric(name="NotificationsDuplicate", unit="Count", value=counts["duplicate"])
    metrics.add_metric(name="PushesSent", unit="Count", value=counts["sent"])
    metrics.add_metric(name="PushesFailed", unit="Count", value=counts["failed"])
    metrics.add_metric(name="PushesDeferred", unit="Count", value=counts["deferred"])
    logger.info("deliveries", extra={**counts, "messages_failed": len(answer["batchItemFailures"])})
    return answer
