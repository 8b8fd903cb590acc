"""Tile projections of the traffic and agenda domains in the templates: the domain layers reach the services and the
connectors, and the connectors get exactly the rights their projections need (no Scan, nothing more)."""

from __future__ import annotations

import json
from typing import Any

from support import Synthesized
from test_stacks import PROXIMITY, actions, function_named, resources, role_statements

TABLE_WRITES = {
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:Query",
    "dynamodb:BatchWriteItem",
}


def data_grants(synthesized: Synthesized, package: str) -> dict[str, set[str]]:
    """What a function may do on DynamoDB, by target: "table" or "index:<name>"."""
    _, function = function_named(synthesized, package)
    grants: dict[str, set[str]] = {}
    for statement in role_statements(synthesized, function):
        data_actions = {a for a in actions(statement) if a.startswith("dynamodb:")}
        if not data_actions:
            continue
        resources_of: list[Any] = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        for resource in resources_of:
            text = json.dumps(resource)
            target = next(
                (f"index:{n}" for n in ("by_area", "by_cell", "by_commune", "by_month") if n in text), "table"
            )
            grants.setdefault(target, set()).update(data_actions)
    return grants


def layer_named(synthesized: Synthesized, domain: str) -> str:
    layers = resources(synthesized, PROXIMITY, "AWS::Lambda::LayerVersion")
    (logical,) = [k for k, v in layers.items() if f"(layers/{domain})" in v["Properties"]["Description"]]
    return logical


def test_traffic_connector_may_read_profiles_and_projections_and_nothing_more(synthesized: Synthesized) -> None:
    assert data_grants(synthesized, "traffic_datex2") == {
        "table": TABLE_WRITES | {"dynamodb:BatchGetItem"},
        "index:by_area": {"dynamodb:Query"},
    }


def test_event_connectors_may_query_communes_and_read_projections(synthesized: Synthesized) -> None:
    for package in ("agenda_openagenda", "agenda_datatourisme"):
        assert data_grants(synthesized, package) == {
            "table": TABLE_WRITES | {"dynamodb:BatchGetItem"},
            "index:by_month": {"dynamodb:Query"},
            "index:by_commune": {"dynamodb:Query"},
        }, package
    assert "dynamodb:BatchGetItem" not in data_grants(synthesized, "agenda_cinema")["table"]  # keeps no tile


def test_services_read_only_as_before(synthesized: Synthesized) -> None:
    assert data_grants(synthesized, "traffic") == {
        "table": {"dynamodb:GetItem", "dynamodb:BatchGetItem"},
        "index:by_area": {"dynamodb:Query"},
        "index:by_cell": {"dynamodb:Query"},
    }
    assert data_grants(synthesized, "agenda") == {
        "table": {"dynamodb:GetItem", "dynamodb:Query"},
        "index:by_commune": {"dynamodb:Query"},
        "index:by_month": {"dynamodb:Query"},
    }


def test_domain_layers_reach_the_services_and_the_connectors_that_project(synthesized: Synthesized) -> None:
    traffic, agenda = layer_named(synthesized, "traffic"), layer_named(synthesized, "agenda")
    for package, layer in (
        ("traffic", traffic),
        ("traffic_datex2", traffic),
        ("agenda", agenda),
        ("agenda_openagenda", agenda),
        ("agenda_datatourisme", agenda),
    ):
        _, function = function_named(synthesized, package)
        layers = function["Properties"]["Layers"]
        assert {"Ref": layer} in layers, package
        assert layers.index({"Ref": layer}) == len(layers) - 1, package  # after the common layer
