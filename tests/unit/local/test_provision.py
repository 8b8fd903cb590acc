"""poche_local.provision.Provisioner: templates -> emulated AWS resources and the platform spec."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from poche_local.assembly import StackArtifact
from poche_local.model import FunctionSpec, PlatformSpec, RouteSpec, ScheduleSpec
from poche_local.provision import Provisioner, ProvisionError
from poche_local.resolver import ACCOUNT, REGION

CODE_HASH = "c0de" * 16
LAYER_HASH = "1a7e" * 16
POWERTOOLS = "/aws/service/powertools/python/x86_64/python3.13/latest"


def _aws_env(mp: pytest.MonkeyPatch) -> None:
    mp.setenv("AWS_DEFAULT_REGION", REGION)
    mp.setenv("AWS_ACCESS_KEY_ID", "testing")
    mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    mp.setenv("AWS_SESSION_TOKEN", "testing")
    mp.delenv("AWS_PROFILE", raising=False)
    mp.delenv("AWS_ENDPOINT_URL", raising=False)


def _clients() -> dict[str, Any]:
    return {name: boto3.client(name, region_name=REGION) for name in ("dynamodb", "events", "sqs", "sns", "ssm")}


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    _aws_env(monkeypatch)
    with mock_aws():
        yield _clients()


def core_stack() -> StackArtifact:
    return StackArtifact(
        name="Core",
        template={
            "Resources": {
                # declared before the bus it refers to: creation order must not matter
                "BusNameParameter": {
                    "Type": "AWS::SSM::Parameter",
                    "Properties": {"Name": "/poche/dev/bus/name", "Type": "String", "Value": {"Ref": "Bus"}},
                },
                "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "poche-dev-bus"}},
                "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "poche-dev-dlq"}},
                "Alarms": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "poche-dev-alarms"}},
            }
        },
    )


def function_resource(environment: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Code": {
                "S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"},
                "S3Key": f"{CODE_HASH}.zip",
            },
            "Handler": "pkg.handler.handler",
            "Runtime": "python3.13",
            "MemorySize": 256,
            "Timeout": 10,
            "Role": {"Fn::GetAtt": ["FnRole", "Arn"]},
            "Layers": [{"Ref": "CommonLayer"}, {"Ref": "PowertoolsLayer"}],
            "Environment": {"Variables": environment},
        },
    }


def phase_template() -> dict[str, Any]:
    return {
        "Parameters": {
            "BusName": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/poche/dev/bus/name"},
            "PowertoolsLayer": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": POWERTOOLS},
            "Stage": {"Type": "String", "Default": "dev"},
        },
        "Resources": {
            "Table": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ],
                    "AttributeDefinitions": [
                        {"AttributeName": "pk", "AttributeType": "S"},
                        {"AttributeName": "sk", "AttributeType": "S"},
                        {"AttributeName": "gsi1pk", "AttributeType": "S"},
                        {"AttributeName": "gsi1sk", "AttributeType": "S"},
                    ],
                    "GlobalSecondaryIndexes": [
                        {
                            "IndexName": "gsi1",
                            "KeySchema": [
                                {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                                {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                            ],
                            "Projection": {"ProjectionType": "ALL"},
                            "ContributorInsightsSpecification": {"Enabled": False},
                        }
                    ],
                    "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
                    "BillingMode": "PAY_PER_REQUEST",
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                },
            },
            "CommonLayer": {
                "Type": "AWS::Lambda::LayerVersion",
                "Properties": {
                    "Content": {"S3Bucket": "cdk-assets", "S3Key": f"{LAYER_HASH}.zip"},
                    "CompatibleRuntimes": ["python3.13"],
                },
            },
            "FnRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
            "Fn": function_resource(
                {
                    "TABLE_NAME": {"Ref": "Table"},
                    "EVENT_BUS_NAME": {"Ref": "BusName"},
                    "POCHE_CONNECTOR": "x-y",
                    "SOURCE_PARAMETER": {"Fn::Sub": "/poche/${Stage}/connectors/x-y/source"},
                    "TABLE_ARN": {"Fn::GetAtt": ["Table", "Arn"]},
                }
            ),
            "Integration": {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": "api",
                    "IntegrationType": "AWS_PROXY",
                    "IntegrationUri": {"Fn::GetAtt": ["Fn", "Arn"]},
                    "PayloadFormatVersion": "2.0",
                },
            },
            "Route": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": "api",
                    "RouteKey": "GET /v1/things/{id}",
                    "Target": {"Fn::Join": ["", ["integrations/", {"Ref": "Integration"}]]},
                },
            },
            "Schedule": {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {
                    "ScheduleExpression": "rate(1 day)",
                    "ScheduleExpressionTimezone": "Europe/Paris",
                    "FlexibleTimeWindow": {"Mode": "OFF"},
                    "Target": {
                        "Arn": {"Fn::GetAtt": ["Fn", "Arn"]},
                        "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
                        "Input": '{"trigger":"schedule"}',
                    },
                },
            },
        },
    }


def make_assets(root: Path) -> dict[str, Path]:
    return {CODE_HASH: root / f"asset.{CODE_HASH}", LAYER_HASH: root / f"asset.{LAYER_HASH}"}


@pytest.fixture
def assets(tmp_path: Path) -> dict[str, Path]:
    return make_assets(tmp_path)


def phase_stack(assets: dict[str, Path], template: dict[str, Any] | None = None) -> StackArtifact:
    return StackArtifact(name="Phase", template=template or phase_template(), assets=dict(assets), depends_on=["Core"])


@dataclass
class World:
    """Core and Phase provisioned in one emulated account; read-only for the tests using it."""

    clients: dict[str, Any]
    assets: dict[str, Path]
    spec: PlatformSpec


@pytest.fixture(scope="class")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with pytest.MonkeyPatch.context() as mp, mock_aws():
        _aws_env(mp)
        clients = _clients()
        assets = make_assets(tmp_path_factory.mktemp("cdk.out"))
        spec = Provisioner(clients).provision([core_stack(), phase_stack(assets)])
        yield World(clients, assets, spec)


class TestProvisionedPlatform:
    """Read-only checks sharing one provisioning (its mock ends with the class, before other tests)."""

    def test_table_created_with_its_index_and_ttl(self, world: World) -> None:
        clients = world.clients
        table = clients["dynamodb"].describe_table(TableName="Phase-Table")["Table"]
        assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {"pk": "HASH", "sk": "RANGE"}
        [index] = table["GlobalSecondaryIndexes"]
        assert index["IndexName"] == "gsi1"
        assert {k["AttributeName"]: k["KeyType"] for k in index["KeySchema"]} == {"gsi1pk": "HASH", "gsi1sk": "RANGE"}
        assert index["Projection"]["ProjectionType"] == "ALL"
        ttl = clients["dynamodb"].describe_time_to_live(TableName="Phase-Table")["TimeToLiveDescription"]
        assert ttl["TimeToLiveStatus"] == "ENABLED"
        assert ttl["AttributeName"] == "expires_at"

    def test_bus_queue_and_topic_created(self, world: World) -> None:
        clients = world.clients
        bus = clients["events"].describe_event_bus(Name="poche-dev-bus")
        assert bus["Arn"] == f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/poche-dev-bus"
        assert clients["sqs"].get_queue_url(QueueName="poche-dev-dlq")["QueueUrl"].endswith("/poche-dev-dlq")
        topics = [t["TopicArn"] for t in clients["sns"].list_topics()["Topics"]]
        assert f"arn:aws:sns:{REGION}:{ACCOUNT}:poche-dev-alarms" in topics

    def test_parameter_holds_the_bus_name(self, world: World) -> None:
        clients = world.clients
        parameter = clients["ssm"].get_parameter(Name="/poche/dev/bus/name")["Parameter"]
        assert parameter["Value"] == "poche-dev-bus"
        assert parameter["Type"] == "String"

    def test_function_spec(self, world: World) -> None:
        assets = world.assets
        provisioned = world.spec
        assert list(provisioned.functions) == ["Phase-Fn"]
        function = provisioned.functions["Phase-Fn"]
        assert function == FunctionSpec(
            stack="Phase",
            logical_id="Fn",
            name="Phase-Fn",
            handler="pkg.handler.handler",
            code_dir=str(assets[CODE_HASH]),
            layer_dirs=[str(assets[LAYER_HASH] / "python")],  # the public Powertools layer is not a local folder
            environment={
                "TABLE_NAME": "Phase-Table",
                "EVENT_BUS_NAME": "poche-dev-bus",  # the SSM-typed parameter, resolved from Core's contract
                "POCHE_CONNECTOR": "x-y",
                "SOURCE_PARAMETER": "/poche/dev/connectors/x-y/source",
                "TABLE_ARN": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Phase-Table",
            },
            memory_mb=256,
            timeout_s=10,
        )
        assert function.connector == "x-y"
        assert function.package == "pkg"
        assert provisioned.connectors() == {"x-y": function}

    def test_route_spec(self, world: World) -> None:
        provisioned = world.spec
        expected = RouteSpec(method="GET", path="/v1/things/{id}", function="Phase-Fn", stack="Phase")
        assert provisioned.routes == [expected]

    def test_schedule_spec(self, world: World) -> None:
        provisioned = world.spec
        assert provisioned.schedules == [
            ScheduleSpec(
                function="Phase-Fn", expression="rate(1 day)", timezone="Europe/Paris", input={"trigger": "schedule"}
            )
        ]
        assert provisioned.schedule_of("Phase-Fn") == provisioned.schedules[0]

    def test_spec_survives_json(self, world: World) -> None:
        provisioned = world.spec
        data = json.loads(json.dumps(provisioned.to_json()))
        assert PlatformSpec.from_json(data) == provisioned


def test_provisioning_again_is_harmless(clients: dict[str, Any], assets: dict[str, Path]) -> None:
    provisioned = Provisioner(clients).provision([core_stack(), phase_stack(assets)])
    clients["dynamodb"].put_item(TableName="Phase-Table", Item={"pk": {"S": "keep"}, "sk": {"S": "me"}})
    again = Provisioner(clients).provision([core_stack(), phase_stack(assets)])
    assert again == provisioned
    item = clients["dynamodb"].get_item(TableName="Phase-Table", Key={"pk": {"S": "keep"}, "sk": {"S": "me"}})
    assert "Item" in item


def test_named_table_keeps_its_name(clients: dict[str, Any], assets: dict[str, Path]) -> None:
    template = phase_template()
    template["Resources"]["Table"]["Properties"]["TableName"] = {"Fn::Sub": "poche-${Stage}-things"}
    spec = Provisioner(clients).provision([core_stack(), phase_stack(assets, template)])
    assert clients["dynamodb"].describe_table(TableName="poche-dev-things")["Table"]["TableName"] == "poche-dev-things"
    assert spec.functions["Phase-Fn"].environment["TABLE_NAME"] == "poche-dev-things"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("POWERTOOLS_LAYER", {"Ref": "PowertoolsLayer"}),  # SSM-typed parameter that only exists in AWS
        ("GHOST", {"Ref": "NoSuchResource"}),
        ("GHOST_ARN", {"Fn::GetAtt": ["Table", "NoSuchAttribute"]}),
    ],
)
def test_unresolvable_environment_is_an_error(
    clients: dict[str, Any], assets: dict[str, Path], variable: str, value: dict[str, Any]
) -> None:
    template = phase_template()
    template["Resources"]["Fn"]["Properties"]["Environment"]["Variables"][variable] = value
    with pytest.raises(ProvisionError, match=variable) as caught:
        Provisioner(clients).provision([core_stack(), phase_stack(assets, template)])
    assert "Phase/Fn" in str(caught.value)


def test_bus_parameter_missing_when_core_is_not_provisioned(clients: dict[str, Any], assets: dict[str, Path]) -> None:
    with pytest.raises(ProvisionError, match="EVENT_BUS_NAME"):
        Provisioner(clients).provision([phase_stack(assets)])


def test_missing_code_asset_is_an_error(clients: dict[str, Any], assets: dict[str, Path]) -> None:
    without_code = {LAYER_HASH: assets[LAYER_HASH]}
    with pytest.raises(ProvisionError, match="code asset"):
        Provisioner(clients).provision([core_stack(), phase_stack(without_code)])


def test_route_without_a_local_integration_is_an_error(clients: dict[str, Any], assets: dict[str, Path]) -> None:
    template = copy.deepcopy(phase_template())
    template["Resources"]["Integration"]["Properties"]["IntegrationUri"] = "https://example.org/elsewhere"
    with pytest.raises(ProvisionError, match=re.escape("GET /v1/things/{id}")):
        Provisioner(clients).provision([core_stack(), phase_stack(assets, template)])


def test_a_dependency_layer_built_for_lambda_stays_off_the_local_path(
    clients: dict[str, Any], assets: dict[str, Path]
) -> None:
    assets[LAYER_HASH].mkdir(parents=True, exist_ok=True)
    (assets[LAYER_HASH] / ".poche-dependencies").write_text("digest\n")  # arm64 wheels: the venv provides them
    Provisioner(clients).provision([core_stack()])
    spec = Provisioner(clients).provision([phase_stack(assets)])
    (function,) = spec.functions.values()
    assert function.layer_dirs == []
