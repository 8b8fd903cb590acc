"""Each producer of each event, run for real on the provisioned stacks (`cloud`) with its bundled sample (or a
write of the schools admin API), and what it put on the bus: the events the contract tests check. The runs are
the outbox tests' (`integration/test_outbox.py`: each producer, its package and the clock of its samples)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from integration.test_outbox import ADMIN, PRODUCERS, RACINE, STAFF, World
from support import Cloud, http_api_event

ROOT = Path(__file__).resolve().parents[2]
RUNS = {producer.name: producer for producer in PRODUCERS}

Run = Callable[[Cloud, Any, Path], list[dict[str, Any]]]


class Emitter(NamedTuple):
    source: str
    detail_type: str
    producer: str  # as the registry names it (`eventtypes.EventType.producers`)
    run: Run  # the events the run put on the bus (every one of them)

    @property
    def id(self) -> str:
        return f"{self.detail_type}-{self.producer}"


def scheduled(name: str) -> Run:
    """A scheduled run of the connector `name` on its bundled sample (the admin API: a staff member's notice)."""

    def run(cloud: Cloud, context: Any, tmp_path: Path) -> list[dict[str, Any]]:
        World(cloud, context, RUNS[name]).act()
        return cloud.bus_events()

    return run


def notices_withdrawn(cloud: Cloud, context: Any, tmp_path: Path) -> list[dict[str, Any]]:
    """The département's feed, then the same feed without its snow order: those notices are withdrawn."""
    world = World(cloud, context, RUNS["schools-notices-csv"])
    world.act()
    cloud.bus_events()
    feed = tmp_path / "notices.csv"
    lines = (ROOT / "functions/connectors/schools_notices_csv/sample/notices.csv").read_bytes().split(b"\r\n")
    feed.write_bytes(b"\r\n".join(line for line in lines if not line.startswith(b"arrete-")))
    cloud.monkeypatch.setenv("POCHE_SOURCE_SCHOOLS_NOTICES_CSV", feed.as_uri())
    world.act()
    return cloud.bus_events()


def admin_writes(cloud: Cloud, context: Any, tmp_path: Path) -> list[dict[str, Any]]:
    """A school's staff publish a notice, change it, then withdraw it (one event each)."""
    world = World(cloud, context, RUNS[ADMIN])
    created = world.act()
    assert created["statusCode"] == 201, created
    notice_id = json.loads(created["body"])["id"]
    route = "/v1/admin/schools/{uai}/notices/{notice_id}"
    path = f"/v1/admin/schools/{RACINE}/notices/{notice_id}"
    params = {"uai": RACINE, "notice_id": notice_id}
    for method, body in (("PATCH", json.dumps({"title": "Sortie avancée à 14h"})), ("DELETE", None)):
        event = http_api_event(f"{method} {route}", path, path_parameters=params, body=body, claims=STAFF)
        response = world.module.handler(event, context)
        assert response["statusCode"] < 300, response
    return cloud.bus_events()


def _emitters() -> list[Emitter]:
    from poche_common.eventtypes import EVENTS

    special = {
        ("SchoolNoticePublished", ADMIN): admin_writes,
        ("SchoolNoticeWithdrawn", ADMIN): admin_writes,
        ("SchoolNoticeWithdrawn", "schools-notices-csv"): notices_withdrawn,
    }
    return [
        Emitter(d.source, d.detail_type, name, special.get((d.detail_type, name)) or scheduled(name))
        for d in EVENTS.values()
        for name in d.producers
    ]


EMITTERS = _emitters()
