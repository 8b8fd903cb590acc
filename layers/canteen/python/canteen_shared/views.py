"""Stored items -> the public JSON shapes (documented in `functions/canteen/openapi.py`).

The canteen service answers with them and the connector projects them into the `canteen-menu` tile, so a
canteen and a meal look the same on the home screen and in `GET /v1/canteens/{canteen_id}/menus`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from poche_common.clock import to_paris_iso


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


def day_view(date: str, meals: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One day of a canteen (schema `MenuDay`): its meals, in the order of the menus list (by meal code),
    each exactly as an item of `GET /v1/canteens/{canteen_id}/menus`."""
    return {"date": date, "meals": [meal_view(item) for item in meals]}
