"""Schools domain: collèges and lycées (reference data), and the notices their staff and the département publish.

- `Service` (functions/schools): public, read only: GET /v1/schools, GET /v1/schools/{uai}/notices.
- `Admin` (functions/schools_admin): POST/PATCH/DELETE /v1/admin/schools/{uai}/notices..., behind Core's JWT
  authorizer (401 without a valid token); the function checks the group and the school (403).
- Connector `schools-notices-csv`: the département's bulk notices CSV, every 15 minutes.
Table layout: `poche_common.schools` (notices, tile projections `TILE#school-notices#<uai>`, index `by_origin`).
"""

from __future__ import annotations

from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..config import Settings
from ..constructs.connector import ScheduledConnector
from ..constructs.function import PocheFunction
from ..constructs.routes import AuthorizedRoutes, PublicRoutes
from ..constructs.runtime import PhaseRuntime
from ..constructs.table import DomainTable
from ..constructs.tiles import TileSpec, TileType
from ..paths import CONNECTORS, FUNCTIONS

CONNECTOR = "schools-notices-csv"
STALE_AFTER_SECONDS = 3600  # four missed runs of the 15-minute feed
# Public reads: the notices of one school (Query) and the feed's state (GetItem).
READ = ["dynamodb:GetItem", "dynamodb:Query"]
# Admin: read a notice (GetItem), create/replace it conditionally (PutItem), withdraw it (DeleteItem), read the
# school's notices for its tile (Query), rewrite the tile projection (BatchGetItem, BatchWriteItem).
ADMIN = [
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
]
# Connector: its notices through the `by_origin` index and each school's notices (Query), notices and tiles
# written and withdrawn in batches (BatchGetItem, BatchWriteItem), its run log (GetItem, PutItem, UpdateItem).
CONNECTOR_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
]


class SchoolsDomain(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, runtime: PhaseRuntime) -> None:
        super().__init__(scope, construct_id)
        self.table = DomainTable(self, "Notices", settings=settings, indexes={"by_origin": ("gsi1pk", "gsi1sk")})
        table = self.table.table

        self.service = PocheFunction(
            self,
            "Service",
            settings=settings,
            package_dir=FUNCTIONS / "schools",
            domain="schools",
            description="Poche schools service (GET /v1/schools...)",
            layers=runtime.layers,
            alarm_topic=runtime.alarm_topic,
            environment={"TABLE_NAME": table.table_name, "STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS)},
        )
        self.service.function.add_to_role_policy(iam.PolicyStatement(actions=READ, resources=[table.table_arn]))
        PublicRoutes(
            self,
            "Routes",
            api=runtime.api,
            function=self.service.function,
            paths=["/v1/schools", "/v1/schools/{uai}/notices"],
        )

        self.admin = PocheFunction(
            self,
            "Admin",
            settings=settings,
            package_dir=FUNCTIONS / "schools_admin",
            domain="schools",
            description="Poche schools admin API (POST/PATCH/DELETE /v1/admin/schools/{uai}/notices)",
            layers=runtime.layers,
            alarm_topic=runtime.alarm_topic,
            environment={"TABLE_NAME": table.table_name, "EVENT_BUS_NAME": runtime.bus.event_bus_name},
        )
        self.admin.function.add_to_role_policy(iam.PolicyStatement(actions=ADMIN, resources=[table.table_arn]))
        self.admin.function.add_to_role_policy(
            iam.PolicyStatement(actions=["events:PutEvents"], resources=[runtime.bus.event_bus_arn])
        )
        AuthorizedRoutes(
            self,
            "AdminRoutes",
            runtime=runtime,
            audience="staff",
            function=self.admin.function,
            routes=[
                (apigwv2.HttpMethod.POST, "/v1/admin/schools/{uai}/notices"),
                (apigwv2.HttpMethod.PATCH, "/v1/admin/schools/{uai}/notices/{notice_id}"),
                (apigwv2.HttpMethod.DELETE, "/v1/admin/schools/{uai}/notices/{notice_id}"),
            ],
        )

        self.connector = ScheduledConnector(
            self,
            "NoticesCsv",
            settings=settings,
            runtime=runtime,
            name=CONNECTOR,
            package_dir=CONNECTORS / "schools_notices_csv",
            domain="schools",
            schedule=settings.territory.schedules.get(CONNECTOR, "rate(15 minutes)"),
            environment={"TABLE_NAME": table.table_name},
        )
        self.connector.function.add_to_role_policy(
            iam.PolicyStatement(actions=CONNECTOR_ACTIONS, resources=self.table.arns(with_indexes=True))
        )

        self.tile = TileType(
            self,
            "Tile",
            settings=settings,
            runtime=runtime,
            table=table,
            spec=TileSpec(
                id="school-notices",
                title="Vie scolaire",
                service="schools",
                params=("uai",),
                description="Les avis en cours et à venir d'un collège ou d'un lycée : changement d'horaires, "
                "fermeture, transport scolaire suspendu, examens.",
                limit=5,
            ),
        )
