"""The `canteen-menu` tile projections kept by the canteen-menus-scdl connector, on moto (shared `cloud`).

The sample covers 2026-11-30 .. 2026-12-11 (lunches Monday, Tuesday, Thursday, Friday; the Sées elementary
school also has a goûter each day). Runs happen on Wednesday 2 December 2026, 09:00 in Paris."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jsonschema
from support import SAMPLE, SCHEDULED_INPUT, Cloud, Recording, body, http_api_event, tile_items

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
CANTEENS = {"0611047G", "0610896T", "0611126T", "0610712T", "0611318B", "21610464600023"}
UPCOMING = ["2026-12-03", "2026-12-04", "2026-12-07", "2026-12-08", "2026-12-10", "2026-12-11"]
SEES = "21610464600023"


def run(
    cloud: Cloud, lambda_context: Any, now: dt.datetime = NOW, source: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """One connector run at `now`: its report and the DynamoDB operations its tile projector called."""
    if source is not None:
        cloud.monkeypatch.setenv("POCHE_SOURCE_CANTEEN_MENUS_SCDL", source)
    module = cloud.load("canteen_menus_scdl")
    module.utc_now = lambda: now
    recording = Recording(module.dependencies.get().store.projector.client)
    module.dependencies.get().store.projector.client = recording
    report: dict[str, Any] = module.handler(dict(SCHEDULED_INPUT), lambda_context)
    assert report["status"] == "succeeded"
    return report, recording.calls


def content(cloud: Cloud, canteen_id: str) -> dict[str, Any]:
    return tile_items(cloud, "canteen_menus_scdl")[f"TILE#canteen-menu#{canteen_id}/CONTENT"]


def service(cloud: Cloud, lambda_context: Any) -> Any:
    module = cloud.load("canteen")

    def get(canteen_id: str, path: str = "", query: dict[str, str] | None = None) -> dict[str, Any]:
        route = "GET /v1/canteens/{canteen_id}" + path
        event = http_api_event(
            route, f"/v1/canteens/{canteen_id}{path}", query=query, path_parameters={"canteen_id": canteen_id}
        )
        response: dict[str, Any] = module.handler(event, lambda_context)
        assert response["statusCode"] == 200
        return dict(body(response))

    return get


def test_every_canteen_gets_its_upcoming_days_as_the_menus_endpoint_shows_them(
    cloud: Cloud, lambda_context: Any
) -> None:
    run(cloud, lambda_context)

    tiles = tile_items(cloud, "canteen_menus_scdl")
    assert {k.split("#")[2].split("/")[0] for k in tiles if k.endswith("/CONTENT")} == CANTEENS
    get = service(cloud, lambda_context)
    for canteen_id in CANTEENS:
        projection = tiles[f"TILE#canteen-menu#{canteen_id}/CONTENT"]
        assert projection["params"] == {"canteen_id": canteen_id}
        canteen = get(canteen_id)
        assert projection["head"] == {"canteen": {k: v for k, v in canteen.items() if k not in ("as_of", "stale")}}
        entries = projection["entries"]
        assert [(e["id"], e["order"]) for e in entries] == [(d, d) for d in UPCOMING]  # from today, Wednesday
        for entry in entries:
            day = get(canteen_id, "/menus", {"from": entry["id"], "to": entry["id"]})
            assert entry["view"] == {"date": entry["id"], "meals": day["items"]}
            until = dt.datetime.fromisoformat(entry["until"])
            assert until.utcoffset() == dt.timedelta(0)
            assert until == dt.datetime.combine(dt.date.fromisoformat(entry["id"]), dt.time(23), UTC)  # winter
    sees_day = tiles[f"TILE#canteen-menu#{SEES}/CONTENT"]["entries"][0]["view"]
    assert [m["meal"] for m in sees_day["meals"]] == ["dejeuner", "gouter"]


def test_views_follow_the_public_schemas(cloud: Cloud, lambda_context: Any) -> None:
    from canteen.openapi import SCHEMAS

    run(cloud, lambda_context)
    schemas = {"components": {"schemas": SCHEMAS}}
    projection = content(cloud, SEES)
    jsonschema.validate(projection["head"]["canteen"], {"$ref": "#/components/schemas/Canteen", **schemas})
    for entry in projection["entries"]:
        jsonschema.validate(entry["view"], {"$ref": "#/components/schemas/MenuDay", **schemas})


def test_the_example_names_a_canteen_with_entries(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context)

    example = tile_items(cloud, "canteen_menus_scdl")["TILE#canteen-menu/EXAMPLE"]
    assert example["params"] == {"canteen_id": example["key"]}
    assert content(cloud, example["key"])["entries"]


def test_a_second_identical_run_neither_reads_nor_writes_projections(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context)
    before = tile_items(cloud, "canteen_menus_scdl")

    report, calls = run(cloud, lambda_context, now=NOW + dt.timedelta(hours=1))

    assert report["changed"] == 0
    assert calls == []
    assert tile_items(cloud, "canteen_menus_scdl") == before


def test_a_change_rewrites_only_the_projections_that_differ(cloud: Cloud, lambda_context: Any, tmp_path: Path) -> None:
    run(cloud, lambda_context)
    before = tile_items(cloud, "canteen_menus_scdl")
    lines = SAMPLE.read_bytes().decode("utf-8-sig").split("\r\n")
    # The Sées school's goûter of Thursday 3 December is withdrawn; everything else stays.
    kept = [line for line in lines if not (SEES in line and "2026-12-03;goûter" in line)]
    assert len(kept) < len(lines)
    corrected = tmp_path / "corrected.csv"
    corrected.write_text("\r\n".join(kept), encoding="utf-8")
    later = NOW + dt.timedelta(hours=1)

    report, calls = run(cloud, lambda_context, now=later, source=corrected.as_uri())

    assert report["changed"] == 1
    assert "scan" not in calls and calls.count("query") == len(CANTEENS)  # one Query a canteen of the feed
    after = tile_items(cloud, "canteen_menus_scdl")
    sees = after[f"TILE#canteen-menu#{SEES}/CONTENT"]
    assert [m["meal"] for m in sees["entries"][0]["view"]["meals"]] == ["dejeuner"]
    assert sees["updated_at"] == later.isoformat()
    changed = {key for key in after if after[key] != before[key]}
    assert changed == {f"TILE#canteen-menu#{SEES}/CONTENT"}


def test_days_gone_by_leave_an_empty_projection_never_a_missing_one(
    cloud: Cloud, lambda_context: Any, tmp_path: Path
) -> None:
    run(cloud, lambda_context)
    lines = SAMPLE.read_bytes().decode("utf-8-sig").split("\r\n")
    # Saturday 12 December, after the last menu of the sample: a corrected dish makes the run change something.
    edited = [line.replace("Sauté de porc au caramel", "Sauté de dinde au caramel") for line in lines]
    feed = tmp_path / "corrected.csv"
    feed.write_text("\r\n".join(edited), encoding="utf-8")

    run(cloud, lambda_context, now=dt.datetime(2026, 12, 12, 8, 0, tzinfo=UTC), source=feed.as_uri())

    tiles = tile_items(cloud, "canteen_menus_scdl")
    for canteen_id in CANTEENS:
        projection = tiles[f"TILE#canteen-menu#{canteen_id}/CONTENT"]
        assert projection["entries"] == [] and projection["head"]["canteen"]["id"] == canteen_id
    assert tiles["TILE#canteen-menu/EXAMPLE"]["key"] in CANTEENS  # kept: no key has entries to name instead


def test_a_first_run_after_the_menus_still_knows_every_canteen(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context, now=dt.datetime(2026, 12, 12, 8, 0, tzinfo=UTC))

    tiles = tile_items(cloud, "canteen_menus_scdl")
    assert {k for k in tiles if k.endswith("/CONTENT")} == {f"TILE#canteen-menu#{c}/CONTENT" for c in CANTEENS}
    assert all(tiles[f"TILE#canteen-menu#{c}/CONTENT"]["entries"] == [] for c in CANTEENS)
    assert "TILE#canteen-menu/EXAMPLE" not in tiles  # no canteen with entries to show as the example
