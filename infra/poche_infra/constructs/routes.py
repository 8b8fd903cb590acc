"""`PublicRoutes` and `AuthorizedRoutes`: a service function's routes on the one public HTTP API."""

from __future__ import annotations

from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from cdk_nag import NagPackSuppression
from constructs import Construct

from .nag import suppress


class PublicRoutes(Construct):
    """Anonymous read-only routes (open data). Routes needing a user get an authorizer later."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api: apigwv2.IHttpApi,
        function: lambda_.IFunction,
        paths: list[str],
    ) -> None:
        super().__init__(scope, construct_id)
        integration = integrations.HttpLambdaIntegration("Integration", function)
        for index, path in enumerate(paths):
            if not path.startswith("/v1/"):
                raise ValueError(f"{path}: every public route lives under /v1")
            route = apigwv2.HttpRoute(
                self,
                f"Route{index}",
                http_api=api,
                route_key=apigwv2.HttpRouteKey.with_(path, apigwv2.HttpMethod.GET),
                integration=integration,
            )
            suppress(
                route,
                NagPackSuppression(
                    id="AwsSolutions-APIG4",
                    reason="Public, read-only open data for anonymous citizens (GET only); throttled at the stage.",
                ),
            )


ADMIN_PREFIXES = ("/v1/admin/", "/v1/me/")


class AuthorizedRoutes(Construct):
    """Routes for signed-in staff: the JWT authorizer proves who calls (signature, issuer, audience,
    expiry) and answers 401 otherwise; the function decides what the caller may do (groups, schools)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api: apigwv2.IHttpApi,
        function: lambda_.IFunction,
        authorizer: authorizers.HttpJwtAuthorizer,
        routes: list[tuple[apigwv2.HttpMethod, str]],
    ) -> None:
        super().__init__(scope, construct_id)
        integration = integrations.HttpLambdaIntegration("Integration", function)
        for index, (method, path) in enumerate(routes):
            if not path.startswith(ADMIN_PREFIXES):
                raise ValueError(f"{path}: signed-in routes live under {' or '.join(ADMIN_PREFIXES)}")
            apigwv2.HttpRoute(
                self,
                f"Route{index}",
                http_api=api,
                route_key=apigwv2.HttpRouteKey.with_(path, method),
                integration=integration,
                authorizer=authorizer,
            )
