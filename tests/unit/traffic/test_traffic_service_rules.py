"""The traffic service's rules over an in-memory reader: which partition answers, the in-force and box filters, the
order and pages, freshness, 404s, and the route wired to fakes. No AWS, no environment variable, no module purge."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import pytest
from support import body, http_api_event

from poche_common.errors import InvalidRequestError, NotFoundError
from poche_common.pagination import encode_cursor
from traffic import handler, logic
from traffic.deps import Deps

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 2, 9, tzinfo=UTC)
FETCHED = "2026-12-02T08:55:00+00:00"
ALENCON = "61001"
Item = dict[str, Any]


def summary(event_id: str, start: str, *, lon: float = 0.09, lat: float = 48.43, **extra: Any) -> Item:
    geometry = {"kind": "point", "positions": [[lon, lat]], "display": [lon, lat]}
    return {
        "pk": f"EVENT#{event_id}",
        "id": event_id,
        "start": start,
        "end": extra.pop("end", None),
        "status": extra.pop("status", "active"),
        "geometry": json.dumps(geometry),
        **extra,
    }


def profile(s: Item) -> Item:
    return {
        **s,
        "type": "roadworks",
        "severity": "medium",
        "description": f"Travaux {s['id']}",
        "communes": [ALENCON],
    }


class FakeReader:
    def __init__(self, summaries: Iterable[Item], fetched_at: str | None = FETCHED) -> None:
        self.summaries = list(summaries)
        self.fetched = fetched_at
        self.calls: list[tuple[str, Any]] = []

    def everywhere(self) -> list[Item]:
        self.calls.append(("everywhere", None))
        return list(self.summaries)

    def in_commune(self, insee: str) -> list[Item]:
        self.calls.append(("in_commune", insee))
        return [s for s in self.summaries if insee in s.get("in", [ALENCON])]

    def in_cells(self, cells: Iterable[str]) -> list[Item]:
        self.calls.append(("in_cells", sorted(cells)))
        return list(self.summaries)

    def profiles(self, partitions: list[str]) -> dict[str, Item]:
        self.calls.append(("profiles", list(partitions)))
        return {s["pk"]: profile(s) for s in self.summaries if s["pk"] in partitions}

    def fetched_at(self) -> str | None:
        return self.fetched


def listed(reader: FakeReader, **kw: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {"commune": None, "box": None, "active": True, "limit": 20, "cursor": None, **kw}
    return logic.events(reader, 1800, NOW, **arguments)


EVENTS = [
    summary("a", "2026-12-01T07:00:00+00:00"),
    summary("b", "2026-12-02T06:00:00+00:00"),
    summary("c", "2026-12-02T06:00:00+00:00"),
    summary("future", "2026-12-05T06:00:00+00:00", status="planned"),
    summary("over", "2026-11-20T06:00:00+00:00", end="2026-11-30T06:00:00+00:00"),
    summary("far", "2026-12-01T08:00:00+00:00", lon=-0.6, lat=48.6),
]


def test_most_recent_start_first_then_id_and_only_events_in_force() -> None:
    payload = listed(FakeReader(EVENTS))
    assert [i["id"] for i in payload["items"]] == ["b", "c", "far", "a"]
    assert all(i["active"] for i in payload["items"])
    assert payload["next"] is None and (payload["as_of"], payload["stale"]) == ("2026-12-02T09:55:00+01:00", False)

    everything = listed(FakeReader(EVENTS), active=False)
    assert [i["id"] for i in everything["items"]] == ["future", "b", "c", "far", "a", "over"]


def test_each_question_reads_its_own_partition() -> None:
    reader = FakeReader(EVENTS)
    listed(reader, commune=ALENCON)
    listed(reader, box=(0.05, 48.40, 0.15, 48.46))
    listed(reader)
    reads = [name for name, _ in reader.calls if name != "profiles"]
    assert reads == ["in_commune", "in_cells", "everywhere"]
    [cells] = [arg for name, arg in reader.calls if name == "in_cells"]
    assert cells == logic.cells_for((0.05, 48.40, 0.15, 48.46))


def test_a_box_keeps_only_the_events_it_meets() -> None:
    payload = listed(FakeReader(EVENTS), box=(0.05, 48.40, 0.15, 48.46))
    assert "far" not in [i["id"] for i in payload["items"]] and len(payload["items"]) == 3


def test_a_commune_not_of_the_departement_is_a_404_before_any_read() -> None:
    reader = FakeReader(EVENTS)
    with pytest.raises(NotFoundError):
        listed(reader, commune="75056")
    assert reader.calls == []


def test_pages_follow_the_cursor_and_a_cursor_of_another_question_is_refused() -> None:
    reader = FakeReader(EVENTS)
    first = listed(reader, limit=2)
    assert [i["id"] for i in first["items"]] == ["b", "c"] and first["next"]
    second = listed(reader, limit=2, cursor=first["next"])
    assert [i["id"] for i in second["items"]] == ["far", "a"] and second["next"] is None
    assert ("profiles", ["EVENT#far", "EVENT#a"]) in reader.calls  # profiles of the page shown only

    with pytest.raises(InvalidRequestError) as error:
        listed(reader, limit=2, cursor=first["next"], active=False)
    assert error.value.field == "cursor"
    forged = encode_cursor("traffic-events|||True", {"start": 3, "id": None})
    with pytest.raises(InvalidRequestError):
        listed(reader, cursor=forged)


def test_stale_when_never_read_or_read_too_long_ago() -> None:
    assert listed(FakeReader([], fetched_at=None)) == {"items": [], "next": None, "as_of": None, "stale": True}
    old = listed(FakeReader(EVENTS, fetched_at="2026-12-02T08:29:00+00:00"))
    assert old["stale"] is True and len(old["items"]) == 4  # the last good data is still served


def test_the_route_answers_from_the_injected_reader(lambda_context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handler, "utc_now", lambda: NOW)
    with handler.dependencies.override(Deps(reader=FakeReader(EVENTS), stale_after_s=1800)):
        response = handler.handler(
            http_api_event("GET /v1/traffic/events", "/v1/traffic/events", query={"commune": ALENCON, "limit": "1"}),
            lambda_context,
        )
        refused = handler.handler(
            http_api_event("GET /v1/traffic/events", "/v1/traffic/events", query={"bbox": "1,2,3"}), lambda_context
        )
    assert response["statusCode"] == 200 and [i["id"] for i in body(response)["items"]] == ["b"]
    assert refused["statusCode"] == 400 and body(refused)["invalid_params"][0]["name"] == "bbox"
