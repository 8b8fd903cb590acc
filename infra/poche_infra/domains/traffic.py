"""Traffic domain: road events (works, closures, accidents, weather...) from DATEX II SituationPublication.

The `traffic` layer (`layers/traffic/python/traffic_shared`: the event view, the read side, the tile projections)
is attached to the service and the connector, which keeps the `traffic` tile projections (`TILE#traffic#<insee>`).
"""

from __future__ import annotations

from constructs import Construct

from ..config import Settings
from ..constructs.connector import ScheduledConnector
from ..constructs.runtime import PhaseRuntime
from ..constructs.service import ServiceFunction
from ..constructs.table import DomainTable
from ..constructs.tiles import TileSpec, TileType

CONNECTOR = "traffic-datex2"
STALE_AFTER_SECONDS = 30 * 60  # six missed 5-minute runs


class TrafficDomain(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, runtime: PhaseRuntime) -> None:
        super().__init__(scope, construct_id)
        # Layout: functions/connectors/traffic_datex2/store.py. `by_cell`: CELL#<geohash> (bbox look-ups);
        # `by_area`: COMMUNE#<insee> and ALL (commune and département look-ups, the connector's diff).
        self.table = DomainTable(
            self,
            "Events",
            settings=settings,
            indexes={"by_cell": ("gsi1pk", "gsi1sk"), "by_area": ("gsi2pk", "gsi2sk")},
        )
        traffic_layer = runtime.domain_layer("traffic")  # traffic_shared: event view, reader, tile projections

        self.service = ServiceFunction(
            self,
            "Service",
            settings=settings,
            runtime=runtime,
            package="traffic",
            description="Poche traffic service (GET /v1/traffic/events)",
            layers=[traffic_layer],
            table=self.table,
            # Feed state and the page's profiles from the table; look-ups only through the two indexes.
            reads=("GetItem", "BatchGetItem"),
            indexes=("by_cell", "by_area"),
            environment={"STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS)},
            public=["/v1/traffic/events"],
        )

        # An event's items (Query on its partition), and the diff: one Query of the ALL partition of `by_area`.
        # Tile projections: the touched communes' partitions of `by_area` (Query), their events' profiles and the
        # stored projections' digests (BatchGetItem), `shown_active` markers (UpdateItem, as the run log).
        self.connector = ScheduledConnector(
            self,
            "Datex2",
            settings=settings,
            runtime=runtime,
            name=CONNECTOR,
            table=self.table,
            uses=("BatchGetItem", "Query"),
            indexes=("by_area",),
            layers=[traffic_layer],
        )

        self.tile = TileType(
            self,
            "Tile",
            settings=settings,
            runtime=runtime,
            table=self.table,
            spec=TileSpec(
                id="traffic",
                title="Info trafic",
                service="traffic",
                params=("commune",),
                description="Travaux, accidents et fermetures de routes en cours ou à venir dans une commune.",
                sources=(CONNECTOR,),
                stale_after_s=STALE_AFTER_SECONDS,
                limit=5,
            ),
        )
