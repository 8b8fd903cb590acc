"""`ServiceFunction`: a service's function, its routes on the public API and its reads of the domain's table."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..config import Settings
from ..paths import FUNCTIONS
from .function import PocheFunction
from .routes import Audience, AuthorizedRoutes, PublicRoutes
from .runtime import PhaseRuntime
from .table import DomainTable


class ServiceFunction(PocheFunction):
    """The function of `functions/<package>` behind routes of the one public API.

    - `public`: anonymous GET routes (open data); `anonymous_writes`: anonymous (method, path, reason) routes that
      are not reads, each with the reason it must be anonymous (it becomes the nag suppression's); `audience` and
      `routes`: signed-in routes behind that audience's
      JWT authorizer ("staff": /v1/admin..., "citizens": /v1/me...). Routes are the construct's siblings, `Routes`
      for the construct `Service` and `<id>Routes` for any other: the logical ids of the deployed stacks, since a
      route key is unique per API and a replaced route would fail the update.
    - `table`: the domain's table (TABLE_NAME), read with `reads` (of GetItem, BatchGetItem, Query) and Query on
      `indexes`; what else a function may do (writes, other tables) is granted by its domain, next to the reason.
    - `layers`: after the runtime's (common); `powertools` only when the code imports Powertools or pydantic.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        runtime: PhaseRuntime,
        package: str,
        description: str,
        layers: Sequence[lambda_.ILayerVersion] = (),
        powertools: bool = False,
        table: DomainTable | None = None,
        reads: Sequence[str] = (),
        indexes: Sequence[str] = (),
        environment: dict[str, str] | None = None,
        public: Sequence[str] = (),
        anonymous_writes: Sequence[tuple[apigwv2.HttpMethod, str, str]] = (),
        audience: Audience | None = None,
        routes: Sequence[tuple[apigwv2.HttpMethod, str]] = (),
        memory_mb: int = 256,
        timeout: cdk.Duration | None = None,
    ) -> None:
        if bool(audience) != bool(routes) or (public and routes):
            raise ValueError(f"{construct_id}: `public` routes, or signed-in `routes` with their `audience`")
        if (reads or indexes) and table is None:
            raise ValueError(f"{construct_id}: `reads` and `indexes` are of a `table`")
        super().__init__(
            scope,
            construct_id,
            settings=settings,
            package_dir=FUNCTIONS / package,
            description=description,
            layers=runtime.function_layers(*layers, powertools=powertools),
            alarm_topic=runtime.alarm_topic,
            memory_mb=memory_mb,
            timeout=timeout,
            environment={**({"TABLE_NAME": table.table_name} if table else {}), **(environment or {})},
        )
        if table is not None and (reads or indexes):
            table.grant_read(self, *reads, indexes=indexes)
        routes_id = "Routes" if construct_id == "Service" else f"{construct_id}Routes"
        if public or anonymous_writes:
            PublicRoutes(
                scope,
                routes_id,
                api=runtime.api,
                function=self.function,
                paths=list(public),
                writes=list(anonymous_writes),
            )
        if audience:
            AuthorizedRoutes(
                scope, routes_id, runtime=runtime, audience=audience, function=self.function, routes=list(routes)
            )
