"""OpenAPI description of the canteen service's routes (merged into the API's document)."""

from __future__ import annotations

from typing import Any

from poche_common.openapi import (
    CURSOR,
    FRESHNESS_PROPERTIES,
    IF_NONE_MATCH,
    NOT_MODIFIED,
    PROBLEM_SCHEMA,
    commune_parameter,
    json_ok,
    limit_parameter,
    problem_response,
    query_parameter,
)

from .policy import CACHE_SECONDS, MAX_RANGE_DAYS

_STRINGS = {"type": "array", "items": {"type": "string"}}

SCHEMAS: dict[str, Any] = {
    "Canteen": {
        "type": "object",
        "required": ["id", "name", "type", "type_label", "commune", "organisation"],
        "properties": {
            "id": {"type": "string", "description": "UAI ou SIRET du restaurant ; sinon identifiant « x-… »."},
            "name": {"type": "string"},
            "type": {"type": "string", "description": "Code : college, elementaire, maternelle, creche, lycee…"},
            "type_label": {"type": "string"},
            "commune": {"type": ["string", "null"], "description": "Code INSEE de la commune."},
            "organisation": {"type": ["string", "null"]},
        },
    },
    "CanteenDetail": {
        "allOf": [
            {"$ref": "#/components/schemas/Canteen"},
            {"type": "object", "required": ["as_of", "stale"], "properties": FRESHNESS_PROPERTIES},
        ]
    },
    "CanteenList": {
        "type": "object",
        "required": ["items", "next", "as_of", "stale"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Canteen"}},
            "next": {"type": ["string", "null"], "description": "Curseur opaque de la page suivante."},
            **FRESHNESS_PROPERTIES,
        },
    },
    "Dish": {
        "type": "object",
        "required": ["name", "labels", "local_labels", "regimes", "allergens"],
        "properties": {
            "name": {"type": "string"},
            "labels": {
                "type": "array",
                "description": "Signes officiels de qualité (bio, aop, igp, stg, label_rouge).",
                "items": {
                    "type": "object",
                    "required": ["code", "label"],
                    "properties": {"code": {"type": "string"}, "label": {"type": "string"}},
                },
            },
            "local_labels": _STRINGS,
            "regimes": _STRINGS,
            "allergens": _STRINGS,
        },
    },
    "Meal": {
        "type": "object",
        "required": ["date", "meal", "meal_label", "courses", "notes", "published_at", "modified_at"],
        "properties": {
            "date": {"type": "string", "format": "date"},
            "meal": {"type": "string", "description": "Code : dejeuner, gouter, diner, petit_dejeuner…"},
            "meal_label": {"type": "string"},
            "courses": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["course", "label", "dishes"],
                    "properties": {
                        "course": {"type": "string", "description": "Code : entree, plat_principal, garniture…"},
                        "label": {"type": "string"},
                        "dishes": {"type": "array", "items": {"$ref": "#/components/schemas/Dish"}},
                    },
                },
            },
            "notes": _STRINGS,
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "modified_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "MenuDay": {
        "type": "object",
        "description": "Les repas d'un jour (tuile « canteen-menu » de l'écran d'accueil), chacun tel que "
        "`/v1/canteens/{canteen_id}/menus` le donne.",
        "required": ["date", "meals"],
        "properties": {
            "date": {"type": "string", "format": "date"},
            "meals": {"type": "array", "items": {"$ref": "#/components/schemas/Meal"}},
        },
    },
    "MenuList": {
        "type": "object",
        "required": ["canteen", "from", "to", "items", "next", "as_of", "stale"],
        "properties": {
            "canteen": {"$ref": "#/components/schemas/Canteen"},
            "from": {"type": "string", "format": "date"},
            "to": {"type": "string", "format": "date"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Meal"}},
            "next": {"type": "null"},
            **FRESHNESS_PROPERTIES,
        },
    },
}

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
