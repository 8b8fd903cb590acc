"""The `news` tile projections kept by the news-rss connector, on moto (shared `cloud` fixture).

Bundled samples: 5 articles tagged `general` (the Orne's feed), 5 tagged `61001` (Alençon's), one of them in
both feeds. Runs happen on Sunday 29 November 2026, 10:00 in Paris."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jsonschema
from support import Cloud, Recording, body, http_api_event, tile_items

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
SCHEDULED = {"trigger": "schedule", "connector": "news-rss"}
SHARED = "Cross départemental : rendez-vous à Alençon"


def run(
    cloud: Cloud, lambda_context: Any, source: str = "bundled", now: dt.datetime = NOW
) -> tuple[dict[str, Any], list[str]]:
    """One connector run: its report and the DynamoDB operations its tile projector called."""
    cloud.monkeypatch.setenv("POCHE_SOURCE_NEWS_RSS", source)
    module = cloud.load("news_rss")
    module.utc_now = lambda: now
    recording = Recording(module.dependencies.get().store.projector.client)
    module.dependencies.get().store.projector.client = recording
    report: dict[str, Any] = module.handler(dict(SCHEDULED), lambda_context)
    assert report["status"] == "succeeded"
    return report, recording.calls


def newest_first(projection: dict[str, Any]) -> list[dict[str, Any]]:
    """The entries as the home screen shows a `newest_first` tile: by descending order (then id)."""
    return sorted(projection["entries"], key=lambda e: (e["order"], e["id"]), reverse=True)


def news_list(cloud: Cloud, lambda_context: Any, **query: str) -> list[dict[str, Any]]:
    module = cloud.load("news")
    module.utc_now = lambda: NOW
    response = module.handler(http_api_event("GET /v1/news", "/v1/news", query=query or None), lambda_context)
    assert response["statusCode"] == 200
    return list(body(response)["items"])


def test_each_tag_holds_its_newest_articles_as_the_news_list_shows_them(cloud: Cloud, lambda_context: Any) -> None:
    from news.openapi import SCHEMAS

    run(cloud, lambda_context)

    tiles = tile_items(cloud, "news_rss")
    assert {k for k in tiles if k.endswith("/CONTENT")} == {"TILE#news#general/CONTENT", "TILE#news#61001/CONTENT"}
    general = tiles["TILE#news#general/CONTENT"]
    assert (general["params"], general["head"]) == ({}, {})
    listed = news_list(cloud, lambda_context)
    assert [e["view"] for e in newest_first(general)] == listed  # the same articles, order and shape
    for entry in general["entries"]:
        assert entry["order"] == dt.datetime.fromisoformat(entry["view"]["published"]).astimezone(UTC).isoformat()
        assert entry["id"] == entry["view"]["id"] and "until" not in entry
        jsonschema.validate(
            entry["view"], {"$ref": "#/components/schemas/NewsItem", "components": {"schemas": SCHEMAS}}
        )

    alencon = tiles["TILE#news#61001/CONTENT"]
    assert alencon["params"] == {"commune": "61001"}
    merged = news_list(cloud, lambda_context, commune="61001")
    tagged = [item for item in merged if "61001" in item["tags"]]
    assert len(tagged) == 5
    assert [e["view"] for e in newest_first(alencon)] == tagged
    shared = next(e for e in alencon["entries"] if e["view"]["title"] == SHARED)
    assert shared["view"]["tags"] == ["61001", "general"]


def test_the_example_names_a_commune_with_entries(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context)

    example = tile_items(cloud, "news_rss")["TILE#news/EXAMPLE"]
    assert (example["key"], example["params"]) == ("61001", {"commune": "61001"})
    assert tile_items(cloud, "news_rss")["TILE#news#61001/CONTENT"]["entries"]


def test_a_second_identical_run_neither_reads_nor_writes_projections(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context)
    before = tile_items(cloud, "news_rss")

    report, calls = run(cloud, lambda_context, now=NOW + dt.timedelta(hours=1))

    assert report["changed"] == 0
    assert calls == []
    assert tile_items(cloud, "news_rss") == before


def test_only_the_tags_of_changed_articles_are_rewritten(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context, "general=bundled")
    first = tile_items(cloud, "news_rss")
    assert {k for k in first if k.endswith("/CONTENT")} == {"TILE#news#general/CONTENT"}
    # `general` alone is no tile of its own, but every commune's news tile shows it: the catalogue's example names
    # one (issue 9, defect 13: it had none, so a home built from the catalogue got a 400 for it).
    example = first["TILE#news/EXAMPLE"]
    assert (example["key"], example["params"], example["shared"]) == ("general", {"commune": "61001"}, True)

    later = NOW + dt.timedelta(hours=1)
    report, calls = run(cloud, lambda_context, "bundled", now=later)

    assert report["changed"] == 5  # four Alençon articles, and the shared one now tagged 61001 too
    assert calls.count("query") == 2 and "scan" not in calls  # one Query of `by_tag` per changed tag
    tiles = tile_items(cloud, "news_rss")
    assert len(tiles["TILE#news#61001/CONTENT"]["entries"]) == 5
    general = tiles["TILE#news#general/CONTENT"]
    assert general["updated_at"] == later.isoformat()  # the shared article's view changed (its tags)
    shared = next(e for e in general["entries"] if e["view"]["title"] == SHARED)
    assert shared["view"]["tags"] == ["61001", "general"]
    assert [e["view"] for e in newest_first(general)] == news_list(cloud, lambda_context)
    example = tiles["TILE#news/EXAMPLE"]
    assert (example["key"], example["params"], example["shared"]) == ("61001", {"commune": "61001"}, False)


def test_a_busy_tag_keeps_its_twenty_newest(cloud: Cloud, lambda_context: Any, tmp_path: Path) -> None:
    items = "".join(
        f"<item><title>Brève {n}</title><link>https://www.orne.example/breves/{n}</link>"
        f"<pubDate>Sat, 28 Nov 2026 {n:02d}:00:00 +0100</pubDate></item>"
        for n in range(24)
    )
    feed = tmp_path / "breves.xml"
    feed.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Brèves</title>{items}</channel></rss>',
        encoding="utf-8",
    )

    run(cloud, lambda_context, f"general={feed.as_uri()}")

    general = tile_items(cloud, "news_rss")["TILE#news#general/CONTENT"]
    assert [e["view"]["title"] for e in newest_first(general)] == [f"Brève {n}" for n in range(23, 3, -1)]
    assert [e["view"] for e in newest_first(general)] == news_list(cloud, lambda_context, limit="20")
