"""Traffic domain: road events (works, closures, accidents, weather...) from DATEX II SituationPublication.

The `traffic` layer (`layers/traffic/python/traffic_shared`: the event view, the read side, the tile projections)
is attached to the service and the connector, which keeps the `traffic` tile projections (`TILE#traffic#<insee>`).
"""

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
        table = self.table.table
        index_arns = {name: f"{table.table_arn}/index/{name}" for name in self.table.index_names}
        traffic_layer = runtime.domain_layer("traffic")  # traffic_shared: event view, reader, tile projections

        self.service = PocheFunction(
            self,
            "Service",
            settings=settings,
            package_dir=FUNCTIONS / "traffic",
            domain="traffic",
            description="Poche traffic service (GET /v1/traffic/events)",
            layers=runtime.layers,
            alarm_topic=runtime.alarm_topic,
            environment={"TABLE_NAME": table.table_name, "STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS)},
        )
        self.service.function.add_layers(traffic_layer)  # after the runtime's: Powertools, common, traffic
        # Feed state and the page's profiles from the table; look-ups only through the two indexes.
        self.service.function.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:GetItem", "dynamodb:BatchGetItem"], resources=[table.table_arn])
        )
        self.service.function.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=list(index_arns.values()))
        )
        PublicRoutes(self, "Routes", api=runtime.api, function=self.service.function, paths=["/v1/traffic/events"])

        self.connector = ScheduledConnector(
            self,
            "Datex2",
            settings=settings,
            runtime=runtime,
            name=CONNECTOR,
            package_dir=CONNECTORS / "traffic_datex2",
            domain="traffic",
            schedule=settings.territory.schedules.get(CONNECTOR, "rate(5 minutes)"),
            environment={"TABLE_NAME": table.table_name},
        )
        self.connector.function.add_layers(traffic_layer)
        # Run log (GetItem/PutItem/UpdateItem), an event's items (Query on its partition, BatchWriteItem puts and
        # deletes), and the diff: one Query of the ALL partition of `by_area`. Tile projections: the touched
        # communes' partitions of `by_area` (Query), their events' profiles and the stored projections'
        # digests (BatchGetItem), `shown_active` markers (UpdateItem), projections (BatchWriteItem).
        self.connector.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:Query",
                    "dynamodb:BatchWriteItem",
                ],
                resources=[table.table_arn],
            )
        )
        self.connector.function.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[index_arns["by_area"]])
        )

        self.tile = TileType(
            self,
            "Tile",
            settings=settings,
            runtime=runtime,
            table=table,
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
