"""Notification fan-out benchmark: time and DynamoDB calls per 1,000 subscribers, matcher and sender.

    .venv/bin/python bench/notifications.py [--subscribers 1000] [--repeat 5] [--json .bench/notifications.json]

One `SchoolNoticePublished` event for a school followed by --subscribers users (half with a device, a
quarter in digest mode): the matcher's fan-out (Query pages of the subscribers index, SendMessageBatch of
100-recipient messages), then the sender on those messages (per recipient: the devices' Query, the inbox
transaction, the pushes). Storage, the queue and SNS are in-memory fakes answering at the client level (as
bench/transit_rt.py's `--fake client`): the figures are the functions' own CPU time, a lower bound, and
the exact number of calls each makes. Figures are per 1,000 subscribers, the median of --repeat runs.
A report, not a test: exits 0.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT / "layers/common/python"), str(ROOT / "layers/notifications/python")]
# Settings some modules read when their dependencies are built (never here: the fakes are passed in).
for _key, _value in {"AWS_DEFAULT_REGION": "eu-west-3", "TABLE_NAME": "personal", "AWS_ACCESS_KEY_ID": "bench"}.items():
    os.environ.setdefault(_key, _value)
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")

from notifications_match.adapters import DeliveryQueue  # noqa: E402
from notifications_match.logic import match  # noqa: E402
from notifications_match.store import Subscribers  # noqa: E402
from notifications_send.logic import process  # noqa: E402
from notifications_send.store import Inbox  # noqa: E402
from notifications_shared.push import Pusher  # noqa: E402

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
RACINE = "0610003X"


class CanceledError(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("TransactionCanceled")
        self.response = {"CancellationReasons": [{"Code": r} for r in reasons]}


class FakeDynamo:
    """pk -> sk -> item, sorted Query with Limit, conditional transactions: what the pipeline uses."""

    class exceptions:
        TransactionCanceledException = CanceledError

    def __init__(self) -> None:
        self.data: dict[str, dict[str, dict[str, Any]]] = collections.defaultdict(dict)
        self.calls: collections.Counter[str] = collections.Counter()

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.calls["Query"] += 1
        values = kwargs["ExpressionAttributeValues"]
        partition = self.data.get(values[":pk"]["S"], {})
        prefix = values.get(":prefix", {}).get("S", "")
        keys = sorted(k for k in partition if k.startswith(prefix))
        start = kwargs.get("ExclusiveStartKey", {}).get("sk", {}).get("S")
        if start is not None:
            keys = [k for k in keys if k > start]
        limit = kwargs.get("Limit", len(keys))
        page = keys[:limit]
        answer: dict[str, Any] = {"Items": [partition[k] for k in page]}
        if len(keys) > limit:
            answer["LastEvaluatedKey"] = {"pk": values[":pk"], "sk": {"S": page[-1]}}
        return answer

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls["TransactWriteItems"] += 1
        reasons = []
        for action in TransactItems:
            body = action.get("Put") or action.get("ConditionCheck") or {}
            key = body.get("Item") or body.get("Key") or {}
            exists = key["sk"]["S"] in self.data.get(key["pk"]["S"], {})
            failed = body.get("ConditionExpression") == "attribute_not_exists(pk)" and exists
            reasons.append("ConditionalCheckFailed" if failed else "None")
        if "ConditionalCheckFailed" in reasons:
            raise CanceledError(reasons)
        for action in TransactItems:
            if "Put" in action:
                item = action["Put"]["Item"]
                self.data[item["pk"]["S"]][item["sk"]["S"]] = item
        return {}

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls["UpdateItem"] += 1
        return {}

    def put_item(self, TableName: str, Item: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        self.calls["PutItem"] += 1  # the matcher's first-delivery marker of an event id (a new id here)
        self.data[Item["pk"]["S"]][Item["sk"]["S"]] = Item
        return {}

    def delete_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls["DeleteItem"] += 1
        return {}


class FakeSqs:
    def __init__(self) -> None:
        self.bodies: list[str] = []
        self.calls = 0

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls += 1
        self.bodies += [e["MessageBody"] for e in Entries]
        return {"Successful": [{"Id": e["Id"]} for e in Entries]}


class FakeSns:
    def __init__(self) -> None:
        self.published = 0

    def publish(self, **kwargs: Any) -> dict[str, Any]:
        self.published += 1
        return {"MessageId": str(self.published)}


def seed(dynamo: FakeDynamo, subscribers: int) -> None:
    for n in range(subscribers):
        sub = f"bench-{n:06d}"
        item = {"pk": {"S": f"TOPIC#school#{RACINE}"}, "sk": {"S": f"USER#{sub}"}, "kind": {"S": "school"}}
        item["mode"] = {"S": "digest" if n % 4 == 3 else "immediate"}
        dynamo.data[item["pk"]["S"]][item["sk"]["S"]] = item
        if n % 2 == 0:
            arn = f"arn:aws:sns:eu-west-3:123456789012:endpoint/GCM/poche/{n:06d}"
            device = {"pk": {"S": f"USER#{sub}"}, "sk": {"S": f"DEVICE#{n:032x}"}, "endpoint_arn": {"S": arn}}
            dynamo.data[device["pk"]["S"]][device["sk"]["S"]] = device


def event() -> dict[str, Any]:
    notice = {"uai": RACINE, "notice_id": "n1", "kind": "strike", "starts": "2026-12-01T07:00:00+00:00"}
    return {
        "id": "eb-1",
        "detail-type": "SchoolNoticePublished",
        "source": "poche.schools",
        "detail": {"id": "ev-1", "occurred_at": "2026-11-30T08:59:58+00:00", "version": 1, "origin": "school"}
        | {"connector": None, "uais": [RACINE], "truncated": False}
        | {"notices": [{**notice, "ends": "2026-12-01T17:00:00+00:00", "change": "created"}]},
    }


def measure(subscribers: int) -> dict[str, Any]:
    dynamo, sqs, sns = FakeDynamo(), FakeSqs(), FakeSns()
    seed(dynamo, subscribers)
    started = time.process_time()
    totals = match(event(), Subscribers(dynamo, "personal"), DeliveryQueue(sqs, "https://queue"), NOW)
    recipients = totals["recipients"]
    match_s = time.process_time() - started
    match_calls = dynamo.calls["Query"]
    dynamo.calls.clear()
    records = [{"messageId": str(n), "body": body} for n, body in enumerate(sqs.bodies)]
    inbox, pusher = Inbox(dynamo, "personal"), Pusher(dynamo, sns, "personal")
    started = time.process_time()
    failures = 0
    for start in range(0, len(records), 10):
        answer, _ = process({"Records": records[start : start + 10]}, inbox, pusher, lambda: NOW)
        failures += len(answer["batchItemFailures"])
    send_s = time.process_time() - started
    per = 1000 / subscribers
    return {
        "recipients": recipients,
        "messages": len(sqs.bodies),
        "match_s_per_1000": match_s * per,
        "match_dynamodb_calls_per_1000": match_calls * per,
        "match_send_message_batch_per_1000": sqs.calls * per,
        "send_s_per_1000": send_s * per,
        "send_dynamodb_calls_per_1000": sum(dynamo.calls.values()) * per,
        "send_calls_by_operation": {k: v * per for k, v in sorted(dynamo.calls.items())},
        "pushes_per_1000": sns.published * per,
        "failed_messages": failures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", default=str(ROOT / ".bench/notifications.json"))
    args = parser.parse_args(argv)
    import contextlib
    import io

    runs = []
    for _ in range(args.repeat):
        with contextlib.redirect_stdout(io.StringIO()):  # the functions' log lines
            runs.append(measure(args.subscribers))
    result = dict(runs[0])
    for key in ("match_s_per_1000", "send_s_per_1000"):
        result[key] = statistics.median(r[key] for r in runs)
    print(f"notifications, {args.subscribers} subscribers of one school ({args.repeat} runs, median), per 1,000:")
    print(f"{'function':<22}{'own CPU s':>10}{'DynamoDB calls':>16}  other")
    print(
        f"{'notifications_match':<22}{result['match_s_per_1000']:>10.3f}{result['match_dynamodb_calls_per_1000']:>16.0f}"
        f"  SendMessageBatch {result['match_send_message_batch_per_1000']:.0f}, messages {result['messages']}"
    )
    ops = ", ".join(f"{k} {v:.0f}" for k, v in result["send_calls_by_operation"].items())
    print(
        f"{'notifications_send':<22}{result['send_s_per_1000']:>10.3f}{result['send_dynamodb_calls_per_1000']:>16.0f}"
        f"  ({ops}); SNS Publish {result['pushes_per_1000']:.0f}"
    )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"subscribers": args.subscribers, **result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
