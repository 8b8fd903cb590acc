"""OpenAPI description of the traffic service's routes: each route declared once, its shapes generated
from `models.py` (merged into the API's document)."""

from __future__ import annotations

from typing import Any

from poche_common import openapi as spec

from .models import MODELS
from .policy import CACHE_SECONDS, MAX_BBOX_DEGREES

SCHEMAS: dict[str, Any] = spec.component_schemas(*MODELS)

# longitude,latitude (WGS84): a corner of the bbox.
_POINT = f"{spec.LONGITUDE_PATTERN},{spec.LATITUDE_PATTERN}"
_BBOX = spec.query_parameter(
    "bbox",
    {
        "type": "string",
        "pattern": f"^{_POINT},{_POINT}$",
        "example": "0.05,48.40,0.15,48.46",
    },
    f"Zone min_lon,min_lat,max_lon,max_lat (WGS84), au plus {MAX_BBOX_DEGREES:g} degré de côté : "
    "les événements dont le point ou la ligne la touche.",
)
_ACTIVE = spec.query_parameter(
    "active",
    {"type": "boolean", "default": True},
    "true : seulement ce qui est en vigueur maintenant ; false : aussi ce qui est terminé ou à venir.",
)

PATHS: dict[str, Any] = {
    "/v1/traffic/events": spec.cached_get(
        "listTrafficEvents",
        "Travaux, fermetures, accidents, intempéries… sur les routes, le début le plus récent d'abord.",
        ("Une page d'événements.", "TrafficEventList"),
        {
            "400": "Paramètre invalide (commune, bbox, active, limit ou curseur).",
            "404": "Code INSEE qui n'est pas celui d'une commune du département.",
        },
        tag="circulation",
        max_age=CACHE_SECONDS,
        description="Sans `commune` ni `bbox` : tout le département. Avec les deux : les événements de la "
        "commune qui touchent aussi la zone.",
        parameters=[spec.commune_parameter(), _BBOX, _ACTIVE, *spec.page_parameters(description="Taille de page.")],
    ),
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return spec.service_document(PATHS, SCHEMAS)
