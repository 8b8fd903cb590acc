"""The `news` tile projection built by the news-rss connector (pure builder and its reads)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from news_rss.model import NewsItem
from news_rss.store import Change, TaggedItem, article_content, article_items
from news_rss.tiles import PER_TAG, NewsProjector, tag_projection
from news_shared.views import news_view
from poche_common.dynamo import from_item, to_item

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def article(n: int, title: str | None = None, hours_ago: int | None = None) -> NewsItem:
    return NewsItem(
        id=f"a{n:02d}",
        title=title or f"Article {n}",
        summary="Résumé.",
        url=f"https://www.orne.example/actualites/{n}",
        published=NOW - dt.timedelta(hours=n if hours_ago is None else hours_ago),
        source="Département de l’Orne – Actualités",
        categories=("Routes",),
    )


def stored(n: int, tags: tuple[str, ...] = ("general",), **kwargs: Any) -> dict[str, Any]:
    return article_content(article(n, **kwargs), tags)


def test_the_twenty_newest_articles_of_the_tag() -> None:
    articles = [stored(n) for n in range(25)]  # a00 is the newest

    projection = tag_projection("general", reversed(articles))

    assert [e.id for e in projection.entries] == [f"a{n:02d}" for n in range(PER_TAG)]
    assert PER_TAG == 20
    newest = projection.entries[0]
    assert (newest.order, newest.until) == ("2026-11-29T09:00:00+00:00", None)  # published, UTC ISO
    assert newest.view == news_view(articles[0])
    assert newest.view["published"] == "2026-11-29T10:00:00+01:00"  # as GET /v1/news shows it
    stored_order = [e["id"] for e in projection.sorted_entries()]  # stored ascending: the reader sorts descending
    assert stored_order == [f"a{n:02d}" for n in reversed(range(PER_TAG))]


def test_same_instant_breaks_ties_by_id_as_the_list_does() -> None:
    same = [stored(1, hours_ago=2), stored(2, hours_ago=2), stored(3, hours_ago=1)]
    assert [e.id for e in tag_projection("general", same).entries] == ["a03", "a02", "a01"]


def test_params_name_the_commune_except_for_general() -> None:
    assert tag_projection("general", [stored(1)]).params == {}
    assert tag_projection("61001", [stored(1, ("61001",))]).params == {"commune": "61001"}


def test_an_article_read_twice_counts_once_and_its_last_copy_wins() -> None:
    old, new = stored(1, title="Avant"), stored(1, ("61001", "general"), title="Après")
    (entry,) = tag_projection("general", [old, new]).entries
    assert entry.view["title"] == "Après" and entry.view["tags"] == ["61001", "general"]


def test_a_tag_without_articles_has_an_empty_projection() -> None:
    projection = tag_projection("61006", [])
    assert projection.entries == [] and projection.head == {}


class FakeIndex:
    """Just enough of the DynamoDB client: Query answers newest first from `entries` (TAG# items)."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries = entries
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("query", kwargs))
        key = from_item(kwargs["ExpressionAttributeValues"])[":v"]
        found = sorted((e for e in self.entries if e["gsi1pk"] == key), key=lambda e: e["gsi1sk"], reverse=True)
        return {"Items": [to_item(e) for e in found[: kwargs["Limit"]]]}

    def batch_get_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("batch_get_item", kwargs))
        return {"Responses": {}}

    def batch_write_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("batch_write_item", kwargs))
        return {}

    def written(self) -> dict[str, dict[str, Any]]:
        puts = [
            r["PutRequest"]["Item"]
            for name, kw in self.calls
            if name == "batch_write_item"
            for r in kw["RequestItems"]["t"]
        ]
        return {item["pk"]["S"] + "/" + item["sk"]["S"]: from_item(item) for item in puts}


def tag_entries(item: NewsItem, tags: tuple[str, ...]) -> list[dict[str, Any]]:
    return [i for i in article_items(item, tags) if i["sk"].startswith("TAG#")]


def test_nothing_changed_nothing_read() -> None:
    client = FakeIndex([])
    assert NewsProjector(client, "t").project([TaggedItem(article(1), ("general",))], [], NOW) == 0
    assert client.calls == []


def test_the_tags_of_the_changed_articles_are_projected_with_what_was_just_written() -> None:
    # The index still shows the shared article's previous copy (tagged `general` only, another title): the
    # projection takes what the run just wrote, as the index will show it.
    shared, local, other = article(1, title="Cross départemental"), article(2), article(3)
    index = [
        *tag_entries(article(1, title="Cross (ancien titre)"), ("general",)),
        *tag_entries(other, ("general",)),
    ]
    client = FakeIndex(index)
    items = [TaggedItem(shared, ("61001",)), TaggedItem(local, ("61001",)), TaggedItem(other, ("general",))]
    changes = [Change("a01", "tagged", ("61001", "general")), Change("a02", "created", ("61001",))]

    NewsProjector(client, "t").project(items, changes, NOW)

    queries = [kw for name, kw in client.calls if name == "query"]
    assert [from_item(q["ExpressionAttributeValues"])[":v"] for q in queries] == ["TAG#61001", "TAG#general"]
    assert all((q["IndexName"], q["ScanIndexForward"], q["Limit"]) == ("by_tag", False, PER_TAG) for q in queries)
    written = client.written()
    general = written["TILE#news#general/CONTENT"]
    assert [e["id"] for e in general["entries"]] == ["a03", "a01"]  # ascending order; a02 is not general
    assert general["entries"][1]["view"]["title"] == "Cross départemental"
    assert general["entries"][1]["view"]["tags"] == ["61001", "general"]
    commune = written["TILE#news#61001/CONTENT"]
    assert [e["id"] for e in commune["entries"]] == ["a02", "a01"]
    assert commune["params"] == {"commune": "61001"}
    assert written["TILE#news/EXAMPLE"]["key"] == "61001"  # an INSEE key sorts before `general`
    assert written["TILE#news/EXAMPLE"]["params"] == {"commune": "61001"}
