"""The queue messages of the fan-out, the inbox items and the push payloads (no AWS)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from notifications_match.adapters import DeliveryQueue
from notifications_match.logic import fan_out
from notifications_match.store import Subscribers
from notifications_match.topics import Topic, event_envelope
from notifications_send.items import due_items, note_item
from notifications_shared.delivery import Notification
from notifications_shared.push import message
from poche_common.dynamo import to_item

NOW = dt.datetime(2026, 11, 30, 8, 0, 5, tzinfo=dt.UTC)
TOPIC = Topic(
    "school", "0610003X", "Collège Jean Racine : nouvelle information", "Grève.", "/v1/schools/0610003X/notices"
)


class FakeDynamo:
    def __init__(self, subscribers: int, page: int) -> None:
        self.items = [
            {"pk": {"S": "TOPIC#school#0610003X"}, "sk": {"S": f"USER#u{n:05d}"}, "mode": {"S": "immediate"}}
            for n in range(subscribers)
        ]
        self.page = page
        self.calls: list[dict[str, Any]] = []

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        start = int(kwargs.get("ExclusiveStartKey", {}).get("n", 0))
        items = self.items[start : start + self.page]
        answer: dict[str, Any] = {"Items": items}
        if start + self.page < len(self.items):
            answer["LastEvaluatedKey"] = {"n": start + self.page}
        return answer


class FakeSqs:
    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.batches.append(Entries)
        return {"Successful": [{"Id": e["Id"]} for e in Entries]}


def test_fanout_pages_the_query_and_sends_messages_of_100_recipients_10_per_batch() -> None:
    dynamo, sqs = FakeDynamo(1_050, page=300), FakeSqs()
    result = fan_out(
        {"event_id": "ev1", "occurred_at": "2026-11-30T08:00:00+00:00"},
        TOPIC,
        Subscribers(dynamo, "personal"),
        DeliveryQueue(sqs, "https://queue"),
    )
    assert (result.recipients, result.messages, result.queries) == (1_050, 11, 4)
    assert [len(b) for b in sqs.batches] == [10, 1]
    assert all(call["KeyConditionExpression"] == "pk = :pk" for call in dynamo.calls)
    bodies = [json.loads(e["MessageBody"]) for b in sqs.batches for e in b]
    assert [len(b["recipients"]) for b in bodies] == [100] * 10 + [50]
    first = bodies[0]
    assert {k: first[k] for k in ("event_id", "kind", "topic_id", "url")} == {
        "event_id": "ev1",
        "kind": "school",
        "topic_id": "0610003X",
        "url": "/v1/schools/0610003X/notices",
    }
    assert first["recipients"][0] == {"sub": "u00000", "mode": "immediate", "quiet_hours": None}
    assert len({r["sub"] for b in bodies for r in b["recipients"]}) == 1_050


def test_the_event_id_is_the_publishers_so_a_redelivery_has_the_same() -> None:
    event = {"id": "eb-1", "time": "2026-11-30T08:00:01Z", "detail": {"id": "ev1", "occurred_at": "x"}}
    assert event_envelope(event) == {"event_id": "ev1", "occurred_at": "x"}
    assert event_envelope({"id": "eb-1", "time": "t", "detail": {}}) == {"event_id": "eb-1", "occurred_at": "t"}


def test_note_and_due_items_follow_the_contract() -> None:
    body: Notification = {
        "event_id": "ev1",
        "occurred_at": "2026-11-30T09:00:00+01:00",
        "kind": "school",
        "topic_id": "0610003X",
        "title": TOPIC.title,
        "body": TOPIC.body,
        "url": TOPIC.url,
    }
    note = to_item(note_item(body, "sub-1", "deferred", NOW))  # as the inbox writes it
    assert note["pk"] == {"S": "USER#sub-1"}
    assert note["sk"] == {"S": "NOTE#2026-11-30T08:00:00+00:00#ev1"}
    assert note["id"] == {"S": f"{int(dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC).timestamp())}-ev1"}
    assert note["expires_at"] == {"N": str(int((NOW + dt.timedelta(days=90)).timestamp()))}
    assert note["push"] == {"S": "deferred"} and note["topic_id"] == {"S": "0610003X"}
    assert "read_at" not in note
    emergency = to_item(note_item({**body, "kind": "emergency", "topic_id": None}, "sub-1", "sent", NOW))
    assert "topic_id" not in emergency
    plain_note = note_item(body, "sub-1", "deferred", NOW)
    due, pointer = map(to_item, due_items(body, "sub-1", plain_note, dt.datetime(2026, 12, 1, 6, tzinfo=dt.UTC)))
    assert due["pk"] == {"S": "DUE#2026-12-01T06"}
    assert due["sk"] == {"S": "2026-12-01T06:00:00+00:00#sub-1#ev1"}
    assert due["sub"] == {"S": "sub-1"} and due["note_sk"] == note["sk"]
    assert pointer == {
        "pk": {"S": "USER#sub-1"},
        "sk": {"S": "DUE#2026-12-01T06#2026-12-01T06:00:00+00:00#ev1"},
        "expires_at": note["expires_at"],
    }


def test_push_payload_per_platform() -> None:
    payload = json.loads(message("Titre", "Texte", "/v1/x", "1-ev1"))
    assert payload["default"] == "Texte"
    assert json.loads(payload["GCM"]) == {
        "notification": {"title": "Titre", "body": "Texte"},
        "data": {"url": "/v1/x", "id": "1-ev1"},
    }
    assert json.loads(payload["APNS"]) == {
        "aps": {"alert": {"title": "Titre", "body": "Texte"}},
        "url": "/v1/x",
        "id": "1-ev1",
    }
