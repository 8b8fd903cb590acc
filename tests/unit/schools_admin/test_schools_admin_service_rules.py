"""The schools admin API's rules and write sequence over fakes of its ports (notices, outbox, projections): what
is stored, which event is staged with each write, 404/409, an unchanged notice written no more, a refused event
that leaves the write a success; and the routes wired to fakes. No AWS, no environment variable."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from support import http_api_event

from poche_common.errors import ConflictError, NotFoundError
from poche_common.outbox import FlushResult, StagedEvent
from schools_admin import handler, logic
from schools_admin.validation import NoticeFields

ROOT = Path(__file__).resolve().parents[3]
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
RACINE = "0610003X"
FIELDS = NoticeFields(
    title="Sortie au musée",
    body="Les 4e partent à 13 h.",
    kind="timetable_change",
    starts=dt.datetime(2026, 12, 1, 12, tzinfo=UTC),
    ends=dt.datetime(2026, 12, 1, 16, 30, tzinfo=UTC),
)
STAFF = {"sub": "x", "cognito:groups": "[school-staff]", "custom:schools": RACINE}
Item = dict[str, Any]


class FakeNotices:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Item] = {}
        self.writes: list[tuple[str, str, list[str]]] = []  # (action, notice id, staged event types)

    def get(self, uai: str, notice_id: str) -> Item | None:
        return self.items.get((uai, notice_id))

    def create(self, item: Item, events: Sequence[StagedEvent] = ()) -> None:
        self.items[(item["uai"], item["id"])] = item
        self.writes.append(("create", item["id"], [e.detail_type for e in events]))

    def replace(self, item: Item, previous_digest: str, events: Sequence[StagedEvent] = ()) -> None:
        assert self.items[(item["uai"], item["id"])]["digest"] == previous_digest
        self.items[(item["uai"], item["id"])] = item
        self.writes.append(("replace", item["id"], [e.detail_type for e in events]))

    def delete(self, uai: str, notice_id: str, previous_digest: str, events: Sequence[StagedEvent] = ()) -> None:
        assert self.items.pop((uai, notice_id))["digest"] == previous_digest
        self.writes.append(("delete", notice_id, [e.detail_type for e in events]))


class FakeEvents:
    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def prepare(self, detail_type: str, facts: Mapping[str, Any], *, ready: bool = False) -> StagedEvent:
        assert ready
        detail = json.dumps({"facts": dict(facts)})
        return StagedEvent(f"e{len(self.sent)}", "schools-admin", "poche.schools", detail_type, detail, "", "READY", 0)

    def send(self, staged: Sequence[StagedEvent]) -> FlushResult:
        result = FlushResult()
        for event in staged:
            if self.refuse:
                result.failed[event.id] = "ThrottlingException"
            else:
                self.sent.append((event.detail_type, json.loads(event.detail)["facts"]))
                result.sent.append(event.id)
        return result


class Projections:
    def __init__(self) -> None:
        self.rewritten: list[tuple[list[str], dt.datetime]] = []

    def __call__(self, uais: list[str], now: dt.datetime) -> None:
        self.rewritten.append((uais, now))


def writer(refuse: bool = False) -> logic.Writer:
    return logic.Writer(notices=FakeNotices(), outbox=FakeEvents(refuse), projections=Projections())


def test_a_new_notice_is_stored_with_its_event_its_tile_rewritten_then_the_event_sent() -> None:
    w = writer()
    item = logic.create(w, RACINE, "n1", FIELDS, NOW)
    assert (item["pk"], item["origin"], item["updated_at"]) == (f"SCHOOL#{RACINE}", "school", NOW.isoformat())
    assert w.notices.writes == [("create", "n1", ["SchoolNoticePublished"])]  # type: ignore[attr-defined]
    assert w.projections.rewritten == [([RACINE], NOW)]  # type: ignore[attr-defined]
    [(detail_type, facts)] = w.outbox.sent  # type: ignore[attr-defined]
    assert detail_type == "SchoolNoticePublished" and facts["change"] == "created" and facts["uais"] == [RACINE]
    assert facts["notices"][0]["title"] == "Sortie au musée" and facts["origin"] == "school"


def test_an_unchanged_notice_is_not_written_again_a_changed_one_is() -> None:
    w = writer()
    current = logic.create(w, RACINE, "n1", FIELDS, NOW)
    later = NOW + dt.timedelta(hours=1)
    assert logic.change(w, current, logic.fields_of(current), later) is current
    changed = logic.change(w, current, NoticeFields(**{**FIELDS.__dict__, "title": "Sortie reportée"}), later)
    assert changed["title"] == "Sortie reportée" and changed["updated_at"] == later.isoformat()
    assert [write[0] for write in w.notices.writes] == ["create", "replace"]  # type: ignore[attr-defined]
    assert [facts["change"] for _, facts in w.outbox.sent] == ["created", "updated"]  # type: ignore[attr-defined]


def test_withdrawing_deletes_and_announces() -> None:
    w = writer()
    current = logic.create(w, RACINE, "n1", FIELDS, NOW)
    logic.withdraw(w, current, NOW)
    assert w.notices.get(RACINE, "n1") is None
    assert w.outbox.sent[-1][0] == "SchoolNoticeWithdrawn"  # type: ignore[attr-defined]


def test_an_unknown_notice_is_404_and_one_of_the_feed_409() -> None:
    w = writer()
    with pytest.raises(NotFoundError, match="n9"):
        logic.existing(w.notices, RACINE, "n9")
    feed = {**logic.notice_item(RACINE, "f1", FIELDS, NOW), "origin": "departement"}
    w.notices.items[(RACINE, "f1")] = feed  # type: ignore[attr-defined]
    with pytest.raises(ConflictError):
        logic.existing(w.notices, RACINE, "f1")


def test_an_event_the_bus_refuses_leaves_the_write_a_success() -> None:
    w = writer(refuse=True)
    item = logic.create(w, RACINE, "n1", FIELDS, NOW)
    assert w.notices.get(RACINE, "n1") == item and w.outbox.sent == []  # type: ignore[attr-defined]


def test_the_routes_write_through_the_injected_ports_without_any_environment(
    monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.setattr(handler, "utc_now", lambda: NOW)
    monkeypatch.setattr(handler, "new_id", lambda: "n1")
    body = {"title": "Sortie", "kind": "timetable_change", "starts": "2026-12-01T13:00:00+01:00",
            "ends": "2026-12-01T17:30:00+01:00"}  # fmt: skip
    route = "/v1/admin/schools/{uai}/notices"
    post = http_api_event(f"POST {route}", f"/v1/admin/schools/{RACINE}/notices", path_parameters={"uai": RACINE},
                          body=json.dumps(body), claims=STAFF)  # fmt: skip
    notice = {"uai": RACINE, "notice_id": "n1"}
    delete = http_api_event(f"DELETE {route}/{{notice_id}}", f"/v1/admin/schools/{RACINE}/notices/n1",
                            path_parameters=notice, claims=STAFF)  # fmt: skip
    w = writer()
    with handler.dependencies.override(w):
        created = handler.handler(post, lambda_context)
        withdrawn = handler.handler(delete, lambda_context)
        again = handler.handler(delete, lambda_context)
    assert created["statusCode"] == 201 and created["headers"]["Location"] == f"/v1/admin/schools/{RACINE}/notices/n1"
    assert json.loads(created["body"])["id"] == "n1" and created["headers"]["Cache-Control"] == "no-store"
    assert withdrawn["statusCode"] == 204 and again["statusCode"] == 404


def test_importing_the_handler_reads_no_environment_and_builds_nothing() -> None:
    code = (
        "import os, sys\n"
        "os.environ.pop('TABLE_NAME', None)\n"
        "os.environ.pop('EVENT_BUS_NAME', None)\n"
        "import schools_admin.handler as h\n"
        "assert h.dependencies._value is None\n"
        "assert 'boto3' not in sys.modules, 'boto3 is imported by the first request, not at cold start'\n"
    )
    paths = ("functions", "layers/common/python")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in paths), "POWERTOOLS_SERVICE_NAME": "t"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
