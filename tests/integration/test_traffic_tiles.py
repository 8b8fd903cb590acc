"""The `traffic` tile projections kept by the traffic-datex2 connector, on the stacks provisioned into moto.

Each commune's `TILE#traffic#<insee>/CONTENT` must hold the events of `GET /v1/traffic/events?commune=<insee>`
(`active=false`) that have not ended, item for item, in start order; a run that changes nothing touches no
projection; an event that starts or ends gets its communes rewritten; a commune left without events keeps an empty
projection.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from support import Cloud, Recording, body, http_api_event, tile_items

from poche_common.clock import parse_iso

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "functions/connectors/traffic_datex2/sample/situations-v2.xml"
SCHEDULED = {"trigger": "schedule", "connector": "traffic-datex2"}
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)  # the sample's morning
MARKET_DAY = dt.datetime(2026, 12, 12, 8, 0, tzinfo=dt.UTC)  # Bellême's market started at 07:00Z, the snow is over
WORKS = "DIRNO_N12_20261123_001:DIRNO_N12_20261123_001_01"
CLOSURE = "CD61_D438_SEES_2026_117:CD61_D438_SEES_2026_117_01"
MARKET = "BELLEME_MARCHE_NOEL_2026:BELLEME_MARCHE_NOEL_2026_01"
SNOW = "CD61_METEO_20261202_NEIGE:CD61_METEO_20261202_NEIGE_01"


def run(cloud: Cloud, lambda_context: Any, now: dt.datetime = NOW, source: str | None = None) -> Any:
    if source is not None:
        cloud.monkeypatch.setenv("POCHE_SOURCE_TRAFFIC_DATEX2", source)
    module = cloud.load("traffic_datex2")
    module.utc_now = lambda: now
    recording = Recording(module.dependencies.get().store.client)
    module.dependencies.get().store.client = recording
    report = module.handler(dict(SCHEDULED), lambda_context)
    assert report["status"] == "succeeded", report
    cloud.monkeypatch.delenv("POCHE_SOURCE_TRAFFIC_DATEX2", raising=False)
    return recording


def projection(cloud: Cloud, insee: str) -> dict[str, Any]:
    return tile_items(cloud, "traffic_datex2")[f"TILE#traffic#{insee}/CONTENT"]


def tiles(cloud: Cloud) -> dict[str, dict[str, Any]]:
    return tile_items(cloud, "traffic_datex2")


def listed(cloud: Cloud, lambda_context: Any, insee: str, now: dt.datetime) -> list[dict[str, Any]]:
    """What the service lists for the commune (every event, in force or not) that has not ended at `now`, by
    start then id."""
    service = cloud.load("traffic")
    service.utc_now = lambda: now
    event = http_api_event(
        "GET /v1/traffic/events", "/v1/traffic/events", query={"commune": insee, "active": "false", "limit": "100"}
    )
    response = service.handler(event, lambda_context)
    assert response["statusCode"] == 200
    items = [i for i in body(response)["items"] if i["end"] is None or parse_iso(i["end"]) > now]
    return sorted(items, key=lambda i: (parse_iso(i["start"]), i["id"]))


def test_each_commune_projects_its_events_not_ended_as_the_endpoint_lists_them(
    cloud: Cloud, lambda_context: Any
) -> None:
    run(cloud, lambda_context)

    communes = sorted(key.split("#")[2].removesuffix("/CONTENT") for key in tiles(cloud) if key.count("#") == 2)
    assert {"61001", "61038", "61169", "61293", "61341", "61464"} <= set(communes)
    for insee in communes:
        stored = projection(cloud, insee)
        expected = listed(cloud, lambda_context, insee, NOW)
        assert stored["params"] == {"commune": insee}
        assert stored["head"]["commune"]["insee"] == insee
        assert [e["view"] for e in stored["entries"]] == expected, insee
        for entry, shown in zip(stored["entries"], expected, strict=True):
            assert entry["id"] == shown["id"]
            assert parse_iso(entry["order"]) == parse_iso(shown["start"])
            assert entry["order"].endswith("+00:00")
            assert ("until" in entry) is (shown["end"] is not None)
            if shown["end"] is not None:
                assert parse_iso(entry["until"]) == parse_iso(shown["end"])
    sees = projection(cloud, "61464")
    assert sees["head"] == {"commune": {"insee": "61464", "name": "Sées"}}
    assert [e["id"] for e in sees["entries"]] == [CLOSURE]
    assert sees["entries"][0]["until"] == "2026-12-05T05:00:00+00:00"
    assert projection(cloud, "61169")["entries"] == []  # Flers: its works ended on 28 November
    bellême = projection(cloud, "61038")["entries"]
    assert [(e["id"], e["view"]["active"]) for e in bellême] == [(MARKET, False)]  # upcoming
    example = tiles(cloud)["TILE#traffic/EXAMPLE"]
    assert projection(cloud, example["key"])["entries"]
    assert example["params"] == {"commune": example["key"]}


def test_an_identical_run_reads_and_writes_no_projection(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context)
    before = tiles(cloud)

    recording = run(cloud, lambda_context)

    assert set(recording.calls) == {"query"}  # the diff's one Query: no BatchGetItem, no write
    assert tiles(cloud) == before


def test_a_withdrawn_event_leaves_its_commune_an_empty_projection(
    cloud: Cloud, lambda_context: Any, tmp_path: Path
) -> None:
    run(cloud, lambda_context)
    text = SAMPLE.read_text(encoding="utf-8")
    start = text.index('<situation id="CD61_D438_SEES_2026_117"')
    end = text.index("</situation>", start) + len("</situation>")
    feed = tmp_path / "without-sees.xml"
    feed.write_text(text[:start] + text[end:], encoding="utf-8")
    alencon = projection(cloud, "61001")

    run(cloud, lambda_context, source=feed.as_uri())

    sees = projection(cloud, "61464")
    assert sees["entries"] == [] and sees["head"]["commune"]["name"] == "Sées"
    assert projection(cloud, "61001") == alencon  # not touched: same digest, same updated_at


def test_events_that_start_or_end_are_reprojected_then_left_alone(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context)
    assert [(e["id"], e["view"]["active"]) for e in projection(cloud, "61293")["entries"]] == [(SNOW, True)]

    run(cloud, lambda_context, now=MARKET_DAY)  # same feed, ten days later

    market = projection(cloud, "61038")
    assert [(e["id"], e["view"]["active"]) for e in market["entries"]] == [(MARKET, True)]
    assert market["entries"][0]["view"] == listed(cloud, lambda_context, "61038", MARKET_DAY)[0]
    assert market["updated_at"] == "2026-12-12T08:00:00+00:00"
    assert projection(cloud, "61293")["entries"] == []  # the snow is over
    assert projection(cloud, "61464")["entries"] == []  # Sées: ended more than 7 days ago, deleted
    assert projection(cloud, "61001")["entries"][0]["id"] == WORKS
    before = tiles(cloud)

    recording = run(cloud, lambda_context, now=MARKET_DAY + dt.timedelta(minutes=5))

    assert set(recording.calls) == {"query"}
    assert tiles(cloud) == before
