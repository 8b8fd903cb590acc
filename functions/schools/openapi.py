"""OpenAPI description of the schools service's public routes: each route declared once, its shapes generated
from `models.py` (merged into the API's document)."""

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
from .policy import LIST_CACHE_SECONDS, NOTICES_CACHE_SECONDS

SCHEMAS: dict[str, Any] = component_schemas(*MODELS)

PATHS: dict[str, Any] = {
    "/v1/schools": {
        "get": {
            "operationId": "listSchools",
            "tags": ["établissements scolaires"],
            "summary": "Les collèges et lycées, par nom ; d'une commune si `commune` est donné.",
            "parameters": [
                commune_parameter(),
                limit_parameter(50, 100),
                CURSOR,
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Une page d'établissements.", "SchoolList", max_age=LIST_CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "400": problem_response("Paramètre invalide (commune, limit ou curseur)."),
                "404": problem_response("Commune inconnue."),
            },
        }
    },
    "/v1/schools/{uai}/notices": {
        "get": {
            "operationId": "listSchoolNotices",
            "tags": ["établissements scolaires"],
            "summary": "Les informations en cours et à venir d'un établissement (changements d'emploi du temps, "
            "fermetures, transports suspendus…), par date de début.",
            "parameters": [
                {
                    "name": "uai",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "Code UAI de l'établissement.",
                    "example": "0610003X",
                },
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Les informations.", "SchoolNoticeList", max_age=NOTICES_CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "404": problem_response("Établissement inconnu."),
            },
        }
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return {"paths": PATHS, "components": {"schemas": {**SCHEMAS, "Problem": PROBLEM_SCHEMA}}}
