"""Canteen domain: school canteens and their menus (SCDL menus-collectifs)."""

from __future__ import annotations

from ..constructs.domain import Domain
from ..constructs.tiles import TileSpec

CONNECTOR = "canteen-menus-scdl"
STALE_AFTER_SECONDS = 2 * 24 * 3600


class CanteenDomain(Domain):
    def declare(self) -> None:
        self.table = self.add_table("Menus", by_commune=("gsi1pk", "gsi1sk"), all_canteens=("gsi2pk", "gsi2sk"))
        canteen_layer = self.runtime.domain_layer("canteen")  # canteen_shared: the public views, the meals read

        self.service = self.add_service(
            package="canteen",
            description="Poche canteen service (GET /v1/canteens...)",
            layers=[canteen_layer],
            # A canteen's profile and meals (GetItem, Query, BatchGetItem); lists by commune or of all canteens.
            reads=("GetItem", "BatchGetItem", "Query"),
            indexes=("by_commune", "all_canteens"),
            environment={"STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS)},
            public=["/v1/canteens", "/v1/canteens/{canteen_id}", "/v1/canteens/{canteen_id}/menus"],
        )

        # Meals and profiles (Query of a canteen's partition, BatchWriteItem puts and deletes, DeleteItem) and the
        # tile projections (BatchGetItem of their digests).
        self.connector = self.add_connector(
            "MenusScdl",
            name=CONNECTOR,
            uses=("Query", "DeleteItem", "BatchGetItem"),
            layers=[canteen_layer],
        )

        self.tile = self.add_tile(
            TileSpec(
                id="canteen-menu",
                title="Menu de la cantine",
                service="canteen",
                params=("canteen_id",),
                description="Le menu du jour (ou du prochain jour servi) d'une cantine scolaire.",
                sources=(CONNECTOR,),
                stale_after_s=STALE_AFTER_SECONDS,
                limit=1,
                must_exist=True,
            )
        )
