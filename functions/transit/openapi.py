"""OpenAPI description of the transit service's routes: each route declared once, its shapes generated
from `models.py` (merged into the API's document)."""

from __future__ import annotations

from functools import partial
from typing import Any

from poche_common import openapi as spec

from . import policy
from .models import MODELS

SCHEMAS: dict[str, Any] = spec.component_schemas(*MODELS)

# What the handler accepts: GTFS ids are free text, 1 to 255 characters, no control character nor '#'.
_GTFS_ID = {"type": "string", "pattern": "^[^\\u0000-\\u001f#]{1,255}$"}
_NEAR = spec.NEAR_SCHEMA
_STOPS_QUERY = [
    spec.query_parameter(
        "near",
        _NEAR,
        "Position `latitude,longitude` (WGS84), par exemple 48.4329,0.0913 ; latitude entre "
        f"-{policy.MAX_NEAR_LATITUDE} et {policy.MAX_NEAR_LATITUDE}.",
    ),
    spec.query_parameter(
        "radius",
        {"type": "integer", "minimum": 1, "maximum": policy.MAX_RADIUS_M},
        f"Rayon en mètres autour de `near` (défaut {policy.DEFAULT_RADIUS_M}, au plus {policy.MAX_RADIUS_M}).",
    ),
    spec.query_parameter(
        "q",
        {"type": "string", "minLength": policy.MIN_QUERY_CHARS, "maxLength": policy.MAX_QUERY_CHARS},
        "Début du nom de l'arrêt, sans souci des accents ni des majuscules "
        f"(au moins {policy.MIN_QUERY_CHARS} caractères). Exclut `near`.",
    ),
]
_STOP_ID = spec.path_parameter(
    "stop_id", _GTFS_ID, "Identifiant GTFS de l'arrêt (ou du pôle), tel que renvoyé par /v1/transit/stops."
)
_ROUTE_ID = spec.path_parameter(
    "route_id", _GTFS_ID, "Identifiant GTFS de la ligne, tel que renvoyé par /v1/transit/routes."
)
_PAGE = spec.page_parameters()
_static = partial(spec.cached_get, tag="transports", max_age=policy.CACHE_STATIC_SECONDS)
_realtime = partial(spec.cached_get, tag="transports", max_age=policy.CACHE_REALTIME_SECONDS)


def _gtfs_query(name: str, description: str) -> dict[str, Any]:
    return spec.query_parameter(name, _GTFS_ID, description)


PATHS: dict[str, Any] = {
    "/v1/transit/stops": _static(
        "listTransitStops",
        "Les arrêts : autour d'une position (les plus proches d'abord), par nom, ou tous.",
        ("Une page d'arrêts.", "TransitStopList"),
        {"400": "Paramètre invalide (near, radius, q, limit ou curseur), ou near avec q."},
        parameters=[*_STOPS_QUERY, *_PAGE],
    ),
    "/v1/transit/stops/{stop_id}/departures": _realtime(
        "listTransitDepartures",
        "Les prochains départs d'un arrêt : l'horaire théorique complété par le temps réel.",
        ("Les prochains départs.", "TransitDepartureList"),
        {"400": "Paramètre invalide (route, limit ou curseur).", "404": "Arrêt inconnu."},
        description="Sans information temps réel récente, un départ suit l'horaire théorique et porte "
        "`realtime: false`. Un pôle (station) liste les départs de tous ses quais.",
        parameters=[
            _STOP_ID,
            _gtfs_query("route", "Seulement les départs de cette ligne (route_id)."),
            *spec.page_parameters(policy.DEPARTURES_DEFAULT_LIMIT, policy.DEPARTURES_MAX_LIMIT),
        ],
    ),
    "/v1/transit/routes": _static(
        "listTransitRoutes",
        "Les lignes du réseau.",
        ("Une page de lignes.", "TransitRouteList"),
        {"400": "Paramètre invalide (limit ou curseur)."},
        parameters=_PAGE,
    ),
    "/v1/transit/routes/{route_id}/vehicles": _realtime(
        "listTransitVehicles",
        "La position des véhicules d'une ligne (temps réel).",
        ("Les véhicules en service sur la ligne.", "TransitVehicleList"),
        {"400": "Paramètre invalide (limit ou curseur).", "404": "Ligne inconnue."},
        parameters=[_ROUTE_ID, *_PAGE],
    ),
    "/v1/transit/alerts": _realtime(
        "listTransitAlerts",
        "Les perturbations en cours, d'une ligne ou d'un arrêt si demandé.",
        ("Les alertes actives.", "TransitAlertList"),
        {"400": "Paramètre invalide (route, stop, limit ou curseur)."},
        description="Une alerte concernant tout le réseau apparaît quel que soit le filtre.",
        parameters=[
            _gtfs_query("route", "Seulement les alertes concernant cette ligne (route_id)."),
            _gtfs_query("stop", "Seulement les alertes concernant cet arrêt (stop_id)."),
            *_PAGE,
        ],
    ),
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths and component schemas."""
    return spec.service_document(PATHS, SCHEMAS)
