"""News domain: local news from RSS 2.0 / Atom feeds, general (the département) or per commune."""

from __future__ import annotations

from constructs import Construct

from ..config import Settings
from ..constructs.connector import ScheduledConnector
from ..constructs.runtime import PhaseRuntime
from ..constructs.service import ServiceFunction
from ..constructs.table import DomainTable
from ..constructs.tiles import TileSpec, TileType

CONNECTOR = "news-rss"
STALE_AFTER_SECONDS = 3 * 3600  # three missed hourly runs


class NewsDomain(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, runtime: PhaseRuntime) -> None:
        super().__init__(scope, construct_id)
        self.table = DomainTable(self, "News", settings=settings, indexes={"by_tag": ("gsi1pk", "gsi1sk")})
        news_layer = runtime.domain_layer("news")  # news_shared: the article view, the read of a tag's newest

        self.service = ServiceFunction(
            self,
            "Service",
            settings=settings,
            runtime=runtime,
            package="news",
            description="Poche news service (GET /v1/news)",
            layers=[news_layer],
            table=self.table,
            # The feed's state (GetItem); a tag's newest articles (Query of `by_tag`).
            reads=("GetItem", "Query"),
            indexes=("by_tag",),
            environment={"STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS)},
            public=["/v1/news"],
        )

        # Articles are read with BatchGetItem and written with BatchWriteItem; nothing is ever deleted (TTL does it).
        # The tile projections: their digests read with BatchGetItem, written with BatchWriteItem; a changed tag's
        # newest articles: Query of the `by_tag` index only (on the table, only its outbox's partition).
        self.connector = ScheduledConnector(
            self,
            "NewsRss",
            settings=settings,
            runtime=runtime,
            name=CONNECTOR,
            table=self.table,
            uses=("BatchGetItem",),
            indexes=("by_tag",),
            layers=[news_layer],
        )

        self.tile = TileType(
            self,
            "Tile",
            settings=settings,
            runtime=runtime,
            table=self.table,
            spec=TileSpec(
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
            ),
        )
