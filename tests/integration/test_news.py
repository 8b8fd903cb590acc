"""The news-rss connector and the news service against moto.

On the `cloud` fixture: the table, the bus and the source parameter are those of the synthesized templates
(`infra/poche_infra/domains/news.py`), each function imported with its deployed environment.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support import Cloud, Recording, body, header, http_api_event, table_items

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "functions/connectors/news_rss/sample"
CONNECTOR = "news_rss"
SCHEDULED = {"trigger": "schedule", "connector": "news-rss"}
NEWS = "GET /v1/news"
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=UTC)  # Sunday 29 November 2026, 10:00 in Paris
FETCHED_AT = "2026-11-29T08:30:00+00:00"

GENERAL_TITLES = [  # newest first
    "Routes : le plan hivernal est activé",
    "Collèges : des repas de Noël 100 % locaux",
    "Médiathèque départementale : de nouvelles ressources numériques",
    "Cross départemental : rendez-vous à Alençon",
    "Espaces naturels sensibles : les sorties nature de décembre",
]
ALL_TITLES = [  # general and Alençon, newest first
    "Marché de Noël place de la Magdeleine",  # 28/11 09:00 UTC
    "Routes : le plan hivernal est activé",  # 28/11 08:30
    "Collèges : des repas de Noël 100 % locaux",  # 27/11 15:00
    "Travaux rue aux Sieurs : circulation alternée",  # 27/11 08:30
    "Conseil municipal du 7 décembre",  # 26/11 16:00
    "Médiathèque départementale : de nouvelles ressources numériques",  # 26/11 11:15
    "Cross départemental : rendez-vous à Alençon",  # 25/11 13:00, both tags
    "Patinoire : horaires des vacances",  # 24/11 11:00
    "Espaces naturels sensibles : les sorties nature de décembre",  # 24/11 07:00
]


class News:
    """The news domain of the provisioned platform, and how to run its connector."""

    def __init__(self, cloud: Cloud, lambda_context: Any) -> None:
        self.cloud = cloud
        self.clients = cloud.clients
        self.lambda_context = lambda_context
        self.table = cloud.table(CONNECTOR)

    def run(self, source: str | None = None, now: dt.datetime = NOW) -> dict[str, Any]:
        if source is not None:
            self.cloud.monkeypatch.setenv("POCHE_SOURCE_NEWS_RSS", source)
        module = self.cloud.load(CONNECTOR)
        module.utc_now = lambda: now
        report: dict[str, Any] = module.handler(dict(SCHEDULED), self.lambda_context)
        self.cloud.monkeypatch.delenv("POCHE_SOURCE_NEWS_RSS", raising=False)
        return report

    def bus_events(self) -> list[dict[str, Any]]:
        return self.cloud.bus_events()

    def items(self) -> list[dict[str, Any]]:
        """Every item of the table (the test may Scan; the functions may not)."""
        return table_items(self.table)

    def articles(self) -> dict[str, dict[str, Any]]:
        return {i["title"]["S"]: i for i in self.items() if i["sk"]["S"] == "ARTICLE"}

    def data(self) -> set[str]:
        return {json.dumps(i, sort_keys=True) for i in self.items() if not i["pk"]["S"].startswith("FEED#")}

    def state(self) -> dict[str, Any]:
        key = {"pk": {"S": "FEED#news-rss"}, "sk": {"S": "STATE"}}
        return self.clients["dynamodb"].get_item(TableName=self.table, Key=key).get("Item") or {}

    def set_fetched_at(self, value: str) -> None:
        self.clients["dynamodb"].update_item(
            TableName=self.table,
            Key={"pk": {"S": "FEED#news-rss"}, "sk": {"S": "STATE"}},
            UpdateExpression="SET fetched_at = :f",
            ExpressionAttributeValues={":f": {"S": value}},
        )


@pytest.fixture
def news(cloud: Cloud, lambda_context: Any) -> News:
    return News(cloud, lambda_context)


@pytest.fixture
def api(news: News) -> Any:
    """The service over the bundled samples, read at FETCHED_AT; answers at NOW."""

    def write() -> None:
        assert news.run()["status"] == "succeeded"
        news.set_fetched_at(FETCHED_AT)

    news.cloud.seed(f"news-rss bundled samples run at {NOW.isoformat()}, fetched_at {FETCHED_AT}", write)
    news.bus_events()
    module = news.cloud.load("news")
    module.utc_now = lambda: NOW
    reader = module.dependencies.get().reader
    recording = Recording(reader.client)
    reader.client = recording

    def call(query: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        event = http_api_event(NEWS, "/v1/news", query=query, headers=headers)
        response: dict[str, Any] = module.handler(event, news.lambda_context)
        return response

    call.recording = recording  # type: ignore[attr-defined]
    return call


def validate(payload: Any, schema_name: str) -> None:
    from news.openapi import SCHEMAS
    from poche_common.openapi import PROBLEM_SCHEMA

    schemas = {**SCHEMAS, "Problem": PROBLEM_SCHEMA}
    jsonschema.validate(payload, {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": schemas}})


def titles(response: dict[str, Any]) -> list[str]:
    return [item["title"] for item in body(response)["items"]]


def file_url(path: Path) -> str:
    return path.as_uri()


# ---------------------------------------------------------------- connector


def test_bundled_run_stores_each_article_once_with_its_tags(news: News) -> None:
    report = news.run()
    assert report["status"] == "succeeded"
    assert report["sources"] == ["general=bundled", "61001=bundled"]
    assert (report["read"], report["rejected"], report["changed"]) == (13, 2, 9)
    assert [r.get("item") for r in report["rejections"]] == [7, 8]
    articles = news.articles()
    assert sorted(articles) == sorted(ALL_TITLES)
    shared = articles["Cross départemental : rendez-vous à Alençon"]  # the Orne feed comes first: its content
    assert [t["S"] for t in shared["tags"]["L"]] == ["61001", "general"]
    assert shared["source"]["S"] == "Département de l’Orne – Actualités"
    tag_entries = [i for i in news.items() if i["sk"]["S"].startswith("TAG#")]
    assert sorted(i["gsi1pk"]["S"] for i in tag_entries) == ["TAG#61001"] * 5 + ["TAG#general"] * 5
    published = dt.datetime.fromisoformat(shared["published"]["S"])
    assert published == dt.datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert int(shared["expires_at"]["N"]) == int((published + dt.timedelta(days=90)).timestamp())
    (event,) = news.bus_events()
    assert (event["source"], event["detail-type"]) == ("poche.news", "NewsPublished")
    detail = event["detail"]
    assert len(detail["item_ids"]) == 9 and detail["tags"] == ["61001", "general"]
    assert {item["change"] for item in detail["items"]} == {"created"}
    assert detail["truncated"] is False
    assert news.state()["fetched_at"]["S"] == news.state()["last_run"]["M"]["finished_at"]["S"]


def test_second_run_changes_nothing(news: News) -> None:
    news.run()
    before = news.data()
    news.bus_events()
    report = news.run()
    assert (report["status"], report["changed"]) == ("succeeded", 0)
    assert news.data() == before
    assert news.bus_events() == []


def test_an_article_seen_in_a_new_feed_gains_the_tag(news: News) -> None:
    news.run("general=bundled")
    (first,) = news.bus_events()
    assert first["detail"]["tags"] == ["general"] and len(first["detail"]["item_ids"]) == 5
    report = news.run("bundled")
    assert report["changed"] == 5  # 4 new Alençon articles, the shared one tagged
    (second,) = news.bus_events()
    changes = {item["change"] for item in second["detail"]["items"]}
    assert changes == {"created", "tagged"}
    tagged = [item for item in second["detail"]["items"] if item["change"] == "tagged"]
    assert [item["tags"] for item in tagged] == [["61001", "general"]]
    news.run("general=bundled")  # the Alençon feed removed again: tags only grow, nothing is deleted
    assert len(news.articles()) == 9
    assert news.bus_events() == []


def test_a_bad_feed_is_reported_and_the_good_ones_kept(news: News, tmp_path: Path) -> None:
    not_a_feed = tmp_path / "page.html"
    not_a_feed.write_text("<html><body>Erreur 404</body></html>")
    source = ",".join(
        [
            f"general={file_url(SAMPLES / 'orne-actualites.xml')}",
            f"61001={file_url(not_a_feed)}",
            "61999=https://mairie.example/rss",  # not a commune of the Orne: configuration error, not fetched
            "61006=https://user:s3cret@127.0.0.1:9/rss?token=t0ken",  # unreachable (loopback, discard port)
        ]
    )
    report = news.run(source)
    assert report["status"] == "succeeded"
    feeds = [r for r in report["rejections"] if "item" not in r]
    assert [r["feed"] for r in feeds] == [
        f"61001={file_url(not_a_feed)}",
        "61999=https://mairie.example/rss",
        "61006=https://127.0.0.1:9/rss",
    ]
    assert "ni un flux RSS 2.0" in feeds[0]["reason"] and "inconnue" in feeds[1]["reason"]
    assert report["rejected"] == 2 + 3
    assert sorted(news.articles()) == sorted(GENERAL_TITLES)
    stored_runs = json.dumps([i for i in news.items() if i["pk"]["S"] == "FEED#news-rss"])
    for secret in ("s3cret", "t0ken", "user:"):
        assert secret not in json.dumps(report) and secret not in stored_runs


def test_a_run_where_every_feed_fails_is_a_failed_run(news: News, tmp_path: Path) -> None:
    news.run()
    before = news.data()
    fetched_at = news.state()["fetched_at"]
    news.bus_events()
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<rss><channel><item>")
    report = news.run(f"general={file_url(broken)},61999=https://mairie.example/rss")
    assert report["status"] == "failed"
    assert "Aucun flux utilisable" in report["error"] and "XML bien formé" in report["error"]
    assert news.data() == before
    assert news.state()["fetched_at"] == fetched_at
    assert news.bus_events() == []


def test_articles_older_than_the_retention_are_not_written(news: News, tmp_path: Path) -> None:
    feed = tmp_path / "old.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Vieux</title>'
        "<item><title>Ancien</title><link>https://a.example/old</link>"
        "<pubDate>Mon, 31 Aug 2026 10:00:00 +0200</pubDate></item>"
        "<item><title>Récent</title><link>https://a.example/new</link>"
        "<pubDate>Mon, 02 Sep 2026 10:00:00 +0200</pubDate></item></channel></rss>",
        encoding="utf-8",
    )
    report = news.run(f"general={file_url(feed)}")  # NOW - 90 days = 31 Aug 2026 09:00 UTC
    assert (report["read"], report["changed"]) == (2, 1)
    assert list(news.articles()) == ["Récent"]


# ---------------------------------------------------------------- service


def test_general_news_newest_first(api: Any) -> None:
    response = api()
    assert response["statusCode"] == 200
    assert header(response, "Cache-Control") == "public, max-age=600"
    payload = body(response)
    validate(payload, "NewsList")
    assert titles(response) == GENERAL_TITLES
    assert payload["next"] is None
    assert (payload["as_of"], payload["stale"]) == ("2026-11-29T09:30:00+01:00", False)
    first = payload["items"][0]
    assert first == {
        "id": first["id"],
        "title": "Routes : le plan hivernal est activé",
        "summary": "Depuis le 28 novembre, les équipes des routes sont en astreinte jour et nuit.\n\n"
        "Consultez l’état des routes sur notre carte.",
        "url": "https://www.orne.example/actualites/plan-hivernal-2026",
        "published": "2026-11-28T09:30:00+01:00",
        "source": "Département de l’Orne – Actualités",
        "tags": ["general"],
        "image": "https://www.orne.example/medias/saleuse.jpg",
        "categories": ["Routes", "Hiver & sécurité"],
    }
    assert set(api.recording.calls) <= {"query", "get_item"}


def test_commune_news_merges_general_and_commune_once(api: Any) -> None:
    response = api({"commune": "61001"})
    validate(body(response), "NewsList")
    assert titles(response) == ALL_TITLES
    shared = next(i for i in body(response)["items"] if i["title"].startswith("Cross"))
    assert shared["tags"] == ["61001", "general"]
    assert titles(api({"commune": "61006"})) == GENERAL_TITLES  # Argentan: no feed of its own
    assert "scan" not in api.recording.calls


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 8, 9, 10])
def test_pages_cover_the_merged_list_exactly_once(api: Any, limit: int) -> None:
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(20):
        query = {"commune": "61001", "limit": str(limit)}
        if cursor:
            query["cursor"] = cursor
        response = api(query)
        assert response["statusCode"] == 200
        assert len(body(response)["items"]) <= limit
        seen += titles(response)
        cursor = body(response)["next"]
        if cursor is None:
            break
    assert seen == ALL_TITLES


def test_cursor_is_bound_to_its_query(api: Any) -> None:
    cursor = body(api({"commune": "61001", "limit": "2"}))["next"]
    assert cursor
    for query in ({"cursor": cursor}, {"commune": "61006", "cursor": cursor}, {"commune": "61001", "cursor": "x"}):
        response = api(query)
        assert response["statusCode"] == 400
        assert body(response)["invalid_params"][0]["name"] == "cursor"


def test_forged_cursor_cannot_leave_the_tags(api: Any) -> None:
    from poche_common.pagination import encode_cursor

    key = {"pk": {"S": "NEWS#x"}, "sk": {"S": "TAG#61006"}, "gsi1pk": {"S": "TAG#61006"}, "gsi1sk": {"S": "z"}}
    forged = encode_cursor("news|61001", {"general": "end", "61001": key})
    response = api({"commune": "61001", "cursor": forged})
    assert response["statusCode"] == 400 and body(response)["invalid_params"][0]["name"] == "cursor"


@pytest.mark.parametrize(
    ("query", "status", "name"),
    [
        ({"commune": "6100"}, 400, "commune"),
        ({"commune": "alencon"}, 400, "commune"),
        ({"limit": "0"}, 400, "limit"),
        ({"limit": "101"}, 400, "limit"),
        ({"commune": "61999"}, 404, None),
    ],
)
def test_bad_requests(api: Any, query: dict[str, str], status: int, name: str | None) -> None:
    response = api(query)
    assert response["statusCode"] == status
    assert header(response, "Content-Type") == "application/problem+json"
    problem = body(response)
    validate(problem, "Problem")
    if name:
        assert problem["invalid_params"][0]["name"] == name


def test_etag_and_not_modified(api: Any) -> None:
    etag = header(api({"commune": "61001"}), "ETag")
    assert etag
    again = api({"commune": "61001"}, headers={"If-None-Match": etag})
    assert again["statusCode"] == 304 and again["body"] == ""


def test_stale_when_never_read_or_too_old(news: News) -> None:
    module = news.cloud.load("news")
    module.utc_now = lambda: NOW
    event = http_api_event(NEWS, "/v1/news")
    payload = body(module.handler(event, news.lambda_context))
    assert payload == {"items": [], "next": None, "as_of": None, "stale": True}
    news.run()
    news.set_fetched_at("2026-11-29T05:59:00+00:00")
    assert body(module.handler(event, news.lambda_context))["stale"] is True
