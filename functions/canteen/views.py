"""Stored items -> the public JSON shapes (documented in `openapi.py`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from poche_common.clock import parse_iso, to_paris_iso, utc_now


def canteen_view(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"],
        "name": item["name"],
        "type": item["kind"],
        "type_label": item.get("kind_label", item["kind"]),
        "commune": item.get("commune"),
        "organisation": item.get("organisation"),
    }


def dish_view(dish: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": dish["name"],
        "labels": dish.get("labels", []),
        "local_labels": dish.get("local_labels", []),
        "regimes": dish.get("regimes", []),
        "allergens": dish.get("allergens", []),
    }


def meal_view(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "date": item["date"],
        "meal": item["meal"],
        "meal_label": item.get("meal_label", item["meal"]),
        "courses": [
            {
                "course": course["course"],
                "label": course.get("label", course["course"]),
                "dishes": [dish_view(d) for d in course["dishes"]],
            }
            for course in item.get("courses", [])
        ],
        "notes": item.get("notes", []),
        "published_at": to_paris_iso(item["published_at"]) if item.get("published_at") else None,
        "modified_at": to_paris_iso(item["modified_at"]) if item.get("modified_at") else None,
    }


def freshness(fetched_at: str | None, stale_after_s: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """`as_of` (Europe/Paris) and `stale`: never fetched, or not refreshed for too long."""
    if fetched_at is None:
        return {"as_of": None, "stale": True}
    age = ((now or utc_now()) - parse_iso(fetched_at)).total_seconds()
    return {"as_of": to_paris_iso(fetched_at), "stale": age > stale_after_s}
