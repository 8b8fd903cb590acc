"""The home screen's `news` tile: one projection per tag, kept by the connector's runs.

`TILE#news#<tag> / CONTENT` (see `poche_common.tiles` and docs/tiles.md), `<tag>` being `general` or a
commune's INSEE code (a tile with `commune` reads both keys):
- params `{"commune": <insee>}` (`{}` for `general`: part of every commune's tile, not a tile of its own; its
  `example` is the territory's first commune by INSEE code, whose tile shows it: the catalogue has an example
  as soon as the département's news are loaded, before any commune's); head `{}`;
- entries: the `PER_TAG` newest articles of the tag: id the article id, order its `published` (UTC ISO; the
  tile type is `newest_first`: the reader sorts them descending), no `until`, view `NewsItem`
  (`news_shared.views.news_view`, exactly an item of `GET /v1/news`).

A run rewrites the projections of the tags of the articles it created or changed (an article's every tag);
a run that changed nothing reads and writes nothing. Articles are never deleted by a run (TTL expires them),
so a run never empties a tag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from news_shared.keys import GENERAL
from news_shared.store import newest
from news_shared.views import news_view
from poche_common import communes
from poche_common.clock import to_utc_iso
from poche_common.dynamo import from_item
from poche_common.tiles import Entry, Projection, write_projections

from .store import Change, TaggedItem, article_content

TILE = "news"
PER_TAG = 20


def tag_projection(tag: str, articles: Iterable[dict[str, Any]]) -> Projection:
    """The projection of one tag from stored article items (any order, an article possibly twice: the
    last copy wins): its `PER_TAG` newest, by `published` then id as `GET /v1/news` lists them."""
    by_id = {article["id"]: article for article in articles}
    chosen = sorted(by_id.values(), key=lambda a: (a["published"], a["id"]), reverse=True)[:PER_TAG]
    return Projection(
        params={} if tag == GENERAL else {"commune": tag},
        entries=[Entry(id=a["id"], order=a["published"], view=news_view(a)) for a in chosen],
        example={"commune": example_commune()} if tag == GENERAL else None,
    )


def example_commune() -> str:
    """A commune whose news tile shows the département's news (every commune's does): the first by INSEE code
    (the Orne's is Alençon, its chef-lieu)."""
    return min(commune.insee for commune in communes.all_communes())


class NewsProjector:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def project(self, items: list[TaggedItem], changes: list[Change], now: dt.datetime) -> int:
        """Rewrites the projections of the tags of `changes` (what `NewsWriter.sync` just wrote of `items`):
        per tag one Query of the `by_tag` index (its `PER_TAG` newest), merged with the articles just written
        (the index is eventually consistent: it may not show them yet). Returns how many items were written."""
        if not changes:
            return 0
        by_id = {tagged.item.id: tagged.item for tagged in items}
        written = [article_content(by_id[change.id], change.tags) for change in changes]
        projections: dict[str, Projection] = {}
        for tag in sorted({tag for change in changes for tag in change.tags}):
            raw, _ = newest(self.client, self.table, tag, PER_TAG)
            stored = [from_item(entry) for entry in raw]
            projections[tag] = tag_projection(tag, [*stored, *(a for a in written if tag in a["tags"])])
        return write_projections(self.client, self.table, TILE, projections, now_iso=to_utc_iso(now))
