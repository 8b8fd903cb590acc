"""Canteen domain: school canteens and their menus (SCDL menus-collectifs)."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from constructs import Construct

from ..config import Settings
from ..constructs.connector import ScheduledConnector
from ..constructs.function import PocheFunction
from ..constructs.routes import PublicRoutes
from ..constructs.runtime import PhaseRuntime
from ..constructs.table import DomainTable
from ..constructs.tiles import TileSpec, TileType
from ..paths import CONNECTORS, FUNCTIONS

READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
WRITE = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"]


class CanteenDomain(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, runtime: PhaseRuntime) -> None:
        super().__init__(scope, construct_id)
        self.table = DomainTable(
            self,
            "Menus",
            settings=settings,
            indexes={"by_commune": ("gsi1pk", "gsi1sk"), "all_canteens": ("gsi2pk", "gsi2sk")},
        )
        table_name = self.table.table.table_name

        self.service = PocheFunction(
            self,
            "Service",
            settings=settings,
            package_dir=FUNCTIONS / "canteen",
            domain="canteen",
            description="Poche canteen service (GET /v1/canteens...)",
            layers=runtime.layers,
            alarm_topic=runtime.alarm_topic,
            environment={"TABLE_NAME": table_name, "STALE_AFTER_SECONDS": str(2 * 24 * 3600)},
        )
        canteen_layer = runtime.domain_layer("canteen")  # canteen_shared: the public views, the meals read
        self.service.function.add_layers(canteen_layer)  # after the runtime's: Powertools, common, canteen
        self.service.function.add_to_role_policy(
            iam.PolicyStatement(actions=READ, resources=self.table.arns(with_indexes=True))
        )
        PublicRoutes(
            self,
            "Routes",
            api=runtime.api,
            function=self.service.function,
            paths=["/v1/canteens", "/v1/canteens/{canteen_id}", "/v1/canteens/{canteen_id}/menus"],
        )

        self.connector = ScheduledConnector(
            self,
            "MenusScdl",
            settings=settings,
            runtime=runtime,
            name="canteen-menus-scdl",
            package_dir=CONNECTORS / "canteen_menus_scdl",
            domain="canteen",
            schedule=settings.territory.schedules.get("canteen-menus-scdl", "cron(30 5 * * ? *)"),
            environment={"TABLE_NAME": table_name},
        )
        self.connector.function.add_layers(canteen_layer)
        # Meals and profiles (Query of a canteen's partition, BatchWriteItem puts and deletes), the run log
        # (GetItem/PutItem/UpdateItem) and the tile projections (BatchGetItem of their digests, BatchWriteItem).
        self.connector.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=[*WRITE, "dynamodb:DeleteItem", "dynamodb:BatchGetItem"], resources=self.table.arns()
            )
        )

        self.tile = TileType(
            self,
            "Tile",
            settings=settings,
            runtime=runtime,
            table=self.table.table,
            spec=TileSpec(
                id="canteen-menu",
                title="Menu de la cantine",
                service="canteen",
                params=("canteen_id",),
                description="Le menu du jour (ou du prochain jour servi) d'une cantine scolaire.",
                sources=("canteen-menus-scdl",),
                stale_after_s=2 * 24 * 3600,
                limit=1,
                must_exist=True,
            ),
        )
