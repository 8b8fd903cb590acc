"""Canteen domain: school canteens and their menus (SCDL menus-collectifs)."""

from __future__ import annotations

from constructs import Construct

from ..config import Settings
from ..constructs.connector import ScheduledConnector
from ..constructs.runtime import PhaseRuntime
from ..constructs.service import ServiceFunction
from ..constructs.table import DomainTable
from ..constructs.tiles import TileSpec, TileType

CONNECTOR = "canteen-menus-scdl"
STALE_AFTER_SECONDS = 2 * 24 * 3600


class CanteenDomain(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, runtime: PhaseRuntime) -> None:
        super().__init__(scope, construct_id)
        self.table = DomainTable(
            self,
            "Menus",
            settings=settings,
            indexes={"by_commune": ("gsi1pk", "gsi1sk"), "all_canteens": ("gsi2pk", "gsi2sk")},
        )
        canteen_layer = runtime.domain_layer("canteen")  # canteen_shared: the public views, the meals read

        self.service = ServiceFunction(
            self,
            "Service",
            settings=settings,
            runtime=runtime,
            package="canteen",
            description="Poche canteen service (GET /v1/canteens...)",
            layers=[canteen_layer],
            table=self.table,
            # A canteen's profile and meals (GetItem, Query, BatchGetItem); lists by commune or of all canteens.
            reads=("GetItem", "BatchGetItem", "Query"),
            indexes=("by_commune", "all_canteens"),
            environment={"STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS)},
            public=["/v1/canteens", "/v1/canteens/{canteen_id}", "/v1/canteens/{canteen_id}/menus"],
        )

        # Meals and profiles (Query of a canteen's partition, BatchWriteItem puts and deletes, DeleteItem) and the
        # tile projections (BatchGetItem of their digests).
        self.connector = ScheduledConnector(
            self,
            "MenusScdl",
            settings=settings,
            runtime=runtime,
            name=CONNECTOR,
            table=self.table,
            uses=("Query", "DeleteItem", "BatchGetItem"),
            layers=[canteen_layer],
        )

        self.tile = TileType(
            self,
            "Tile",
            settings=settings,
            runtime=runtime,
            table=self.table,
            spec=TileSpec(
                id="canteen-menu",
                title="Menu de la cantine",
                service="canteen",
                params=("canteen_id",),
                description="Le menu du jour (ou du prochain jour servi) d'une cantine scolaire.",
                sources=(CONNECTOR,),
                stale_after_s=STALE_AFTER_SECONDS,
                limit=1,
                must_exist=True,
            ),
        )
