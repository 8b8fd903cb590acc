"""The schools domain in the synthesized Proximity stack: routes, authorizer, least privilege, schedule."""

from __future__ import annotations

import json
from typing import Any

from support import Synthesized
from test_stacks import PROXIMITY, actions, function_named, resources, role_statements

ADMIN_ROUTES = {
    "POST /v1/admin/schools/{uai}/notices",
    "PATCH /v1/admin/schools/{uai}/notices/{notice_id}",
    "DELETE /v1/admin/schools/{uai}/notices/{notice_id}",
}
PUBLIC_ROUTES = {"GET /v1/schools", "GET /v1/schools/{uai}/notices"}
PLUMBING = {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def routes(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    found = resources(synthesized, PROXIMITY, "AWS::ApiGatewayV2::Route")
    return {r["Properties"]["RouteKey"]: r["Properties"] for r in found.values()}


def schools_table(synthesized: Synthesized) -> str:
    (logical,) = [k for k in resources(synthesized, PROXIMITY, "AWS::DynamoDB::Table") if k.startswith("Schools")]
    return logical


def data_actions(synthesized: Synthesized, package: str) -> tuple[set[str], list[dict[str, Any]]]:
    _, function = function_named(synthesized, package)
    statements = role_statements(synthesized, function)
    granted = set().union(*(actions(s) for s in statements))
    return granted, statements


def test_admin_routes_carry_the_jwt_authorizer_and_public_routes_none(synthesized: Synthesized) -> None:
    found = routes(synthesized)
    assert set(found) >= ADMIN_ROUTES | PUBLIC_ROUTES
    authorizers = resources(synthesized, PROXIMITY, "AWS::ApiGatewayV2::Authorizer")
    (staff,) = [k for k, a in authorizers.items() if a["Properties"]["Name"] == "staff-jwt"]  # not citizen-jwt
    assert authorizers[staff]["Properties"]["AuthorizerType"] == "JWT"
    for key in ADMIN_ROUTES:
        assert found[key]["AuthorizationType"] == "JWT" and found[key]["AuthorizerId"] == {"Ref": staff}, key
    for key in PUBLIC_ROUTES:
        assert found[key].get("AuthorizationType", "NONE") == "NONE", key
    writes = [k for k in found if "schools" in k and not k.startswith("GET ")]
    assert writes and all(k.split(" ", 1)[1].startswith("/v1/admin/") for k in writes)


def test_table_has_the_by_origin_index(synthesized: Synthesized) -> None:
    table = resources(synthesized, PROXIMITY, "AWS::DynamoDB::Table")[schools_table(synthesized)]
    indexes = {i["IndexName"]: i for i in table["Properties"]["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"by_origin"}
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_public_service_only_reads_its_table(synthesized: Synthesized) -> None:
    granted, statements = data_actions(synthesized, "schools")
    assert granted <= PLUMBING | {"dynamodb:GetItem", "dynamodb:Query"}
    for statement in statements:
        if any(a.startswith("dynamodb:") for a in actions(statement)):
            assert schools_table(synthesized) in json.dumps(statement["Resource"])


def test_admin_writes_its_table_and_puts_events_on_the_bus_only(synthesized: Synthesized) -> None:
    granted, statements = data_actions(synthesized, "schools_admin")
    assert granted <= PLUMBING | {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "events:PutEvents",
    }
    assert "dynamodb:Scan" not in granted and not any(a.startswith("ssm:") for a in granted)
    tables = resources(synthesized, PROXIMITY, "AWS::DynamoDB::Table")
    for statement in statements:
        resource = json.dumps(statement["Resource"])
        if any(a.startswith("dynamodb:") for a in actions(statement)):
            assert schools_table(synthesized) in resource and "index" not in resource
            assert not any(other in resource for other in tables if other != schools_table(synthesized))
        if "events:PutEvents" in actions(statement):
            assert "pochedevbusarn" in resource
    _, function = function_named(synthesized, "schools_admin")
    variables = function["Properties"]["Environment"]["Variables"]
    assert {"TABLE_NAME", "EVENT_BUS_NAME"} <= set(variables)


def test_connector_every_15_minutes_least_privilege(synthesized: Synthesized) -> None:
    granted, statements = data_actions(synthesized, "schools_notices_csv")
    assert "dynamodb:Scan" not in granted and "dynamodb:DeleteItem" not in granted
    assert {"dynamodb:Query", "dynamodb:BatchWriteItem", "events:PutEvents"} <= granted
    for statement in statements:
        if any(a.startswith("dynamodb:") for a in actions(statement)):
            assert schools_table(synthesized) in json.dumps(statement["Resource"])
    schedules = resources(synthesized, PROXIMITY, "AWS::Scheduler::Schedule").values()
    (schedule,) = [s for s in schedules if "schools-notices-csv" in json.dumps(s["Properties"]["Target"])]
    assert schedule["Properties"]["ScheduleExpression"] == "rate(15 minutes)"
    names = {p["Properties"]["Name"] for p in resources(synthesized, PROXIMITY, "AWS::SSM::Parameter").values()}
    assert "/poche/dev/connectors/schools-notices-csv/source" in names
