"""Stored items -> the public JSON shapes (documented in `openapi.py`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from poche_common.clock import parse_iso, to_paris_iso, utc_now


def news_view(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"],
        "title": item["title"],
        "summary": item.get("summary", ""),
        "url": item.get("url"),
        "published": to_paris_iso(item["published"]),
        "source": item.get("source", ""),
        "tags": list(item.get("tags", [])),
        "image": item.get("image"),
        "categories": list(item.get("categories", [])),
    }


def freshness(fetched_at: str | None, stale_after_s: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """`as_of` (Europe/Paris) and `stale`: never fetched, or not refreshed for too long."""
    if fetched_at is None:
        return {"as_of": None, "stale": True}
    age = ((now or utc_now()) - parse_iso(fetched_at)).total_seconds()
    return {"as_of": to_paris_iso(fetched_at), "stale": age > stale_after_s}
