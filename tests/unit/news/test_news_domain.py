"""The NewsDomain construct synthesized alone in a test stack (the Proximity stack wires it in; alone, its resources
and cdk-nag findings are its own)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks

from poche_infra.config import settings_from_context
from poche_infra.constructs.runtime import PhaseRuntime
from poche_infra.domains.news import NewsDomain

pytestmark = pytest.mark.synth  # synthesizes its own stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> cdk.Stack:
    settings = settings_from_context({"stage": "dev", "territory": "orne", "phases": None})
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("news-cdk")))
    stack = cdk.Stack(app, "NewsTest", env=cdk.Environment(region=settings.territory.region))
    runtime = PhaseRuntime(stack, "Runtime", settings=settings)
    NewsDomain(stack, "News", settings=settings, runtime=runtime)
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    app.synth()
    return stack


@pytest.fixture(scope="module")
def template(stack: cdk.Stack) -> dict[str, Any]:
    return dict(Template.from_stack(stack).to_json())


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def actions(policy: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        found |= {statement["Action"]} if isinstance(statement["Action"], str) else set(statement["Action"])
    return found


def test_table_has_the_by_tag_index_and_ttl(template: dict[str, Any]) -> None:
    (table,) = of_type(template, "AWS::DynamoDB::Table").values()
    properties = table["Properties"]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    (index,) = properties["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by_tag"
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["gsi1pk", "gsi1sk"]


def test_connector_runs_hourly_from_its_source_parameter(template: dict[str, Any]) -> None:
    (schedule,) = of_type(template, "AWS::Scheduler::Schedule").values()
    assert schedule["Properties"]["ScheduleExpression"] == "rate(1 hour)"
    parameters = [p["Properties"] for p in of_type(template, "AWS::SSM::Parameter").values()]
    assert any(p.get("Name") == "/poche/dev/connectors/news-rss/source" and p["Value"] == "bundled" for p in parameters)


def test_least_privilege(template: dict[str, Any]) -> None:
    policies = of_type(template, "AWS::IAM::Policy")
    service = next(p for name, p in policies.items() if name.startswith("NewsServiceRole"))
    connector = next(p for name, p in policies.items() if name.startswith("NewsNewsRssConnectorRole"))
    dynamo = {a for a in actions(service) if a.startswith("dynamodb:")}
    assert dynamo == {"dynamodb:GetItem", "dynamodb:Query"}
    written = {a for a in actions(connector) if a.startswith("dynamodb:")}
    assert {"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:Query"} <= written
    assert not written & {"dynamodb:Scan", "dynamodb:DeleteItem"}
    assert "events:PutEvents" in actions(connector)
    # Query (a changed tag's newest articles, for the `news` tile) on the `by_tag` index; on the table, only its
    # events' outbox partition (issue 9: poche_common.outbox).
    for statement in connector["Properties"]["PolicyDocument"]["Statement"]:
        granted = {statement["Action"]} if isinstance(statement["Action"], str) else set(statement["Action"])
        if "dynamodb:Query" in granted:
            assert granted == {"dynamodb:Query"}
            if "/index/by_tag" not in str(statement["Resource"]):
                assert statement["Condition"] == {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["OUTBOX"]}}


def test_route_and_environment(template: dict[str, Any]) -> None:
    routes = [r["Properties"]["RouteKey"] for r in of_type(template, "AWS::ApiGatewayV2::Route").values()]
    assert "GET /v1/news" in routes
    Template.from_json(template).has_resource_properties(
        "AWS::Lambda::Function",
        {"Environment": {"Variables": Match.object_like({"STALE_AFTER_SECONDS": "10800"})}},
    )


def test_cdk_nag_finds_no_error(stack: cdk.Stack) -> None:
    errors = Annotations.from_stack(stack).find_error("*", Match.string_like_regexp(".*"))
    assert errors == []
