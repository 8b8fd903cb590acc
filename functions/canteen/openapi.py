"""OpenAPI description of the canteen service's routes: each route declared once, its shapes generated from
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
    query_parameter,
)

from .models import MODELS
from .policy import CACHE_SECONDS, MAX_RANGE_DAYS

SCHEMAS: dict[str, Any] = component_schemas(*MODELS)

_CANTEEN_ID = {
    "name": "canteen_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "Identifiant de la cantine (UAI, SIRET…), tel que renvoyé par /v1/canteens.",
}


def _date(name: str, description: str) -> dict[str, Any]:
    return query_parameter(name, {"type": "string", "format": "date"}, description)


PATHS: dict[str, Any] = {
    "/v1/canteens": {
        "get": {
            "operationId": "listCanteens",
            "tags": ["cantines"],
            "summary": "Les cantines, par nom ; d'une commune si `commune` est donné.",
            "parameters": [
                commune_parameter(),
                limit_parameter(50, 100),
                CURSOR,
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Une page de cantines.", "CanteenList", max_age=CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "400": problem_response("Paramètre invalide (commune, limit ou curseur)."),
                "404": problem_response("Code INSEE qui n'est pas celui d'une commune du territoire."),
            },
        }
    },
    "/v1/canteens/{canteen_id}": {
        "get": {
            "operationId": "getCanteen",
            "tags": ["cantines"],
            "summary": "Une cantine.",
            "parameters": [_CANTEEN_ID, IF_NONE_MATCH],
            "responses": {
                "200": json_ok("La cantine.", "CanteenDetail", max_age=CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "404": problem_response("Cantine inconnue."),
            },
        }
    },
    "/v1/canteens/{canteen_id}/menus": {
        "get": {
            "operationId": "listCanteenMenus",
            "tags": ["cantines"],
            "summary": "Les repas d'une cantine par date, plats groupés par type (par défaut : cette semaine).",
            "parameters": [
                _CANTEEN_ID,
                _date("from", "Premier jour (AAAA-MM-JJ). Par défaut le lundi de cette semaine."),
                _date("to", f"Dernier jour inclus (AAAA-MM-JJ), au plus {MAX_RANGE_DAYS} jours après `from`."),
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Les repas de la période.", "MenuList", max_age=CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "400": problem_response("Date mal formée, fin avant début ou période trop longue."),
                "404": problem_response("Cantine inconnue."),
            },
        }
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return {"paths": PATHS, "components": {"schemas": {**SCHEMAS, "Problem": PROBLEM_SCHEMA}}}
