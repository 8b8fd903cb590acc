"""The home screen in the templates: tiles registered by the domains, and a function that can only read them."""

from __future__ import annotations

import json
from typing import Any

from support import Synthesized
from test_stacks import PROXIMITY, actions, function_named, resources, role_statements, route_keys

from poche_infra.constructs.tiles import TileSpec


def registrations(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """Tile id -> registration (tokens left as they are) of every tile parameter in the phase template."""
    found: dict[str, dict[str, Any]] = {}
    for parameter in resources(synthesized, PROXIMITY, "AWS::SSM::Parameter").values():
        name = parameter["Properties"]["Name"]
        if isinstance(name, str) and name.startswith("/poche/dev/tiles/"):
            value = parameter["Properties"]["Value"]
            found[name.rsplit("/", 1)[1]] = value
    return found


def test_each_domain_registers_its_tile_types(synthesized: Synthesized) -> None:
    registered = registrations(synthesized)
    assert {"departures", "canteen-menu", "traffic", "events", "news"} <= set(registered)
    for tile_id, value in registered.items():
        text = json.dumps(value)
        assert f'\\"id\\":\\"{tile_id}\\"' in text or f'"id":"{tile_id}"' in text


def test_the_home_function_reads_only_tile_projections_feed_states_and_real_time(synthesized: Synthesized) -> None:
    _, function = function_named(synthesized, "home")
    environment = function["Properties"]["Environment"]["Variables"]
    assert environment["TILES_PARAMETER_PATH"] == "/poche/dev/tiles"
    statements = role_statements(synthesized, function)
    data = [s for s in statements if any(a.startswith("dynamodb:") for a in actions(s))]
    assert data and all(actions(s) == {"dynamodb:BatchGetItem"} for s in data)
    leading = [s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] for s in data]
    assert all({"TILE#*", "FEED#*"} <= set(keys) for keys in leading)
    assert sum(1 for keys in leading if "TRIP#*" in keys) == 1  # only the transit table: real time
    assert len(data) == len(registrations(synthesized))
    ssm = [s for s in statements if any(a.startswith("ssm:") for a in actions(s))]
    assert [actions(s) for s in ssm] == [{"ssm:GetParametersByPath"}]
    assert "parameter/poche/dev/tiles" in json.dumps(ssm[0]["Resource"])


def test_home_routes_are_anonymous(synthesized: Synthesized) -> None:
    assert {"GET /v1/tiles/catalogue", "POST /v1/home"} <= route_keys(synthesized)
    for route in resources(synthesized, PROXIMITY, "AWS::ApiGatewayV2::Route").values():
        if route["Properties"]["RouteKey"] in ("GET /v1/tiles/catalogue", "POST /v1/home"):
            assert route["Properties"].get("AuthorizationType", "NONE") == "NONE"


def test_a_tile_spec_names_known_parameters_only() -> None:
    import pytest

    with pytest.raises(ValueError, match="unknown params"):
        TileSpec(id="weather", title="Météo", service="weather", params=("city",), description="")
    with pytest.raises(ValueError, match="tile id"):
        TileSpec(id="Bad Id", title="x", service="x", params=(), description="")
    spec = TileSpec(id="departures", title="x", service="transit", params=("stop_id", "route_id"), description="")
    assert spec.key_templates() == ("{stop_id}#{route_id}",)
