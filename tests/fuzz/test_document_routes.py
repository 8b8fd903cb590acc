"""Every route of the synthesized API has exactly one operation in the document generated at build time."""

from __future__ import annotations

from support import Synthesized

from poche_infra.openapi import build


def test_every_route_of_the_synthesized_api_has_an_operation(synthesized: Synthesized) -> None:
    routes = {
        resource["Properties"]["RouteKey"]
        for template in synthesized.templates.values()
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::ApiGatewayV2::Route"
    }
    document = build()
    operations = {f"{method.upper()} {path}" for path, methods in document["paths"].items() for method in methods}
    assert routes and operations == routes
