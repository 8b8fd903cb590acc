"""Stored places and their live availability -> public JSON (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from places_shared.categories import BY_ID
from poche_common.clock import to_paris_iso

PUBLIC = (
    "id",
    "category",
    "name",
    "commune",
    "lat",
    "lon",
    "address",
    "hours",
    "phone",
    "web",
    "accessibility",
    "details",
)


def availability_view(live: Mapping[str, Any] | None, now: dt.datetime) -> dict[str, Any] | None:
    """The live availability, or None when there is none or it expired (a dead feed never shows old numbers as
    current, even before the table's TTL deletes the item)."""
    if live is None or int(live.get("expires_at", 0)) <= now.timestamp():
        return None
    shown = {k: v for k, v in dict(live.get("availability") or {}).items() if v is not None}
    return {**shown, "observed_at": to_paris_iso(str(live["observed_at"]))}


def place_view(
    item: Mapping[str, Any], live: Mapping[str, Any] | None, now: dt.datetime, open_now: bool | None
) -> dict[str, Any]:
    view = {key: item[key] for key in PUBLIC if item.get(key) not in (None, "")}
    category = BY_ID.get(str(item.get("category")))
    view["category_label"] = category.label if category else str(item.get("category"))
    view["open_now"] = open_now
    view["availability"] = availability_view(live, now)
    view["source"] = {"name": item.get("source"), "licence": item.get("licence")}
    return view
