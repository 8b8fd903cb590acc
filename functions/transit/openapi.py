"""OpenAPI description of the transit service's routes: each route declared once, its shapes generated
from `models.py` (merged into the API's document)."""

from __future__ import annotations

from typing import Any

from poche_common.openapi import (
    CURSOR,
    IF_NONE_MATCH,
    LONGITUDE_PATTERN,
    NOT_MODIFIED,
    PROBLEM_SCHEMA,
    component_schemas,
    json_ok,
    problem_response,
    query_parameter,
)

from . import policy
from .models import MODELS

SCHEMAS: dict[str, Any] = component_schemas(*MODELS)


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return query_parameter(name, schema or {"type": "string"}, description)


def _limit(default: int, maximum: int) -> dict[str, Any]:
    return _query(
        "limit",
        f"Nombre d'éléments par page (1 à {maximum}).",
        {"type": "integer", "minimum": 1, "maximum": maximum, "default": default},
    )


_CURSOR = CURSOR
# What the handler accepts: GTFS ids are free text, 1 to 255 characters, no control character nor '#'.
_GTFS_ID = {"type": "string", "pattern": "^[^\\u0000-\\u001f#]{1,255}$"}
# latitude,longitude in decimal degrees, latitude within -85..85 (policy.MAX_NEAR_LATITUDE), longitude -180..180.
_NEAR = {
    "type": "string",
    "pattern": f"^-?(0?85(\\.0+)?|0?8[0-4](\\.[0-9]+)?|0?[0-7]?[0-9](\\.[0-9]+)?),{LONGITUDE_PATTERN}$",
    "example": "48.4329,0.0913",
}
_STOP_ID = {
    "name": "stop_id",
    "in": "path",
    "required": True,
    "schema": _GTFS_ID,
    "description": "Identifiant GTFS de l'arrêt (ou du pôle), tel que renvoyé par /v1/transit/stops.",
}
_ROUTE_ID = {
    "name": "route_id",
    "in": "path",
    "required": True,
    "schema": _GTFS_ID,
    "description": "Identifiant GTFS de la ligne, tel que renvoyé par /v1/transit/routes.",
}
_REALTIME = policy.CACHE_REALTIME_SECONDS
_STATIC = policy.CACHE_STATIC_SECONDS

PATHS: dict[str, Any] = {
    "/v1/transit/stops": {
        "get": {
            "operationId": "listTransitStops",
            "tags": ["transports"],
            "summary": "Les arrêts : autour d'une position (les plus proches d'abord), par nom, ou tous.",
            "parameters": [
                _query(
                    "near",
                    "Position `latitude,longitude` (WGS84), par exemple 48.4329,0.0913 ; latitude entre "
                    f"-{policy.MAX_NEAR_LATITUDE} et {policy.MAX_NEAR_LATITUDE}.",
                    _NEAR,
                ),
                _query(
                    "radius",
                    f"Rayon en mètres autour de `near` (défaut {policy.DEFAULT_RADIUS_M}, "
                    f"au plus {policy.MAX_RADIUS_M}).",
                    {"type": "integer", "minimum": 1, "maximum": policy.MAX_RADIUS_M},
                ),
                _query(
                    "q",
                    f"Début du nom de l'arrêt, sans souci des accents ni des majuscules "
                    f"(au moins {policy.MIN_QUERY_CHARS} caractères). Exclut `near`.",
                ),
                _limit(50, 100),
                _CURSOR,
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Une page d'arrêts.", "TransitStopList", max_age=_STATIC),
                "304": NOT_MODIFIED,
                "400": problem_response("Paramètre invalide (near, radius, q, limit ou curseur), ou near avec q."),
            },
        }
    },
    "/v1/transit/stops/{stop_id}/departures": {
        "get": {
            "operationId": "listTransitDepartures",
            "tags": ["transports"],
            "summary": "Les prochains départs d'un arrêt : l'horaire théorique complété par le temps réel.",
            "description": "Sans information temps réel récente, un départ suit l'horaire théorique et porte "
            "`realtime: false`. Un pôle (station) liste les départs de tous ses quais.",
            "parameters": [
                _STOP_ID,
                _query("route", "Seulement les départs de cette ligne (route_id).", _GTFS_ID),
                _limit(policy.DEPARTURES_DEFAULT_LIMIT, policy.DEPARTURES_MAX_LIMIT),
                _CURSOR,
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Les prochains départs.", "TransitDepartureList", max_age=_REALTIME),
                "304": NOT_MODIFIED,
                "400": problem_response("Paramètre invalide (route, limit ou curseur)."),
                "404": problem_response("Arrêt inconnu."),
            },
        }
    },
    "/v1/transit/routes": {
        "get": {
            "operationId": "listTransitRoutes",
            "tags": ["transports"],
            "summary": "Les lignes du réseau.",
            "parameters": [_limit(50, 100), _CURSOR, IF_NONE_MATCH],
            "responses": {
                "200": json_ok("Une page de lignes.", "TransitRouteList", max_age=_STATIC),
                "304": NOT_MODIFIED,
                "400": problem_response("Paramètre invalide (limit ou curseur)."),
            },
        }
    },
    "/v1/transit/routes/{route_id}/vehicles": {
        "get": {
            "operationId": "listTransitVehicles",
            "tags": ["transports"],
            "summary": "La position des véhicules d'une ligne (temps réel).",
            "parameters": [_ROUTE_ID, _limit(50, 100), _CURSOR, IF_NONE_MATCH],
            "responses": {
                "200": json_ok("Les véhicules en service sur la ligne.", "TransitVehicleList", max_age=_REALTIME),
                "304": NOT_MODIFIED,
                "400": problem_response("Paramètre invalide (limit ou curseur)."),
                "404": problem_response("Ligne inconnue."),
            },
        }
    },
    "/v1/transit/alerts": {
        "get": {
            "operationId": "listTransitAlerts",
            "tags": ["transports"],
            "summary": "Les perturbations en cours, d'une ligne ou d'un arrêt si demandé.",
            "description": "Une alerte concernant tout le réseau apparaît quel que soit le filtre.",
            "parameters": [
                _query("route", "Seulement les alertes concernant cette ligne (route_id).", _GTFS_ID),
                _query("stop", "Seulement les alertes concernant cet arrêt (stop_id).", _GTFS_ID),
                _limit(50, 100),
                _CURSOR,
                IF_NONE_MATCH,
            ],
            "responses": {
                "200": json_ok("Les alertes actives.", "TransitAlertList", max_age=_REALTIME),
                "304": NOT_MODIFIED,
                "400": problem_response("Paramètre invalide (route, stop, limit ou curseur)."),
            },
        }
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return {"paths": PATHS, "components": {"schemas": {**SCHEMAS, "Problem": PROBLEM_SCHEMA}}}
