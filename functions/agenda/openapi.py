"""OpenAPI description of the agenda service's routes: each route declared once, its shapes generated
from `models.py` (merged into the API's document)."""

from __future__ import annotations

from functools import partial
from typing import Any

from poche_common import openapi as spec

from .models import MODELS
from .policy import CACHE_SECONDS, CATEGORIES, MAX_RANGE_DAYS

SCHEMAS: dict[str, Any] = spec.component_schemas(*MODELS)

_PAGE_SIZE = "Taille de page."
_get = partial(spec.cached_get, tag="agenda", max_age=CACHE_SECONDS)
_commune_page = partial(spec.commune_page, tag="agenda", max_age=CACHE_SECONDS, limit_description=_PAGE_SIZE)

PATHS: dict[str, Any] = {
    "/v1/events": _get(
        "listEventOccurrences",
        "Sorties : concerts, spectacles, expositions, marchés… par date.",
        ("Une page de dates d'événements.", "AgendaOccurrenceList"),
        {"400": "Paramètre invalide (commune, from, to, category, q, limit ou curseur).", "404": spec.UNKNOWN_COMMUNE},
        description="Chaque élément est un événement à l'une de ses dates, dans l'ordre chronologique. "
        "Sans `commune` : tout le territoire.",
        parameters=[
            spec.commune_parameter(),
            spec.date_parameter("from", "Premier jour (Europe/Paris) ; défaut : aujourd'hui."),
            spec.date_parameter(
                "to", f"Dernier jour inclus ; défaut : from + 30 jours ; au plus {MAX_RANGE_DAYS} jours après from."
            ),
            spec.query_parameter("category", {"type": "string", "enum": list(CATEGORIES)}, "Une catégorie."),
            spec.query_parameter(
                "q", {"type": "string", "maxLength": 100}, "Un morceau du titre (accents et casse ignorés)."
            ),
            *spec.page_parameters(description=_PAGE_SIZE),
        ],
    ),
    "/v1/events/{event_id}": _get(
        "getEvent",
        "Un événement, sa description et ses prochaines dates.",
        ("L'événement.", "AgendaEvent"),
        {"404": "Événement inconnu."},
        parameters=[spec.path_parameter("event_id")],
    ),
    "/v1/cinemas": _commune_page(
        "listCinemas",
        "Les cinémas, par nom : d'une commune ou de tout le territoire.",
        ("Une page de cinémas.", "CinemaList"),
    ),
    "/v1/cinemas/{cinema_id}/sessions": _get(
        "getCinemaSessions",
        "Les films d'un jour dans un cinéma, avec leurs horaires.",
        ("Les films du jour et leurs horaires.", "CinemaSessions"),
        {"400": "Date invalide.", "404": "Cinéma inconnu."},
        parameters=[
            spec.path_parameter("cinema_id"),
            spec.date_parameter("date", "AAAA-MM-JJ ; par défaut aujourd'hui (Paris)."),
        ],
    ),
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return spec.service_document(PATHS, SCHEMAS)
