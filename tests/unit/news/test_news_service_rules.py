"""The news service's rules over an in-memory reader: which tags a list merges, its cursor, freshness, and the
route wired to fakes. No AWS, no environment variable, no module purge."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import http_api_event

from news import handler, logic
from news.deps import Deps
from poche_common.errors import InvalidRequestError

ROOT = Path(__file__).resolve().parents[3]
NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)
Item = dict[str, Any]


def article(article_id: str, hour: int, *tags: str) -> Item:
    published = dt.datetime(2026, 11, 28, hour, tzinfo=dt.UTC).isoformat()
    return {"id": article_id, "title": article_id.upper(), "published": published, "tags": list(tags)}


class FakeReader:
    """The reader port over a list of articles: each tag's stream newest first, an article of two tags once;
    the positions are the ids already taken."""

    def __init__(self, articles: list[Item], fetched_at: str | None) -> None:
        self.articles = sorted(articles, key=lambda a: str(a["published"]), reverse=True)
        self.state = fetched_at
        self.asked: list[list[str]] = []

    def page(self, tags: list[str], limit: int, positions: dict[str, Any] | None) -> tuple[list[Item], Any]:
        self.asked.append(tags)
        taken = set((positions or {}).get("taken", []))
        found = [a for a in self.articles if set(a["tags"]) & set(tags) and a["id"] not in taken]
        page = found[:limit]
        more = len(found) > limit
        return page, ({"taken": sorted(taken | {a["id"] for a in page})} if more else None)

    def fetched_at(self) -> str | None:
        return self.state


def reader(fetched_at: str | None = "2026-11-29T08:00:00+00:00") -> FakeReader:
    articles = [article("a", 8, "general"), article("b", 9, "61001"), article("c", 10, "general", "61001")]
    return FakeReader([*articles, article("d", 11, "61006")], fetched_at)


def test_the_departement_news_alone_without_a_commune() -> None:
    fake = reader()
    payload = logic.news(fake, 10800, NOW, commune=None, limit=10, cursor=None)
    assert [a["id"] for a in payload["items"]] == ["c", "a"] and payload["next"] is None
    assert fake.asked == [["general"]]
    assert payload["as_of"] == "2026-11-29T09:00:00+01:00" and payload["stale"] is False


def test_a_commune_adds_its_news_page_by_page_each_article_once() -> None:
    fake = reader()
    first = logic.news(fake, 10800, NOW, commune="61001", limit=2, cursor=None)
    assert [a["id"] for a in first["items"]] == ["c", "b"] and first["next"] is not None
    second = logic.news(fake, 10800, NOW, commune="61001", limit=2, cursor=first["next"])
    assert [a["id"] for a in second["items"]] == ["a"] and second["next"] is None
    assert fake.asked[0] == ["general", "61001"]


def test_a_cursor_is_bound_to_its_commune() -> None:
    fake = reader()
    first = logic.news(fake, 10800, NOW, commune="61001", limit=1, cursor=None)
    with pytest.raises(InvalidRequestError) as caught:
        logic.news(fake, 10800, NOW, commune="61006", limit=1, cursor=first["next"])
    assert caught.value.field == "cursor"


def test_stale_when_never_read_or_read_too_long_ago() -> None:
    never = logic.news(reader(None), 10800, NOW, commune=None, limit=5, cursor=None)
    assert (never["as_of"], never["stale"]) == (None, True)
    old = logic.news(reader("2026-11-29T05:59:00+00:00"), 10800, NOW, commune=None, limit=5, cursor=None)
    assert old["stale"] is True and old["as_of"] == "2026-11-29T06:59:00+01:00"


def test_the_route_answers_from_the_injected_reader_without_any_environment(
    monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.setattr(handler, "utc_now", lambda: NOW)
    with handler.dependencies.override(Deps(reader(), stale_after_s=10800)):
        listed = handler.handler(http_api_event("GET /v1/news", "/v1/news", query={"commune": "61006"}), lambda_context)
        refused = handler.handler(http_api_event("GET /v1/news", "/v1/news", query={"commune": "75056"}), None)
    assert listed["statusCode"] == 200 and listed["headers"]["Cache-Control"] == "public, max-age=600"
    assert [a["id"] for a in json.loads(listed["body"])["items"]] == ["d", "c", "a"]
    assert refused["statusCode"] == 404


def test_importing_the_handler_reads_no_environment_and_builds_nothing() -> None:
    code = (
        "import os, sys\n"
        "os.environ.pop('TABLE_NAME', None)\n"
        "import news.handler as h\n"
        "assert h.dependencies._value is None\n"
        "assert 'boto3' not in sys.modules, 'boto3 is imported by the first request, not at cold start'\n"
    )
    paths = ("functions", "layers/common/python", "layers/news/python")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in paths), "POWERTOOLS_SERVICE_NAME": "t"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
