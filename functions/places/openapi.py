"""OpenAPI description of the places service's public routes: each route declared once, its shapes generated
from `models.py` (merged into the API's document)."""

from __future__ import annotations

from typing import Any

from places_shared.categories import CATEGORIES
from poche_common import openapi as spec

from . import policy
from .models import MODELS
from .policy import PLACE_ID_PATTERN

SCHEMAS: dict[str, Any] = spec.component_schemas(*MODELS)
_TAG = "lieux"

_LIST_PARAMETERS = [
    spec.query_parameter(
        "near", spec.NEAR_SCHEMA, "Position `latitude,longitude` (WGS84) : les lieux autour, les plus proches d'abord."
    ),
    spec.query_parameter(
        "radius",
        {"type": "integer", "minimum": 1, "maximum": policy.MAX_RADIUS_M},
        f"Rayon en mètres autour de `near` (défaut {policy.DEFAULT_RADIUS_M}, au plus {policy.MAX_RADIUS_M}).",
    ),
    spec.commune_parameter("Code INSEE de la commune (au lieu de `near`)."),
    spec.query_parameter("category", {"type": "string", "enum": [c.id for c in CATEGORIES]}, "Catégorie de lieu."),
    spec.query_parameter(
        "q", {"type": "string", "maxLength": policy.MAX_QUERY_LENGTH}, "Mots du nom (sans accents ni majuscules)."
    ),
    spec.query_parameter(
        "open_now", {"type": "string", "enum": ["true", "false"]}, "Ouverts (ou fermés) maintenant seulement."
    ),
    spec.limit_parameter(policy.DEFAULT_LIMIT, policy.MAX_LIMIT),
]

PATHS: dict[str, Any] = {
    "/v1/places": spec.cached_get(
        "listPlaces",
        "Les lieux autour d'un point (les plus proches d'abord, avec leur distance) ou d'une commune : patrimoine, "
        "santé, alimentation, mobilité, ouverts maintenant et disponibles en direct.",
        ("Les lieux.", "PlaceList"),
        {
            "400": "Paramètre invalide (near ou commune, radius, category, q, open_now, limit).",
            "404": "Commune inconnue.",
        },
        tag=_TAG,
        max_age=policy.CACHE_SECONDS,
        parameters=_LIST_PARAMETERS,
    ),
    "/v1/places/categories": spec.cached_get(
        "listPlaceCategories",
        "Les catégories de lieux, avec leur libellé et leur thème.",
        ("Les catégories.", "CategoryList"),
        tag=_TAG,
        max_age=86_400,
    ),
    "/v1/places/{place_id}": spec.cached_get(
        "getPlace",
        "Un lieu, ses horaires (ouvert maintenant ?) et sa disponibilité en direct.",
        ("Le lieu.", "Place"),
        {"400": "Identifiant invalide.", "404": "Lieu inconnu."},
        tag=_TAG,
        max_age=policy.CACHE_SECONDS,
        parameters=[
            spec.path_parameter(
                "place_id",
                {"type": "string", "pattern": f"^{PLACE_ID_PATTERN}$"},
                "`<source>:<identifiant à la source>`.",
                "finess:610780066",
            )
        ],
    ),
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return spec.service_document(PATHS, SCHEMAS)
