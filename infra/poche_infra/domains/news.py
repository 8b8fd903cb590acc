"""News domain: local news from RSS 2.0 / Atom feeds, general (the département) or per commune."""

from __future__ import annotations

from ..constructs.domain import Domain
from ..constructs.tiles import TileSpec

CONNECTOR = "news-rss"
STALE_AFTER_SECONDS = 3 * 3600  # three missed hourly runs


class NewsDomain(Domain):
    def declare(self) -> None:
        self.table = self.add_table("News", by_tag=("gsi1pk", "gsi1sk"))
        news_layer = self.runtime.domain_layer("news")  # news_shared: the article view, the read of a tag's newest

        self.service = self.add_service(
            package="news",
            description="Poche news service (GET /v1/news)",
            layers=[news_layer],
            # The feed's state (GetItem); a tag's newest articles (Query of `by_tag`).
            reads=("GetItem", "Query"),
            indexes=("by_tag",),
            environment={"STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS)},
            public=["/v1/news"],
        )

        # Articles are read with BatchGetItem and written with BatchWriteItem; nothing is ever deleted (TTL does it).
        # The tile projections: their digests read with BatchGetItem, written with BatchWriteItem; a changed tag's
        # newest articles: Query of the `by_tag` index only (on the table, only its outbox's partition).
        self.connector = self.add_connector(
            "NewsRss",
            name=CONNECTOR,
            uses=("BatchGetItem",),
            indexes=("by_tag",),
            layers=[news_layer],
        )

        self.tile = self.add_tile(
            TileSpec(
                id="news",
                title="Actualités",
                service="news",
                params=("commune",),
                description="Les dernières nouvelles du département et de la commune.",
                sources=(CONNECTOR,),
                stale_after_s=STALE_AFTER_SECONDS,
                keys=("general", "{commune}"),
                limit=5,
                newest_first=True,
            )
        )
