"""Write side of the news table: merge the feeds' items, diff against what is stored, write the changes.

Table layout (owned by the news domain, spelled in `news_shared.keys`; the service `functions/news` reads it):
- `NEWS#<id> / ARTICLE`: the article once, whatever the number of feeds it came from: title, summary,
  url, published (UTC ISO), source, image, categories, `tags` (sorted: `general` and/or INSEE codes)
  and the `digest` of all that.
- `NEWS#<id> / TAG#<tag>`: one entry per tag, a copy of the article (so a list is one Query, no GetItem)
  with the sparse index keys `gsi1pk=TAG#<tag>`, `gsi1sk=<published UTC ISO>#<id>` (index `by_tag`,
  read newest first).
- `FEED#news-rss / STATE | RUN#...`: see `poche_common.connector.RunLog`.
- `TILE#news#<tag> / CONTENT` and `TILE#news / EXAMPLE`: the home screen's tile projections
  (`poche_common.tiles`), rewritten for the tags of the articles a run changed (see `tiles.py`).
Every item expires (`expires_at`, DynamoDB TTL) `RETENTION_DAYS` after the article's publication; an
article already that old is not written.

Feeds are windows on recent news: an article that leaves its feed is NOT deleted (it expires). Its tags
only grow: an article seen under `general` then in Alençon's feed is tagged both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from news_shared.keys import ARTICLE, BY_TAG_PK, BY_TAG_SK, article_pk, by_tag_sk, tag_key
from poche_common.changes import CREATED, diff, nothing
from poche_common.clock import to_utc_iso
from poche_common.dynamo import batch_get, batch_write, content_digest, from_item, to_item

from .model import FeedSource, NewsItem, ParsedFeed

if TYPE_CHECKING:  # annotations only: the event registry is not compiled at this function's cold start
    from poche_common.eventtypes import NewsChange, NewsEntry

RETENTION_DAYS = 90
_BATCH_GET = 100


@dataclass(frozen=True)
class TaggedItem:
    item: NewsItem
    tags: tuple[str, ...]  # sorted


@dataclass(frozen=True)
class Change:
    id: str
    change: NewsChange  # "created" | "tagged" (new tags) | "updated" (same tags, new content)
    tags: tuple[str, ...]
    title: str = ""  # the article's headline

    def as_fact(self) -> NewsEntry:
        """The change as `NewsPublished` lists it."""
        return {"id": self.id, "change": self.change, "tags": list(self.tags), "title": self.title}


def merge(feeds: Iterable[tuple[FeedSource, ParsedFeed]]) -> list[TaggedItem]:
    """One entry per article id, in first-seen order: the content of its first occurrence (feeds in the
    configured order), the tags of every feed it appears in."""
    first: dict[str, NewsItem] = {}
    tags: dict[str, set[str]] = {}
    for source, feed in feeds:
        for item in feed.items:
            first.setdefault(item.id, item)
            tags.setdefault(item.id, set()).add(source.tag)
    return [TaggedItem(item, tuple(sorted(tags[item_id]))) for item_id, item in first.items()]


def article_content(item: NewsItem, tags: Iterable[str]) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "summary": item.summary,
        "url": item.url,
        "published": to_utc_iso(item.published),
        "source": item.source,
        "image": item.image,
        "categories": list(item.categories),
        "tags": sorted(set(tags)),
    }


def expires_at(item: NewsItem) -> int:
    return int((item.published + dt.timedelta(days=RETENTION_DAYS)).timestamp())


def article_items(item: NewsItem, tags: Iterable[str]) -> list[dict[str, Any]]:
    """The ARTICLE item and one TAG# entry per tag."""
    content = article_content(item, tags)
    pk = article_pk(item.id)
    common = {**content, "digest": content_digest(content), "expires_at": expires_at(item)}
    items = [{"pk": pk, "sk": ARTICLE, **common}]
    for tag in content["tags"]:
        items.append(
            {
                "pk": pk,
                "sk": tag_key(tag),
                **common,
                BY_TAG_PK: tag_key(tag),
                BY_TAG_SK: by_tag_sk(content["published"], item.id),
            }
        )
    return items


class NewsWriter:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def _stored(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """id -> {digest, tags} of the stored articles among `ids` (BatchGetItem, 100 keys a call)."""
        stored: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), _BATCH_GET):
            keys = [to_item({"pk": article_pk(i), "sk": ARTICLE}) for i in ids[start : start + _BATCH_GET]]
            found = batch_get(
                self.client,
                {
                    self.table: {
                        "Keys": keys,
                        "ProjectionExpression": "#id, #digest, #tags",
                        "ExpressionAttributeNames": {"#id": "id", "#digest": "digest", "#tags": "tags"},
                    }
                },
            )
            if found.unprocessed:  # DynamoDB throttled every retry: the run fails, Lambda retries it
                raise RuntimeError("BatchGetItem left keys unprocessed after its retries")
            stored.update((item["id"], item) for item in map(from_item, found.items.get(self.table, [])))
        return stored

    def sync(
        self,
        items: list[TaggedItem],
        now: dt.datetime,
        before_write: Callable[[list[Change]], None] | None = None,
    ) -> list[Change]:
        """Write what differs from the store; return the changes, in the feeds' order (an article's tags only grow:
        the stored ones and the feeds'; nothing is deleted, articles expire). `before_write(changes)` is called once
        the changes are known, before anything is written (the run stages its event there)."""
        current = {t.item.id: t for t in items if expires_at(t.item) > now.timestamp()}
        stored = self._stored(list(current))
        old_tags = {i: set(stored[i].get("tags", [])) if i in stored else set() for i in current}
        written = {i: article_items(t.item, old_tags[i] | set(t.tags)) for i, t in current.items()}
        found = diff(
            {i: item.get("digest") for i, item in stored.items()},
            {i: items[0]["digest"] for i, items in written.items()},
            nothing,
        )
        changes: list[Change] = []
        for item_id, change in found.changes:
            tags = set(written[item_id][0]["tags"])
            kind: NewsChange = "created" if change == CREATED else "tagged" if tags - old_tags[item_id] else "updated"
            changes.append(Change(item_id, kind, tuple(sorted(tags)), current[item_id].item.title))
        if before_write is not None:
            before_write(changes)
        batch_write(
            self.client, self.table, [{"PutRequest": {"Item": to_item(i)}} for c in changes for i in written[c.id]]
        )
        return changes
