"""OpenAPI description of the traffic service's routes (merged into the API's document)."""

from __future__ import annotations

from typing import Any

from poche_common.openapi import (
    CURSOR,
    FRESHNESS_PROPERTIES,
    IF_NONE_MATCH,
    LATITUDE_PATTERN,
    LONGITUDE_PATTERN,
    NOT_MODIFIED,
    PROBLEM_SCHEMA,
    commune_parameter,
    json_ok,
    problem_response,
    query_parameter,
)

from .policy import CACHE_SECONDS, MAX_BBOX_DEGREES

_POSITION = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}

SCHEMAS: dict[str, Any] = {
    "TrafficLocation": {
        "type": "object",
        "required": ["type", "point"],
        "properties": {
            "type": {"type": "string", "enum": ["point", "line"]},
            "point": {
                "type": "object",
                "description": "Où placer un repère : le point, ou pour une ligne le point d'affichage donné par "
                "l'exploitant (à défaut son milieu).",
                "required": ["lat", "lon"],
                "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
            },
            "coordinates": {
                "type": "array",
                "description": "Pour une ligne : ses positions [lon, lat] dans l'ordre (comme GeoJSON).",
                "items": _POSITION,
                "minItems": 2,
            },
        },
    },
    "TrafficEvent": {
        "type": "object",
        "required": [
            "id",
            "type",
            "type_label",
            "severity",
            "severity_label",
            "description",
            "road",
            "start",
            "end",
            "active",
            "location",
            "communes",
        ],
        "properties": {
            "id": {"type": "string", "description": "« <situation>:<enregistrement> » de la publication DATEX II."},
            "type": {
                "type": "string",
                "enum": [
                    "roadworks",
                    "closure",
                    "restriction",
                    "accident",
                    "weather",
                    "congestion",
                    "obstruction",
                    "event",
                    "other",
                ],
            },
            "type_label": {"type": "string"},
            "severity": {
                "type": "string",
                "enum": ["highest", "high", "medium", "low", "lowest", "none", "unknown"],
            },
            "severity_label": {"type": "string"},
            "description": {"type": "string", "description": "En français, pour une personne."},
            "road": {"type": ["string", "null"], "description": "Numéro de la route (N12, D438, A28) s'il est donné."},
            "start": {"type": "string", "format": "date-time", "description": "Depuis quand (Europe/Paris)."},
            "end": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "Jusqu'à quand (Europe/Paris) ; null : jusqu'à nouvel ordre.",
            },
            "active": {"type": "boolean", "description": "En vigueur à l'instant de la réponse."},
            "location": {"$ref": "#/components/schemas/TrafficLocation"},
            "communes": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Codes INSEE des communes du département touchées.",
            },
        },
    },
    "TrafficEventList": {
        "type": "object",
        "required": ["items", "next", "as_of", "stale"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/TrafficEvent"}},
            "next": {"type": ["string", "null"], "description": "Curseur opaque de la page suivante."},
            **FRESHNESS_PROPERTIES,
        },
    },
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return query_parameter(name, schema, description)


PATHS: dict[str, Any] = {
    "/v1/traffic/events": {
        "get": {
            "operationId": "listTrafficEvents",
            "tags": ["circulation"],
            "summary": "Travaux, fermetures, accidents, intempéries… sur les routes, le début le plus récent d'abord.",
            "description": "Sans `commune` ni `bbox` : tout le département. Avec les deux : les événements de la "
            "commune qui touchent aussi la zone.",
            "parameters": [
                commune_parameter(),
                _query(
                    "bbox",
                    {
                        "type": "string",
                        "pattern": f"^{LONGITUDE_PATTERN},{LATITUDE_PATTERN},{LONGITUDE_PATTERN},{LATITUDE_PATTERN}$",
                        "example": "0.05,48.40,0.15,48.46",
                    },
                    f"Zone min_lon,min_lat,max_lon,max_lat (WGS84), au plus {MAX_BBOX_DEGREES:g} degré de côté : "
                    "les événements dont le point ou la ligne la touche.",
                ),
                _query(
                    "active",
                    {"type": "boolean", "default": True},
                    "true : seulement ce qui est en vigueur maintenant ; false : aussi ce qui est terminé ou à venir.",
                ),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}, "Taille de page."),
                CURSOR,
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Une page d'événements.", "TrafficEventList", max_age=CACHE_SECONDS),
                "304": NOT_MODIFIED,
                "400": problem_response("Paramètre invalide (commune, bbox, active, limit ou curseur)."),
                "404": problem_response("Code INSEE qui n'est pas celui d'une commune du département."),
            },
        }
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return {"paths": PATHS, "components": {"schemas": {**SCHEMAS, "Problem": PROBLEM_SCHEMA}}}
