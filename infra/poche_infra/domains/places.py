"""Places domain (phase 2, `Services` stack): what is near me, or in my commune, of this kind, and is it open or
available now — heritage, health, food and mobility places, from several sources, in one table and one service.

- `Service` (functions/places): public, read only: GET /v1/places (near a point or in a commune; category, words,
  open now), GET /v1/places/{place_id}, GET /v1/places/categories.
- Connector `places-finess`: the FINESS establishments extract (hospitals, pharmacies, health centres), Lambert-93
  coordinates converted exactly.
- Connectors `places-covoiturage` (carpool areas, etalab schema-lieux-covoiturage) and `places-irve` (charging
  stations, etalab schema IRVE static).
Table layout: `places_shared.keys` (a place, its live availability apart, the geohash and commune indexes).
"""

from __future__ import annotations

from ..constructs.domain import Domain

SERVICE_STALE_AFTER_SECONDS = 2 * 86_400


class PlacesDomain(Domain):
    def declare(self) -> None:
        self.table = self.add_table(
            "Places",
            by_cell=("gsi1pk", "gsi1sk"),
            by_area=("gsi2pk", "gsi2sk"),
            by_commune=("gsi3pk", "gsi3sk"),
            by_origin=("gsi4pk", "gsi4sk"),
        )
        layer = self.runtime.domain_layer("places")
        self.service = self.add_service(
            package="places",
            description="Poche places service (GET /v1/places...)",
            layers=[layer],
            # A place and its live availability (GetItem), the live availability of a page of places
            # (BatchGetItem), the places of the cells around a point or of a commune (Query on the indexes).
            reads=("GetItem", "BatchGetItem"),
            indexes=("by_cell", "by_area", "by_commune"),
            environment={"STALE_AFTER_SECONDS": str(SERVICE_STALE_AFTER_SECONDS)},
            public=["/v1/places", "/v1/places/categories", "/v1/places/{place_id}"],
        )
        # Its own places through `by_origin` (Query), places written and removed in batches (BatchWriteItem).
        self.finess = self.add_connector(
            "Finess",
            name="places-finess",
            uses=("BatchWriteItem",),
            indexes=("by_origin",),
            layers=[layer],
            environment={"PLACES_DEPARTEMENTS": self.settings.territory.departement},
            memory_mb=1024,  # the national extract (30 to 40 MB) parsed in memory: about 360 MB at its peak
        )
        # The other sources, each the complete list of its places in the département, written the same way.
        self.covoiturage = self.add_connector("Covoiturage", name="places-covoiturage", **self._places_source(layer))
        self.irve = self.add_connector("Irve", name="places-irve", **self._places_source(layer))

    def _places_source(self, layer: object) -> dict[str, object]:
        """What a places connector over a département's file needs: its places through `by_origin` (Query), written
        and removed in batches (BatchWriteItem), the département."""
        return {
            "uses": ("BatchWriteItem",),
            "indexes": ("by_origin",),
            "layers": [layer],
            "environment": {"PLACES_DEPARTEMENTS": self.settings.territory.departement},
        }
