"""The canteen service's rules over an in-memory reader: pages of canteens, 404s, menus of a date range,
freshness, and the routes wired to fakes. No AWS, no environment variable, no module purge."""

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

from canteen import handler, logic
from canteen.deps import Deps
from poche_common.errors import InvalidRequestError, NotFoundError

ROOT = Path(__file__).resolve().parents[3]
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
FRESH = "2026-12-02T08:30:00+00:00"
Item = dict[str, Any]


def canteen(canteen_id: str, name: str, commune: str | None = "61001") -> Item:
    return {"id": canteen_id, "name": name, "kind": "college", "kind_label": "Collège", "commune": commune}


def meal(day: str, code: str = "dejeuner") -> Item:
    return {"date": day, "meal": code, "meal_label": "Déjeuner", "courses": [], "notes": []}


class FakeReader:
    """The reader port over lists; remembers the reads (each is one DynamoDB round trip in the store)."""

    def __init__(self, canteens: list[Item], meals: dict[str, list[Item]], fetched_at: str | None = FRESH) -> None:
        self.by_id = {c["id"]: c for c in canteens}
        self.meals_of = meals
        self.state = fetched_at
        self.calls: list[str] = []

    def canteen_and_fetched_at(self, canteen_id: str) -> tuple[Item | None, str | None]:
        self.calls.append("canteen_and_fetched_at")
        return self.by_id.get(canteen_id), self.state

    def canteens(self, commune: str | None, limit: int, start: dict[str, Any] | None) -> tuple[list[Item], Any]:
        self.calls.append("canteens")
        found = sorted(
            (c for c in self.by_id.values() if commune is None or c["commune"] == commune), key=lambda c: c["name"]
        )
        if start is not None:
            found = [c for c in found if c["name"] > start["after"]]
        page = found[:limit]
        return page, ({"after": page[-1]["name"]} if len(found) > limit else None)

    def meals(self, canteen_id: str, first: dt.date, last: dt.date) -> list[Item]:
        self.calls.append("meals")
        return [m for m in self.meals_of.get(canteen_id, []) if first.isoformat() <= m["date"] <= last.isoformat()]

    def fetched_at(self) -> str | None:
        self.calls.append("fetched_at")
        return self.state


def reader(fetched_at: str | None = FRESH) -> FakeReader:
    canteens = [canteen("A1", "Collège Alain"), canteen("B2", "Collège Balzac"), canteen("C3", "École", "61006")]
    meals = {"A1": [meal("2026-11-29"), meal("2026-11-30"), meal("2026-12-04"), meal("2026-12-08")]}
    return FakeReader(canteens, meals, fetched_at)


def test_canteens_page_by_page_then_of_a_commune() -> None:
    fake = reader()
    first = logic.canteens(fake, 3600, NOW, commune=None, limit=2, cursor=None)
    assert [c["id"] for c in first["items"]] == ["A1", "B2"] and first["next"] is not None
    assert first["as_of"] == "2026-12-02T09:30:00+01:00" and first["stale"] is False
    second = logic.canteens(fake, 3600, NOW, commune=None, limit=2, cursor=first["next"])
    assert [c["id"] for c in second["items"]] == ["C3"] and second["next"] is None
    of_commune = logic.canteens(fake, 3600, NOW, commune="61006", limit=10, cursor=None)
    assert [c["id"] for c in of_commune["items"]] == ["C3"]


def test_a_cursor_of_another_commune_is_refused() -> None:
    fake = reader()
    first = logic.canteens(fake, 3600, NOW, commune=None, limit=1, cursor=None)
    with pytest.raises(InvalidRequestError) as caught:
        logic.canteens(fake, 3600, NOW, commune="61001", limit=1, cursor=first["next"])
    assert caught.value.field == "cursor"


def test_one_canteen_or_404_in_one_read() -> None:
    fake = reader()
    payload = logic.canteen(fake, 3600, NOW, canteen_id="B2")
    assert payload["id"] == "B2" and payload["stale"] is False
    assert fake.calls == ["canteen_and_fetched_at"]
    with pytest.raises(NotFoundError, match="Z9"):
        logic.canteen(fake, 3600, NOW, canteen_id="Z9")


def test_menus_of_the_range_asked_and_404_for_an_unknown_canteen() -> None:
    fake = reader()
    first, last = logic.menu_range(None, None, dt.date(2026, 12, 2))
    payload = logic.menus(fake, 3600, NOW, canteen_id="A1", first=first, last=last)
    assert (payload["from"], payload["to"]) == ("2026-11-30", "2026-12-06")
    assert [m["date"] for m in payload["items"]] == ["2026-11-30", "2026-12-04"] and payload["next"] is None
    assert payload["canteen"]["id"] == "A1"
    assert fake.calls == ["canteen_and_fetched_at", "meals"]
    with pytest.raises(NotFoundError):
        logic.menus(fake, 3600, NOW, canteen_id="Z9", first=first, last=last)


def test_stale_when_never_read_or_read_too_long_ago() -> None:
    never = logic.canteens(reader(None), 3600, NOW, commune=None, limit=5, cursor=None)
    assert (never["as_of"], never["stale"]) == (None, True)
    old = logic.canteen(reader("2026-12-02T07:59:59+00:00"), 3600, NOW, canteen_id="A1")
    assert old["stale"] is True


def test_the_routes_answer_from_the_injected_reader_without_any_environment(
    monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.setattr(handler, "utc_now", lambda: NOW)
    monkeypatch.setattr(handler, "today_paris", lambda: dt.date(2026, 12, 2))
    route = "GET /v1/canteens/{canteen_id}/menus"
    event = http_api_event(route, "/v1/canteens/A1/menus", path_parameters={"canteen_id": "A1"})
    with handler.dependencies.override(Deps(reader(), stale_after_s=3600)):
        menus = handler.handler(event, lambda_context)
        refused = handler.handler({**event, "queryStringParameters": {"from": "2026-12-02", "to": "2026-12-01"}}, None)
    assert menus["statusCode"] == 200 and menus["headers"]["Cache-Control"] == "public, max-age=3600"
    assert [m["date"] for m in json.loads(menus["body"])["items"]] == ["2026-11-30", "2026-12-04"]
    assert refused["statusCode"] == 400 and json.loads(refused["body"])["invalid_params"][0]["name"] == "to"


def test_importing_the_handler_reads_no_environment_and_builds_nothing() -> None:
    code = (
        "import os, sys\n"
        "os.environ.pop('TABLE_NAME', None)\n"
        "import canteen.handler as h\n"
        "assert h.dependencies._value is None\n"
        "assert 'boto3' not in sys.modules, 'boto3 is imported by the first request, not at cold start'\n"
    )
    paths = ("functions", "layers/common/python", "layers/canteen/python")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in paths), "POWERTOOLS_SERVICE_NAME": "t"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
