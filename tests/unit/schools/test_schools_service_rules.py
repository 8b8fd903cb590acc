"""The schools service's rules over an in-memory notice reader: pages of the reference schools, a school's current
notices, 404s, freshness of the département's feed, and the routes wired to fakes. No AWS, no environment
variable, no module purge."""

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

from poche_common import schools
from poche_common.errors import InvalidRequestError, NotFoundError
from schools import handler, logic
from schools.deps import Deps

ROOT = Path(__file__).resolve().parents[3]
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
RACINE = "0610003X"
Item = dict[str, Any]


def notice(notice_id: str, starts: dt.datetime, ends: dt.datetime) -> Item:
    return schools.notice_item(
        uai=RACINE,
        notice_id=notice_id,
        kind="timetable_change",
        title=f"Information {notice_id}",
        body="",
        starts=starts,
        ends=ends,
        origin="school",
        updated_at=NOW,
    )


class FakeReader:
    def __init__(self, notices: dict[str, list[Item]], fetched_at: str | None) -> None:
        self.stored = notices
        self.state = fetched_at
        self.asked: list[str] = []

    def notices(self, uai: str) -> list[Item]:
        self.asked.append(uai)
        return list(self.stored.get(uai, []))

    def fetched_at(self) -> str | None:
        return self.state


def reader(fetched_at: str | None = "2026-11-30T08:45:00+00:00") -> FakeReader:
    hour = dt.timedelta(hours=1)
    stored = [
        notice("later", NOW + 48 * hour, NOW + 50 * hour),
        notice("ended", NOW - 5 * hour, NOW - hour),
        notice("current", NOW - hour, NOW + hour),
    ]
    return FakeReader({RACINE: stored}, fetched_at)


def test_schools_of_a_commune_page_by_page_never_stale() -> None:
    first = logic.school_list(commune="61001", limit=4, cursor=None)
    assert len(first["items"]) == 4 and first["next"] is not None
    assert first["as_of"] == "2025-04-22T00:00:00+02:00" and first["stale"] is False
    seen = [s["uai"] for s in first["items"]]
    cursor = first["next"]
    while cursor:
        page = logic.school_list(commune="61001", limit=4, cursor=cursor)
        seen += [s["uai"] for s in page["items"]]
        cursor = page["next"]
    assert seen == [s.uai for s in schools.in_commune("61001")]
    with pytest.raises(InvalidRequestError) as caught:
        logic.school_list(commune=None, limit=4, cursor=first["next"])
    assert caught.value.field == "cursor"


def test_current_and_upcoming_notices_by_start_as_of_now() -> None:
    fake = reader()
    payload = logic.notices(fake, 3600, NOW, uai=" 0610003x ")
    assert [n["id"] for n in payload["items"]] == ["current", "later"] and payload["next"] is None
    assert payload["school"]["uai"] == RACINE and fake.asked == [RACINE]
    assert payload["as_of"] == "2026-11-30T10:00:00+01:00" and payload["stale"] is False


def test_stale_when_the_departement_feed_was_never_read_or_too_long_ago() -> None:
    never = logic.notices(reader(None), 3600, NOW, uai=RACINE)
    assert never["stale"] is True and never["as_of"] == "2026-11-30T10:00:00+01:00"
    assert logic.notices(reader("2026-11-30T07:59:59+00:00"), 3600, NOW, uai=RACINE)["stale"] is True


def test_an_unknown_school_is_404_before_any_read() -> None:
    fake = reader()
    with pytest.raises(NotFoundError):
        logic.notices(fake, 3600, NOW, uai="0619999Z")
    assert fake.asked == []


def test_the_routes_answer_from_the_injected_reader_without_any_environment(
    monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.setattr(handler, "utc_now", lambda: NOW)
    route = "GET /v1/schools/{uai}/notices"
    event = http_api_event(route, f"/v1/schools/{RACINE}/notices", path_parameters={"uai": RACINE})
    with handler.dependencies.override(Deps(reader(), stale_after_s=3600)):
        response = handler.handler(event, lambda_context)
    listed = handler.handler(http_api_event("GET /v1/schools", "/v1/schools", query={"limit": "2"}), None)
    assert response["statusCode"] == 200 and response["headers"]["Cache-Control"] == "public, max-age=60"
    assert [n["id"] for n in json.loads(response["body"])["items"]] == ["current", "later"]
    assert listed["statusCode"] == 200 and len(json.loads(listed["body"])["items"]) == 2


def test_importing_the_handler_reads_no_environment_and_builds_nothing() -> None:
    code = (
        "import os, sys\n"
        "os.environ.pop('TABLE_NAME', None)\n"
        "import schools.handler as h\n"
        "assert h.dependencies._value is None\n"
        "assert 'boto3' not in sys.modules, 'boto3 is imported by the first request, not at cold start'\n"
    )
    paths = ("functions", "layers/common/python")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in paths), "POWERTOOLS_SERVICE_NAME": "t"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
