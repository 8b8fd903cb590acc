"""OpenAPI description of the agenda service's routes (merged into the API's document)."""

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
    problem_response,
    query_parameter,
)

from .policy import (
    ACCESSIBILITY,
    CACHE_SECONDS,
    CATEGORIES,
    CINEMA_ACCESSIBILITY,
    CINEMA_VERSIONS,
    DETAIL_OCCURRENCES,
    MAX_RANGE_DAYS,
    STATUSES,
)

_NULLABLE_STRING = {"type": ["string", "null"]}
_EVENT_PROPERTIES: dict[str, Any] = {
    "event_id": {"type": "string", "description": "« <source>:<identifiant> », par exemple openagenda:8001."},
    "title": {"type": "string"},
    "summary": {**_NULLABLE_STRING, "description": "Description courte, texte brut."},
    "categories": {"type": "array", "items": {"type": "string", "enum": list(CATEGORIES)}, "minItems": 1},
    "category_labels": {"type": "array", "items": {"type": "string"}},
    "status": {"type": "string", "enum": list(STATUSES)},
    "status_label": {"type": "string"},
    "free": {"type": "boolean", "description": "Gratuit ou entrée libre (sans montant en euros)."},
    "price": {**_NULLABLE_STRING, "description": "Conditions tarifaires, texte de la source."},
    "age": {
        "type": "object",
        "required": ["min", "max"],
        "properties": {"min": {"type": ["integer", "null"]}, "max": {"type": ["integer", "null"]}},
    },
    "accessibility": {
        "type": "array",
        "items": {"type": "string", "enum": list(ACCESSIBILITY)},
        "description": "Accessible aux personnes en situation de handicap auditif (hearing), visuel (visual), "
        "moteur (motor), psychique (psychic), intellectuel (intellectual).",
    },
    "location": {
        "type": "object",
        "required": ["name", "address", "commune", "lat", "lon"],
        "properties": {
            "name": _NULLABLE_STRING,
            "address": _NULLABLE_STRING,
            "commune": {**_NULLABLE_STRING, "description": "Code INSEE."},
            "lat": {"type": ["number", "null"]},
            "lon": {"type": ["number", "null"]},
        },
    },
    "url": {**_NULLABLE_STRING, "description": "Page de l'événement chez la source."},
    "image": _NULLABLE_STRING,
}
_EVENT_REQUIRED = list(_EVENT_PROPERTIES)
_TIME = {"type": "string", "format": "date-time", "description": "Europe/Paris, avec décalage."}

SCHEMAS: dict[str, Any] = {
    "AgendaOccurrence": {
        "type": "object",
        "description": "Un événement à l'une de ses dates.",
        "required": [*_EVENT_REQUIRED, "begin", "end"],
        "properties": {**_EVENT_PROPERTIES, "begin": _TIME, "end": _TIME},
    },
    "AgendaOccurrenceList": {
        "type": "object",
        "required": ["items", "next", "as_of", "stale"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/AgendaOccurrence"}},
            "next": {"type": ["string", "null"], "description": "Curseur opaque de la page suivante."},
            **FRESHNESS_PROPERTIES,
        },
    },
    "AgendaEvent": {
        "type": "object",
        "required": [*_EVENT_REQUIRED, "description", "keywords", "source", "occurrences", "as_of", "stale"],
        "properties": {
            **_EVENT_PROPERTIES,
            "description": {**_NULLABLE_STRING, "description": "Description longue, texte brut."},
            "keywords": {"type": "array", "items": {"type": "string"}},
            "source": {"type": "string", "description": "openagenda, ..."},
            "occurrences": {
                "type": "array",
                "maxItems": DETAIL_OCCURRENCES,
                "description": f"Les {DETAIL_OCCURRENCES} prochaines dates (pas encore terminées).",
                "items": {
                    "type": "object",
                    "required": ["begin", "end"],
                    "properties": {"begin": _TIME, "end": _TIME},
                },
            },
            **FRESHNESS_PROPERTIES,
        },
    },
}
_CINEMA_PROPERTIES: dict[str, Any] = {
    "cinema_id": {
        "type": "string",
        "description": "Identifiant court donné par le cinéma, par exemple planet-alencon.",
    },
    "name": {"type": "string"},
    "commune": {"type": "string", "description": "Code INSEE."},
}
SCHEMAS.update(
    {
        "Cinema": {"type": "object", "required": list(_CINEMA_PROPERTIES), "properties": _CINEMA_PROPERTIES},
        "CinemaList": {
            "type": "object",
            "required": ["items", "next", "as_of", "stale"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Cinema"}},
                "next": {"type": ["string", "null"], "description": "Curseur opaque de la page suivante."},
                **FRESHNESS_PROPERTIES,
            },
        },
        "CinemaFilm": {
            "type": "object",
            "description": "Un film du jour dans une version, avec ses horaires.",
            "required": ["film_title", "version", "accessibility", "duration_min", "rating", "times"],
            "properties": {
                "film_title": {"type": "string"},
                "version": {"type": "string", "enum": list(CINEMA_VERSIONS)},
                "accessibility": {
                    "type": "array",
                    "items": {"type": "string", "enum": list(CINEMA_ACCESSIBILITY)},
                    "description": "audiodescription, sous_titres_sourds (sourds et malentendants), pmr (fauteuil).",
                },
                "duration_min": {"type": ["integer", "null"]},
                "rating": {**_NULLABLE_STRING, "description": "tous publics, -10, -12, -16, -18."},
                "times": {"type": "array", "items": _TIME, "minItems": 1},
            },
        },
        "CinemaSessions": {
            "type": "object",
            "required": [*_CINEMA_PROPERTIES, "date", "items", "next", "as_of", "stale"],
            "properties": {
                **_CINEMA_PROPERTIES,
                "date": {"type": "string", "format": "date"},
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/CinemaFilm"}},
                "next": {"type": "null"},
                **FRESHNESS_PROPERTIES,
            },
        },
    }
)


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
