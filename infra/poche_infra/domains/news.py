"""News domain: local news from RSS 2.0 / Atom feeds, general (the département) or per commune."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from constructs import Construct

from ..config import Settings
from ..constructs.connector import ScheduledConnector
from ..constructs.function import PocheFunction
from ..constructs.routes import PublicRoutes
from ..constructs.runtime import PhaseRuntime
from ..constructs.table import DomainTable
from ..constructs.tiles import TileSpec, TileType
from ..paths import CONNECTORS, FUNCTIONS

CONNECTOR = "news-rss"
STALE_AFTER_SECONDS = 3 * 3600  # three missed hourly runs
READ = ["dynamodb:GetItem", "dynamodb:Query"]
WRITE = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:BatchWriteItem",
]


class NewsDomain(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, runtime: PhaseRuntime) -> None:
        super().__init__(scope, construct_id)
        self.table = DomainTable(self, "News", settings=settings, indexes={"by_tag": ("gsi1pk", "gsi1sk")})
        table_name = self.table.table.table_name

        self.service = PocheFunction(
            self,
            "Service",
            settings=settings,
            package_dir=FUNCTIONS / "news",
            domain="news",
            description="Poche news service (GET /v1/news)",
            layers=runtime.layers,
            alarm_topic=runtime.alarm_topic,
            environment={"TABLE_NAME": table_name, "STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS)},
        )
        news_layer = runtime.domain_layer("news")  # news_shared: the article view, the read of a tag's newest
        self.service.function.add_layers(news_layer)  # after the runtime's: Powertools, common, news
        self.service.function.add_to_role_policy(
            iam.PolicyStatement(actions=READ, resources=self.table.arns(with_indexes=True))
        )
        PublicRoutes(self, "Routes", api=runtime.api, function=self.service.function, paths=["/v1/news"])

        self.connector = ScheduledConnector(
            self,
            "NewsRss",
            settings=settings,
            runtime=runtime,
            name=CONNECTOR,
            package_dir=CONNECTORS / "news_rss",
            domain="news",
            schedule=settings.territory.schedules.get(CONNECTOR, "rate(1 hour)"),
            environment={"TABLE_NAME": table_name},
        )
        self.connector.function.add_layers(news_layer)
        # The run log reads and updates FEED#news-rss/STATE (GetItem, UpdateItem) and puts its runs; articles are
        # read with BatchGetItem and written with BatchWriteItem; nothing is ever deleted (TTL does it). The tile
        # projections: their digests read with BatchGetItem, written with BatchWriteItem.
        self.connector.function.add_to_role_policy(iam.PolicyStatement(actions=WRITE, resources=self.table.arns()))
        # A changed tag's newest articles, for its tile projection: Query of the `by_tag` index only.
        self.connector.function.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[f"{self.table.table.table_arn}/index/by_tag"])
        )
        # Its events' outbox (poche_common.outbox): staged with PutItem, deleted with BatchWriteItem once sent (both
        # above), read back by each run with a Query of the `OUTBOX` partition, and of nothing else.
        self.connector.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:Query"],
                resources=[self.table.table.table_arn],
                conditions={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["OUTBOX"]}},
            )
        )

        self.tile = TileType(
            self,
            "Tile",
            settings=settings,
            runtime=runtime,
            table=self.table.table,
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
