"""OpenAPI description of the home screen service (merged into the API's document)."""

from __future__ import annotations

from typing import Any

from home_shared.compose import MAX_TILES
from poche_common.openapi import (
    FRESHNESS_PROPERTIES,
    IF_NONE_MATCH,
    NOT_MODIFIED,
    PROBLEM_SCHEMA,
    json_ok,
    problem_response,
)

CATALOGUE_CACHE_SECONDS = 300
_PARAMS = {"type": "object", "additionalProperties": {"type": "string"}, "example": {"commune": "61001"}}

SCHEMAS: dict[str, Any] = {
    "TileType": {
        "type": "object",
        "required": ["id", "title", "service", "params", "example", "description"],
        "properties": {
            "id": {"type": "string", "example": "departures", "description": "Type de tuile, à donner dans `type`."},
            "title": {"type": "string", "example": "Prochains passages"},
            "service": {"type": "string", "example": "transit", "description": "Le service qui fournit le contenu."},
            "params": {"type": "array", "items": {"type": "string"}, "example": ["stop_id", "route_id"]},
            "example": {
                "type": ["object", "null"],
                "additionalProperties": {"type": "string"},
                "description": "Des paramètres valides, pris dans les données chargées ; "
                "null tant que rien n'est chargé.",
            },
            "description": {"type": "string"},
        },
    },
    "TileCatalogue": {
        "type": "object",
        "required": ["items", "next", "as_of", "stale"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/TileType"}},
            "next": {"type": "null"},
            **FRESHNESS_PROPERTIES,
        },
    },
    "HomeRequest": {
        "type": "object",
        "required": ["tiles"],
        "properties": {
            "tiles": {
                "type": "array",
                "maxItems": MAX_TILES,
                "items": {
                    "description": "Une tuile `{type, params}` : `type` l'un des types du catalogue, `params` ses "
                    "paramètres (des chaînes). Chaque tuile est vérifiée seule : une tuile invalide (pas un objet, "
                    "type inconnu, paramètre manquant, en trop ou pas une chaîne) donne dans la réponse une entrée "
                    "`error` (problème RFC 9457), sans refuser la requête ni les autres tuiles.",
                    "example": {"type": "news", "params": {"commune": "61001"}},
                },
            }
        },
    },
    "HomeTile": {
        "oneOf": [
            {
                "type": "object",
                "required": ["type", "params", "as_of", "stale", "content"],
                "properties": {
                    "type": {"type": "string"},
                    "params": _PARAMS,
                    **FRESHNESS_PROPERTIES,
                    "content": {
                        "type": "object",
                        "required": ["items"],
                        "description": "`items` : les éléments à afficher, dans la forme de l'API du service "
                        "(départs, repas, événements, articles, avis) ; en plus, selon le type, l'arrêt et la "
                        "ligne, la cantine, la commune ou l'établissement.",
                        "properties": {"items": {"type": "array", "items": {"type": "object"}}},
                    },
                },
            },
            {
                "type": "object",
                "required": ["type", "params", "error"],
                "properties": {
                    "type": {"type": ["string", "null"]},
                    "params": {"type": "object"},
                    "error": {"$ref": "#/components/schemas/Problem"},
                },
            },
        ]
    },
    "HomeResponse": {
        "type": "object",
        "required": ["tiles"],
        "properties": {"tiles": {"type": "array", "items": {"$ref": "#/components/schemas/HomeTile"}}},
    },
}

PATHS: dict[str, Any] = {
    "/v1/tiles/catalogue": {
        "get": {
            "operationId": "listTileTypes",
            "tags": ["accueil"],
            "summary": "Les types de tuiles (alvéoles) proposés par les services déployés.",
            "parameters": [IF_NONE_MATCH],
            "responses": {
                "200": json_ok("Le catalogue.", "TileCatalogue", max_age=CATALOGUE_CACHE_SECONDS),
                "304": NOT_MODIFIED,
            },
        }
    },
    "/v1/home": {
        "post": {
            "operationId": "composeHome",
            "tags": ["accueil"],
            "summary": f"Le contenu actuel d'au plus {MAX_TILES} tuiles, en une réponse, dans l'ordre demandé. "
            "Une tuile invalide donne une entrée `error` (problème RFC 9457) sans faire échouer les autres.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HomeRequest"}}},
            },
            "responses": {
                "200": {
                    "description": "Une entrée par tuile demandée.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HomeResponse"}}},
                },
                "400": problem_response("Corps invalide : pas du JSON, pas de liste `tiles`, plus de 20 tuiles."),
            },
        }
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return {"paths": PATHS, "components": {"schemas": {**SCHEMAS, "Problem": PROBLEM_SCHEMA}}}
