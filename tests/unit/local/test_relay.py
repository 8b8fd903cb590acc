"""The local platform hands queue messages and bus events to functions, as event source mappings and rules do."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from support import Synthesized

from poche_local.assembly import load_assembly
from poche_local.model import PlatformSpec, QueueSourceSpec
from poche_local.platform import relay_once
from poche_local.provision import Provisioner


@pytest.fixture
def sqs() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("sqs", region_name="eu-west-3")


def test_queue_messages_reach_the_function_as_an_sqs_event_and_reported_failures_stay(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="deliveries")["QueueUrl"]
    for n in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": n}))
    calls: list[dict[str, Any]] = []

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        calls.append(event)
        second = next(r for r in event["Records"] if json.loads(r["body"]) == {"n": 1})
        return {"batchItemFailures": [{"itemIdentifier": second["messageId"]}]}

    source = QueueSourceSpec("sender", "deliveries", batch_size=10, report_failures=True)
    assert relay_once(sqs, url, source, invoke) == 2
    (event,) = calls
    assert {json.loads(r["body"])["n"] for r in event["Records"]} == {0, 1, 2}
    record = event["Records"][0]
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"].endswith(":deliveries")
    assert record["receiptHandle"] and record["messageId"]
    left = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert left["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "1"  # back after its visibility timeout


def test_a_crashing_function_deletes_nothing(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="deliveries")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="{}")

    def invoke(function: str, event: dict[str, Any]) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        relay_once(sqs, url, QueueSourceSpec("sender", "deliveries"), invoke)
    left = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert left["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "1"


def test_bus_events_are_relayed_one_invocation_each(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="poche-relay-0")["QueueUrl"]
    events = [{"detail-type": "SchoolNoticePublished", "detail": {"id": str(n)}} for n in range(2)]
    for event in events:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    received: list[dict[str, Any]] = []
    source = QueueSourceSpec("matcher", "poche-relay-0", batch_size=1, relay=True)
    while relay_once(sqs, url, source, lambda function, event: received.append(event)):
        pass
    assert sorted(e["detail"]["id"] for e in received) == ["0", "1"]


def test_the_templates_rule_and_event_source_mapping_become_queue_sources(synthesized: Synthesized) -> None:
    with mock_aws():
        clients = {
            n: boto3.client(n, region_name="eu-west-3")
            for n in ("dynamodb", "events", "sqs", "sns", "ssm", "cognito-idp")
        }
        spec: PlatformSpec = Provisioner(clients).provision(load_assembly(synthesized.outdir))
        by_package = {spec.functions[q.function].package: q for q in spec.queue_sources}
        assert by_package["notifications_match"].relay is True
        sender = by_package["notifications_send"]
        assert sender.relay is False and sender.report_failures is True and sender.batch_size == 10
        # The relay rule matches what the template's rule matches: a school notice on the bus lands in its queue.
        bus = next(f for f in spec.functions.values() if f.connector).environment["EVENT_BUS_NAME"]
        clients["events"].put_events(
            Entries=[
                {
                    "EventBusName": bus,
                    "Source": "poche.schools",
                    "DetailType": "SchoolNoticePublished",
                    "Detail": json.dumps({"id": "e1"}),
                }
            ]
        )
        url = clients["sqs"].get_queue_url(QueueName=by_package["notifications_match"].queue)["QueueUrl"]
        (message,) = clients["sqs"].receive_message(QueueUrl=url)["Messages"]
        assert json.loads(message["Body"])["detail"] == {"id": "e1"}
        assert (
            spec.to_json()["queue_sources"]
            and PlatformSpec.from_json(spec.to_json()).queue_sources == spec.queue_sources
        )
