"""Stored items -> the public JSON shapes (documented in `openapi.py`), and the filters applied in code."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from poche_common.clock import parse_iso, to_paris_iso, utc_now

from .policy import CATEGORIES

STATUS_LABELS = {
    "scheduled": "Programmé",
    "rescheduled": "Reprogrammé",
    "moved_online": "Déplacé en ligne",
    "postponed": "Reporté",
    "full": "Complet",
    "cancelled": "Annulé",
}


def fold(text: str) -> str:
    """Search form: lower case, no accents, ligatures expanded, anything but letters and digits -> one space."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def alive(item: dict[str, Any], now: dt.datetime) -> bool:
    """Not yet expired (DynamoDB's TTL deletes within days, not at the second)."""
    expires = item.get("expires_at")
    return expires is None or int(expires) > now.timestamp()


def matches(item: dict[str, Any], category: str | None, folded_q: str | None) -> bool:
    if category is not None and category not in item.get("categories", []):
        return False
    return folded_q is None or folded_q in fold(str(item.get("title", "")))


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


def detail_view(profile: dict[str, Any], occurrences: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **event_view(profile),
        "description": profile.get("description"),
        "keywords": list(profile.get("keywords", [])),
        "source": profile.get("source"),
        "occurrences": [{"begin": to_paris_iso(o["begin"]), "end": to_paris_iso(o["end"])} for o in occurrences],
    }


def freshness(fetched_at: str | None, stale_after_s: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """`as_of` (Europe/Paris) and `stale`: never fetched, or not refreshed for too long."""
    if fetched_at is None:
        return {"as_of": None, "stale": True}
    age = ((now or utc_now()) - parse_iso(fetched_at)).total_seconds()
    return {"as_of": to_paris_iso(fetched_at), "stale": age > stale_after_s}


def cinema_view(item: dict[str, Any]) -> dict[str, Any]:
    return {"cinema_id": item["cinema_id"], "name": item["name"], "commune": item["commune"]}


def films_view(sessions: list[dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    """Sessions of a day grouped by film (title, version, accessibility, duration, rating), each with its start
    times (Paris); films in order of their first session, then title."""
    films: dict[tuple[Any, ...], dict[str, Any]] = {}
    for item in sorted(sessions, key=lambda i: (str(i["start"]), str(i["film_title"]))):
        if not alive(item, now):
            continue
        accessibility = sorted(str(a) for a in item.get("accessibility") or [])
        duration = item.get("duration_min")
        key = (item["film_title"], item["version"], tuple(accessibility), duration, item.get("rating"))
        film = films.setdefault(
            key,
            {
                "film_title": item["film_title"],
                "version": item["version"],
                "accessibility": accessibility,
                "duration_min": int(duration) if duration is not None else None,
                "rating": item.get("rating"),
                "times": [],
            },
        )
        film["times"].append(to_paris_iso(str(item["start"])))
    return list(films.values())
