"""Stored event profiles -> the public JSON shape of a traffic event (documented in `functions/traffic/openapi.py`).

Used by the service (`GET /v1/traffic/events`) and by the connector for the `traffic` tile projections, so both
show an event the same way.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from poche_common.clock import parse_iso, to_paris_iso


def is_active(status: str, start: str, end: str | None, now: dt.datetime) -> bool:
    """In force at `now`: never when suspended or past its end; `active` from the moment the operator says
    so; `planned` and time-defined events from their start. (Same rule as the connector's model.)"""
    if status == "suspended":
        return False
    if end is not None and now >= parse_iso(end):
        return False
    return status == "active" or parse_iso(start) <= now


def geometry_of(item: dict[str, Any]) -> dict[str, Any]:
    geometry: dict[str, Any] = json.loads(item["geometry"])
    return geometry


def location_view(item: dict[str, Any]) -> dict[str, Any]:
    geometry = geometry_of(item)
    display = geometry["display"]
    location: dict[str, Any] = {"type": geometry["kind"], "point": {"lat": display[1], "lon": display[0]}}
    if geometry["kind"] == "line":
        location["coordinates"] = [[p[0], p[1]] for p in geometry["positions"]]
    return location


def event_view(item: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {
        "id": item["id"],
        "type": item["type"],
        "type_label": item.get("type_label", item["type"]),
        "severity": item["severity"],
        "severity_label": item.get("severity_label", item["severity"]),
        "description": item["description"],
        "road": item.get("road"),
        "start": to_paris_iso(item["start"]),
        "end": to_paris_iso(item["end"]) if item.get("end") else None,
        "active": is_active(item["status"], item["start"], item.get("end"), now),
        "location": location_view(item),
        "communes": list(item.get("communes", [])),
    }
