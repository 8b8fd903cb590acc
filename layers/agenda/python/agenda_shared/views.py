"""Stored occurrence and profile items -> the public JSON shape of an event (documented in
`functions/agenda/openapi.py`).

Used by the service (`GET /v1/events`, `/v1/events/{id}`) and by the event connectors for the `events` tile
projections, so both show an occurrence the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from poche_common.clock import to_paris_iso

from .vocabulary import CATEGORIES, STATUS_LABELS


def alive(item: dict[str, Any], now: dt.datetime) -> bool:
    """Not yet expired (DynamoDB's TTL deletes within days, not at the second)."""
    expires = item.get("expires_at")
    return expires is None or int(expires) > now.timestamp()


def _location(raw: Any) -> dict[str, Any]:
    raw = raw if isinstance(raw, dict) else {}
    return {key: raw.get(key) for key in ("name", "address", "commune", "lat", "lon")}


def event_view(item: dict[str, Any]) -> dict[str, Any]:
    """The fields shared by a list item and the detail."""
    age_raw = item.get("age")
    age: dict[str, Any] = age_raw if isinstance(age_raw, dict) else {}
    status = str(item.get("status", "scheduled"))
    return {
        "event_id": item["event_id"],
        "title": item["title"],
        "summary": item.get("summary"),
        "categories": list(item.get("categories", [])),
        "category_labels": [CATEGORIES.get(c, c) for c in item.get("categories", [])],
        "status": status,
        "status_label": STATUS_LABELS.get(status, status),
        "free": bool(item.get("free", False)),
        "price": item.get("price"),
        "age": {"min": age.get("min"), "max": age.get("max")},
        "accessibility": list(item.get("accessibility", [])),
        "location": _location(item.get("location")),
        "url": item.get("url"),
        "image": item.get("image"),
    }


def occurrence_view(item: dict[str, Any]) -> dict[str, Any]:
    """A list item: the event at one of its occurrences."""
    return {**event_view(item), "begin": to_paris_iso(item["begin"]), "end": to_paris_iso(item["end"])}
