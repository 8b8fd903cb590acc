"""The delivery message, defined once: what the matcher (`functions/notifications_match`, `logic.fan_out`) puts on
the delivery queue for the sender (`functions/notifications_send`): one topic's notification of one bus event, and
up to 100 of the topic's subscribers.

The matcher annotates the messages it builds with `Delivery` (it does not ship this layer: it imports these types
for the type checker only); the sender reads each message through `read_delivery`, which checks it against the
definition (`poche_common.typedcheck`, as `poche_common.eventtypes.read` checks a bus event): a missing or
mistyped field raises `MalformedEvent`, the message fails (reported in the batch's `batchItemFailures`, retried,
then kept in the dead-letter queue), it is never read as a default. Fields the definition does not name are
allowed (a newer matcher may add some).

Standard library only, and no `from __future__ import annotations` (the checker reads the annotations at run time).
"""

import json
from typing import TypedDict

from poche_common.typedcheck import MalformedEvent, conform


class QuietHours(TypedDict):
    """A subscriber's quiet hours, Europe/Paris wall-clock times (`notifications_send.policy`)."""

    start: str  # "HH:MM"
    end: str  # "HH:MM"; start == end: no quiet hours


class Recipient(TypedDict):
    """One subscriber of the topic, as its subscription says (`TOPIC#<kind>#<id> / USER#<sub>`, written by `me`)."""

    sub: str  # the Cognito `sub` (never the e-mail)
    mode: str  # "immediate" | "digest"
    quiet_hours: QuietHours | None  # None: none (or none usable)


class Notification(TypedDict):
    """What every recipient is told of the event: one inbox item each, and its push."""

    event_id: str  # the publisher's event id: the inbox key, so a redelivery is a duplicate
    occurred_at: str  # UTC ISO, the event id's first delivery (`notifications_match.logic`)
    kind: str  # the topic's kind: school, route, traffic, news, emergency
    topic_id: str | None  # None for an emergency (a topic of its own)
    title: str  # in French, one bounded line (`notifications_match.topics`)
    body: str
    url: str  # the API path of what the notification is about


class Delivery(Notification):
    """One message of the delivery queue."""

    recipients: list[Recipient]  # 1 to 100


def read_delivery(body: str) -> Delivery:
    """A queue message's body (JSON text) checked against `Delivery`; `MalformedEvent` naming the first field missing
    or mistyped (or saying it is not JSON)."""
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise MalformedEvent(f"message: not JSON ({exc})") from None
    return conform(value, Delivery, "message")
