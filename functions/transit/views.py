"""Stored items -> the public JSON shapes (documented in `openapi.py`). Times shown Europe/Paris."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from poche_common.clock import to_paris_iso
from transit_shared.merge import instant

ROUTE_TYPE_LABELS = {
    "tram": "Tramway",
    "metro": "Métro",
    "rail": "Train",
    "bus": "Bus",
    "ferry": "Bateau",
    "cable_tram": "Tramway à câble",
    "aerial_lift": "Téléphérique",
    "funicular": "Funiculaire",
    "trolleybus": "Trolleybus",
    "monorail": "Monorail",
    "coach": "Car",
}
LOCATION_TYPE_LABELS = {"stop": "Arrêt", "station": "Pôle d'échange (gare)"}
WHEELCHAIR_LABELS = {
    "accessible": "Accessible en fauteuil roulant",
    "not_accessible": "Non accessible en fauteuil roulant",
    "unknown": "Accessibilité inconnue",
}
OCCUPANCY_LABELS = {
    "empty": "Vide",
    "many_seats_available": "Nombreuses places assises",
    "few_seats_available": "Quelques places assises",
    "standing_room_only": "Places debout uniquement",
    "crushed_standing_room_only": "Très chargé",
    "full": "Complet",
    "not_accepting_passengers": "Ne prend plus de voyageurs",
    "no_data_available": "Affluence inconnue",
    "not_boardable": "Pas de montée possible",
}
STATUS_LABELS = {
    "incoming_at": "Arrive à l'arrêt",
    "stopped_at": "À l'arrêt",
    "in_transit_to": "En route vers l'arrêt",
}
CAUSE_LABELS = {
    "unknown_cause": "Cause inconnue",
    "other_cause": "Autre cause",
    "technical_problem": "Problème technique",
    "strike": "Grève",
    "demonstration": "Manifestation",
    "accident": "Accident",
    "holiday": "Jour férié",
    "weather": "Météo",
    "maintenance": "Maintenance",
    "construction": "Travaux",
    "police_activity": "Intervention de police",
    "medical_emergency": "Urgence médicale",
}
EFFECT_LABELS = {
    "no_service": "Service interrompu",
    "reduced_service": "Service réduit",
    "significant_delays": "Retards importants",
    "detour": "Déviation",
    "additional_service": "Service supplémentaire",
    "modified_service": "Service modifié",
    "other_effect": "Autre effet",
    "unknown_effect": "Effet inconnu",
    "stop_moved": "Arrêt déplacé",
    "no_effect": "Sans effet sur le service",
    "accessibility_issue": "Problème d'accessibilité",
}


def paris(value: Any) -> str | None:
    moment = instant(value)
    return to_paris_iso(moment) if moment is not None else None


def _color(value: Any) -> str | None:
    return f"#{value}" if isinstance(value, str) and re.fullmatch(r"[0-9A-F]{6}", value) else None


def stop_view(item: dict[str, Any], distance_m: float | None = None) -> dict[str, Any]:
    location_type = item.get("location_type", "stop")
    wheelchair = item.get("wheelchair_boarding") or "unknown"
    view: dict[str, Any] = {
        "stop_id": item["stop_id"],
        "name": item["name"],
        "lat": float(item["lat"]),
        "lon": float(item["lon"]),
        "code": item.get("code"),
        "location_type": location_type,
        "location_type_label": LOCATION_TYPE_LABELS.get(location_type, location_type),
        "parent_station": item.get("parent_station"),
        "platform_code": item.get("platform_code"),
        "wheelchair_boarding": wheelchair,
        "wheelchair_boarding_label": WHEELCHAIR_LABELS.get(wheelchair, wheelchair),
        "route_ids": list(item.get("route_ids", [])),
    }
    if distance_m is not None:
        view["distance_m"] = round(distance_m)
    return view


def route_view(item: dict[str, Any]) -> dict[str, Any]:
    kind = item.get("type", "bus")
    return {
        "route_id": item["route_id"],
        "short_name": item.get("short_name", ""),
        "long_name": item.get("long_name", ""),
        "type": kind,
        "type_label": ROUTE_TYPE_LABELS.get(kind, kind),
        "color": _color(item.get("color")),
        "text_color": _color(item.get("text_color")),
        "agency_name": item.get("agency_name", ""),
    }


def _number(value: Any) -> float | None:
    return None if value is None or isinstance(value, bool) else float(value)


def vehicle_view(item: dict[str, Any]) -> dict[str, Any]:
    occupancy = item.get("occupancy_status")
    status = item.get("current_status")
    return {
        "vehicle_id": item["vehicle_id"],
        "label": item.get("label"),
        "trip_id": item.get("trip_id"),
        "lat": float(item["lat"]),
        "lon": float(item["lon"]),
        "bearing": _number(item.get("bearing")),
        "speed": _number(item.get("speed")),
        "current_status": status,
        "current_status_label": STATUS_LABELS.get(status, status) if status else None,
        "stop_id": item.get("stop_id"),
        "occupancy_status": occupancy,
        "occupancy_label": OCCUPANCY_LABELS.get(occupancy, occupancy) if occupancy else None,
        "timestamp": paris(item.get("timestamp")),
    }


def alert_view(item: dict[str, Any]) -> dict[str, Any]:
    cause = item.get("cause") or "unknown_cause"
    effect = item.get("effect") or "unknown_effect"
    source, _, alert_id = str(item["sk"]).removeprefix("ALERT#").partition("#")
    informed_keys = ("route_id", "stop_id", "trip_id", "agency_id")
    return {
        "alert_id": alert_id or source,
        "source": source,
        "cause": cause,
        "cause_label": CAUSE_LABELS.get(cause, cause),
        "effect": effect,
        "effect_label": EFFECT_LABELS.get(effect, effect),
        "header": item.get("header") or "",
        "description": item.get("description") or "",
        "url": item.get("url"),
        "active_periods": [
            {"start": paris(period.get("start")), "end": paris(period.get("end"))}
            for period in item.get("active_periods") or []
        ],
        "informed": [
            {key: entity.get(key) for key in informed_keys if entity.get(key)} for entity in item.get("informed") or []
        ],
    }


def alert_active(item: dict[str, Any], now: dt.datetime) -> bool:
    """Active now: no period at all, or a period that has begun and not ended."""
    periods = item.get("active_periods") or []
    if not periods:
        return True
    for period in periods:
        start, end = instant(period.get("start")), instant(period.get("end"))
        if (start is None or start <= now) and (end is None or now < end):
            return True
    return False


def alert_concerns(item: dict[str, Any], route_id: str | None, stop_id: str | None) -> bool:
    """Whether an alert is about that route and/or stop; an alert about the whole network concerns all."""
    informed = item.get("informed") or []
    network_wide = not informed or any(
        not any(entity.get(key) for key in ("route_id", "stop_id", "trip_id")) for entity in informed
    )
    if network_wide:
        return True
    if route_id is not None and not any(entity.get("route_id") == route_id for entity in informed):
        return False
    return stop_id is None or any(entity.get("stop_id") == stop_id for entity in informed)


def newest(values: list[Any]) -> dt.datetime | None:
    moments = [m for m in (instant(v) for v in values) if m is not None]
    return max(moments) if moments else None
