"""OpenAPI description of the agenda service's routes: each route declared once, its shapes generated
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
    problem_response,
    query_parameter,
)

from .models import MODELS
from .policy import CACHE_SECONDS, CATEGORIES, MAX_RANGE_DAYS

SCHEMAS: dict[str, Any] = component_schemas(*MODELS)


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return query_parameter(name, schema, description)


PATHS: dict[str, Any] = {
    "/v1/events": {
        "get": {
            "operationId": "listEventOccurrences",
            "tags": ["agenda"],
            "summary": "Sorties : concerts, spectacles, expositions, marchés… par date.",
            "description": "Chaque élément est un événement à l'une de ses dates, dans l'ordre chronologique. "
            "Sans `commune` : tout le territoire.",
            "parameters": [
                commune_parameter(),
                _query(
                    "from", {"type": "string", "format": "date"}, "Premier jour (Europe/Paris) ; défaut : aujourd'hui."
                ),
                _query(
                    "to",
                    {"type": "string", "format": "date"},
                    f"Dernier jour inclus ; défaut : from + 30 jours ; au plus {MAX_RANGE_DAYS} jours après from.",
                ),
                _query("category", {"type": "string", "enum": list(CATEGORIES)}, "Une catégorie."),
                _query("q", {"type": "string", "maxLength": 100}, "Un morceau du titre (accents et casse ignorés)."),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}, "Taille de page."),
                CURSOR,
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Une page de dates d'événements.", "AgendaOccurrenceList", max_age=CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "400": problem_response("Paramètre invalide (commune, from, to, category, q, limit ou curseur)."),
                "404": problem_response("Code INSEE qui n'est pas celui d'une commune du territoire."),
            },
        }
    },
    "/v1/events/{event_id}": {
        "get": {
            "operationId": "getEvent",
            "tags": ["agenda"],
            "summary": "Un événement, sa description et ses prochaines dates.",
            "parameters": [
                {"name": "event_id", "in": "path", "required": True, "schema": {"type": "string"}},
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("L'événement.", "AgendaEvent", max_age=CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "404": problem_response("Événement inconnu."),
            },
        }
    },
    "/v1/cinemas": {
        "get": {
            "operationId": "listCinemas",
            "tags": ["agenda"],
            "summary": "Les cinémas, par nom : d'une commune ou de tout le territoire.",
            "parameters": [
                commune_parameter(),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}, "Taille de page."),
                CURSOR,
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Une page de cinémas.", "CinemaList", max_age=CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "400": problem_response("Paramètre invalide (commune, limit ou curseur)."),
                "404": problem_response("Code INSEE qui n'est pas celui d'une commune du territoire."),
            },
        }
    },
    "/v1/cinemas/{cinema_id}/sessions": {
        "get": {
            "operationId": "getCinemaSessions",
            "tags": ["agenda"],
            "summary": "Les films d'un jour dans un cinéma, avec leurs horaires.",
            "parameters": [
                {"name": "cinema_id", "in": "path", "required": True, "schema": {"type": "string"}},
                _query("date", {"type": "string", "format": "date"}, "AAAA-MM-JJ ; par défaut aujourd'hui (Paris)."),
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Les films du jour et leurs horaires.", "CinemaSessions", max_age=CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "400": problem_response("Date invalide."),
                "404": problem_response("Cinéma inconnu."),
            },
        }
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return {"paths": PATHS, "components": {"schemas": {**SCHEMAS, "Problem": PROBLEM_SCHEMA}}}
