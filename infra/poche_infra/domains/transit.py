"""Transit domain: stops, routes, departures (GTFS timetable + real time), vehicles and alerts.

One table (docs/transit-model.md) with two indexes: `by_cell` (stops by geohash cell) and
`by_list` (stops by name, routes by order). The static timetable comes from the `transit-gtfs`
connector; the real-time connectors are added with `add_realtime_connector`.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..config import Settings
from ..constructs.connector import ScheduledConnector
from ..constructs.function import PocheFunction
from ..constructs.routes import PublicRoutes
from ..constructs.runtime import PhaseRuntime
from ..constructs.table import DomainTable
from ..constructs.tiles import TileSpec, TileType
from ..paths import CONNECTORS, FUNCTIONS

# The service reads: one Query for a stop's departures, then one BatchGetItem (profile, feed state, real time).
READ = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]
# A connector reads what it diffs against (the by_list index lists stored stops and routes) and writes changes.
WRITE = [
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
]
STALE_AFTER_SECONDS = 2 * 24 * 3600  # the timetable is read daily: stale after two missed runs
REALTIME_STALE_AFTER_SECONDS = 3 * 60  # real time is read every minute: stale after three missed runs
PATHS = [
    "/v1/transit/stops",
    "/v1/transit/stops/{stop_id}/departures",
    "/v1/transit/routes",
    "/v1/transit/routes/{route_id}/vehicles",
    "/v1/transit/alerts",
]


class TransitDomain(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, runtime: PhaseRuntime) -> None:
        super().__init__(scope, construct_id)
        self.settings = settings
        self.runtime = runtime
        self.table = DomainTable(
            self,
            "Transit",
            settings=settings,
            indexes={"by_cell": ("gsi1pk", "gsi1sk"), "by_list": ("gsi2pk", "gsi2sk")},
        )
        self.table_name = self.table.table.table_name

        self.service = PocheFunction(
            self,
            "Service",
            settings=settings,
            package_dir=FUNCTIONS / "transit",
            domain="transit",
            description="Poche transit service (GET /v1/transit/...)",
            layers=[*runtime.layers, runtime.domain_layer("transit")],
            alarm_topic=runtime.alarm_topic,
            environment={
                "TABLE_NAME": self.table_name,
                "STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS),
                "REALTIME_STALE_AFTER_SECONDS": str(REALTIME_STALE_AFTER_SECONDS),
                # REALTIME_CONNECTORS (whose FEED# state gives real-time `as_of`) is set by add_realtime_connector;
                # unset, the service assumes transit-gtfs-rt and transit-siri-lite.
            },
        )
        self.service.function.add_to_role_policy(
            iam.PolicyStatement(actions=READ, resources=self.table.arns(with_indexes=True))
        )
        PublicRoutes(self, "Routes", api=runtime.api, function=self.service.function, paths=PATHS)

        self.gtfs = ScheduledConnector(
            self,
            "Gtfs",
            settings=settings,
            runtime=runtime,
            name="transit-gtfs",
            package_dir=CONNECTORS / "transit_gtfs",
            domain="transit",
            schedule=settings.territory.schedules.get("transit-gtfs", "cron(0 4 * * ? *)"),
            environment={"TABLE_NAME": self.table_name},
            timeout=cdk.Duration.minutes(5),
            memory_mb=1024,
        )
        self._grant_writes(self.gtfs)
        self.realtime: list[ScheduledConnector] = []
        # Real time: GTFS-RT (protobuf, from the transit-deps layer built by `make layers`) and SIRI Lite.
        # Both write the same TRIP#/RT# items: a territory gives each network one of them, or both when
        # they cover different trips.
        protobuf = runtime.with_dependencies("transit-deps")[-1]
        self.add_realtime_connector(
            "GtfsRt", name="transit-gtfs-rt", package="transit_gtfs_rt", layers=[protobuf], memory_mb=512
        )
        self.add_realtime_connector("SiriLite", name="transit-siri-lite", package="transit_siri_lite")

        # The home screen's tile, kept by the timetable connector (BatchGetItem: its stored projections).
        self.gtfs.function.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:BatchGetItem"], resources=self.table.arns())
        )
        self.tile = TileType(
            self,
            "Tile",
            settings=settings,
            runtime=runtime,
            table=self.table.table,
            spec=TileSpec(
                id="departures",
                title="Prochains passages",
                service="transit",
                params=("stop_id", "route_id"),
                description="Les prochains départs d'une ligne à un arrêt, en temps réel quand il est connu.",
                sources=("transit-gtfs",),
                stale_after_s=STALE_AFTER_SECONDS,
                limit=3,
                must_exist=True,
                live="transit-realtime",
            ),
        )

    def _grant_writes(self, connector: ScheduledConnector) -> None:
        """Its table (and the by_list index, to list what is stored), nothing else of DynamoDB."""
        connector.function.add_to_role_policy(iam.PolicyStatement(actions=WRITE, resources=self.table.arns()))
        connector.function.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[f"{self.table.table.table_arn}/index/by_list"])
        )

    def add_realtime_connector(
        self,
        construct_id: str,
        *,
        name: str,
        package: str,
        default_schedule: str = "rate(1 minute)",
        layers: list[lambda_.ILayerVersion] | None = None,
        environment: dict[str, str] | None = None,
        timeout: cdk.Duration | None = None,
        memory_mb: int = 256,
        package_dir: Path | None = None,
    ) -> ScheduledConnector:
        connector = ScheduledConnector(
            self,
            construct_id,
            settings=self.settings,
            runtime=self.runtime,
            name=name,
            package_dir=package_dir or CONNECTORS / package,
            domain="transit",
            schedule=self.settings.territory.schedules.get(name, default_schedule),
            environment={"TABLE_NAME": self.table_name, "RUN_HISTORY_DAYS": "2", **(environment or {})},
            timeout=timeout or cdk.Duration.seconds(50),
            memory_mb=memory_mb,
        )
        if layers:
            connector.function.add_layers(*layers)
        self._grant_writes(connector)
        self.realtime.append(connector)
        self.service.function.add_environment("REALTIME_CONNECTORS", ",".join(c.name for c in self.realtime))
        return connector
