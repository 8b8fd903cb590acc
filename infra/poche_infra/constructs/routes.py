"""`PublicRoutes` and `AuthorizedRoutes`: a service function's routes on the one public HTTP API."""

from __future__ import annotations

from typing import Literal

from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from cdk_nag import NagPackSuppression
from constructs import Construct

from .nag import suppress
from .runtime import PhaseRuntime


class PublicRoutes(Construct):
    """Anonymous routes: read-only open data (`paths`, GET), and the few anonymous writes a service justifies
    (`writes`, each with its reason: an anonymous payer's payment, PayFiP's unsigned notification)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api: apigwv2.IHttpApi,
        function: lambda_.IFunction,
        paths: list[str],
        writes: list[tuple[apigwv2.HttpMethod, str, str]] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        integration = integrations.HttpLambdaIntegration("Integration", function)
        reads = [(apigwv2.HttpMethod.GET, path, "") for path in paths]
        for index, (method, path, why) in enumerate([*reads, *(writes or [])]):
            if not path.startswith("/v1/"):
                raise ValueError(f"{path}: every public route lives under /v1")
            if method != apigwv2.HttpMethod.GET and not why:
                raise ValueError(f"{method} {path}: an anonymous write needs its reason")
            route = apigwv2.HttpRoute(
                self,
                f"Route{index}",
                http_api=api,
                route_key=apigwv2.HttpRouteKey.with_(path, method),
                integration=integration,
            )
            suppress(
                route,
                NagPackSuppression(
                    id="AwsSolutions-APIG4",
                    reason=why
                    or "Public, read-only open data for anonymous citizens (GET only); throttled at the stage.",
                ),
            )


Audience = Literal["staff", "citizens"]
# Who may call a signed-in route is decided by its path: /v1/admin for staff, /v1/me for citizens.
AUDIENCE_PREFIXES: dict[str, str] = {"staff": "/v1/admin", "citizens": "/v1/me"}


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def check_audience(audience: str, path: str) -> None:
    """Raises ValueError unless `path` is a route of `audience`: /v1/admin[/...] for staff, /v1/me[/...] for
    citizens. A staff token is never accepted on a citizen's route, nor a citizen's on an admin route."""
    if audience not in AUDIENCE_PREFIXES:
        raise ValueError(f"audience {audience!r}: one of {', '.join(AUDIENCE_PREFIXES)}")
    if _under(path, AUDIENCE_PREFIXES[audience]):
        return
    for other, prefix in AUDIENCE_PREFIXES.items():
        if _under(path, prefix):
            raise ValueError(f"{path}: routes under {prefix} are for {other} (audience={other!r}), not {audience}")
    raise ValueError(
        f"{path}: signed-in routes live under {AUDIENCE_PREFIXES['staff']}/ (staff) "
        f"or {AUDIENCE_PREFIXES['citizens']}/ (citizens)"
    )


class AuthorizedRoutes(Construct):
    """Routes for signed-in people: the JWT authorizer proves who calls (signature, issuer, audience, expiry)
    and answers 401 otherwise; the function decides what the caller may do (groups and schools for staff, only
    their own items for citizens).

    `audience` picks the runtime's authorizer: "staff" (Core's staff pool, routes under /v1/admin) or "citizens"
    (the citizens pool, routes under /v1/me); a route outside its audience's prefix raises ValueError.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: PhaseRuntime,
        audience: Audience,
        function: lambda_.IFunction,
        routes: list[tuple[apigwv2.HttpMethod, str]],
    ) -> None:
        for _, path in routes:  # all checked before anything is created
            check_audience(audience, path)
        super().__init__(scope, construct_id)
        self.authorizer = runtime.citizen_authorizer if audience == "citizens" else runtime.authorizer
        integration = integrations.HttpLambdaIntegration("Integration", function)
        for index, (method, path) in enumerate(routes):
            apigwv2.HttpRoute(
                self,
                f"Route{index}",
                http_api=runtime.api,
                route_key=apigwv2.HttpRouteKey.with_(path, method),
                integration=integration,
                authorizer=self.authorizer,
            )
