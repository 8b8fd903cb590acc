"""Integration fixtures: the synthesized stacks provisioned into moto, handlers imported fresh."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from support import Cloud, Synthesized

from poche_local.assembly import load_assembly
from poche_local.provision import Provisioner


@pytest.fixture
def cloud(synthesized: Synthesized, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    with mock_aws():
        clients = {
            n: boto3.client(n, region_name="eu-west-3")
            for n in ("dynamodb", "events", "sqs", "sns", "ssm", "cognito-idp")
        }
        spec = Provisioner(clients).provision(load_assembly(synthesized.outdir))
        bus = next(f for f in spec.functions.values() if f.connector).environment["EVENT_BUS_NAME"]
        queue_url = clients["sqs"].create_queue(QueueName="test-bus-events")["QueueUrl"]
        queue_arn = clients["sqs"].get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        clients["events"].put_rule(
            Name="everything", EventBusName=bus, EventPattern=json.dumps({"source": [{"prefix": "poche."}]})
        )
        clients["events"].put_targets(Rule="everything", EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
        yield Cloud(spec, clients, monkeypatch, queue_url)
