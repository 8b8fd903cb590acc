"""Stored items -> the public JSON shapes (documented in `openapi.py`).

The canteen and meal views live in the `canteen` layer (`canteen_shared.views`): the connector projects them
into the home screen's `canteen-menu` tile."""

from __future__ import annotations

from canteen_shared.views import canteen_view, meal_view

__all__ = ["canteen_view", "meal_view"]
