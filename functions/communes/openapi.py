"""OpenAPI description of the communes service's routes: each route declared once, its shapes generated
from `models.py` (merged into the API's document)."""

from __future__ import annotations

from typing import Any

from poche_common.openapi import (
    CURSOR,
    IF_NONE_MATCH,
    INSEE_PATTERN,
    NOT_MODIFIED,
    PROBLEM_SCHEMA,
    component_schemas,
    json_ok,
    limit_parameter,
    problem_response,
    query_parameter,
)

from .models import MODELS
from .policy import CACHE_SECONDS, DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY_LENGTH

SCHEMAS: dict[str, Any] = component_schemas(*MODELS)

PATHS: dict[str, Any] = {
    "/v1/communes": {
        "get": {
            "operationId": "listCommunes",
            "tags": ["communes"],
            "summary": "Les communes du département, par nom ; celles dont le nom commence par `q` si donné.",
            "parameters": [
                query_parameter(
                    "q",
                    {"type": "string", "maxLength": MAX_QUERY_LENGTH},
                    (
                        "Début du nom, sans tenir compte des accents, de la casse, des traits d'union, des "
                        "apostrophes ni de l'article initial (`sees` trouve Sées, `aigle` trouve L'Aigle, "
                        "`saint-` les Saint-…) ; ou un code postal (61000) ou un code INSEE (61001) exact."
                    ),
                ),
                limit_parameter(DEFAULT_LIMIT, MAX_LIMIT),
                CURSOR,
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Une page de communes.", "CommuneList", max_age=CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "400": problem_response("Paramètre invalide (q trop long, limit ou curseur)."),
            },
        }
    },
    "/v1/communes/{insee}": {
        "get": {
            "operationId": "getCommune",
            "tags": ["communes"],
            "summary": "Une commune, par son code INSEE.",
            "parameters": [
                {
                    "name": "insee",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "pattern": INSEE_PATTERN},
                    "description": "Code INSEE de la commune (61001 pour Alençon).",
                    "example": "61001",
                },
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("La commune.", "CommuneDetail", max_age=CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "400": problem_response("Code INSEE mal formé."),
                "404": problem_response("Aucune commune du département n'a ce code."),
            },
        }
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return {"paths": PATHS, "components": {"schemas": {**SCHEMAS, "Problem": PROBLEM_SCHEMA}}}
