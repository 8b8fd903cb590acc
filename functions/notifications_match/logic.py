"""The matcher's rules: the topics of a bus event (`topics.py`), then each topic's subscribers sent to the delivery
queue in messages of at most 100 recipients, 10 messages per batch. Over the subscriber and queue ports; no boto3,
no environment.

Deduplication on the event id: the sender's inbox key is `NOTE#<occurred_at>#<event_id>`, so the `occurred_at` of
an event id is the one of its first delivery (kept `SEEN_DAYS`): the same id delivered again, whatever its
`occurred_at`, gives the same keys.

A message is a `notifications_shared.delivery.Delivery`, the sender's definition of it (imported for the type checker
only: the matcher does not ship the notifications layer)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from poche_common.eventtypes import EVENTS, MalformedEvent, read

from .ports import DeliveryQueue, SubscriberReader
from .topics import Topic, concerns, event_envelope, topics

if TYPE_CHECKING:
    from notifications_shared.delivery import Delivery, Notification, Recipient

SEEN_DAYS = 14  # longer than an event can wait in a producer's outbox (7 days) and EventBridge's retries
RECIPIENTS_PER_MESSAGE = 100
MESSAGES_PER_BATCH = 10  # SendMessageBatch's limit


@dataclass
class FanoutResult:
    recipients: int = 0
    messages: int = 0
    queries: int = 0


def match(
    event: dict[str, Any], subscribers: SubscriberReader, queue: DeliveryQueue, now: dt.datetime
) -> dict[str, int]:
    """Sends the deliveries of every topic of `event`; returns the totals (topics, recipients, messages, queries).
    `MalformedEvent` (`poche_common.eventtypes`) when the detail of an event that may have topics is not what its
    definition says (nothing sent: the invocation fails, the event ends in the dead-letter queue)."""
    found = topics(str(event.get("detail-type")), str(event.get("source")), read_detail(event))
    envelope = event_envelope(event)
    totals = {"topics": len(found), "recipients": 0, "messages": 0, "queries": 0}
    if found:
        expires_at = int((now + dt.timedelta(days=SEEN_DAYS)).timestamp())
        envelope["occurred_at"] = subscribers.first_seen(envelope["event_id"], envelope["occurred_at"], expires_at)
    for topic in found:
        result = fan_out(envelope, topic, subscribers, queue)
        totals["recipients"] += result.recipients
        totals["messages"] += result.messages
        totals["queries"] += result.queries
    return totals


def read_detail(event: dict[str, Any]) -> dict[str, Any]:
    """The event's detail, checked against its definition when the matcher may find topics in it (an event of
    no topic is not read)."""
    source, detail_type = str(event.get("source")), str(event.get("detail-type"))
    definition = EVENTS.get((source, detail_type))
    if definition is None or not concerns(detail_type, source):
        return {}
    try:
        return read(event, definition.detail)
    except MalformedEvent as exc:
        raise MalformedEvent(f"{source} {detail_type}: {exc}") from None


def fan_out(
    envelope: dict[str, Any], topic: Topic, subscribers: SubscriberReader, queue: DeliveryQueue
) -> FanoutResult:
    """Sends the topic's deliveries; `envelope` holds event_id and occurred_at."""
    result = FanoutResult()
    header: Notification = {
        "event_id": envelope["event_id"],
        "occurred_at": envelope["occurred_at"],
        "kind": topic.kind,
        "topic_id": topic.topic_id,
        "title": topic.title,
        "body": topic.body,
        "url": topic.url,
    }
    pending: list[str] = []
    chunk: list[Recipient] = []

    def flush() -> None:
        queue.send(pending)
        result.messages += len(pending)
        pending.clear()

    personal = topic.payer is not None  # its one recipient, told at once (the result of their own act)
    pages: Any = (
        [[{"sub": topic.payer, "mode": "immediate", "quiet_hours": None}]]
        if personal
        else subscribers.pages(topic.kind, topic.topic_id)
    )
    for page in pages:
        result.queries += 0 if personal else 1
        for recipient in page:
            chunk.append(recipient)
            result.recipients += 1
            if len(chunk) == RECIPIENTS_PER_MESSAGE:
                pending.append(_message(header, chunk))
                chunk = []
            if len(pending) == MESSAGES_PER_BATCH:
                flush()
    if chunk:
        pending.append(_message(header, chunk))
    if pending:
        flush()
    return result


def _message(header: Notification, recipients: list[Recipient]) -> str:
    """The body of one queue message: the topic's notification and these recipients."""
    delivery: Delivery = {**header, "recipients": recipients}
    return json.dumps(delivery, separators=(",", ":"))
