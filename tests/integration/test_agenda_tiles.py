"""The `events` tile projections kept by the agenda-openagenda and agenda-datatourisme connectors, on the stacks
provisioned into moto.

Each commune's `TILE#events#<insee>/CONTENT` must hold the next occurrences `GET /v1/events?commune=<insee>` lists
(from today, not ended, within 60 days, at most 50), item for item, an event known from both sources once; a run
that changes nothing touches no projection; a commune whose events left the feed keeps an empty projection.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from support import Cloud, Recording, body, http_api_event, tile_items

from poche_common.clock import parse_iso

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "functions/connectors/agenda_openagenda/sample"
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # Tuesday 1 December 2026, 10:00 in Paris
ORCHESTRA_TWIN = "datatourisme:a1f0c2d4-0001-4e6a-9b1e-orchestre"  # DATAtourisme's copy of openagenda:8001
MARKET = "datatourisme:c3f2e4d6-0003-4a8c-9d3a-marche-argentan"  # Tuesdays 08:00-13:00 in Argentan


def run(cloud: Cloud, lambda_context: Any, package: str, source: str | None = None) -> Recording:
    variable = f"POCHE_SOURCE_{package.upper()}"
    if source is not None:
        cloud.monkeypatch.setenv(variable, source)
    module = cloud.load(package)
    module.utc_now = lambda: NOW
    recording = Recording(module.dependencies.get().store.client)
    module.dependencies.get().store.client = recording
    report = module.handler({"trigger": "schedule"}, lambda_context)
    assert report["status"] == "succeeded", report
    cloud.monkeypatch.delenv(variable, raising=False)
    return recording


def both_sources(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context, "agenda_openagenda")
    run(cloud, lambda_context, "agenda_datatourisme")


def projection(cloud: Cloud, insee: str) -> dict[str, Any]:
    return tile_items(cloud, "agenda_openagenda")[f"TILE#events#{insee}/CONTENT"]


def tiles(cloud: Cloud) -> dict[str, dict[str, Any]]:
    return tile_items(cloud, "agenda_openagenda")


def listed(cloud: Cloud, lambda_context: Any, insee: str) -> list[dict[str, Any]]:
    """What `GET /v1/events` lists for the commune from today to today + 60 days, less what has ended at NOW or
    begins after NOW + 60 days, the first 50."""
    service = cloud.load("agenda")
    service.utc_now = lambda: NOW
    query = {"commune": insee, "from": "2026-12-01", "to": "2027-01-30", "limit": "100"}
    response = service.handler(http_api_event("GET /v1/events", "/v1/events", query=query), lambda_context)
    assert response["statusCode"] == 200
    horizon = NOW + dt.timedelta(days=60)
    items = body(response)["items"]
    return [i for i in items if parse_iso(i["end"]) > NOW and parse_iso(i["begin"]) <= horizon][:50]


def test_each_commune_projects_its_next_occurrences_as_the_endpoint_lists_them(
    cloud: Cloud, lambda_context: Any
) -> None:
    both_sources(cloud, lambda_context)

    communes = sorted(key.split("#")[2].removesuffix("/CONTENT") for key in tiles(cloud) if key.count("#") == 2)
    assert {"61001", "61006", "61038", "61169", "61464"} <= set(communes)
    for insee in communes:
        stored = projection(cloud, insee)
        expected = listed(cloud, lambda_context, insee)
        assert stored["params"] == {"commune": insee}
        assert stored["head"]["commune"]["insee"] == insee
        assert [e["view"] for e in stored["entries"]] == expected, insee
        for entry, shown in zip(stored["entries"], expected, strict=True):
            assert entry["id"] == shown["event_id"]
            assert entry["order"].endswith("+00:00") and parse_iso(entry["order"]) == parse_iso(shown["begin"])
            assert parse_iso(entry["until"]) == parse_iso(shown["end"])
    alencon = projection(cloud, "61001")
    assert alencon["head"] == {"commune": {"insee": "61001", "name": "Alençon"}}
    assert "openagenda:8001" in {e["id"] for e in alencon["entries"]}
    assert ORCHESTRA_TWIN not in {e["id"] for e in alencon["entries"]}  # known from both sources: shown once
    argentan = projection(cloud, "61006")["entries"]
    assert (argentan[0]["id"], argentan[0]["order"]) == (MARKET, "2026-12-01T07:00:00+00:00")  # under way at NOW
    assert argentan[0]["view"]["begin"] == "2026-12-01T08:00:00+01:00"
    example = tiles(cloud)["TILE#events/EXAMPLE"]
    assert projection(cloud, example["key"])["entries"]
    assert example["params"] == {"commune": example["key"]}


def test_identical_runs_read_and_write_no_projection(cloud: Cloud, lambda_context: Any) -> None:
    both_sources(cloud, lambda_context)
    before = tiles(cloud)

    for package in ("agenda_openagenda", "agenda_datatourisme"):
        recording = run(cloud, lambda_context, package)
        assert set(recording.calls) == {"query"}, package  # its diff (and DATAtourisme's candidates) only

    assert tiles(cloud) == before


def test_events_that_left_the_feed_leave_an_empty_projection(cloud: Cloud, lambda_context: Any, tmp_path: Path) -> None:
    run(cloud, lambda_context, "agenda_openagenda")
    assert [e["id"] for e in projection(cloud, "61038")["entries"]] == ["openagenda:8010"]  # Bellême
    flers = projection(cloud, "61169")
    events = [e for n in (1, 2) for e in json.loads((PAGES / f"events-page{n}.json").read_text())["events"]]
    kept = [e for e in events if e["uid"] != 8010]
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps({"total": len(kept), "events": kept, "after": None}), encoding="utf-8")

    run(cloud, lambda_context, "agenda_openagenda", source=feed.as_uri())

    bellême = projection(cloud, "61038")
    assert bellême["entries"] == [] and bellême["head"]["commune"]["name"] == "Bellême"
    assert projection(cloud, "61169") == flers  # untouched commune: not rewritten
