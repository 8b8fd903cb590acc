"""What every phase stack gives its functions: the contracts published by Core, and the layers."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ..config import POWERTOOLS_VERSION, PYTHON_RUNTIME, Settings
from ..layers import built_layer
from ..paths import LAYERS
from .function import RUNTIME

CONTRACT_API_ID = "api/id"
CONTRACT_API_URL = "api/url"
CONTRACT_BUS_NAME = "bus/name"
CONTRACT_BUS_ARN = "bus/arn"
CONTRACT_ALARM_TOPIC_ARN = "alarms/topic-arn"
CONTRACT_AUTH_USER_POOL_ID = "auth/user-pool-id"
CONTRACT_AUTH_CLIENT_ID = "auth/user-pool-client-id"
CONTRACT_AUTH_ISSUER = "auth/issuer"
CONTRACT_CITIZENS_USER_POOL_ID = "auth/citizens/user-pool-id"
CONTRACT_CITIZENS_CLIENT_ID = "auth/citizens/user-pool-client-id"
CONTRACT_CITIZENS_ISSUER = "auth/citizens/issuer"


def powertools_parameter(architecture: str = "arm64") -> str:
    """AWS's public SSM parameter holding the ARN of the pinned Powertools layer (it bundles pydantic v2)."""
    return f"/aws/service/powertools/python/{architecture}/{PYTHON_RUNTIME}/{POWERTOOLS_VERSION}"


class PhaseRuntime(Construct):
    """Core's contracts, read from SSM at deploy time (no lookup at synth), and the shared layers.

    SSM parameters rather than CloudFormation exports: an export locks Core while any phase
    imports it, a parameter lets each phase deploy, update and go without touching Core.
    """

    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings) -> None:
        super().__init__(scope, construct_id)

        def contract(path: str) -> str:
            return ssm.StringParameter.value_for_string_parameter(self, settings.parameter(path))

        self.api = apigwv2.HttpApi.from_http_api_attributes(self, "Api", http_api_id=contract(CONTRACT_API_ID))
        self.bus = events.EventBus.from_event_bus_attributes(
            self,
            "Bus",
            event_bus_name=contract(CONTRACT_BUS_NAME),
            event_bus_arn=contract(CONTRACT_BUS_ARN),
            event_bus_policy="",
        )
        self.alarm_topic = sns.Topic.from_topic_arn(self, "AlarmTopic", contract(CONTRACT_ALARM_TOPIC_ARN))
        self.common_layer = self._layer(
            "CommonLayer", _source("common"), "poche_common: observability, HTTP conventions, connector runtime"
        )

        self._powertools_layer: lambda_.ILayerVersion | None = None
        self._dependency_layers: dict[str, lambda_.LayerVersion] = {}
        self._domain_layers: dict[str, lambda_.LayerVersion] = {}
        self._contract = contract
        self._authorizer: authorizers.HttpJwtAuthorizer | None = None
        self._citizen_authorizer: authorizers.HttpJwtAuthorizer | None = None
        self.tiles: list[Any] = []  # the `TileType`s registered by this phase's domains, for the home function

    @property
    def authorizer(self) -> authorizers.HttpJwtAuthorizer:
        """The JWT authorizer of Core's STAFF user pool (ID tokens: their audience is the app client id).

        Created on first use, so a phase without signed-in routes reads no auth contract.
        """
        if self._authorizer is None:
            self._authorizer = authorizers.HttpJwtAuthorizer(
                "StaffJwt",
                self._contract(CONTRACT_AUTH_ISSUER),
                jwt_audience=[self._contract(CONTRACT_AUTH_CLIENT_ID)],
                authorizer_name="staff-jwt",
            )
        return self._authorizer

    @property
    def citizen_authorizer(self) -> authorizers.HttpJwtAuthorizer:
        """The JWT authorizer of Core's CITIZENS user pool: tokens of the citizens' app client only (a staff
        token has another issuer and audience: 401). Created on first use, like `authorizer`."""
        if self._citizen_authorizer is None:
            self._citizen_authorizer = authorizers.HttpJwtAuthorizer(
                "CitizenJwt",
                self._contract(CONTRACT_CITIZENS_ISSUER),
                jwt_audience=[self._contract(CONTRACT_CITIZENS_CLIENT_ID)],
                authorizer_name="citizen-jwt",
            )
        return self._citizen_authorizer

    def contract(self, path: str) -> str:
        """A contract of Core (`CONTRACT_*`), read from SSM at deploy time (a token at synth)."""
        return self._contract(path)

    @property
    def citizen_user_pool_id(self) -> str:
        """The citizens pool's id (a token resolved at deploy time), e.g. for a function's environment."""
        return self._contract(CONTRACT_CITIZENS_USER_POOL_ID)

    @property
    def citizen_user_pool_arn(self) -> str:
        """The citizens pool's ARN, for least-privilege `cognito-idp:Admin*` grants on that pool only."""
        return cdk.Stack.of(self).format_arn(
            service="cognito-idp", resource="userpool", resource_name=self.citizen_user_pool_id
        )

    @property
    def powertools_layer(self) -> lambda_.ILayerVersion:
        """AWS's public Powertools layer (it bundles pydantic v2), resolved from SSM at deploy time. Created on first
        use: only a function whose code imports Powertools or pydantic gets it (tests/infra checks both ways), so a
        phase where none does reads no such parameter."""
        if self._powertools_layer is None:
            self._powertools_layer = lambda_.LayerVersion.from_layer_version_arn(
                self,
                "PowertoolsLayer",
                ssm.StringParameter.value_for_string_parameter(self, powertools_parameter()),
            )
        return self._powertools_layer

    def function_layers(self, *extra: lambda_.ILayerVersion, powertools: bool = False) -> list[lambda_.ILayerVersion]:
        """A function's layers in order: Powertools first when its code imports it (or pydantic, which comes with
        it), then `common`, then `extra` (domain and dependency layers)."""
        return [*([self.powertools_layer] if powertools else []), self.common_layer, *extra]

    def domain_layer(self, name: str) -> lambda_.LayerVersion:
        """The layer `layers/<name>` (pure Python, shipped as is, like `common`): code shared by one domain's
        functions. One per phase stack, whatever the number of functions using it."""
        if name not in self._domain_layers:
            self._domain_layers[name] = self._layer(
                f"DomainLayer-{name}", _source(name), f"Code shared by the {name} domain's functions (layers/{name})"
            )
        return self._domain_layers[name]

    def dependency_layer(self, name: str) -> lambda_.LayerVersion:
        """The built dependency layer `layers/<name>` (third-party packages, see `make layers`)."""
        if name not in self._dependency_layers:
            self._dependency_layers[name] = self._layer(
                f"Layer-{name}",
                lambda_.Code.from_asset(str(built_layer(name))),
                f"Third-party packages of layers/{name}/requirements.txt for arm64 {PYTHON_RUNTIME}",
            )
        return self._dependency_layers[name]

    def _layer(self, construct_id: str, code: lambda_.Code, description: str) -> lambda_.LayerVersion:
        """A layer for the platform's functions (arm64, the pinned Python runtime)."""
        return lambda_.LayerVersion(
            self,
            construct_id,
            code=code,
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description=description,
        )


def _source(name: str) -> lambda_.Code:
    """The pure Python layer `layers/<name>`, shipped as is (no build)."""
    return lambda_.Code.from_asset(str(LAYERS / name), exclude=["**/__pycache__", "*.pyc"])
