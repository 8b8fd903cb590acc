"""Integration fixtures: the synthesized stacks provisioned into moto once per worker, emptied between tests.

Provisioning both stacks costs far more than emptying them, so a worker provisions once and `cloud` gives each
test the provisioned resources with nothing a previous test wrote: every DynamoDB item deleted (the tables kept),
every queue purged, what a test created beside the templates (tables, queues, topics, subscriptions, push endpoints,
buses, rules, parameters, users) deleted, the parameters of the templates put back. Another module's own
`mock_aws()` resets moto when it starts: the next `cloud` sees it and provisions again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws
from support import PROVISIONED, Cloud, Synthesized

from poche_local.assembly import load_assembly
from poche_local.model import PlatformSpec
from poche_local.provision import Provisioner

SERVICES = ("dynamodb", "events", "sqs", "sns", "ssm", "cognito-idp")
ACCOUNT, REGION = "123456789012", "eu-west-3"
EVENTS_QUEUE = "test-bus-events"


@dataclass
class Baseline:
    """What the templates provisioned (and the catch-all queue and rule of the tests): a reset returns to it."""

    tables: dict[str, list[str]]  # table -> its key attributes
    queues: set[str]
    topics: set[str]
    subscriptions: set[str]
    applications: set[str]
    endpoints: set[str]
    buses: set[str]
    rules: dict[str, set[str]]  # bus -> rule names
    parameters: dict[str, dict[str, Any]]  # name -> {Value, Type}
    pools: set[str]
    groups: dict[str, set[str]]  # pool id -> group names
    pool_clients: dict[str, set[str]]  # pool id -> client ids


@dataclass
class Provisioned:
    spec: PlatformSpec
    clients: dict[str, Any]
    queue_url: str
    baseline: Baseline
    snapshots: dict[str, dict[str, dict[Any, Any]]] = field(default_factory=dict)  # Cloud.seed's, for this provision


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page[key]]


def _parameters(ssm: Any) -> dict[str, dict[str, Any]]:
    found = _pages(ssm, "get_parameters_by_path", "Parameters", Path="/", Recursive=True, WithDecryption=True)
    return {p["Name"]: {"Value": p["Value"], "Type": p["Type"]} for p in found}


def _rules(events: Any, bus: str) -> set[str]:
    return {r["Name"] for r in _pages(events, "list_rules", "Rules", EventBusName=bus)}


def _pool_ids(cognito: Any) -> set[str]:
    return {p["Id"] for p in _pages(cognito, "list_user_pools", "UserPools", MaxResults=60)}


def _applications(sns: Any) -> set[str]:
    return {a["PlatformApplicationArn"] for a in _pages(sns, "list_platform_applications", "PlatformApplications")}


def _endpoints(sns: Any, applications: set[str]) -> set[str]:
    return {
        e["EndpointArn"]
        for arn in applications
        for e in _pages(sns, "list_endpoints_by_platform_application", "Endpoints", PlatformApplicationArn=arn)
    }


def _baseline(clients: dict[str, Any]) -> Baseline:
    dynamodb, sqs, sns, events, cognito = (clients[n] for n in ("dynamodb", "sqs", "sns", "events", "cognito-idp"))
    tables = {
        name: [k["AttributeName"] for k in dynamodb.describe_table(TableName=name)["Table"]["KeySchema"]]
        for name in _pages(dynamodb, "list_tables", "TableNames")
    }
    buses = {b["Name"] for b in events.list_event_buses()["EventBuses"]}
    pools = _pool_ids(cognito)
    applications = _applications(sns)
    return Baseline(
        tables=tables,
        queues=set(sqs.list_queues().get("QueueUrls", [])),
        topics={t["TopicArn"] for t in _pages(sns, "list_topics", "Topics")},
        subscriptions={s["SubscriptionArn"] for s in _pages(sns, "list_subscriptions", "Subscriptions")},
        applications=applications,
        endpoints=_endpoints(sns, applications),
        buses=buses,
        rules={bus: _rules(events, bus) for bus in buses},
        parameters=_parameters(clients["ssm"]),
        pools=pools,
        groups={p: {g["GroupName"] for g in _pages(cognito, "list_groups", "Groups", UserPoolId=p)} for p in pools},
        pool_clients={
            p: {c["ClientId"] for c in _pages(cognito, "list_user_pool_clients", "UserPoolClients", UserPoolId=p)}
            for p in pools
        },
    )


def _provision(synthesized: Synthesized) -> Provisioned:
    clients = {n: boto3.client(n, region_name=REGION) for n in SERVICES}
    spec = Provisioner(clients).provision(load_assembly(synthesized.outdir))
    bus = next(f for f in spec.functions.values() if f.connector).environment["EVENT_BUS_NAME"]
    queue_url = clients["sqs"].create_queue(QueueName=EVENTS_QUEUE)["QueueUrl"]
    queue_arn = clients["sqs"].get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    clients["events"].put_rule(
        Name="everything", EventBusName=bus, EventPattern=json.dumps({"source": [{"prefix": "poche."}]})
    )
    clients["events"].put_targets(Rule="everything", EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
    return Provisioned(spec, clients, queue_url, _baseline(clients))


def _still_provisioned(provisioned: Provisioned) -> bool:
    """False once another `mock_aws()` reset moto (its tables are gone)."""
    names = set(_pages(provisioned.clients["dynamodb"], "list_tables", "TableNames"))
    return set(provisioned.baseline.tables) <= names


def _empty_tables(dynamodb: Any, baseline: Baseline) -> None:
    """Tables of the templates emptied in moto's memory (a Scan and BatchWriteItem through boto3 cost ~0.4 s a test
    in moto's serializer), their stream records with them; tables a test created deleted."""
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[ACCOUNT][REGION]
    for name in _pages(dynamodb, "list_tables", "TableNames"):
        if name not in baseline.tables:
            dynamodb.delete_table(TableName=name)
            continue
        table = backend.get_table(name)
        table.items.clear()
        if table.stream_shard is not None:
            table.stream_shard.items.clear()


def _empty_queues(sqs: Any, baseline: Baseline) -> None:
    from moto.sqs.models import sqs_backends

    for url in sqs.list_queues().get("QueueUrls", []):
        if url not in baseline.queues:
            sqs.delete_queue(QueueUrl=url)
    for queue in sqs_backends[ACCOUNT][REGION].queues.values():  # PurgeQueue refuses a second purge within 60 s
        queue._messages = []
        queue._pending_messages = set()


def _reset_sns(sns: Any, baseline: Baseline) -> None:
    from moto.sns.models import sns_backends

    for subscription in _pages(sns, "list_subscriptions", "Subscriptions"):
        if subscription["SubscriptionArn"] not in baseline.subscriptions:
            sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])
    for topic in _pages(sns, "list_topics", "Topics"):
        if topic["TopicArn"] not in baseline.topics:
            sns.delete_topic(TopicArn=topic["TopicArn"])
    applications = _applications(sns)
    for endpoint in _endpoints(sns, applications & baseline.applications) - baseline.endpoints:
        sns.delete_endpoint(EndpointArn=endpoint)
    for application in applications - baseline.applications:
        sns.delete_platform_application(PlatformApplicationArn=application)
    backend = sns_backends[ACCOUNT][REGION]
    for topic in backend.topics.values():  # what was published, as moto records it
        topic.sent_notifications = []
    for platform_endpoint in backend.platform_endpoints.values():
        platform_endpoint.messages.clear()
    backend.sms_messages.clear()


def _reset_events(events: Any, baseline: Baseline) -> None:
    for bus in {b["Name"] for b in events.list_event_buses()["EventBuses"]}:
        for rule in _rules(events, bus) - baseline.rules.get(bus, set()):
            targets = _pages(events, "list_targets_by_rule", "Targets", Rule=rule, EventBusName=bus)
            if targets:
                events.remove_targets(Rule=rule, EventBusName=bus, Ids=[t["Id"] for t in targets])
            events.delete_rule(Name=rule, EventBusName=bus)
        if bus not in baseline.buses:
            events.delete_event_bus(Name=bus)


def _reset_parameters(ssm: Any, baseline: Baseline) -> None:
    current = _parameters(ssm)
    for name in current.keys() - baseline.parameters.keys():
        ssm.delete_parameter(Name=name)
    for name, original in baseline.parameters.items():
        if current.get(name) != original:
            ssm.put_parameter(Name=name, Value=original["Value"], Type=original["Type"], Overwrite=True)


def _reset_cognito(cognito: Any, baseline: Baseline) -> None:
    for pool in _pool_ids(cognito):
        if pool not in baseline.pools:
            cognito.delete_user_pool(UserPoolId=pool)
            continue
        for user in _pages(cognito, "list_users", "Users", UserPoolId=pool):
            cognito.admin_delete_user(UserPoolId=pool, Username=user["Username"])
        for group in _pages(cognito, "list_groups", "Groups", UserPoolId=pool):
            if group["GroupName"] not in baseline.groups[pool]:
                cognito.delete_group(UserPoolId=pool, GroupName=group["GroupName"])
        for client in _pages(cognito, "list_user_pool_clients", "UserPoolClients", UserPoolId=pool):
            if client["ClientId"] not in baseline.pool_clients[pool]:
                cognito.delete_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])


def reset(provisioned: Provisioned) -> None:
    """Back to what the templates provisioned: nothing a test wrote or created survives it."""
    clients, baseline = provisioned.clients, provisioned.baseline
    _empty_tables(clients["dynamodb"], baseline)
    _empty_queues(clients["sqs"], baseline)
    _reset_sns(clients["sns"], baseline)
    _reset_events(clients["events"], baseline)
    _reset_parameters(clients["ssm"], baseline)
    _reset_cognito(clients["cognito-idp"], baseline)


@pytest.fixture(scope="session")
def provisioned_state() -> dict[str, Any]:
    """The worker's provisioned platform (empty until the first `cloud`). One per process, whoever asks: the
    contract tests re-export these fixtures from another conftest, where a fixture's own `{}` would be a second
    state, and their `cloud` would provision again over this one's resources without resetting them."""
    return PROVISIONED


@pytest.fixture
def cloud(
    synthesized: Synthesized, provisioned_state: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cloud]:
    mock = mock_aws()
    mock.start(reset=False)  # keeps what this worker provisioned (unless another mock_aws() reset it since)
    try:
        provisioned: Provisioned | None = provisioned_state.get("platform")
        if provisioned is None or not _still_provisioned(provisioned):
            provisioned = provisioned_state["platform"] = _provision(synthesized)
        else:
            reset(provisioned)
        yield Cloud(
            provisioned.spec, dict(provisioned.clients), monkeypatch, provisioned.queue_url, provisioned.snapshots
        )
    finally:
        mock.stop(remove_data=False)
