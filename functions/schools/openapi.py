"""OpenAPI description of the schools service's public routes: each route declared once, its shapes generated
from `models.py` (merged into the API's document)."""

from __future__ import annotations

from typing import Any

from poche_common import openapi as spec

from .models import MODELS
from .policy import LIST_CACHE_SECONDS, NOTICES_CACHE_SECONDS

SCHEMAS: dict[str, Any] = spec.component_schemas(*MODELS)

_TAG = "établissements scolaires"

PATHS: dict[str, Any] = {
    "/v1/schools": spec.commune_page(
        "listSchools",
        "Les collèges et lycées, par nom ; d'une commune si `commune` est donné.",
        ("Une page d'établissements.", "SchoolList"),
        "Commune inconnue.",
        tag=_TAG,
        max_age=LIST_CACHE_SECONDS,
    ),
    "/v1/schools/{uai}/notices": spec.cached_get(
        "listSchoolNotices",
        "Les informations en cours et à venir d'un établissement (changements d'emploi du temps, "
        "fermetures, transports suspendus…), par date de début.",
        ("Les informations.", "SchoolNoticeList"),
        {"404": "Établissement inconnu."},
        tag=_TAG,
        max_age=NOTICES_CACHE_SECONDS,
        parameters=[spec.path_parameter("uai", description="Code UAI de l'établissement.", example="0610003X")],
    ),
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return spec.service_document(PATHS, SCHEMAS)
