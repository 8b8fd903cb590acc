"""`make run`'s promises, checked on the real thing: the platform as a citizen's app and devops see it."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from platform_support import RunningPlatform, get, json_get, only_connectors, start_platform, stop_platform
from support import SAMPLE, Synthesized

pytestmark = pytest.mark.e2e


def test_menus_are_served_from_the_sample_after_the_connector_ran(platform: RunningPlatform) -> None:
    payload = json_get(f"{platform.base_url}/v1/canteens/0611047G/menus?from=2026-11-30&to=2026-12-11")

    assert payload["canteen"]["name"] == "Collège Louise Michel"
    assert len(payload["items"]) == 8
    assert payload["items"][0]["courses"][1]["dishes"][0]["name"] == "Sauté de porc au caramel"
    assert payload["stale"] is False
    assert any("connector canteen-menus-scdl (start): succeeded" in line for line in platform.lines)


def test_conditional_get_and_problem_details_over_http(platform: RunningPlatform) -> None:
    url = f"{platform.base_url}/v1/canteens?commune=61001"
    status, headers, _ = get(url)
    assert status == 200 and headers["cache-control"].startswith("public")
    status, _, body = get(url, {"If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"")

    status, headers, body = get(f"{platform.base_url}/v1/canteens/0611047G/menus?from=2026-02-30")
    assert status == 400 and headers["content-type"] == "application/problem+json"
    assert json.loads(body)["invalid_params"][0]["name"] == "from"


def call(method: str, url: str) -> bytes:
    """The body of the answer to an empty request with that method."""
    import urllib.error
    import urllib.request

    data = b"" if method in ("POST", "PUT", "PATCH") else None
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        return bytes(exc.read())


def template_route_keys(synthesized: Synthesized) -> set[str]:
    return {
        resource["Properties"]["RouteKey"]
        for template in synthesized.templates.values()
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::ApiGatewayV2::Route"
    }


def test_routes_served_are_exactly_the_routes_of_the_templates(
    platform: RunningPlatform, synthesized: Synthesized, tmp_path: Path
) -> None:
    expected = template_route_keys(synthesized)
    state = json.loads((Path(platform.env["POCHE_STATE_DIR"]) / "run.json").read_text())
    served = {f"{r['method']} {r['path']}" for r in state["spec"]["routes"]}
    assert served == expected

    for key in expected:  # each one answers (its function, or the authorizer), not the gateway's "no route"
        method, path = key.split(" ", 1)
        body = call(method, platform.base_url + re.sub(r"\{[^}]+\}", "0611047G", path))
        assert body != b'{"message":"Not Found"}', key
    for unknown in ("/v1/canteen", "/v1/canteens/0611047G/menus/extra", "/v2/canteens", "/"):
        assert get(platform.base_url + unknown)[2] == b'{"message":"Not Found"}', unknown


def test_one_openapi_document_for_all_routes_and_readable_docs(
    platform: RunningPlatform, synthesized: Synthesized
) -> None:
    from openapi_spec_validator import validate

    document = json_get(f"{platform.base_url}/openapi.json")
    validate(document)
    operations = {f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops}
    assert operations == template_route_keys(synthesized)

    status, headers, body = get(f"{platform.base_url}/docs")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "/v1/canteens/{canteen_id}/menus" in body.decode()


def test_poche_connectors_lists_schedule_source_and_last_run(platform: RunningPlatform) -> None:
    result = platform.poche("connectors")

    assert result.returncode == 0, result.stderr
    (row,) = [line for line in result.stdout.splitlines() if line.startswith("canteen-menus-scdl")]
    assert "cron(30 5 * * ? *) Europe/Paris" in row
    assert "POCHE_SOURCE_CANTEEN_MENUS_SCDL" in row
    assert "succeeded: read 257" in row


def test_poche_invoke_with_another_source_changes_what_the_api_returns(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    url = f"{platform.base_url}/v1/canteens/0610712T/menus?from=2026-11-30&to=2026-11-30"
    before = json_get(url)["items"][0]["courses"]
    lines = SAMPLE.read_bytes().decode("utf-8-sig").split("\r\n")
    edited = []
    for line in lines:
        if "0610712T;EN;collège;tous;2026-11-30;déjeuner;plat principal;" in line:
            fields = line.split(";")
            fields[13] = "Curry de légumes et pois chiches"
            line = ";".join(fields)
        edited.append(line)
    feed = tmp_path / "new-menus.csv"
    feed.write_text("\r\n".join(edited), encoding="utf-8")

    result = platform.poche(
        "invoke", "canteen-menus-scdl", extra_env={"POCHE_SOURCE_CANTEEN_MENUS_SCDL": feed.as_uri()}
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "succeeded" in result.stdout and '"changed": 1' in result.stdout
    after = json_get(url)["items"][0]["courses"]
    assert after != before
    assert after[1]["dishes"][0]["name"] == "Curry de légumes et pois chiches"


def test_poche_invoke_with_a_broken_source_fails_and_keeps_the_data(platform: RunningPlatform, tmp_path: Path) -> None:
    url = f"{platform.base_url}/v1/canteens/0611047G/menus?from=2026-11-30&to=2026-12-11"
    before = json_get(url)["items"]
    broken = tmp_path / "broken.csv"
    broken.write_text("<html><body>502 Bad Gateway</body></html>")

    result = platform.poche(
        "invoke", "canteen-menus-scdl", extra_env={"POCHE_SOURCE_CANTEEN_MENUS_SCDL": broken.as_uri()}
    )

    assert result.returncode == 1
    assert "FAILED, stored data kept" in result.stdout
    assert json_get(url)["items"] == before


def test_poche_invoke_of_an_unknown_connector_is_explained(platform: RunningPlatform) -> None:
    result = platform.poche("invoke", "canteen-menus-xml")
    assert result.returncode == 2
    assert "unknown connector or scheduled function 'canteen-menus-xml'" in result.stderr
    assert "canteen-menus-scdl" in result.stderr and "payments-sweeper" in result.stderr


def test_commands_without_a_running_platform_say_so(synthesized: Synthesized, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "POCHE_STATE_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "poche_local.cli", "--cdk-out", str(synthesized.outdir), "invoke", "canteen-menus-scdl"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "not running" in result.stderr and "make run" in result.stderr
    listing = subprocess.run(
        [sys.executable, "-m", "poche_local.cli", "--cdk-out", str(synthesized.outdir), "connectors"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.returncode == 0 and "platform not running" in listing.stdout


def test_ready_quickly_and_stops_cleanly_on_ctrl_c(synthesized: Synthesized, tmp_path: Path) -> None:
    started = time.monotonic()
    running = start_platform(synthesized.outdir, tmp_path)
    assert time.monotonic() - started < 60
    assert json_get(f"{running.base_url}/v1/canteens")["items"]

    assert stop_platform(running) == 0
    assert any("stopping" in line for line in running.lines)
    assert not (tmp_path / "run.json").exists()


def test_ctrl_c_stops_it_even_when_started_as_a_background_job(synthesized: Synthesized, tmp_path: Path) -> None:
    running = start_platform(synthesized.outdir, tmp_path, only_connectors(), sigint_ignored=True)
    assert stop_platform(running) == 0
    assert any("stopping" in line for line in running.lines)


def test_communes_search_and_lookup(platform: RunningPlatform) -> None:
    found = json_get(f"{platform.base_url}/v1/communes?q=sees")
    assert [c["name"] for c in found["items"]] == ["Sées"]
    alencon = json_get(f"{platform.base_url}/v1/communes/61001")
    assert alencon["name"] == "Alençon" and "61000" in alencon["postcodes"]
    status, headers, _ = get(f"{platform.base_url}/v1/communes/61999")
    assert status == 404 and headers["content-type"] == "application/problem+json"
    status, _, _ = get(f"{platform.base_url}/v1/canteens?commune=61999")
    assert status == 404
