"""OpenAPI description of the transit service's routes (merged into the API's document)."""

from __future__ import annotations

from typing import Any

from poche_common.openapi import (
    CURSOR,
    FRESHNESS_PROPERTIES,
    IF_NONE_MATCH,
    LONGITUDE_PATTERN,
    NOT_MODIFIED,
    PROBLEM_SCHEMA,
    json_ok,
    problem_response,
    query_parameter,
)

from . import policy
from .views import (
    CAUSE_LABELS,
    EFFECT_LABELS,
    LOCATION_TYPE_LABELS,
    OCCUPANCY_LABELS,
    ROUTE_TYPE_LABELS,
    STATUS_LABELS,
    WHEELCHAIR_LABELS,
)

_STRING_OR_NULL = {"type": ["string", "null"]}
_TIME = {"type": "string", "format": "date-time", "description": "Europe/Paris, avec décalage."}
_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
_NEXT = {"type": ["string", "null"], "description": "Curseur opaque de la page suivante."}


def _codes(codes: dict[str, str], description: str, *, nullable: bool = False) -> dict[str, Any]:
    values: list[Any] = sorted(codes)
    return {
        "type": ["string", "null"] if nullable else "string",
        "enum": [*values, None] if nullable else values,
        "description": description,
    }


def _list_of(item_ref: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "next", "as_of", "stale", *extra],
        "properties": {
            **extra,
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item_ref}"}},
            "next": _NEXT,
            **FRESHNESS_PROPERTIES,
        },
    }


SCHEMAS: dict[str, Any] = {
    "TransitStop": {
        "type": "object",
        "required": [
            "stop_id",
            "name",
            "lat",
            "lon",
            "code",
            "location_type",
            "location_type_label",
            "parent_station",
            "platform_code",
            "wheelchair_boarding",
            "wheelchair_boarding_label",
            "route_ids",
        ],
        "properties": {
            "stop_id": {"type": "string", "description": "Identifiant GTFS (stop_id)."},
            "name": {"type": "string"},
            "lat": {"type": "number"},
            "lon": {"type": "number"},
            "code": {**_STRING_OR_NULL, "description": "Code affiché à l'arrêt (stop_code)."},
            "location_type": _codes(
                LOCATION_TYPE_LABELS, "stop : point d'arrêt ; station : pôle regroupant des quais."
            ),
            "location_type_label": {"type": "string"},
            "parent_station": {**_STRING_OR_NULL, "description": "Le pôle (station) dont ce quai fait partie."},
            "platform_code": _STRING_OR_NULL,
            "wheelchair_boarding": _codes(WHEELCHAIR_LABELS, "Accessibilité en fauteuil roulant."),
            "wheelchair_boarding_label": {"type": "string"},
            "route_ids": {"type": "array", "items": {"type": "string"}, "description": "Lignes desservant l'arrêt."},
            "distance_m": {
                "type": "integer",
                "description": "Distance en mètres depuis la position `near` (recherche par proximité seulement).",
            },
        },
    },
    "TransitRoute": {
        "type": "object",
        "required": ["route_id", "short_name", "long_name", "type", "type_label", "color", "text_color", "agency_name"],
        "properties": {
            "route_id": {"type": "string"},
            "short_name": {"type": "string"},
            "long_name": {"type": "string"},
            "type": _codes(ROUTE_TYPE_LABELS, "Mode de transport."),
            "type_label": {"type": "string"},
            "color": {**_STRING_OR_NULL, "pattern": "^#[0-9A-F]{6}$"},
            "text_color": {**_STRING_OR_NULL, "pattern": "^#[0-9A-F]{6}$"},
            "agency_name": {"type": "string"},
        },
    },
    "TransitDeparture": {
        "type": "object",
        "required": [
            "route_id",
            "route_short_name",
            "headsign",
            "trip_id",
            "stop_id",
            "scheduled",
            "expected",
            "delay_s",
            "realtime",
            "cancelled",
        ],
        "properties": {
            "route_id": {"type": "string"},
            "route_short_name": {"type": "string"},
            "headsign": {"type": "string", "description": "Destination affichée."},
            "trip_id": {"type": "string"},
            "stop_id": {
                "type": ["string", "null"],
                "description": "Le quai de départ (utile quand l'arrêt demandé est un pôle).",
            },
            "scheduled": {**_TIME, "description": "Heure prévue par l'horaire théorique (Europe/Paris)."},
            "expected": {
                **_TIME,
                "description": "Heure attendue selon le temps réel ; l'heure théorique quand `realtime` est faux.",
            },
            "delay_s": {"type": ["integer", "null"], "description": "Retard en secondes (négatif : en avance)."},
            "realtime": {"type": "boolean", "description": "Faux : horaire théorique, sans information temps réel."},
            "cancelled": {"type": "boolean", "description": "Course supprimée ou arrêt non desservi."},
        },
    },
    "TransitDepartureList": {
        "type": "object",
        "required": ["stop", "items", "next", "as_of", "stale", "realtime_as_of"],
        "properties": {
            "stop": {
                "type": "object",
                "required": ["stop_id", "name"],
                "properties": {"stop_id": {"type": "string"}, "name": {"type": "string"}},
            },
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/TransitDeparture"}},
            "next": _NEXT,
            **FRESHNESS_PROPERTIES,
            "realtime_as_of": {
                **_TIME_OR_NULL,
                "description": "Horodatage du flux temps réel le plus récent utilisé ; null sans temps réel.",
            },
        },
    },
    "TransitVehicle": {
        "type": "object",
        "required": ["vehicle_id", "lat", "lon", "timestamp"],
        "properties": {
            "vehicle_id": {"type": "string"},
            "label": _STRING_OR_NULL,
            "trip_id": _STRING_OR_NULL,
            "lat": {"type": "number"},
            "lon": {"type": "number"},
            "bearing": {"type": ["number", "null"], "description": "Cap en degrés, 0 = nord, sens horaire."},
            "speed": {"type": ["number", "null"], "description": "Vitesse en mètres par seconde."},
            "current_status": _codes(STATUS_LABELS, "Position par rapport à l'arrêt.", nullable=True),
            "current_status_label": _STRING_OR_NULL,
            "stop_id": _STRING_OR_NULL,
            "occupancy_status": _codes(OCCUPANCY_LABELS, "Affluence, quand le flux la donne.", nullable=True),
            "occupancy_label": _STRING_OR_NULL,
            "timestamp": {**_TIME_OR_NULL, "description": "Quand la position a été relevée."},
        },
    },
    "TransitAlert": {
        "type": "object",
        "required": ["alert_id", "source", "cause", "effect", "header", "description", "active_periods", "informed"],
        "properties": {
            "alert_id": {"type": "string"},
            "source": {"type": "string"},
            "cause": {"type": "string", "description": "Code : " + ", ".join(sorted(CAUSE_LABELS)) + "."},
            "cause_label": {"type": "string"},
            "effect": {"type": "string", "description": "Code : " + ", ".join(sorted(EFFECT_LABELS)) + "."},
            "effect_label": {"type": "string"},
            "header": {"type": "string", "description": "Titre, en français."},
            "description": {"type": "string", "description": "Texte, en français."},
            "url": _STRING_OR_NULL,
            "active_periods": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["start", "end"],
                    "properties": {"start": _TIME_OR_NULL, "end": _TIME_OR_NULL},
                },
            },
            "informed": {
                "type": "array",
                "description": "Ce que l'alerte concerne (ligne, arrêt, course, réseau).",
                "items": {
                    "type": "object",
                    "properties": {
                        "route_id": {"type": "string"},
                        "stop_id": {"type": "string"},
                        "trip_id": {"type": "string"},
                        "agency_id": {"type": "string"},
                    },
                },
            },
        },
    },
    "TransitStopList": _list_of("TransitStop"),
    "TransitRouteList": _list_of("TransitRoute"),
    "TransitVehicleList": _list_of("TransitVehicle", route={"$ref": "#/components/schemas/TransitRoute"}),
    "TransitAlertList": _list_of("TransitAlert"),
}


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
