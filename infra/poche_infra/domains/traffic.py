"""Traffic domain: road events (works, closures, accidents, weather...) from DATEX II SituationPublication.

The `traffic` layer (`layers/traffic/python/traffic_shared`: the event view, the read side, the tile projections)
is attached to the service and the connector, which keeps the `traffic` tile projections (`TILE#traffic#<insee>`).
"""

from __future__ import annotations

from ..constructs.domain import Domain
from ..constructs.tiles import TileSpec

CONNECTOR = "traffic-datex2"
STALE_AFTER_SECONDS = 30 * 60  # six missed 5-minute runs


class TrafficDomain(Domain):
    def declare(self) -> None:
        # Layout: functions/connectors/traffic_datex2/store.py. `by_cell`: CELL#<geohash> (bbox look-ups);
        # `by_area`: COMMUNE#<insee> and ALL (commune and département look-ups, the connector's diff).
        self.table = self.add_table("Events", by_cell=("gsi1pk", "gsi1sk"), by_area=("gsi2pk", "gsi2sk"))
        traffic_layer = self.runtime.domain_layer("traffic")  # traffic_shared: event view, reader, tile projections

        self.service = self.add_service(
            package="traffic",
            description="Poche traffic service (GET /v1/traffic/events)",
            layers=[traffic_layer],
            # Feed state and the page's profiles from the table; look-ups only through the two indexes.
            reads=("GetItem", "BatchGetItem"),
            indexes=("by_cell", "by_area"),
            environment={"STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS)},
            public=["/v1/traffic/events"],
        )

        # An event's items (Query on its partition), and the diff: one Query of the ALL partition of `by_area`.
        # Tile projections: the touched communes' partitions of `by_area` (Query), their events' profiles and the
        # stored projections' digests (BatchGetItem), `shown_active` markers (UpdateItem, as the run log).
        self.connector = self.add_connector(
            "Datex2",
            name=CONNECTOR,
            uses=("BatchGetItem", "Query"),
            indexes=("by_area",),
            layers=[traffic_layer],
        )

        self.tile = self.add_tile(
            TileSpec(
                id="traffic",
                title="Info trafic",
                service="traffic",
                params=("commune",),
                description="Travaux, accidents et fermetures de routes en cours ou à venir dans une commune.",
                sources=(CONNECTOR,),
                stale_after_s=STALE_AFTER_SECONDS,
                limit=5,
            )
        )
