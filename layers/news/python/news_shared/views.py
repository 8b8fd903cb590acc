"""Stored items -> the public JSON shape of an article (schema `NewsItem` in `functions/news/openapi.py`).

The news service answers with it and the connector projects it into the `news` tile, so an article looks the
same on the home screen and in `GET /v1/news`."""

from __future__ import annotations

from typing import Any

from poche_common.clock import to_paris_iso


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
