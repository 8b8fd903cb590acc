"""The home screen service's rules over in-memory tile types and reader: the catalogue with its examples, a home
of tiles (an unknown type is an error entry, not a failure), and the routes wired to fakes. No AWS, no
environment variable, no module purge."""

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

from home import handler, logic
from home.deps import Deps
from home_shared.catalogue import TileType

ROOT = Path(__file__).resolve().parents[3]
NOW = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)  # 08:00 in Paris
Key = tuple[str, str, str]


def tile_type(tile_id: str, params: list[str], table: str, keys: list[str]) -> TileType:
    return TileType.from_registration(
        {"id": tile_id, "title": tile_id.title(), "service": tile_id, "params": params, "table": table, "keys": keys}
    )


TYPES = {
    "canteen-menu": tile_type("canteen-menu", ["canteen_id"], "canteen-table", ["{canteen_id}"]),
    "news": tile_type("news", ["commune"], "news-table", ["general", "{commune}"]),
}


class FakeReader:
    """Items by (table, pk, sk); one round trip per `read`."""

    def __init__(self, items: dict[Key, dict[str, Any]]) -> None:
        self.items = items
        self.round_trips = 0

    def read(self, keys: list[Key]) -> tuple[dict[Key, dict[str, Any]], list[Key]]:
        self.round_trips += 1
        return {key: self.items[key] for key in keys if key in self.items}, []


class FakeTypes:
    def types(self) -> dict[str, TileType]:
        return TYPES


def items() -> dict[Key, dict[str, Any]]:
    article = {"id": "a", "order": "2026-11-29T10:00:00+00:00", "view": {"id": "a"}}
    return {
        ("news-table", "TILE#news", "EXAMPLE"): {"params": {"commune": "61001"}},
        ("news-table", "TILE#news#general", "CONTENT"): {"head": {}, "entries": [article]},
    }


def test_the_catalogue_lists_every_type_with_its_example_in_one_read() -> None:
    reader = FakeReader(items())
    payload = logic.catalogue(TYPES, reader, NOW)
    examples = {item["id"]: item["example"] for item in payload["items"]}
    assert examples == {"canteen-menu": None, "news": {"commune": "61001"}}  # no canteen data loaded yet
    assert payload["items"][1]["params"] == ["commune"] and payload["items"][1]["service"] == "news"
    assert (payload["as_of"], payload["stale"], payload["next"]) == ("2026-11-30T08:00:00+01:00", False, None)
    assert reader.round_trips == 1


def test_a_home_answers_each_tile_and_an_unknown_type_as_an_error_entry() -> None:
    reader = FakeReader(items())
    tiles = [{"type": "news", "params": {"commune": "61001"}}, {"type": "weather", "params": {}}]
    answers = logic.home(tiles, TYPES, reader, NOW)["tiles"]
    assert answers[0]["type"] == "news" and [e["id"] for e in answers[0]["content"]["items"]] == ["a"]
    assert answers[1]["error"]["status"] == 404
    assert reader.round_trips <= 3


def test_the_routes_answer_from_the_injected_dependencies_without_any_environment(
    monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    monkeypatch.delenv("TILES_PARAMETER_PATH", raising=False)
    monkeypatch.setattr(handler, "utc_now", lambda: NOW)
    reader = FakeReader(items())
    body = json.dumps({"tiles": [{"type": "news", "params": {"commune": "61001"}}]})
    with handler.dependencies.override(Deps(FakeTypes(), None, tile_reader=lambda _: reader)):
        listed = handler.handler(http_api_event("GET /v1/tiles/catalogue", "/v1/tiles/catalogue"), lambda_context)
        home = handler.handler(http_api_event("POST /v1/home", "/v1/home", body=body), lambda_context)
        refused = handler.handler(http_api_event("POST /v1/home", "/v1/home", body="[]"), lambda_context)
    assert listed["statusCode"] == 200 and listed["headers"]["Cache-Control"] == "public, max-age=300"
    assert home["statusCode"] == 200 and home["headers"]["Cache-Control"] == "no-store"
    assert json.loads(home["body"])["tiles"][0]["content"]["items"][0]["id"] == "a"
    assert refused["statusCode"] == 400


def test_importing_the_handler_reads_no_environment_and_builds_nothing() -> None:
    code = (
        "import os\n"
        "os.environ.pop('TILES_PARAMETER_PATH', None)\n"
        "import home.handler as h\n"
        "assert h.dependencies._value is None\n"
    )
    paths = ("functions", "layers/common/python", "layers/home/python", "layers/transit/python")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in paths), "POWERTOOLS_SERVICE_NAME": "t"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
