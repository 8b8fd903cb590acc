"""The delivery message is defined once (`notifications_shared.delivery.Delivery`): what the matcher sends is what
the sender reads, and the sender reads it strictly: a message missing a field (or mistyped) fails, reported in the
batch's `batchItemFailures` (retried, then the dead-letter queue), and is never read as a default."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections import Counter
from typing import Any

import pytest

from notifications_match.logic import fan_out
from notifications_match.store import Subscribers
from notifications_match.topics import Topic
from notifications_send.logic import process
from notifications_send.ports import WRITTEN
from notifications_shared.delivery import Delivery, Recipient, read_delivery
from notifications_shared.ports import PushResult
from poche_common.eventtypes import MalformedEvent

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)  # 10:00 in Paris: outside the quiet hours below
TOPIC = Topic("school", "0610003X", "Collège Jean Racine : nouvelle information", "Grève.", "/v1/schools/0610003X")
QUIET = {"start": "22:00", "end": "07:00"}


def subscription(sub: str, **attributes: dict[str, Any]) -> dict[str, Any]:
    return {"pk": {"S": "TOPIC#school#0610003X"}, "sk": {"S": f"USER#{sub}"}, **attributes}


class FakeDynamo:
    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items

    def query(self, **kwargs: Any) -> dict[str, Any]:
        return {"Items": self.items}


class Queue:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, bodies: list[str]) -> None:
        self.sent += bodies


class Inbox:
    def __init__(self) -> None:
        self.notes: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = []

    def write(self, sub: str, note: dict[str, Any], extra: list[dict[str, Any]]) -> str:
        self.notes.append((sub, note, extra))
        return WRITTEN

    def mark_failed(self, sub: str, note: dict[str, Any]) -> None:
        raise AssertionError("no push is attempted: nobody has a device")


class NoDevice:
    def devices(self, sub: str) -> list[dict[str, Any]]:
        return []

    def push(self, sub: str, devices: list[dict[str, Any]], payload: str) -> PushResult:
        raise AssertionError("nobody has a device")


def matched(items: list[dict[str, Any]]) -> list[str]:
    """The bodies the matcher sends for these subscription items."""
    queue = Queue()
    envelope = {"event_id": "ev1", "occurred_at": "2026-11-30T08:00:00+00:00"}
    fan_out(envelope, TOPIC, Subscribers(FakeDynamo(items), "personal"), queue)
    return queue.sent


def message() -> Delivery:
    recipients: list[Recipient] = [
        {"sub": "sub-a", "mode": "immediate", "quiet_hours": None},
        {"sub": "sub-b", "mode": "digest", "quiet_hours": {"start": "22:00", "end": "07:00"}},
    ]
    return {
        "event_id": "ev1",
        "occurred_at": "2026-11-30T08:00:00+00:00",
        "kind": "school",
        "topic_id": "0610003X",
        "title": TOPIC.title,
        "body": TOPIC.body,
        "url": TOPIC.url,
        "recipients": recipients,
    }


def send(*bodies: Any) -> tuple[dict[str, Any], Counter[str], Inbox]:
    """One SQS batch of these message bodies (JSON text as given, else dumped) through the sender's rules."""
    records = [
        {"messageId": f"m{n}", "body": body if isinstance(body, str) else json.dumps(body)}
        for n, body in enumerate(bodies)
    ]
    inbox = Inbox()
    answer, counts = process({"Records": records}, inbox, NoDevice(), lambda: NOW)
    return answer, counts, inbox


def test_what_the_matcher_sends_is_a_delivery_and_the_sender_delivers_it() -> None:
    items = [
        subscription("sub-a", mode={"S": "immediate"}),
        subscription("sub-b", mode={"S": "digest"}, quiet_hours={"M": {k: {"S": v} for k, v in QUIET.items()}}),
    ]
    (body,) = matched(items)
    delivery = read_delivery(body)
    assert [r["sub"] for r in delivery["recipients"]] == ["sub-a", "sub-b"]
    assert delivery["recipients"][1]["quiet_hours"] == QUIET
    answer, counts, inbox = send(body)
    assert answer == {"batchItemFailures": []}
    assert counts["delivered"] == 2 and counts["deferred"] == 1 and counts["no_device"] == 1
    assert [sub for sub, _, _ in inbox.notes] == ["sub-a", "sub-b"]


@pytest.mark.parametrize(
    "quiet_hours",
    [
        {"M": {"start": {"S": "22:00"}}},  # no end
        {"M": {"start": {"S": "22:00"}, "end": {"N": "7"}}},  # not a time
        {"M": {"start": {"S": ""}, "end": {"S": "07:00"}}},  # no start
        {"S": "22:00-07:00"},  # not a map
    ],
)
def test_the_matcher_sends_no_quiet_hours_for_a_window_the_sender_could_not_use(quiet_hours: dict[str, Any]) -> None:
    (body,) = matched([subscription("sub-a", mode={"S": "immediate"}, quiet_hours=quiet_hours)])
    assert read_delivery(body)["recipients"] == [{"sub": "sub-a", "mode": "immediate", "quiet_hours": None}]


@pytest.mark.parametrize("field", ["event_id", "occurred_at", "kind", "topic_id", "title", "body", "url", "recipients"])
def test_a_message_missing_a_field_fails_and_nothing_is_written(field: str) -> None:
    spoiled: dict[str, Any] = dict(message())
    del spoiled[field]
    with pytest.raises(MalformedEvent, match=f"message.{field}: missing"):
        read_delivery(json.dumps(spoiled))
    answer, _, inbox = send(message(), spoiled)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert [sub for sub, _, _ in inbox.notes] == ["sub-a", "sub-b"]  # the good message of the batch only


@pytest.mark.parametrize("field", ["sub", "mode", "quiet_hours"])
def test_a_recipient_missing_a_field_fails_the_message_it_is_never_read_as_a_default(field: str) -> None:
    spoiled: dict[str, Any] = copy.deepcopy(dict(message()))
    del spoiled["recipients"][0][field]
    answer, _, inbox = send(spoiled)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert inbox.notes == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("recipients",), {"sub": "sub-a"}),
        (("topic_id",), 61001),
        (("recipients", 0, "mode"), None),
        (("recipients", 1, "quiet_hours"), {"start": "22:00"}),
    ],
)
def test_a_mistyped_message_fails(path: tuple[str | int, ...], value: Any) -> None:
    spoiled: Any = copy.deepcopy(dict(message()))
    target = spoiled
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    answer, _, inbox = send(spoiled)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert inbox.notes == []


def test_a_message_that_is_not_json_fails() -> None:
    with pytest.raises(MalformedEvent, match="not JSON"):
        read_delivery("{")
    answer, _, inbox = send("{", message())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m0"}]} and len(inbox.notes) == 2


def test_an_emergency_has_no_topic_id_and_is_delivered() -> None:
    emergency: dict[str, Any] = {**message(), "kind": "emergency", "topic_id": None}
    answer, _, inbox = send(emergency)
    assert answer == {"batchItemFailures": []}
    assert all("topic_id" not in note for _, note, _ in inbox.notes)
