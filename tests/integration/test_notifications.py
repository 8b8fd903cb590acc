"""The notification pipeline on moto: a bus event → matcher → delivery queue → sender → inbox items and pushes
on emulated SNS platform endpoints; duplicates, quiet hours and the deferred pushes, emergencies, disabled
endpoints, erased accounts, and a school followed by 10,000 subscribers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from moto.sns.models import sns_backends
from support import Cloud, table_items

from poche_common import schools
from poche_common.dynamo import batch_write, from_item

ACCOUNT, REGION = "123456789012", "eu-west-3"
RACINE = "0610003X"  # Collège Jean Racine, Alençon
DAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)  # 10:00 in Paris
NIGHT = dt.datetime(2026, 11, 30, 22, 0, tzinfo=dt.UTC)  # 23:00 in Paris
QUIET = {"start": "22:00", "end": "07:00"}


def school_event(event_id: str, uais: list[str], origin: str = "school", kind: str = "closure") -> dict[str, Any]:
    """An EventBridge event as the bus delivers `SchoolNoticePublished` (facts as schools_admin publishes them)."""
    notices = [
        {
            "uai": uai,
            "notice_id": f"n-{uai}",
            "kind": kind,
            "starts": "2026-12-01T07:00:00+00:00",
            "ends": "2026-12-01T17:00:00+00:00",
            "change": "created",
        }
        for uai in uais
    ]
    return {
        "version": "0",
        "id": f"eb-{event_id}",
        "detail-type": "SchoolNoticePublished",
        "source": "poche.schools",
        "account": ACCOUNT,
        "time": "2026-11-30T08:59:58Z",
        "region": REGION,
        "resources": [],
        "detail": {
            "id": event_id,
            "occurred_at": "2026-11-30T08:59:58+00:00",
            "version": 1,
            "origin": origin,
            "connector": None if origin == "school" else "schools-notices-csv",
            "uais": uais,
            "notices": notices,
            "truncated": False,
        },
    }


class Pipeline:
    def __init__(self, cloud: Cloud, lambda_context: Any) -> None:
        self.cloud = cloud
        self.context = lambda_context
        self.now = DAY
        # Each function's dependencies are built right after its load, from its own environment, on this test's moto.
        self.match = cloud.load("notifications_match")
        self.match.dependencies.reset()
        self.match.dependencies.get().clock = lambda: self.now
        self.send = cloud.load("notifications_send")
        self.send.dependencies.reset()
        self.send.dependencies.get().clock = lambda: self.now
        self.deferred = cloud.load("notifications_deferred")
        self.deferred.dependencies.reset()
        self.deferred_deps = self.deferred.dependencies.get()
        self.deferred_deps.clock = lambda: self.now
        self.table = cloud.table("notifications_send")
        self.queue_url = cloud.function("notifications_match").environment["QUEUE_URL"]
        self.dynamodb = cloud.clients["dynamodb"]
        self.sns = cloud.clients["sns"]
        self.application = self.sns.create_platform_application(
            Name="poche-fcm", Platform="GCM", Attributes={"PlatformCredential": "emulated"}
        )["PlatformApplicationArn"]

    # --- arranging -------------------------------------------------------------------------------
    def subscribe(
        self, sub: str, kind: str, topic_id: str | None, *, mode: str = "immediate", quiet: Any = None
    ) -> None:
        item: dict[str, Any] = {
            "pk": f"TOPIC#{kind}" + (f"#{topic_id}" if topic_id else ""),
            "sk": f"USER#{sub}",
            "kind": kind,
            "mode": mode,
        }
        if topic_id:
            item["topic_id"] = topic_id
        if quiet:
            item["quiet_hours"] = quiet
        self.put(item)

    def device(self, sub: str, n: int = 1, *, token: str | None = None) -> str:
        """A registered device as the `me` function writes it (contract: DEVICE item, the token's OWNER item
        naming it, SNS endpoint)."""
        token = token or f"emulated-token-{sub}-{n}"
        arn = self.sns.create_platform_endpoint(PlatformApplicationArn=self.application, Token=token)["EndpointArn"]
        device_id = hashlib.sha256(f"{sub}\n{token}".encode()).hexdigest()[:32]
        self.put(
            {
                "pk": "TOKEN#" + hashlib.sha256(token.encode()).hexdigest(),
                "sk": "OWNER",
                "sub": sub,
                "device_id": device_id,
                "platform": "fcm",
                "endpoint_arn": arn,
                "version": "v1",
            }
        )
        self.put(
            {
                "pk": f"USER#{sub}",
                "sk": f"DEVICE#{device_id}",
                "device_id": device_id,
                "platform": "fcm",
                "endpoint_arn": arn,
                "token_sha256": hashlib.sha256(token.encode()).hexdigest(),
                "created_at": "2026-11-29T08:00:00+00:00",
            }
        )
        return arn

    def put(self, item: dict[str, Any]) -> None:
        from poche_common.dynamo import to_item

        self.dynamodb.put_item(TableName=self.table, Item=to_item(item))

    # --- acting ----------------------------------------------------------------------------------
    def publish(self, event: dict[str, Any]) -> dict[str, int]:
        return dict(self.match.handler(event, self.context))

    def queued(self) -> list[dict[str, Any]]:
        """Every message waiting in the delivery queue (received, so invisible afterwards), as SQS records."""
        records: list[dict[str, Any]] = []
        sqs = self.cloud.clients["sqs"]
        while True:
            batch = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return records
            for message in batch:
                records.append(
                    {
                        "messageId": message["MessageId"],
                        "receiptHandle": message["ReceiptHandle"],
                        "body": message["Body"],
                    }
                )
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def deliver(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        answers: dict[str, Any] = {"batchItemFailures": []}
        for start in range(0, len(records), 10):
            answer = self.send.handler({"Records": records[start : start + 10]}, self.context)
            answers["batchItemFailures"] += answer["batchItemFailures"]
        return answers

    # --- asserting -------------------------------------------------------------------------------
    def partition(self, pk: str) -> list[dict[str, Any]]:
        page = self.dynamodb.query(
            TableName=self.table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": pk}}
        )
        return [from_item(item) for item in page["Items"]]

    def notes(self, sub: str) -> list[dict[str, Any]]:
        return [i for i in self.partition(f"USER#{sub}") if i["sk"].startswith("NOTE#")]

    def due(self) -> list[dict[str, Any]]:
        return [
            from_item(i)
            for i in table_items(self.table)
            if i["pk"]["S"].startswith("DUE#") or i["sk"]["S"].startswith("DUE#")
        ]

    def pushes(self, arn: str) -> list[dict[str, Any]]:
        endpoint = sns_backends[ACCOUNT][REGION].platform_endpoints.get(arn)
        return [json.loads(m) for m in endpoint.messages.values()] if endpoint else []


@pytest.fixture
def pipeline(cloud: Cloud, lambda_context: Any) -> Pipeline:
    return Pipeline(cloud, lambda_context)


def test_a_school_notice_reaches_each_subscribers_inbox_and_devices(
    pipeline: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.subscribe("sub-a", "school", RACINE)
    pipeline.subscribe("sub-b", "school", RACINE)
    pipeline.subscribe("sub-c", "school", RACINE, mode="digest")
    pipeline.subscribe("sub-d", "school", "0610001V")  # another school
    phone = pipeline.device("sub-a")

    totals = pipeline.publish(school_event("ev-1", [RACINE]))
    assert totals == {"topics": 1, "recipients": 3, "messages": 1, "queries": 1}
    records = pipeline.queued()
    assert len(records) == 1 and len(json.loads(records[0]["body"])["recipients"]) == 3
    assert pipeline.deliver(records) == {"batchItemFailures": []}

    [note] = pipeline.notes("sub-a")
    assert note["sk"] == "NOTE#2026-11-30T08:59:58+00:00#ev-1"
    assert note["id"] == f"{int(dt.datetime(2026, 11, 30, 8, 59, 58, tzinfo=dt.UTC).timestamp())}-ev-1"
    assert (note["kind"], note["topic_id"], note["push"]) == ("school", RACINE, "sent")
    assert note["title"] == "Collège Jean Racine : nouvelle information"
    assert note["url"] == f"/v1/schools/{RACINE}/notices"
    assert note["expires_at"] == int((DAY + dt.timedelta(days=90)).timestamp())
    [push] = pipeline.pushes(phone)
    assert json.loads(push["GCM"]) == {
        "notification": {"title": note["title"], "body": note["body"]},
        "data": {"url": note["url"], "id": note["id"]},
    }
    assert [n["push"] for n in pipeline.notes("sub-b")] == ["no_device"]
    assert [n["push"] for n in pipeline.notes("sub-c")] == ["digest"]
    assert pipeline.notes("sub-d") == []
    due = [d for d in pipeline.due() if d["pk"].startswith("DUE#")]
    assert [(d["pk"], d["sub"]) for d in due] == [("DUE#2026-11-30T17", "sub-c")]  # 18:00 in Paris
    out = capsys.readouterr().out
    assert "sub-" not in out and "emulated-token" not in out and "endpoint/" not in out  # no personal data logged
    metrics = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    sent = next(m for m in metrics if "NotificationsDelivered" in m)
    assert (sent["NotificationsDelivered"], sent["PushesSent"], sent["PushesDeferred"]) == (3, 1, 1)


def test_the_same_message_delivered_twice_gives_one_notification_and_one_push(
    pipeline: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline.subscribe("sub-a", "school", RACINE)
    phone = pipeline.device("sub-a")
    pipeline.publish(school_event("ev-1", [RACINE]))
    records = pipeline.queued()
    pipeline.deliver(records)
    pipeline.deliver(records)  # at-least-once: SQS delivered it again
    pipeline.publish(school_event("ev-1", [RACINE]))  # and the bus delivered the event again
    pipeline.deliver(pipeline.queued())

    assert len(pipeline.notes("sub-a")) == 1
    assert len(pipeline.pushes(phone)) == 1
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"NotificationsDuplicate"' in line]
    assert [m["NotificationsDuplicate"] for m in metrics] == [0, 1, 1]


def test_quiet_hours_defer_the_push_until_the_deferred_run_after_they_end(pipeline: Pipeline) -> None:
    pipeline.now = NIGHT
    pipeline.subscribe("sub-q", "school", RACINE, quiet=QUIET)
    phone = pipeline.device("sub-q")
    pipeline.publish(school_event("ev-1", [RACINE]))
    pipeline.deliver(pipeline.queued())

    [note] = pipeline.notes("sub-q")  # the inbox item is there at once
    assert note["push"] == "deferred"
    assert pipeline.pushes(phone) == []
    due = pipeline.due()
    assert sorted((d["pk"], d["sk"]) for d in due) == [
        ("DUE#2026-12-01T06", "2026-12-01T06:00:00+00:00#sub-q#ev-1"),  # 07:00 in Paris
        ("USER#sub-q", "DUE#2026-12-01T06#2026-12-01T06:00:00+00:00#ev-1"),
    ]

    pipeline.now = dt.datetime(2026, 12, 1, 5, 45, tzinfo=dt.UTC)  # still quiet
    assert pipeline.deferred.handler({"trigger": "schedule"}, pipeline.context) == {}
    assert pipeline.pushes(phone) == [] and len(pipeline.due()) == 2

    pipeline.now = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
    assert pipeline.deferred.handler({"trigger": "schedule"}, pipeline.context)["sent"] == 1
    [push] = pipeline.pushes(phone)
    gcm = json.loads(push["GCM"])
    assert gcm["notification"]["title"] == note["title"] and gcm["data"]["id"] == note["id"]
    assert pipeline.due() == []


def test_the_deferred_run_summarises_several_notifications_and_keeps_them_when_the_push_fails(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline.now = NIGHT
    pipeline.subscribe("sub-q", "school", RACINE, quiet=QUIET)
    pipeline.subscribe("sub-q", "school", "0610001V", quiet=QUIET)
    phone = pipeline.device("sub-q")
    pipeline.publish(school_event("ev-1", [RACINE]))
    pipeline.publish(school_event("ev-2", ["0610001V"]))
    pipeline.deliver(pipeline.queued())
    assert len(pipeline.due()) == 4

    pipeline.now = dt.datetime(2026, 12, 1, 6, 15, tzinfo=dt.UTC)
    pusher = pipeline.deferred_deps.pusher
    real = pusher.sns

    class Down:
        def publish(self, **kwargs: Any) -> None:
            raise ConnectionError("SNS unreachable")

    monkeypatch.setattr(pusher, "sns", Down())
    assert pipeline.deferred.handler({}, pipeline.context)["kept"] == 2
    assert len(pipeline.due()) == 4  # never dropped
    monkeypatch.setattr(pusher, "sns", real)
    assert pipeline.deferred.handler({}, pipeline.context)["sent"] == 1
    [push] = pipeline.pushes(phone)
    assert json.loads(push["GCM"])["notification"]["title"] == "2 nouvelles notifications"
    assert pipeline.due() == []


def test_an_emergency_ignores_quiet_hours(pipeline: Pipeline) -> None:
    pipeline.now = NIGHT
    pipeline.subscribe("sub-e", "emergency", None, quiet=QUIET)
    phone = pipeline.device("sub-e")
    every = sorted(s.uai for s in schools.all_schools())
    totals = pipeline.publish(school_event("ev-9", every, origin="departement", kind="strike"))
    assert totals["topics"] == len(every) + 1
    pipeline.deliver(pipeline.queued())

    [note] = pipeline.notes("sub-e")
    assert (note["kind"], note["push"], "topic_id" in note) == ("emergency", "sent", False)
    assert len(pipeline.pushes(phone)) == 1
    assert pipeline.due() == []


def test_a_disabled_endpoint_is_cleaned_up(pipeline: Pipeline) -> None:
    pipeline.subscribe("sub-a", "school", RACINE)
    working, disabled = pipeline.device("sub-a", 1), pipeline.device("sub-a", 2)
    pipeline.sns.set_endpoint_attributes(EndpointArn=disabled, Attributes={"Enabled": "false"})
    pipeline.publish(school_event("ev-1", [RACINE]))
    pipeline.deliver(pipeline.queued())

    assert len(pipeline.pushes(working)) == 1
    devices = [i for i in pipeline.partition("USER#sub-a") if i["sk"].startswith("DEVICE#")]
    assert [d["endpoint_arn"] for d in devices] == [working]
    endpoints = pipeline.sns.list_endpoints_by_platform_application(PlatformApplicationArn=pipeline.application)
    assert [e["EndpointArn"] for e in endpoints["Endpoints"]] == [working]
    assert [n["push"] for n in pipeline.notes("sub-a")] == ["sent"]


def test_a_disabled_endpoint_takes_its_token_owner_item_with_it(pipeline: Pipeline) -> None:
    """Issue 9, defect 7: the owner item names the account (`sub`); left behind, it would outlive the device and
    even the account's erasure (which finds devices in the account's own partition)."""
    pipeline.subscribe("sub-a", "school", RACINE)
    disabled = pipeline.device("sub-a", token="old-phone")
    pipeline.sns.set_endpoint_attributes(EndpointArn=disabled, Attributes={"Enabled": "false"})
    pipeline.publish(school_event("ev-1", [RACINE]))
    pipeline.deliver(pipeline.queued())

    assert pipeline.partition("TOKEN#" + hashlib.sha256(b"old-phone").hexdigest()) == []
    assert [i for i in pipeline.partition("USER#sub-a") if i["sk"].startswith("DEVICE#")] == []


def test_a_disabled_endpoint_now_owned_by_another_account_is_kept(pipeline: Pipeline) -> None:
    """A stale DEVICE item of A naming the endpoint B took over (the token moved to B's account): pushing to A
    forgets A's device, but never deletes B's endpoint nor B's ownership."""
    pipeline.subscribe("sub-a", "school", RACINE)
    shared = pipeline.device("sub-a", token="shared-tablet")
    pipeline.device("sub-b", token="shared-tablet")  # B registered the same token: B owns it now
    pipeline.sns.set_endpoint_attributes(EndpointArn=shared, Attributes={"Enabled": "false"})
    pipeline.publish(school_event("ev-1", [RACINE]))
    pipeline.deliver(pipeline.queued())

    assert [i for i in pipeline.partition("USER#sub-a") if i["sk"].startswith("DEVICE#")] == []
    [owner] = pipeline.partition("TOKEN#" + hashlib.sha256(b"shared-tablet").hexdigest())
    assert owner["sub"] == "sub-b"
    endpoints = pipeline.sns.list_endpoints_by_platform_application(PlatformApplicationArn=pipeline.application)
    assert [e["EndpointArn"] for e in endpoints["Endpoints"]] == [shared]


def test_an_erased_account_gets_nothing(pipeline: Pipeline) -> None:
    pipeline.subscribe("sub-gone", "school", RACINE)
    pipeline.subscribe("sub-gone-quiet", "school", RACINE, mode="digest")
    phone = pipeline.device("sub-gone")
    for sub in ("sub-gone", "sub-gone-quiet"):
        pipeline.put({"pk": "GONE#" + hashlib.sha256(sub.encode()).hexdigest(), "sk": "TOMBSTONE"})
    pipeline.publish(school_event("ev-1", [RACINE]))
    assert pipeline.deliver(pipeline.queued()) == {"batchItemFailures": []}

    assert pipeline.notes("sub-gone") == [] and pipeline.notes("sub-gone-quiet") == []
    assert pipeline.pushes(phone) == []
    assert pipeline.due() == []


def test_a_school_with_10000_subscribers_is_fanned_out_in_100_messages_of_100(pipeline: Pipeline) -> None:
    requests = [
        {
            "PutRequest": {
                "Item": {
                    "pk": {"S": f"TOPIC#school#{RACINE}"},
                    "sk": {"S": f"USER#sub-{n:05d}"},
                    "kind": {"S": "school"},
                    "topic_id": {"S": RACINE},
                    "mode": {"S": "immediate"},
                }
            }
        }
        for n in range(10_000)
    ]
    batch_write(pipeline.dynamodb, pipeline.table, requests)

    totals = pipeline.publish(school_event("ev-big", [RACINE]))
    assert totals["recipients"] == 10_000 and totals["messages"] == 100
    assert totals["queries"] == 10  # pages of 1,000: Query, never Scan
    records = pipeline.queued()
    bodies = [json.loads(r["body"]) for r in records]
    assert len(bodies) == 100 and {len(b["recipients"]) for b in bodies} == {100}
    assert len({r["sub"] for b in bodies for r in b["recipients"]}) == 10_000
