"""Issue 12: the `Services` phase stack — on Core through SSM only, its places service reading only (never a Scan,
Query on its three location indexes only), its connectors writing only their table."""

from __future__ import annotations

import json
from typing import Any

from support import Synthesized
from test_stacks import SERVICES, actions, resources


def role_of(synthesized: Synthesized, handler: str) -> list[dict[str, Any]]:
    functions = resources(synthesized, SERVICES, "AWS::Lambda::Function")
    function = next(f for f in functions.values() if f["Properties"]["Handler"] == handler)
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in resources(synthesized, SERVICES, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def dynamodb(statements: list[dict[str, Any]]) -> set[str]:
    return {a for s in statements for a in actions(s) if a.startswith("dynamodb:")}


def test_the_phase_finds_core_through_ssm_only(synthesized: Synthesized) -> None:
    assert "Fn::ImportValue" not in json.dumps(synthesized.templates[SERVICES])


def test_the_places_service_only_reads_and_never_scans(synthesized: Synthesized) -> None:
    statements = role_of(synthesized, "places.handler.handler")
    assert dynamodb(statements) == {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
    queried = json.dumps([s["Resource"] for s in statements if "dynamodb:Query" in actions(s)])
    for index in ("by_cell", "by_area", "by_commune"):
        assert f"/index/{index}" in queried
    assert "by_origin" not in queried


def test_the_places_table_has_its_location_indexes_and_the_routes_are_public_reads(synthesized: Synthesized) -> None:
    (table,) = resources(synthesized, SERVICES, "AWS::DynamoDB::Table").values()
    indexes = {i["IndexName"] for i in table["Properties"]["GlobalSecondaryIndexes"]}
    assert indexes == {"by_cell", "by_area", "by_commune", "by_origin"}
    routes = {
        r["Properties"]["RouteKey"] for r in resources(synthesized, SERVICES, "AWS::ApiGatewayV2::Route").values()
    }
    assert routes == {"GET /v1/places", "GET /v1/places/categories", "GET /v1/places/{place_id}"}


def test_the_finess_connector_writes_its_table_with_room_for_the_national_file(synthesized: Synthesized) -> None:
    functions = resources(synthesized, SERVICES, "AWS::Lambda::Function")
    finess = next(f for f in functions.values() if f["Properties"]["Handler"] == "places_finess.handler.handler")
    assert finess["Properties"]["MemorySize"] == 1024
    assert finess["Properties"]["Environment"]["Variables"]["PLACES_DEPARTEMENTS"] == "61"
    granted = dynamodb(role_of(synthesized, "places_finess.handler.handler"))
    assert "dynamodb:Scan" not in granted and "dynamodb:BatchWriteItem" in granted
