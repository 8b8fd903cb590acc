"""`make run` offers the tile catalogue of the deployed stacks and answers a 20-tile home screen at once."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from platform_support import RunningPlatform, json_get
from support import Synthesized
from test_transit_and_traffic import current_timetable  # noqa: F401  (a module fixture, used by name)

pytestmark = pytest.mark.e2e


def post(url: str, payload: Any) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers.items()), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), json.loads(exc.read())


def registered(synthesized: Synthesized) -> set[str]:
    """The tile ids registered in the synthesized templates (SSM parameters under /poche/<stage>/tiles/)."""
    found = set()
    for template in synthesized.templates.values():
        for resource in template["Resources"].values():
            name = resource.get("Properties", {}).get("Name")
            if resource["Type"] == "AWS::SSM::Parameter" and isinstance(name, str) and "/tiles/" in name:
                found.add(name.rsplit("/", 1)[1])
    return found


def test_the_catalogue_lists_every_deployed_tile_type_with_a_working_example(
    platform: RunningPlatform,
    current_timetable: None,  # noqa: F811
    synthesized: Synthesized,
) -> None:
    catalogue = json_get(f"{platform.base_url}/v1/tiles/catalogue")
    assert {item["id"] for item in catalogue["items"]} == registered(synthesized)
    for item in catalogue["items"]:
        assert item["title"] and item["service"] and item["params"]
    with_examples = [item for item in catalogue["items"] if item["example"] is not None]
    assert {"departures", "canteen-menu", "news"} <= {item["id"] for item in with_examples}

    tiles = [
        {
            "type": with_examples[i % len(with_examples)]["id"],
            "params": with_examples[i % len(with_examples)]["example"],
        }
        for i in range(20)
    ]
    status, _, answer = post(f"{platform.base_url}/v1/home", {"tiles": tiles})
    assert status == 200, answer
    assert [(t["type"], t["params"]) for t in answer["tiles"]] == [(t["type"], t["params"]) for t in tiles]
    for tile in answer["tiles"]:
        assert "error" not in tile, tile
        assert tile["content"]["items"], tile  # the example names a tile with content
        assert "as_of" in tile and isinstance(tile["stale"], bool)


def test_one_bad_tile_does_not_fail_the_home_screen(platform: RunningPlatform) -> None:
    status, _, answer = post(
        f"{platform.base_url}/v1/home",
        {"tiles": [{"type": "news", "params": {"commune": "61999"}}, {"type": "news", "params": {"commune": "61001"}}]},
    )
    assert status == 200
    first, second = answer["tiles"]
    assert first["error"]["status"] == 404 and first["error"]["type"] == "urn:poche:problem:not-found"
    assert "content" in second

    status, headers, problem = post(f"{platform.base_url}/v1/home", {"tiles": "all of them"})
    assert status == 400 and headers["Content-Type"] == "application/problem+json"
    assert problem["invalid_params"][0]["name"] == "tiles"
