"""Transit domain: stops, routes, departures (GTFS timetable + real time), vehicles and alerts.

One table (docs/transit-model.md) with two indexes: `by_cell` (stops by geohash cell) and
`by_list` (stops by name, routes by order). The static timetable comes from the `transit-gtfs`
connector; the real-time connectors are added with `add_realtime_connector`.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_

from ..constructs.connector import ScheduledConnector
from ..constructs.domain import Domain
from ..constructs.tiles import TileSpec

# A connector reads what it diffs against (its partitions, and the by_list index lists stored stops and routes) and
# writes and deletes changes.
CONNECTOR_USES = ("Query", "DeleteItem")
STALE_AFTER_SECONDS = 2 * 24 * 3600  # the timetable is read daily: stale after two missed runs
REALTIME_STALE_AFTER_SECONDS = 3 * 60  # real time is read every minute: stale after three missed runs
PATHS = [
    "/v1/transit/stops",
    "/v1/transit/stops/{stop_id}/departures",
    "/v1/transit/routes",
    "/v1/transit/routes/{route_id}/vehicles",
    "/v1/transit/alerts",
]


class TransitDomain(Domain):
    def declare(self) -> None:
        self.table = self.add_table("Transit", by_cell=("gsi1pk", "gsi1sk"), by_list=("gsi2pk", "gsi2sk"))

        self.service = self.add_service(
            package="transit",
            description="Poche transit service (GET /v1/transit/...)",
            layers=[self.runtime.domain_layer("transit")],
            # One Query for a stop's departures, then one BatchGetItem (profile, feed state, real time); stops by
            # cell or name, routes by order through the indexes.
            reads=("GetItem", "Query", "BatchGetItem"),
            indexes=("by_cell", "by_list"),
            environment={
                "STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS),
                "REALTIME_STALE_AFTER_SECONDS": str(REALTIME_STALE_AFTER_SECONDS),
                # REALTIME_CONNECTORS (whose FEED# state gives real-time `as_of`) is set by add_realtime_connector;
                # unset, the service assumes transit-gtfs-rt and transit-siri-lite.
            },
            public=PATHS,
        )

        # The timetable, and the home screen's tile it keeps (BatchGetItem: its stored projections).
        self.gtfs = self.add_connector(
            "Gtfs",
            name="transit-gtfs",
            uses=(*CONNECTOR_USES, "BatchGetItem"),
            indexes=("by_list",),
            timeout=cdk.Duration.minutes(5),
            memory_mb=1024,
        )
        self.realtime: list[ScheduledConnector] = []
        # Real time: GTFS-RT (protobuf, from the transit-deps layer built by `make layers`) and SIRI Lite.
        # Both write the same TRIP#/RT# items: a territory gives each network one of them, or both when
        # they cover different trips.
        protobuf = self.runtime.dependency_layer("transit-deps")
        self.add_realtime_connector("GtfsRt", name="transit-gtfs-rt", layers=[protobuf], memory_mb=512)
        self.add_realtime_connector("SiriLite", name="transit-siri-lite")

        self.tile = self.add_tile(
            TileSpec(
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
            )
        )

    def add_realtime_connector(
        self,
        construct_id: str,
        *,
        name: str,
        layers: Sequence[lambda_.ILayerVersion] = (),
        environment: dict[str, str] | None = None,
        timeout: cdk.Duration | None = None,
        memory_mb: int = 256,
    ) -> ScheduledConnector:
        """A real-time connector `name` (code in functions/connectors/<name with _>), scheduled by the territory:
        its table, the `by_list` index, two days of runs; the service learns its name (REALTIME_CONNECTORS)."""
        connector = self.add_connector(
            construct_id,
            name=name,
            uses=CONNECTOR_USES,
            indexes=("by_list",),
            layers=layers,
            environment={"RUN_HISTORY_DAYS": "2", **(environment or {})},
            timeout=timeout or cdk.Duration.seconds(50),
            memory_mb=memory_mb,
        )
        self.realtime.append(connector)
        self.service.function.add_environment("REALTIME_CONNECTORS", ",".join(c.name for c in self.realtime))
        return connector
