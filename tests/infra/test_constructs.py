"""The constructs every domain is built from: the table's grants, `ServiceFunction`, `ScheduledConnector`."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk.assertions import Template
from support import Synthesized
from test_stacks import PAYMENTS, PROXIMITY, SERVICES, resources

from poche_infra.config import ConfigError, Settings, load_territory, settings_from_context
from poche_infra.constructs.connector import ScheduledConnector
from poche_infra.constructs.runtime import PhaseRuntime
from poche_infra.constructs.service import ServiceFunction
from poche_infra.constructs.table import DomainTable

SETTINGS = settings_from_context({})


def phase(settings: Settings = SETTINGS) -> tuple[cdk.Stack, PhaseRuntime, DomainTable]:
    stack = cdk.Stack(cdk.App(), "Phase")
    runtime = PhaseRuntime(stack, "Runtime", settings=settings)
    table = DomainTable(stack, "Data", settings=settings, indexes={"by_a": ("gsi1pk", "gsi1sk"), "by_b": ("x", "y")})
    return stack, runtime, table


def statements_of(stack: cdk.Stack, function_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for logical, policy in Template.from_stack(stack).find_resources("AWS::IAM::Policy").items():
        if logical.startswith(function_id):
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return [s for s in found if "dynamodb:" in json.dumps(s["Action"])]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_a_reader_gets_its_reads_on_the_table_and_query_alone_on_the_indexes_it_names() -> None:
    stack, runtime, table = phase()
    ServiceFunction(
        stack, "Service", settings=SETTINGS, runtime=runtime, package="communes", description="x", table=table,
        reads=("GetItem", "BatchGetItem"), indexes=("by_b",), public=["/v1/x"],
    )  # fmt: skip
    on_table, on_index = statements_of(stack, "ServiceRole")
    assert on_table["Action"] == ["dynamodb:GetItem", "dynamodb:BatchGetItem"] and "Condition" not in on_table
    assert "/index/" not in json.dumps(on_table["Resource"])
    assert on_index["Action"] == "dynamodb:Query"
    assert [r["Fn::Join"][1][1] for r in as_list(on_index["Resource"])] == ["/index/by_b"]
    function = next(iter(Template.from_stack(stack).find_resources("AWS::Lambda::Function").values()))
    assert "TABLE_NAME" in function["Properties"]["Environment"]["Variables"]


@pytest.mark.parametrize(
    ("grant", "message"),
    [
        (lambda t, f: t.grant_read(f, "PutItem"), "PutItem is not a read"),
        (lambda t, f: t.grant(f, "Scan"), "never Scan"),
        (lambda t, f: t.grant(f, "dynamodb:GetItem"), "short names"),
        (lambda t, f: t.grant(f), "none"),
        (lambda t, f: t.grant_read(f, "Query", indexes=["by_c"]), "no index 'by_c'"),
        (lambda t, f: t.grant_connector(f, "Scan"), "never Scan"),
    ],
)
def test_grants_refuse_writes_for_readers_scans_wildcards_and_unknown_indexes(grant: Any, message: str) -> None:
    _stack, _, table = phase()
    statements: list[Any] = []

    class Holder:
        def add_to_role_policy(self, statement: Any) -> None:
            statements.append(statement)

    with pytest.raises(ValueError, match=message):
        grant(table, Holder())
    assert statements == []


def test_leading_keys_with_a_wildcard_are_string_like_and_exact_ones_string_equals() -> None:
    stack, _, table = phase()
    rendered: list[dict[str, Any]] = []

    class Holder:
        def add_to_role_policy(self, statement: Any) -> None:
            rendered.append(stack.resolve(statement.to_statement_json()))

    table.grant(Holder(), "Query", leading_keys=["TOPIC#*"])
    table.grant(Holder(), "Query", "GetItem", leading_keys=["OUTBOX"])
    assert rendered[0]["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["TOPIC#*"]}}
    assert rendered[1]["Condition"] == {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["OUTBOX"]}}
    assert rendered[1]["Action"] == ["dynamodb:Query", "dynamodb:GetItem"]


def test_a_connector_without_query_may_query_only_its_outbox_partition() -> None:
    stack, runtime, table = phase()
    ScheduledConnector(
        stack, "Rss", settings=SETTINGS, runtime=runtime, name="news-rss", table=table, uses=("BatchGetItem",),
        indexes=("by_a",),
    )  # fmt: skip
    run, outbox, index = statements_of(stack, "RssConnectorRole")
    assert set(run["Action"]) == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:BatchGetItem",
    }
    assert "Condition" not in run and "/index/" not in json.dumps(run["Resource"])
    assert outbox["Action"] == "dynamodb:Query"
    assert outbox["Condition"] == {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["OUTBOX"]}}
    assert index["Action"] == "dynamodb:Query" and "/index/by_a" in json.dumps(index["Resource"])


def test_a_connector_the_territory_does_not_schedule_is_a_configuration_error() -> None:
    territory = dataclasses.replace(SETTINGS.territory, schedules={})
    settings = dataclasses.replace(SETTINGS, territory=territory)
    stack, runtime, table = phase(settings)
    with pytest.raises(ConfigError, match=r"no schedule for connector 'news-rss'.*infra/territories/orne\.json"):
        ScheduledConnector(stack, "Rss", settings=settings, runtime=runtime, name="news-rss", table=table)
    assert not stack.node.try_find_child("Rss")  # nothing half-built


def test_every_schedule_lives_in_the_territory_file_and_names_a_deployed_connector(synthesized: Synthesized) -> None:
    schedules = load_territory("orne").schedules
    functions = {
        k: v
        for stack in (PROXIMITY, SERVICES, PAYMENTS)
        for k, v in resources(synthesized, stack, "AWS::Lambda::Function").items()
    }
    deployed: dict[str, str] = {}
    schedules_of = [
        resources(synthesized, stack, "AWS::Scheduler::Schedule") for stack in (PROXIMITY, SERVICES, PAYMENTS)
    ]
    for schedule in [s for found in schedules_of for s in found.values()]:
        target = json.loads(schedule["Properties"]["Target"]["Input"])
        if "connector" in target:
            logical = schedule["Properties"]["Target"]["Arn"]["Fn::GetAtt"][0]
            variables = functions[logical]["Properties"]["Environment"]["Variables"]
            assert variables["POCHE_CONNECTOR"] == target["connector"]
            deployed[target["connector"]] = schedule["Properties"]["ScheduleExpression"]
    connectors = {
        f["Properties"]["Environment"]["Variables"]["POCHE_CONNECTOR"]
        for f in functions.values()
        if "POCHE_CONNECTOR" in f["Properties"]["Environment"]["Variables"]
    }
    assert set(deployed) == connectors == set(schedules)  # no connector unscheduled, no schedule of nothing
    for name, expression in schedules.items():
        assert deployed[name] == expression, name


def test_a_service_s_routes_keep_the_ids_of_the_deployed_stacks() -> None:
    stack, runtime, table = phase()
    ServiceFunction(
        stack, "Service", settings=SETTINGS, runtime=runtime, package="schools", description="x", public=["/v1/a"]
    )
    ServiceFunction(
        stack, "Admin", settings=SETTINGS, runtime=runtime, package="schools_admin", description="x", table=table,
        audience="staff", routes=[(apigwv2.HttpMethod.POST, "/v1/admin/a")],
    )  # fmt: skip
    assert stack.node.try_find_child("Routes") is not None and stack.node.try_find_child("AdminRoutes") is not None
    routes = Template.from_stack(stack).find_resources("AWS::ApiGatewayV2::Route")
    assert {logical[: -len("XXXXXXXX")] for logical in routes} == {"RoutesRoute0", "AdminRoutesRoute0"}
    by_key = {r["Properties"]["RouteKey"]: r["Properties"] for r in routes.values()}
    assert by_key["POST /v1/admin/a"]["AuthorizationType"] == "JWT"
    assert by_key["GET /v1/a"].get("AuthorizationType", "NONE") == "NONE"
    assert statements_of(stack, "AdminRole") == []  # a table given without reads: its name, no grant


@pytest.mark.parametrize(
    "wrong",
    [
        {"public": ["/v1/a"], "audience": "staff", "routes": [(apigwv2.HttpMethod.POST, "/v1/admin/a")]},
        {"audience": "staff"},
        {"routes": [(apigwv2.HttpMethod.POST, "/v1/admin/a")]},
        {"reads": ("GetItem",)},
    ],
)
def test_a_service_function_is_refused_when_its_arguments_contradict(wrong: dict[str, Any]) -> None:
    stack, runtime, _ = phase()
    with pytest.raises(ValueError, match="Service"):
        ServiceFunction(
            stack, "Service", settings=SETTINGS, runtime=runtime, package="schools", description="x", **wrong
        )
