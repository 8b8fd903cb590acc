"""Stored items -> the public JSON shapes (documented in `openapi.py`).

The canteen and meal views live in the `canteen` layer (`canteen_shared.views`): the connector projects them
into the home screen's `canteen-menu` tile."""

from __future__ import annotations

import datetime as dt
from typing import Any

from canteen_shared.views import canteen_view, meal_view
from poche_common.clock import parse_iso, to_paris_iso, utc_now

__all__ = ["canteen_view", "freshness", "meal_view"]


def freshness(fetched_at: str | None, stale_after_s: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """`as_of` (Europe/Paris) and `stale`: never fetched, or not refreshed for too long."""
    if fetched_at is None:
        return {"as_of": None, "stale": True}
    age = ((now or utc_now()) - parse_iso(fetched_at)).total_seconds()
    return {"as_of": to_paris_iso(fetched_at), "stale": age > stale_after_s}
