"""Stored items -> the public JSON shapes (documented in `openapi.py`).

The article view lives in the `news` layer (`news_shared.views`): the connector projects it into the home
screen's `news` tile."""

from __future__ import annotations

from news_shared.views import news_view

__all__ = ["news_view"]
