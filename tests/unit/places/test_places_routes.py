"""The places service's routes through `places.handler.handler` over an in-memory reader
(`dependencies.override`): parameters checked (400 naming them), near and commune answers, one place, the
categories."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from support import http_api_event
from test_places_rules import ALENCON, PLACES, Reader

from places import handler
from places.deps import Deps

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def reader(monkeypatch: pytest.MonkeyPatch) -> Iterator[Reader]:
    fake = Reader(PLACES)
    monkeypatch.setattr(handler, "utc_now", lambda: NOW)
    with handler.dependencies.override(Deps(reader=fake, stale_after_s=3600)):
        yield fake


def get(path: str, route: str, lambda_context: Any, **kwargs: Any) -> tuple[int, Any]:
    answer = handler.handler(http_api_event(f"GET {route}", path, **kwargs), lambda_context)
    return answer["statusCode"], json.loads(answer["body"]) if answer["body"] else None


def test_near_answers_nearest_first(reader: Reader, lambda_context: Any) -> None:
    near = f"{ALENCON[0]},{ALENCON[1]}"
    status, body = get("/v1/places", "/v1/places", lambda_context, query={"near": near, "category": "pharmacy"})
    assert status == 200
    assert [p["id"] for p in body["places"]] == ["finess:610000001", "finess:610000002"]
    assert body["near"]["radius_m"] == 2000  # the default radius


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "near"),
        ({"near": "48.43,0.09", "commune": "61001"}, "near"),
        ({"near": "91,0"}, "near"),
        ({"near": "48.43,0.09", "radius": "20001"}, "radius"),
        ({"near": "48.43,0.09", "category": "casino"}, "category"),
        ({"near": "48.43,0.09", "open_now": "yes"}, "open_now"),
        ({"commune": "6100"}, "commune"),
        ({"commune": "61001", "radius": "100"}, "radius"),
    ],
)
def test_bad_parameters_are_400_naming_them(
    reader: Reader, lambda_context: Any, query: dict[str, str], field: str
) -> None:
    status, body = get("/v1/places", "/v1/places", lambda_context, query=query)
    assert status == 400
    assert body["invalid_params"][0]["name"] == field


def test_a_commune_one_place_and_the_categories(reader: Reader, lambda_context: Any) -> None:
    status, body = get("/v1/places", "/v1/places", lambda_context, query={"commune": "61001", "category": "hospital"})
    assert (status, [p["id"] for p in body["places"]]) == (200, ["finess:610000003"])
    status, one = get(
        "/v1/places/finess:610000001",
        "/v1/places/{place_id}",
        lambda_context,
        path_parameters={"place_id": "finess:610000001"},
    )
    assert (status, one["name"], one["category_label"]) == (200, "Pharmacie de la Halle", "Pharmacie")
    status, _ = get("/v1/places/nope", "/v1/places/{place_id}", lambda_context, path_parameters={"place_id": "nope"})
    assert status == 400
    status, listed = get("/v1/places/categories", "/v1/places/categories", lambda_context)
    assert status == 200 and len(listed["categories"]) == 13


def validate(payload: Any, schema: str) -> None:
    """The answer is what the API document says (its schemas, generated from `models.py`)."""
    import jsonschema

    from places.openapi import SCHEMAS

    jsonschema.validate(payload, {"$ref": f"#/components/schemas/{schema}", "components": {"schemas": SCHEMAS}})


def test_the_answers_are_the_documented_shapes(reader: Reader, lambda_context: Any) -> None:
    reader.lives["gbfs:st-1"] = {
        "availability": {"bikes": 3, "docks": 9},
        "observed_at": "2026-12-02T08:59:00+00:00",
        "expires_at": int(NOW.timestamp()) + 120,
    }
    near = f"{ALENCON[0]},{ALENCON[1]}"
    _, body = get("/v1/places", "/v1/places", lambda_context, query={"near": near})
    assert any(p["availability"] for p in body["places"])
    validate(body, "PlaceList")
    _, listed = get("/v1/places", "/v1/places", lambda_context, query={"commune": "61001"})
    validate(listed, "PlaceList")
    _, categories = get("/v1/places/categories", "/v1/places/categories", lambda_context)
    validate(categories, "CategoryList")
