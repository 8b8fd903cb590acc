"""The sender's rules: each recipient of a delivery message gets an inbox item, and a push now, later (quiet
hours, digest: `policy.py`) or none (no device). Over the inbox and push ports; no boto3, no environment.

A message is read through its definition (`notifications_shared.delivery.read_delivery`): a message missing a field
fails (reported in `batchItemFailures`), it is never read as a default."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

from notifications_shared.delivery import Delivery, read_delivery
from notifications_shared.ports import Push
from notifications_shared.push import message
from poche_common.observability import logger
from poche_common.typedcheck import MalformedEvent

from .items import due_items, note_item
from .policy import decide
from .ports import DUPLICATE, ERASED, InboxWriter

PUSH_STATE = {"deferred": "deferred", "digest": "digest"}


def deliver(delivery: Delivery, inbox: InboxWriter, pusher: Push, now: dt.datetime, counts: Counter[str]) -> None:
    """Every recipient of one queue message; raises on a storage failure (the message is retried)."""
    for recipient in delivery["recipients"]:
        sub = recipient["sub"]
        decision = decide(now, delivery["kind"], recipient["mode"], recipient["quiet_hours"])
        devices: list[dict[str, Any]] = []
        if decision.push == "now":
            devices = pusher.devices(sub)
            state = "sent" if devices else "no_device"
        else:
            state = PUSH_STATE[decision.push]
        note = note_item(delivery, sub, state, now)
        extra = due_items(delivery, sub, note, decision.due) if decision.due is not None else []
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
        result = pusher.push(sub, devices, message(delivery["title"], delivery["body"], delivery["url"], note["id"]))
        counts["sent"] += result.sent
        counts["failed"] += result.failed
        counts["removed"] += result.removed
        if result.sent == 0:
            inbox.mark_failed(sub, note)


def process(
    event: dict[str, Any], inbox: InboxWriter, pusher: Push, clock: Callable[[], dt.datetime]
) -> tuple[dict[str, Any], Counter[str]]:
    """One SQS batch: a message whose delivery failed, or that is not a `Delivery`, is reported
    (ReportBatchItemFailures) and retried alone."""
    counts: Counter[str] = Counter()
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        try:
            deliver(read_delivery(record["body"]), inbox, pusher, clock(), counts)
        except MalformedEvent as exc:  # retried, then kept in the dead-letter queue: never read as a default
            logger.error(
                "malformed delivery message", extra={"message_id": record.get("messageId"), "problem": str(exc)}
            )
            failures.append({"itemIdentifier": record["messageId"]})
        except Exception:
            logger.exception("delivery message failed, retried", extra={"message_id": record.get("messageId")})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}, counts
