"""OpenAPI description of the traffic service's routes: each route declared once, its shapes generated
from `models.py` (merged into the API's document)."""

from __future__ import annotations

from typing import Any

from poche_common.openapi import (
    CURSOR,
    IF_NONE_MATCH,
    LATITUDE_PATTERN,
    LONGITUDE_PATTERN,
    NOT_MODIFIED,
    PROBLEM_SCHEMA,
    commune_parameter,
    component_schemas,
    json_ok,
    problem_response,
    query_parameter,
)

from .models import MODELS
from .policy import CACHE_SECONDS, MAX_BBOX_DEGREES

SCHEMAS: dict[str, Any] = component_schemas(*MODELS)


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
