"""OpenAPI description of the news service's route, declared once, its shapes generated from
`models.py` (merged into the API's document)."""

from __future__ import annotations

from typing import Any

from poche_common import openapi as spec

from .models import MODELS
from .policy import CACHE_SECONDS

SCHEMAS: dict[str, Any] = spec.component_schemas(*MODELS)

PATHS: dict[str, Any] = {
    "/v1/news": spec.commune_page(
        "listNews",
        "Les actualités du département et, si `commune` est donné, celles de la commune ; les plus récentes d'abord.",
        ("Une page d'actualités.", "NewsList"),
        "Commune inconnue du territoire.",
        tag="actualites",
        max_age=CACHE_SECONDS,
    ),
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return spec.service_document(PATHS, SCHEMAS)
