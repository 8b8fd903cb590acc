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

from ..constructs.domain import Domain
from ..constructs.tiles import TileSpec

CONNECTOR = "agenda-openagenda"
DATATOURISME = "agenda-datatourisme"
CINEMA = "agenda-cinema"
STALE_AFTER_SECONDS = 3 * 3600  # three missed hourly runs


class AgendaDomain(Domain):
    def declare(self) -> None:
        self.table = self.add_table("Events", by_commune=("gsi1pk", "gsi1sk"), by_month=("gsi2pk", "gsi2sk"))
        # agenda_shared: the event model and write side, the event view, the occurrence reader, the tiles
        agenda_layer = self.runtime.domain_layer("agenda")

        self.service = self.add_service(
            package="agenda",
            description="Poche agenda service (GET /v1/events..., /v1/cinemas...)",
            layers=[agenda_layer],
            # Feed state, an event's profile (GetItem) and its occurrences (Query on its partition); lists through
            # the two indexes.
            reads=("GetItem", "Query"),
            indexes=("by_commune", "by_month"),
            environment={"STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS)},
            public=["/v1/events", "/v1/events/{event_id}", "/v1/cinemas", "/v1/cinemas/{cinema_id}/sessions"],
        )

        # The event connectors: an event's items (Query on its partition, BatchWriteItem puts and deletes), and the
        # diff: one Query of its SOURCE# partition of `by_month`. Tile projections: a Query of each touched commune's
        # partition of `by_commune` (also the candidates of DATAtourisme's duplicates), BatchGetItem of the stored
        # projections' digests.
        self.connector, self.datatourisme = (
            self.add_connector(
                node_id,
                name=name,
                uses=("BatchGetItem", "Query"),
                indexes=("by_month", "by_commune"),
                layers=[agenda_layer],
            )
            for node_id, name in (("OpenAgenda", CONNECTOR), ("DataTourisme", DATATOURISME))
        )
        # Cinema profiles and a cinema's day (Query on its partition); no index, no tile.
        self.cinema = self.add_connector("Cinema", name=CINEMA, uses=("Query",))

        self.tile = self.add_tile(
            TileSpec(
                id="events",
                title="Sorties et événements",
                service="agenda",
                params=("commune",),
                description="Les prochains concerts, spectacles, expositions et animations d'une commune.",
                sources=(CONNECTOR,),
                stale_after_s=STALE_AFTER_SECONDS,
                limit=5,
            )
        )
