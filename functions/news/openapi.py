"""OpenAPI description of the news service's route (merged into the API's document)."""

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
)

from .policy import CACHE_SECONDS

SCHEMAS: dict[str, Any] = {
    "NewsItem": {
        "type": "object",
        "required": ["id", "title", "summary", "url", "published", "source", "tags", "image", "categories"],
        "properties": {
            "id": {"type": "string", "description": "Identifiant stable de l'article (empreinte du guid ou du lien)."},
            "title": {"type": "string"},
            "summary": {
                "type": "string",
                "description": "Texte brut (HTML retiré), au plus 280 caractères, coupé à un mot avec « … » ; "
                "les paragraphes sont séparés par une ligne vide.",
            },
            "url": {"type": ["string", "null"], "format": "uri", "description": "Page de l'article (http/https)."},
            "published": {"type": "string", "format": "date-time", "description": "Europe/Paris, avec décalage."},
            "source": {"type": "string", "description": "Titre du flux d'où vient l'article."},
            "tags": {
                "type": "array",
                "items": {"type": "string"},
                "description": "« general » (tout le département) et/ou codes INSEE des communes concernées.",
            },
            "image": {"type": ["string", "null"], "format": "uri"},
            "categories": {"type": "array", "items": {"type": "string"}},
        },
    },
    "NewsList": {
        "type": "object",
        "required": ["items", "next", "as_of", "stale"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/NewsItem"}},
            "next": {"type": ["string", "null"], "description": "Curseur opaque de la page suivante."},
            **FRESHNESS_PROPERTIES,
        },
    },
}

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
