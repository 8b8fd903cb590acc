"""The fan-out: a topic's subscribers read by Query (page by page, never Scan), sent to the delivery queue
in messages of at most 100 recipients, 10 messages per SendMessageBatch.

Deduplication on the event id: the sender's inbox key is `NOTE#<occurred_at>#<event_id>`, so `first_seen`
fixes an event id's `occurred_at` at its first delivery (`EVENT#<event id> / FIRST` in the `personal`
table, kept `SEEN_DAYS`): the same id delivered again, whatever its `occurred_at`, gives the same keys."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .topics import Topic

SEEN_DAYS = 14  # longer than an event can wait in a producer's outbox (7 days) and EventBridge's retries
RECIPIENTS_PER_MESSAGE = 100
MESSAGES_PER_BATCH = 10  # SendMessageBatch's limit
PAGE_SIZE = 1000
SEND_ATTEMPTS = 5


def topic_pk(kind: str, topic_id: str | None) -> str:
    return f"TOPIC#{kind}" if topic_id is None else f"TOPIC#{kind}#{topic_id}"


def _plain(value: dict[str, Any]) -> Any:
    if "S" in value:
        return value["S"]
    if "M" in value:
        return {k: _plain(v) for k, v in value["M"].items()}
    return None


@dataclass
class FanoutResult:
    recipients: int = 0
    messages: int = 0
    queries: int = 0


class Fanout:
    def __init__(self, dynamodb: Any, sqs: Any, table: str, queue_url: str) -> None:
        self.dynamodb = dynamodb
        self.sqs = sqs
        self.table = table
        self.queue_url = queue_url

    def first_seen(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """`envelope` with the `occurred_at` its event id had when first delivered (recorded now if it is new)."""
        key = {"pk": {"S": f"EVENT#{envelope['event_id']}"}, "sk": {"S": "FIRST"}}
        item = {
            **key,
            "occurred_at": {"S": envelope["occurred_at"]},
            "expires_at": {"N": str(int(time.time()) + SEEN_DAYS * 86400)},
        }
        try:
            self.dynamodb.put_item(TableName=self.table, Item=item, ConditionExpression="attribute_not_exists(pk)")
            return envelope
        except self.dynamodb.exceptions.ConditionalCheckFailedException:
            found = self.dynamodb.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item") or {}
        first = found.get("occurred_at", {}).get("S")
        return {**envelope, "occurred_at": first} if first else envelope

    def subscribers(self, topic: Topic, result: FanoutResult) -> Iterator[dict[str, Any]]:
        """`{sub, mode, quiet_hours}` of every subscriber of the topic (Query, every page)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": topic_pk(topic.kind, topic.topic_id)}},
            "ProjectionExpression": "sk, #mode, quiet_hours",
            "ExpressionAttributeNames": {"#mode": "mode"},
            "Limit": PAGE_SIZE,
        }
        while True:
            page = self.dynamodb.query(**kwargs)
            result.queries += 1
            for item in page.get("Items", []):
                sk = item["sk"]["S"]
                if not sk.startswith("USER#"):
                    continue
                quiet = _plain(item["quiet_hours"]) if "quiet_hours" in item else None
                yield {
                    "sub": sk.removeprefix("USER#"),
                    "mode": item.get("mode", {}).get("S", "immediate"),
                    "quiet_hours": quiet if isinstance(quiet, dict) and quiet.get("start") else None,
                }
            if not page.get("LastEvaluatedKey"):
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def deliver(self, event: dict[str, Any], topic: Topic) -> FanoutResult:
        """Send the topic's deliveries; `event` holds event_id and occurred_at."""
        result = FanoutResult()
        header = {
            "event_id": event["event_id"],
            "occurred_at": event["occurred_at"],
            "kind": topic.kind,
            "topic_id": topic.topic_id,
            "title": topic.title,
            "body": topic.body,
            "url": topic.url,
        }
        pending: list[str] = []
        chunk: list[dict[str, Any]] = []
        for recipient in self.subscribers(topic, result):
            chunk.append(recipient)
            result.recipients += 1
            if len(chunk) == RECIPIENTS_PER_MESSAGE:
                pending.append(json.dumps({**header, "recipients": chunk}, separators=(",", ":")))
                chunk = []
            if len(pending) == MESSAGES_PER_BATCH:
                self._send(pending, result)
                pending = []
        if chunk:
            pending.append(json.dumps({**header, "recipients": chunk}, separators=(",", ":")))
        if pending:
            self._send(pending, result)
        return result

    def _send(self, bodies: list[str], result: FanoutResult) -> None:
        entries = [{"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies)]
        for attempt in range(SEND_ATTEMPTS):
            answer = self.sqs.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            failed = {f["Id"] for f in answer.get("Failed", [])}
            result.messages += len(entries) - len(failed)
            entries = [e for e in entries if e["Id"] in failed]
            if not entries:
                return
            time.sleep(min(0.1 * 2**attempt, 2.0))
        raise RuntimeError(f"{len(entries)} delivery messages refused by the queue after {SEND_ATTEMPTS} attempts")
