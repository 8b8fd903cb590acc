"""The transit-gtfs connector keeps the home screen's `departures` tile: one projection per (stop, route)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from support import Cloud
from test_transit_gtfs_connector import NOW, departures, network, run, without, write_zip

from poche_common.dynamo import from_item


def tile(cloud: Cloud, key: str) -> dict[str, Any] | None:
    response = cloud.clients["dynamodb"].get_item(
        TableName=cloud.table("transit_gtfs"), Key={"pk": {"S": f"TILE#departures#{key}"}, "sk": {"S": "CONTENT"}}
    )
    return from_item(response["Item"]) if "Item" in response else None


def tiles(cloud: Cloud) -> dict[str, dict[str, Any]]:
    return {
        i["pk"]["S"].removeprefix("TILE#departures#"): from_item(i)
        for i in cloud.items("transit_gtfs")
        if i["pk"]["S"].startswith("TILE#departures#")
    }


def test_each_stop_and_route_served_gets_its_departures(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context)
    projections = tiles(cloud)
    assert projections, "the first run writes the tiles"
    for key, projection in projections.items():
        stop_id, route_id = key.split("#")
        assert projection["params"] == {"stop_id": stop_id, "route_id": route_id}
        assert projection["head"]["stop"]["stop_id"] == stop_id
        assert projection["head"]["route"]["route_id"] == route_id
        listed = [
            (e["view"]["scheduled"], e["view"]["trip_id"], e["view"]["service_date"]) for e in projection["entries"]
        ]
        stored = [
            d for d in departures(cloud, stop_id) if any(e["view"]["trip_id"] == d[1] for e in projection["entries"])
        ]
        assert listed == sorted(listed) == stored
        assert all(e["view"]["route_id"] == route_id for e in projection["entries"])
        for entry in projection["entries"]:
            scheduled = dt.datetime.fromisoformat(entry["view"]["scheduled"])
            assert dt.datetime.fromisoformat(entry["until"]) == scheduled + dt.timedelta(minutes=15)
    halle = [key for key in projections if key.startswith("ALN_HALLE#")]
    assert halle and sum(len(projections[k]["entries"]) for k in halle) == len(departures(cloud, "ALN_HALLE"))

    example = cloud.clients["dynamodb"].get_item(
        TableName=cloud.table("transit_gtfs"), Key={"pk": {"S": "TILE#departures"}, "sk": {"S": "EXAMPLE"}}
    )["Item"]
    key = example["key"]["S"]
    assert projections[key]["entries"] and from_item(example)["params"] == projections[key]["params"]


def test_an_unchanged_feed_rewrites_no_tile(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context)
    before = tiles(cloud)
    report = run(cloud, lambda_context, now=NOW + dt.timedelta(hours=3))
    assert report["changed"] == 0
    assert tiles(cloud) == before


def test_a_withdrawn_trip_leaves_the_tiles_of_its_stops(cloud: Cloud, lambda_context: Any, tmp_path: Path) -> None:
    run(cloud, lambda_context)
    assert any(e["view"]["trip_id"] == "10-SEM-1215" for p in tiles(cloud).values() for e in p["entries"])
    files = network(trips=without("10-SEM-1215"), stop_times=without("10-SEM-1215"))
    run(cloud, lambda_context, source=write_zip(tmp_path / "network.zip", files))
    assert not any(e["view"]["trip_id"] == "10-SEM-1215" for p in tiles(cloud).values() for e in p["entries"])


def test_a_trip_whose_row_is_broken_today_stays_on_the_tiles(cloud: Cloud, lambda_context: Any, tmp_path: Path) -> None:
    run(cloud, lambda_context)

    def listed() -> list[tuple[str, str]]:
        return sorted(
            (key, e["id"])
            for key, p in tiles(cloud).items()
            for e in p["entries"]
            if e["view"]["trip_id"] == "10-SEM-1215"
        )

    before = listed()
    assert before
    files = network(
        stop_times=lambda text: text.replace("10-SEM-1215,12:15:00,12:15:00", "10-SEM-1215,midi,midi"),
    )
    # A day later: every stop's departures change (a new date), so every tile is rewritten.
    report = run(
        cloud, lambda_context, source=write_zip(tmp_path / "network.zip", files), now=NOW + dt.timedelta(days=1)
    )
    assert report["status"] == "succeeded" and report["rejected"] >= 1
    assert [k for k, _ in listed()] and {i for _, i in listed()} >= {i for _, i in before if i[:10] >= "2026-10-24"}
