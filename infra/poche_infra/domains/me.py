"""The citizen's personal side: saved home screen, subscriptions, personal data rights (issue 5).

- Table `personal` (layout in `functions/me/store.py`, docs/me.md): every personal item under `USER#<sub>`,
  the subscribers index `TOPIC#<kind>#<id>` / `USER#<sub>`, and the tombstones `GONE#<sha256(sub)>`.
- Function `me` (functions/me): GET/PUT /v1/me/home/layout, GET /v1/me/home, GET/PUT /v1/me/subscriptions,
  POST/GET /v1/me/devices, DELETE /v1/me/devices/{id}, GET /v1/me/notifications, POST
  /v1/me/notifications/{id}/read, GET /v1/me/export, DELETE /v1/me, behind the citizens' JWT authorizer (401
  without a citizen's token).
- Mobile push: the territory's `push_applications` (SNS platform applications, one per platform, created out of
  band) reach the function as PUSH_APPLICATIONS; it may create endpoints on those applications only, and manage
  endpoints under them. Without them, no SNS grant at all (and `POST /v1/me/devices` answers 503).

Constructed after the domains registering tile types (it reads their projections for `GET /v1/me/home`).
"""

from __future__ import annotations

import json

from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..config import Settings
from ..constructs.function import PocheFunction
from ..constructs.routes import AuthorizedRoutes
from ..constructs.runtime import PhaseRuntime
from ..constructs.table import DomainTable
from ..constructs.tiles import TILES_PATH, TileType
from ..paths import FUNCTIONS
from .home import grant_tile_reads

# Its own table: read the caller's items and the tombstone (BatchGetItem), the caller's partition (Query),
# write them in transactions (TransactWriteItems is authorised as the Put/Update/Delete/ConditionCheck it holds:
# UpdateItem marks an inbox item read), erase and write large index changes in batches (BatchWriteItem), the
# tombstone (PutItem), a device (DeleteItem).
PERSONAL = [
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:BatchWriteItem",
]
# The transit table: only whether a route exists (`ROUTE#<id>` / `PROFILE`).
TRANSIT_ROUTES = ["dynamodb:GetItem", "dynamodb:BatchGetItem"]
# The citizens pool: the caller's record for the export, and its deletion.
COGNITO = ["cognito-idp:AdminGetUser", "cognito-idp:AdminDeleteUser"]
ROUTES = [
    (apigwv2.HttpMethod.GET, "/v1/me/home/layout"),
    (apigwv2.HttpMethod.PUT, "/v1/me/home/layout"),
    (apigwv2.HttpMethod.GET, "/v1/me/home"),
    (apigwv2.HttpMethod.GET, "/v1/me/subscriptions"),
    (apigwv2.HttpMethod.PUT, "/v1/me/subscriptions"),
    (apigwv2.HttpMethod.POST, "/v1/me/devices"),
    (apigwv2.HttpMethod.GET, "/v1/me/devices"),
    (apigwv2.HttpMethod.DELETE, "/v1/me/devices/{device_id}"),
    (apigwv2.HttpMethod.GET, "/v1/me/notifications"),
    (apigwv2.HttpMethod.POST, "/v1/me/notifications/{note_id}/read"),
    (apigwv2.HttpMethod.GET, "/v1/me/export"),
    (apigwv2.HttpMethod.DELETE, "/v1/me"),
]

# Mobile push: endpoints are created on the configured applications, and managed (deleted, read, enabled again)
# under them only.
SNS_APPLICATIONS = ["sns:CreatePlatformEndpoint"]
SNS_ENDPOINTS = ["sns:DeleteEndpoint", "sns:GetEndpointAttributes", "sns:SetEndpointAttributes"]


def endpoints_of(application_arn: str) -> str:
    """`arn:aws:sns:<region>:<account>:app/<platform>/<name>` -> the ARN pattern of its endpoints."""
    prefix, _, path = application_arn.partition(":app/")
    if not path:
        raise ValueError(f"{application_arn!r} is not an SNS platform application ARN")
    return f"{prefix}:endpoint/{path}/*"


def push_statements(applications: dict[str, str]) -> list[iam.PolicyStatement]:
    """The SNS grants of the configured platform applications (none when push is not configured)."""
    arns = sorted(set(applications.values()))
    if not arns:
        return []
    return [
        iam.PolicyStatement(actions=SNS_APPLICATIONS, resources=arns),
        iam.PolicyStatement(actions=SNS_ENDPOINTS, resources=[endpoints_of(arn) for arn in arns]),
    ]


class MeDomain(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        runtime: PhaseRuntime,
        transit_table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        tiles: list[TileType] = list(runtime.tiles)
        if not tiles:
            raise ValueError("MeDomain comes after the domains that register tile types")
        self.table = DomainTable(self, "Personal", settings=settings)
        table = self.table.table
        path = settings.parameter(TILES_PATH)
        self.service = PocheFunction(
            self,
            "Service",
            settings=settings,
            package_dir=FUNCTIONS / "me",
            domain="me",
            description="Poche personal API (/v1/me: layout, subscriptions, devices, notifications, export, erasure)",
            layers=[*runtime.layers, runtime.domain_layer("transit"), runtime.domain_layer("home")],
            alarm_topic=runtime.alarm_topic,
            environment={
                "TABLE_NAME": table.table_name,
                "TRANSIT_TABLE": transit_table.table_name,
                "TILES_PARAMETER_PATH": path,
                "CITIZEN_USER_POOL_ID": runtime.citizen_user_pool_id,
                # "{}" when not configured; the local platform gives its emulated applications then.
                "PUSH_APPLICATIONS": json.dumps(settings.territory.push_applications, sort_keys=True),
            },
        )
        function = self.service.function
        function.add_to_role_policy(iam.PolicyStatement(actions=PERSONAL, resources=[table.table_arn]))
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=TRANSIT_ROUTES,
                resources=[transit_table.table_arn],
                conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["ROUTE#*"]}},
            )
        )
        function.add_to_role_policy(iam.PolicyStatement(actions=COGNITO, resources=[runtime.citizen_user_pool_arn]))
        for statement in push_statements(settings.territory.push_applications):
            function.add_to_role_policy(statement)
        grant_tile_reads(function, tiles, path)
        AuthorizedRoutes(self, "Routes", runtime=runtime, audience="citizens", function=function, routes=ROUTES)
