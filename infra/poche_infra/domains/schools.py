"""Schools domain: collèges and lycées (reference data), and the notices their staff and the département publish.

- `Service` (functions/schools): public, read only: GET /v1/schools, GET /v1/schools/{uai}/notices.
- `Admin` (functions/schools_admin): POST/PATCH/DELETE /v1/admin/schools/{uai}/notices..., behind Core's JWT
  authorizer (401 without a valid token); the function checks the group and the school (403).
- Connector `schools-notices-csv`: the département's bulk notices CSV, on the territory's schedule.
Table layout: `poche_common.schools` (notices, tile projections `TILE#school-notices#<uai>`, index `by_origin`).
"""

from __future__ import annotations

from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_iam as iam

from ..constructs.domain import Domain
from ..constructs.tiles import TileSpec

CONNECTOR = "schools-notices-csv"
STALE_AFTER_SECONDS = 3600  # four missed runs of the 15-minute feed
POST, PATCH, DELETE = apigwv2.HttpMethod.POST, apigwv2.HttpMethod.PATCH, apigwv2.HttpMethod.DELETE


class SchoolsDomain(Domain):
    def declare(self) -> None:
        self.table = self.add_table("Notices", by_origin=("gsi1pk", "gsi1sk"))

        self.service = self.add_service(
            package="schools",
            description="Poche schools service (GET /v1/schools...)",
            reads=("GetItem", "Query"),  # the notices of one school (Query) and the feed's state (GetItem)
            environment={"STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS)},
            public=["/v1/schools", "/v1/schools/{uai}/notices"],
        )

        self.admin = self.add_service(
            "Admin",
            package="schools_admin",
            description="Poche schools admin API (POST/PATCH/DELETE /v1/admin/schools/{uai}/notices)",
            environment={"EVENT_BUS_NAME": self.runtime.bus.event_bus_name},
            audience="staff",
            routes=[
                (POST, "/v1/admin/schools/{uai}/notices"),
                (PATCH, "/v1/admin/schools/{uai}/notices/{notice_id}"),
                (DELETE, "/v1/admin/schools/{uai}/notices/{notice_id}"),
            ],
        )
        # Read a notice (GetItem), create/replace it conditionally (PutItem), withdraw it (DeleteItem), read the
        # school's notices for its tile (Query), rewrite the tile projection (BatchGetItem, BatchWriteItem).
        self.table.grant(self.admin, "GetItem", "Query", "PutItem", "DeleteItem", "BatchGetItem", "BatchWriteItem")
        self.admin.add_to_role_policy(
            iam.PolicyStatement(actions=["events:PutEvents"], resources=[self.runtime.bus.event_bus_arn])
        )

        # Its notices through the `by_origin` index and each school's notices (Query), notices and tiles written and
        # withdrawn in batches (BatchGetItem, BatchWriteItem).
        self.connector = self.add_connector(
            "NoticesCsv",
            name=CONNECTOR,
            uses=("Query", "BatchGetItem"),
            indexes=("by_origin",),
        )

        self.tile = self.add_tile(
            TileSpec(
                id="school-notices",
                title="Vie scolaire",
                service="schools",
                params=("uai",),
                description="Les avis en cours et à venir d'un collège ou d'un lycée : changement d'horaires, "
                "fermeture, transport scolaire suspendu, examens.",
                limit=5,
            )
        )
