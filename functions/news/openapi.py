"""OpenAPI description of the news service's route, declared once, its shapes generated from
`models.py` (merged into the API's document)."""

from __future__ import annotations

from typing import Any

from poche_common.openapi import (
    CURSOR,
    IF_NONE_MATCH,
    NOT_MODIFIED,
    PROBLEM_SCHEMA,
    commune_parameter,
    component_schemas,
    json_ok,
    limit_parameter,
    problem_response,
)

from .models import MODELS
from .policy import CACHE_SECONDS

SCHEMAS: dict[str, Any] = component_schemas(*MODELS)

PATHS: dict[str, Any] = {
    "/v1/news": {
        "get": {
            "operationId": "listNews",
            "tags": ["actualites"],
            "summary": "Les actualités du département et, si `commune` est donné, celles de la commune ; "
            "les plus récentes d'abord.",
            "parameters": [
                commune_parameter(),
                limit_parameter(50, 100),
                CURSOR,
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Une page d'actualités.", "NewsList", max_age=CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "400": problem_response("Paramètre invalide (commune, limit ou curseur)."),
                "404": problem_response("Commune inconnue du territoire."),
            },
        }
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return {"paths": PATHS, "components": {"schemas": {**SCHEMAS, "Problem": PROBLEM_SCHEMA}}}
