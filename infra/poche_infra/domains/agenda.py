"""Agenda domain: local events (concerts, shows, exhibitions, markets...) and their occurrences.

One table for every agenda connector: `agenda-openagenda` and `agenda-datatourisme` write events of the same shape
(another `source`; DATAtourisme duplicates of OpenAgenda events are marked `duplicate_of` and not indexed), and
`agenda-cinema` writes cinemas and sessions (`CINEMA#<id>`; `CINEMAS#<insee>` on `by_commune`, `CINEMAS` on
`by_month`: layout in functions/connectors/agenda_cinema/store.py).
Layout of events: layers/agenda/python/agenda_shared/store.py (the `agenda` layer, shared by both event
connectors). `by_commune`: COMMUNE#<insee> / <begin UTC>#<event id> (a commune's occurrences by date);
`by_month`: ALL#<YYYY-MM> / <begin UTC>#<event id> (the territory's occurrences by date) and
SOURCE#<source> / <event id> (a connector's catalogue, which it diffs against).
The `agenda` layer is attached to the service (event view, occurrence reader) and to both event connectors, which
keep the `events` tile projections (`TILE#events#<insee>`, layers/agenda/python/agenda_shared/tiles.py).
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

CONNECTOR = "agenda-openagenda"
DATATOURISME = "agenda-datatourisme"
CINEMA = "agenda-cinema"
STALE_AFTER_SECONDS = 3 * 3600  # three missed hourly runs


class AgendaDomain(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, runtime: PhaseRuntime) -> None:
        super().__init__(scope, construct_id)
        self.table = DomainTable(
            self,
            "Events",
            settings=settings,
            indexes={"by_commune": ("gsi1pk", "gsi1sk"), "by_month": ("gsi2pk", "gsi2sk")},
        )
        table = self.table.table
        index_arns = {name: f"{table.table_arn}/index/{name}" for name in self.table.index_names}
        # agenda_shared: the event model and write side, the event view, the occurrence reader, the tiles
        agenda_layer = runtime.domain_layer("agenda")

        self.service = PocheFunction(
            self,
            "Service",
            settings=settings,
            package_dir=FUNCTIONS / "agenda",
            domain="agenda",
            description="Poche agenda service (GET /v1/events..., /v1/cinemas...)",
            layers=runtime.layers,
            alarm_topic=runtime.alarm_topic,
            environment={"TABLE_NAME": table.table_name, "STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS)},
        )
        self.service.function.add_layers(agenda_layer)  # after the runtime's: Powertools, common, agenda
        # Feed state, an event's profile (GetItem) and its occurrences (Query on its partition); lists through
        # the two indexes.
        self.service.function.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:GetItem", "dynamodb:Query"], resources=[table.table_arn])
        )
        self.service.function.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=list(index_arns.values()))
        )
        PublicRoutes(
            self,
            "Routes",
            api=runtime.api,
            function=self.service.function,
            paths=["/v1/events", "/v1/events/{event_id}", "/v1/cinemas", "/v1/cinemas/{cinema_id}/sessions"],
        )

        self.connector = ScheduledConnector(
            self,
            "OpenAgenda",
            settings=settings,
            runtime=runtime,
            name=CONNECTOR,
            package_dir=CONNECTORS / "agenda_openagenda",
            domain="agenda",
            schedule=settings.territory.schedules.get(CONNECTOR, "rate(1 hour)"),
            environment={"TABLE_NAME": table.table_name},
        )
        self.connector.function.add_layers(agenda_layer)  # after the runtime's: Powertools, common, agenda
        # Run log (GetItem/PutItem/UpdateItem), an event's items (Query on its partition, BatchWriteItem puts and
        # deletes), and the diff: one Query of its SOURCE# partition of `by_month`. Tile projections: a Query of
        # each touched commune's partition of `by_commune`, BatchGetItem of the stored projections' digests,
        # BatchWriteItem of the changed ones.
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
            iam.PolicyStatement(
                actions=["dynamodb:Query"], resources=[index_arns["by_month"], index_arns["by_commune"]]
            )
        )

        self.datatourisme = ScheduledConnector(
            self,
            "DataTourisme",
            settings=settings,
            runtime=runtime,
            name=DATATOURISME,
            package_dir=CONNECTORS / "agenda_datatourisme",
            domain="agenda",
            schedule=settings.territory.schedules.get(DATATOURISME, "rate(1 hour)"),
            environment={"TABLE_NAME": table.table_name},
        )
        self.datatourisme.function.add_layers(agenda_layer)
        # As agenda-openagenda (tile projections included); `by_commune` also gives the candidates of duplicates.
        self.datatourisme.function.add_to_role_policy(
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
        self.datatourisme.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:Query"], resources=[index_arns["by_month"], index_arns["by_commune"]]
            )
        )

        self.cinema = ScheduledConnector(
            self,
            "Cinema",
            settings=settings,
            runtime=runtime,
            name=CINEMA,
            package_dir=CONNECTORS / "agenda_cinema",
            domain="agenda",
            schedule=settings.territory.schedules.get(CINEMA, "rate(1 hour)"),
            environment={"TABLE_NAME": table.table_name},
        )
        # Run log and cinema profiles (GetItem/PutItem/UpdateItem), a cinema's day (Query on its partition),
        # BatchWriteItem puts and deletes. No index needed.
        self.cinema.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:Query",
                    "dynamodb:BatchWriteItem",
                ],
                resources=[table.table_arn],
            )
        )

        self.tile = TileType(
            self,
            "Tile",
            settings=settings,
            runtime=runtime,
            table=table,
            spec=TileSpec(
                id="events",
                title="Sorties et événements",
                service="agenda",
                params=("commune",),
                description="Les prochains concerts, spectacles, expositions et animations d'une commune.",
                sources=(CONNECTOR,),
                stale_after_s=STALE_AFTER_SECONDS,
                limit=5,
            ),
        )
