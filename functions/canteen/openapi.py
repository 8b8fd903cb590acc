"""OpenAPI description of the canteen service's routes: each route declared once, its shapes generated from
`models.py` (merged into the API's document)."""

from __future__ import annotations

from functools import partial
from typing import Any

from poche_common import openapi as spec

from .models import MODELS
from .policy import CACHE_SECONDS, MAX_RANGE_DAYS

SCHEMAS: dict[str, Any] = spec.component_schemas(*MODELS)

_get = partial(spec.cached_get, tag="cantines", max_age=CACHE_SECONDS)
_commune_page = partial(spec.commune_page, tag="cantines", max_age=CACHE_SECONDS)
_CANTEEN_ID = spec.path_parameter(
    "canteen_id", description="Identifiant de la cantine (UAI, SIRET…), tel que renvoyé par /v1/canteens."
)
_PERIOD = [
    spec.date_parameter("from", "Premier jour (AAAA-MM-JJ). Par défaut le lundi de cette semaine."),
    spec.date_parameter("to", f"Dernier jour inclus (AAAA-MM-JJ), au plus {MAX_RANGE_DAYS} jours après `from`."),
]

PATHS: dict[str, Any] = {
    "/v1/canteens": _commune_page(
        "listCanteens",
        "Les cantines, par nom ; d'une commune si `commune` est donné.",
        ("Une page de cantines.", "CanteenList"),
    ),
    "/v1/canteens/{canteen_id}": _get(
        "getCanteen",
        "Une cantine.",
        ("La cantine.", "CanteenDetail"),
        {"404": "Cantine inconnue."},
        parameters=[_CANTEEN_ID],
    ),
    "/v1/canteens/{canteen_id}/menus": _get(
        "listCanteenMenus",
        "Les repas d'une cantine par date, plats groupés par type (par défaut : cette semaine).",
        ("Les repas de la période.", "MenuList"),
        {"400": "Date mal formée, fin avant début ou période trop longue.", "404": "Cantine inconnue."},
        parameters=[_CANTEEN_ID, *_PERIOD],
    ),
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return spec.service_document(PATHS, SCHEMAS)
