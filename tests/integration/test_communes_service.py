"""The communes service handler with real HTTP API (payload 2.0) events, over the reference data in the layer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support import body, fresh_import, header, http_api_event

ROOT = Path(__file__).resolve().parents[2]
LIST = "GET /v1/communes"
ONE = "GET /v1/communes/{insee}"


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, lambda_context: Any) -> Any:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "communes")
    module = fresh_import("communes.handler")

    def call(route_key: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response: dict[str, Any] = module.handler(http_api_event(route_key, path, **kwargs), lambda_context)
        return response

    return call


def listing(api: Any, **query: str) -> dict[str, Any]:
    response: dict[str, Any] = api(LIST, "/v1/communes", query=query or None)
    return response


def one(api: Any, insee: str) -> dict[str, Any]:
    response: dict[str, Any] = api(ONE, f"/v1/communes/{insee}", path_parameters={"insee": insee})
    return response


def validate(payload: Any, schema_name: str) -> None:
    from communes.openapi import PROBLEM_SCHEMA, SCHEMAS

    schemas = {**SCHEMAS, "Problem": PROBLEM_SCHEMA}
    jsonschema.validate(payload, {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": schemas}})


def test_one_commune(api: Any) -> None:
    response = one(api, "61001")

    assert response["statusCode"] == 200
    payload = body(response)
    validate(payload, "CommuneDetail")
    assert payload == {
        "insee": "61001",
        "name": "Alençon",
        "postcodes": ["61000"],
        "lat": payload["lat"],
        "lon": payload["lon"],
        "bbox": [0.06175, 48.41013, 0.12253, 48.45164],
        "as_of": "2020-04-15T00:00:00+02:00",
        "stale": False,
    }
    assert 48.41 < payload["lat"] < 48.46 and 0.06 < payload["lon"] < 0.13
    assert header(response, "Cache-Control") == "public, max-age=86400"
    assert header(response, "Content-Type") == "application/json; charset=utf-8"


def test_unknown_commune_is_404(api: Any) -> None:
    response = one(api, "61999")

    assert response["statusCode"] == 404
    assert header(response, "Content-Type") == "application/problem+json"
    problem = body(response)
    validate(problem, "Problem")
    assert problem["detail"] == "Aucune commune de l'Orne n'a le code INSEE 61999."
    assert one(api, "14118")["statusCode"] == 404  # Caen: a commune, not of the Orne
    assert one(api, "61403")["statusCode"] == 404  # Saint-Hilaire-la-Gérard, merged into Mortrée


def test_malformed_code_is_400(api: Any) -> None:
    for bad in ("6100", "610011", "abcde", "sees"):
        response = one(api, bad)
        assert response["statusCode"] == 400, bad
        assert body(response)["invalid_params"][0]["name"] == "insee"


def test_search_by_name(api: Any) -> None:
    response = listing(api, q="sees")

    assert response["statusCode"] == 200
    payload = body(response)
    validate(payload, "CommuneList")
    assert [c["name"] for c in payload["items"]] == ["Sées"]
    assert payload["next"] is None
    assert (payload["as_of"], payload["stale"]) == ("2020-04-15T00:00:00+02:00", False)
    assert header(response, "Cache-Control") == "public, max-age=86400"
    assert [c["name"] for c in body(listing(api, q="aigle"))["items"]] == ["L'Aigle"]
    assert [c["insee"] for c in body(listing(api, q="61000"))["items"]] == ["61001", "61077", "61397"]
    assert body(listing(api, q="zzz"))["items"] == []


def test_search_pages_through_every_saint_commune(api: Any) -> None:
    seen: list[str] = []
    query = {"q": "saint", "limit": "20"}
    pages = 0
    while True:
        payload = body(listing(api, **query))
        pages += 1
        seen += [c["name"] for c in payload["items"]]
        if payload["next"] is None:
            break
        query = {**query, "cursor": payload["next"]}
    assert pages == 4 and len(seen) == 77 == len(set(seen))
    assert all(name.startswith(("Saint-", "Sainte-")) for name in seen)
    only_saint = body(listing(api, q="Saint-", limit="100"))["items"]
    assert len(only_saint) == 69 and all(c["name"].startswith("Saint-") for c in only_saint)


def test_without_q_every_commune_by_name(api: Any) -> None:
    first = body(listing(api))
    assert len(first["items"]) == 50 and first["next"]
    assert first["items"][0]["name"] == "Alençon"

    seen: list[dict[str, Any]] = []
    query = {"limit": "100"}
    while True:
        payload = body(listing(api, **query))
        validate(payload, "CommuneList")
        seen += payload["items"]
        if payload["next"] is None:
            break
        query = {"limit": "100", "cursor": payload["next"]}
    assert len(seen) == 385 == len({c["insee"] for c in seen})


def test_a_cursor_belongs_to_its_query(api: Any) -> None:
    cursor = body(listing(api, q="saint", limit="5"))["next"]
    assert cursor

    for query in ({"q": "sainte", "cursor": cursor}, {"cursor": cursor}, {"q": "saint", "cursor": cursor[:-3] + "AAA"}):
        refused = listing(api, **query)
        assert refused["statusCode"] == 400, query
        assert body(refused)["invalid_params"][0]["name"] == "cursor"
    assert listing(api, q="saint", limit="5", cursor=cursor)["statusCode"] == 200


def test_bad_parameters_are_400(api: Any) -> None:
    for query, name in (({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"q": "x" * 101}, "q")):
        response = listing(api, **query)
        assert response["statusCode"] == 400, query
        assert body(response)["invalid_params"][0]["name"] == name


def test_etag_and_if_none_match(api: Any) -> None:
    first = one(api, "61464")
    etag = header(first, "ETag")
    assert etag

    again = api(ONE, "/v1/communes/61464", path_parameters={"insee": "61464"}, headers={"If-None-Match": etag})
    assert again["statusCode"] == 304 and again["body"] == ""


def test_unknown_route_is_404(api: Any) -> None:
    response = api("GET /v1/communes/{insee}/schools", "/v1/communes/61001/schools", method="GET")
    assert response["statusCode"] == 404


def test_the_handler_needs_no_aws_client() -> None:
    """Reference data in the layer: neither boto3 nor the data file is loaded at import (cold start)."""
    code = (
        "import sys\n"
        "import communes.handler\n"
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules\n"
        "from poche_common import communes as c\n"
        "assert c._index.cache_info().currsize == 0\n"
    )
    path = os.pathsep.join(str(ROOT / p) for p in ("functions", "layers/common/python"))
    env = {**os.environ, "PYTHONPATH": path, "POWERTOOLS_SERVICE_NAME": "communes"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
