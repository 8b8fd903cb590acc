"""The home screen service on moto: catalogue from the deployed registrations, tiles from the projections
written by the real connectors, within three DynamoDB round trips."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema
import pytest
from support import Cloud, Recording, body, header, http_api_event
from test_transit_service import SEEDED

CATALOGUE = "GET /v1/tiles/catalogue"
HOME = "POST /v1/home"
FRIDAY_0650 = dt.datetime(2026, 10, 23, 4, 50, tzinfo=dt.UTC)  # 06:50 in Paris, in the transit sample's window


class Home:
    def __init__(self, cloud: Cloud, lambda_context: Any) -> None:
        self.cloud = cloud
        self.context = lambda_context
        self.module = cloud.load("home")
        deps = self.module.dependencies.get()
        self.counter = Recording(deps.dynamodb)
        deps.dynamodb = self.counter

    def run_connector(self, package: str, connector: str, now: dt.datetime) -> None:
        module = self.cloud.load(package)
        module.utc_now = lambda: now
        report = module.handler({"trigger": "schedule", "connector": connector}, self.context)
        assert report["status"] == "succeeded", report

    def catalogue(self) -> dict[str, Any]:
        response = self.module.handler(http_api_event(CATALOGUE, "/v1/tiles/catalogue"), self.context)
        assert response["statusCode"] == 200
        payload: dict[str, Any] = body(response)
        return payload

    def post(self, payload: Any, now: dt.datetime = FRIDAY_0650, raw: str | None = None) -> dict[str, Any]:
        self.module.utc_now = lambda: now
        self.counter.calls.clear()
        event = http_api_event(HOME, "/v1/home", body=raw if raw is not None else json.dumps(payload))
        response: dict[str, Any] = self.module.handler(event, self.context)
        return response


@pytest.fixture
def home(cloud: Cloud, lambda_context: Any) -> Home:
    return Home(cloud, lambda_context)


def registered_tile_ids(cloud: Cloud) -> set[str]:
    path = cloud.function("home").environment["TILES_PARAMETER_PATH"]
    found = cloud.clients["ssm"].get_parameters_by_path(Path=path)["Parameters"]
    return {json.loads(p["Value"])["id"] for p in found}


def test_the_catalogue_lists_the_tile_types_registered_by_the_deployed_stacks(home: Home, cloud: Cloud) -> None:
    registered = registered_tile_ids(cloud)
    assert {"departures", "canteen-menu", "news", "events", "traffic"} <= registered
    catalogue = home.catalogue()
    assert {item["id"] for item in catalogue["items"]} == registered
    departures = next(item for item in catalogue["items"] if item["id"] == "departures")
    assert departures["params"] == ["stop_id", "route_id"]
    assert departures["title"] == "Prochains passages" and departures["service"] == "transit"
    assert departures["example"] is None  # nothing loaded yet

    home.run_connector("transit_gtfs", "transit-gtfs", SEEDED)
    example = next(item for item in home.catalogue()["items"] if item["id"] == "departures")["example"]
    assert set(example) == {"stop_id", "route_id"}
    [tile] = body(home.post({"tiles": [{"type": "departures", "params": example}]}))["tiles"]
    assert tile["content"]["items"], "the example names a tile with content"


def test_a_tile_type_whose_registration_is_gone_is_neither_offered_nor_answered(home: Home, cloud: Cloud) -> None:
    path = cloud.function("home").environment["TILES_PARAMETER_PATH"]
    cloud.clients["ssm"].delete_parameter(Name=f"{path}/news")
    assert "news" not in {item["id"] for item in home.catalogue()["items"]}
    [tile] = body(home.post({"tiles": [{"type": "news", "params": {"commune": "61001"}}]}))["tiles"]
    assert tile["error"]["status"] == 404


def test_departures_tile_shows_what_the_departures_endpoint_shows(
    home: Home, cloud: Cloud, lambda_context: Any
) -> None:
    home.run_connector("transit_gtfs", "transit-gtfs", SEEDED)
    example = next(item for item in home.catalogue()["items"] if item["id"] == "departures")["example"]
    response = home.post({"tiles": [{"type": "departures", "params": example}]})
    assert response["statusCode"] == 200 and header(response, "Cache-Control") == "no-store"
    [tile] = body(response)["tiles"]
    assert tile["type"] == "departures" and tile["params"] == example
    assert tile["as_of"] is not None and tile["stale"] is False
    assert tile["content"]["stop"]["stop_id"] == example["stop_id"]
    assert tile["content"]["route"]["route_id"] == example["route_id"]
    assert home.counter.calls == ["batch_get_item", "batch_get_item"]

    transit = cloud.load("transit")
    transit.utc_now = lambda: FRIDAY_0650
    event = http_api_event(
        "GET /v1/transit/stops/{stop_id}/departures",
        f"/v1/transit/stops/{example['stop_id']}/departures",
        query={"route": example["route_id"], "limit": "3"},
        path_parameters={"stop_id": example["stop_id"]},
    )
    expected = body(transit.handler(event, lambda_context))["items"]
    assert tile["content"]["items"] == expected


def test_real_time_reaches_the_departures_tile(home: Home, cloud: Cloud) -> None:
    from poche_common.dynamo import to_item

    home.run_connector("transit_gtfs", "transit-gtfs", SEEDED)
    example = next(item for item in home.catalogue()["items"] if item["id"] == "departures")["example"]
    [before] = body(home.post({"tiles": [{"type": "departures", "params": example}]}))["tiles"]
    first = before["content"]["items"][0]
    rt = {
        "pk": f"TRIP#{first['trip_id']}",
        "sk": f"RT#{first['scheduled'][:10]}",
        "source": "gtfs-rt",
        "cancelled": True,
        "updates": [],
        "feed_timestamp": "2026-10-23T04:49:30+00:00",
        "expires_at": int((FRIDAY_0650 + dt.timedelta(minutes=5)).timestamp()),
    }
    cloud.clients["dynamodb"].put_item(TableName=cloud.table("transit"), Item=to_item(rt))
    [after] = body(home.post({"tiles": [{"type": "departures", "params": example}]}))["tiles"]
    cancelled = next(d for d in after["content"]["items"] if d["trip_id"] == first["trip_id"])
    assert cancelled["cancelled"] is True


def test_bad_requests_are_problems_and_bad_tiles_are_error_entries(home: Home) -> None:
    not_json = home.post(None, raw="{tiles:")
    assert not_json["statusCode"] == 400
    assert header(not_json, "Content-Type") == "application/problem+json"
    assert body(not_json)["invalid_params"][0]["name"] == "body"
    too_many = home.post({"tiles": [{"type": "news", "params": {"commune": "61001"}}] * 21})
    assert too_many["statusCode"] == 400 and body(too_many)["invalid_params"][0]["name"] == "tiles"

    response = home.post(
        {
            "tiles": [
                {"type": "departures", "params": {"stop_id": "nowhere", "route_id": "none"}},
                {"type": "news", "params": {"commune": "61999"}},
                {"type": "news", "params": {"commune": "61001"}},
            ]
        }
    )
    assert response["statusCode"] == 200
    tiles = body(response)["tiles"]
    assert tiles[0]["error"]["status"] == 404 and tiles[1]["error"]["status"] == 404
    assert "error" not in tiles[2] and isinstance(tiles[2]["content"]["items"], list)


def test_answers_follow_the_openapi_schemas(home: Home) -> None:
    from home.openapi import SCHEMAS
    from poche_common.openapi import PROBLEM_SCHEMA

    components = {"components": {"schemas": {**SCHEMAS, "Problem": PROBLEM_SCHEMA}}}

    def check(payload: Any, name: str) -> None:
        jsonschema.validate(payload, {**components, "$ref": f"#/components/schemas/{name}"})

    home.run_connector("transit_gtfs", "transit-gtfs", SEEDED)
    catalogue = home.catalogue()
    check(catalogue, "TileCatalogue")
    example = next(item for item in catalogue["items"] if item["id"] == "departures")["example"]
    answer = body(home.post({"tiles": [{"type": "departures", "params": example}, {"type": "nothing", "params": {}}]}))
    check(answer, "HomeResponse")


MONDAY_0800 = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)  # within every bundled sample's dates
CONNECTORS = [
    ("transit_gtfs", "transit-gtfs"),
    ("canteen_menus_scdl", "canteen-menus-scdl"),
    ("news_rss", "news-rss"),
    ("traffic_datex2", "traffic-datex2"),
    ("agenda_openagenda", "agenda-openagenda"),
    ("schools_notices_csv", "schools-notices-csv"),
]


def test_twenty_tiles_of_every_type_in_one_response_and_two_round_trips(home: Home) -> None:
    for package, connector in CONNECTORS:
        home.run_connector(package, connector, MONDAY_0800)
    catalogue = home.catalogue()["items"]
    examples = {item["id"]: item["example"] for item in catalogue}
    assert set(examples) == {"departures", "canteen-menu", "news", "traffic", "events", "school-notices"}
    missing = sorted(tile_id for tile_id, example in examples.items() if example is None)
    assert not missing, f"no example (no content loaded) for {missing}"
    kinds = sorted(examples)
    tiles = [{"type": kinds[i % len(kinds)], "params": examples[kinds[i % len(kinds)]]} for i in range(20)]

    response = home.post({"tiles": tiles}, now=MONDAY_0800)

    assert response["statusCode"] == 200
    answers = body(response)["tiles"]
    assert [(a["type"], a["params"]) for a in answers] == [(t["type"], t["params"]) for t in tiles]
    for answer in answers:
        assert "error" not in answer, answer
        assert answer["content"]["items"], answer
        assert isinstance(answer["stale"], bool) and answer["as_of"] is not None
    assert home.counter.calls == ["batch_get_item", "batch_get_item"]
