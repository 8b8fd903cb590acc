"""The news service's rules over a small reader port: which tags a list merges, its cursor and freshness.

Pure: no boto3, no environment; the clock is the `now` given and the reader any `NewsReader` (the DynamoDB adapter
is `store.DynamoNewsReader`, which merges the tags' streams newest first; unit tests pass an in-memory fake).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from news_shared.keys import GENERAL
from poche_common.clock import freshness
from poche_common.pagination import decode_cursor, encode_cursor

from .views import news_view

Item = dict[str, Any]


class NewsReader(Protocol):
    """The reads of the news table the route needs (layout: `news_shared.keys`)."""

    def page(
        self, tags: list[str], limit: int, positions: dict[str, Any] | None
    ) -> tuple[list[Item], dict[str, Any] | None]: ...
    def fetched_at(self) -> str | None: ...


def tags_of(commune: str | None) -> list[str]:
    """The département's news (`general`) and, with a commune, that commune's too."""
    return [GENERAL, commune] if commune else [GENERAL]


def news(
    reader: NewsReader, stale_after_s: int, now: dt.datetime, *, commune: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    """One page of the articles of the département and of `commune`, newest first, each once."""
    scope = f"news|{commune or ''}"
    positions = decode_cursor(scope, cursor)
    items, next_positions = reader.page(tags_of(commune), limit, positions)
    return {
        "items": [news_view(item) for item in items],
        "next": encode_cursor(scope, next_positions),
        **freshness(reader.fetched_at(), stale_after_s, now),
    }
