"""Stored items -> the public JSON shapes (documented in `openapi.py`), and the filters applied in code. The
occurrence (list item) view is `agenda_shared.views` (the `agenda` layer), shared with the tile projections."""

from __future__ import annotations

import datetime as dt
from typing import Any

from agenda_shared.views import alive, event_view
from poche_common.clock import to_paris_iso
from poche_common.text import fold


def matches(item: dict[str, Any], category: str | None, folded_q: str | None) -> bool:
    if category is not None and category not in item.get("categories", []):
        return False
    return folded_q is None or folded_q in fold(str(item.get("title", "")))


def detail_view(profile: dict[str, Any], occurrences: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **event_view(profile),
        "description": profile.get("description"),
        "keywords": list(profile.get("keywords", [])),
        "source": profile.get("source"),
        "occurrences": [{"begin": to_paris_iso(o["begin"]), "end": to_paris_iso(o["end"])} for o in occurrences],
    }


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
