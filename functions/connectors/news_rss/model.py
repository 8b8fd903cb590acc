"""What the connector reads out of an RSS 2.0 or Atom feed.

Plain frozen dataclasses: no Lambda, no AWS, no pydantic (cold start).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field


def item_id(guid: str | None, link: str | None) -> str:
    """Stable article id: sha-256 of the guid (Atom id), else of the link; the same in every feed."""
    key = guid or link or ""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:24]


@dataclass(frozen=True)
class FeedSource:
    """One configured feed: `<tag>=<url>`; the tag is `general` or a commune's INSEE code."""

    tag: str
    url: str  # as configured (may hold credentials: never log it, show `shown`)
    shown: str  # safe to log and store


@dataclass(frozen=True)
class NewsItem:
    id: str
    title: str  # plain text
    summary: str  # plain text, at most SUMMARY_LENGTH characters, cut at a word boundary with "…"
    url: str | None  # the article's page (RSS link, Atom link rel=alternate)
    published: dt.datetime  # aware, UTC
    source: str  # the feed's title
    image: str | None = None  # enclosure / media image URL
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class RejectedItem:
    position: int  # 1-based position of the item/entry in its feed
    reason: str  # in French, for a person


@dataclass
class ParsedFeed:
    kind: str  # "rss" | "atom"
    title: str
    items: list[NewsItem] = field(default_factory=list)
    rejected: list[RejectedItem] = field(default_factory=list)
    items_read: int = 0
