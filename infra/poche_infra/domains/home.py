"""Home screen: the tile catalogue and `POST /v1/home` over the tile projections of the phase's domains.

Constructed last in its stack: its permissions are those of the tile types registered before it.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_iam as iam
from cdk_nag import NagPackSuppression

from ..constructs.domain import Domain
from ..constructs.function import PocheFunction
from ..constructs.nag import suppress
from ..constructs.tiles import TILES_PATH, TileType

LIVE_KEYS = {"transit-realtime": ["TRIP#*"]}  # what a live tile reads besides its projections


def grant_tile_reads(function: PocheFunction, tiles: list[TileType], path: str) -> None:
    """What reading tiles needs (`home_shared`): the tile registrations under `path` (GetParametersByPath), and
    BatchGetItem, only of the tile projections, the feed states and what live tiles read, on each tile's table.
    Used by every function composing tiles (the home screen, the personal home)."""
    stack = cdk.Stack.of(function)
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["ssm:GetParametersByPath"],
            resources=[stack.format_arn(service="ssm", resource="parameter", resource_name=path.lstrip("/"))],
        )
    )
    for tile in tiles:
        leading = ["TILE#*", "FEED#*", *LIVE_KEYS.get(tile.spec.live or "", [])]
        tile.table.grant(function, "BatchGetItem", leading_keys=leading)


class HomeDomain(Domain):
    def declare(self) -> None:
        runtime = self.runtime
        tiles: list[TileType] = list(runtime.tiles)
        if not tiles:
            raise ValueError("HomeDomain comes after the domains that register tile types")
        path = self.settings.parameter(TILES_PATH)
        self.service = self.add_service(
            package="home",
            description="Poche home screen (GET /v1/tiles/catalogue, POST /v1/home)",
            layers=[runtime.domain_layer("transit"), runtime.domain_layer("home")],
            environment={"TILES_PARAMETER_PATH": path},
            public=["/v1/tiles/catalogue"],
        )
        grant_tile_reads(self.service, tiles, path)
        post = apigwv2.HttpRoute(
            self,
            "HomeRoute",
            http_api=runtime.api,
            route_key=apigwv2.HttpRouteKey.with_("/v1/home", apigwv2.HttpMethod.POST),
            integration=integrations.HttpLambdaIntegration("HomeIntegration", self.service.function),
        )
        suppress(
            post,
            NagPackSuppression(
                id="AwsSolutions-APIG4",
                reason="Anonymous by design (issue 4: no account needed to see a home screen): it only reads public "
                "open data, answers at most 20 tiles per request and is throttled at the stage.",
            ),
        )
