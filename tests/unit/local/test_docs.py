"""poche_local.docs: one OpenAPI document merged from the services', and its HTML page."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from poche_local.docs import merge, swagger_page

PROBLEM = {"type": "object", "properties": {"status": {"type": "integer"}}}


def service(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "svc", "version": "0"},
        "paths": paths,
        "components": {"schemas": {"Problem": PROBLEM, **(schemas or {})}},
    }


CANTEEN = service(
    {
        "/v1/canteens/{canteen_id}": {
            "get": {
                "summary": "Une cantine",
                "parameters": [{"name": "canteen_id", "in": "path", "required": True, "description": "Identifiant"}],
                "responses": {"200": {"description": "La cantine"}, "404": {"description": "Inconnue"}},
            }
        },
        "/v1/canteens": {"get": {"summary": "Les cantines", "responses": {"200": {"description": "Liste"}}}},
    },
    {"Canteen": {"type": "object"}},
)
PAYMENTS = service(
    {
        "/v1/payments": {"post": {"summary": "Payer", "responses": {"201": {"description": "Créé"}}}},
        "/v1/canteens": {"post": {"summary": "Créer", "responses": {"201": {"description": "Créée"}}}},
    },
    {"Payment": {"type": "object"}},
)


def test_merge_is_the_union_of_paths_sorted() -> None:
    merged = merge([PAYMENTS, CANTEEN], "Poche: API publique", "1")
    assert list(merged["paths"]) == ["/v1/canteens", "/v1/canteens/{canteen_id}", "/v1/payments"]
    assert set(merged["paths"]["/v1/canteens"]) == {"get", "post"}
    assert merged["paths"]["/v1/canteens"]["get"]["summary"] == "Les cantines"
    assert merged["paths"]["/v1/canteens"]["post"]["summary"] == "Créer"
    assert merged["openapi"] == "3.1.0"
    assert merged["info"] == {"title": "Poche: API publique", "version": "1"}
    assert set(merged["components"]["schemas"]) == {"Problem", "Canteen", "Payment"}


def test_merge_does_not_modify_its_inputs() -> None:
    before = copy.deepcopy([CANTEEN, PAYMENTS])
    merge([CANTEEN, PAYMENTS], "t", "1")
    assert before == [CANTEEN, PAYMENTS]


def test_merge_of_nothing() -> None:
    merged = merge([], "t", "1")
    assert merged["paths"] == {}
    assert merged["components"]["schemas"] == {}


def test_same_operation_twice_is_an_error() -> None:
    other = service({"/v1/canteens": {"get": {"summary": "Doublon", "responses": {}}}})
    with pytest.raises(ValueError, match="/v1/canteens") as caught:
        merge([CANTEEN, other], "t", "1")
    assert "get" in str(caught.value)


def test_same_schema_name_different_content_is_an_error() -> None:
    other = service({"/v1/other": {"get": {"responses": {}}}}, {"Canteen": {"type": "string"}})
    with pytest.raises(ValueError, match="Canteen"):
        merge([CANTEEN, other], "t", "1")


def test_identical_schemas_are_shared() -> None:
    other = service({"/v1/other": {"get": {"responses": {}}}}, {"Canteen": {"type": "object"}})
    merged = merge([CANTEEN, other], "t", "1")
    assert merged["components"]["schemas"]["Canteen"] == {"type": "object"}


def test_the_docs_page_lists_every_operation_for_readers_without_javascript() -> None:
    page = swagger_page(merge([CANTEEN, PAYMENTS], "Poche: API publique", "1"))
    assert page.startswith("<!doctype html>")
    for operation in ("GET /v1/canteens", "GET /v1/canteens/{canteen_id}", "POST /v1/payments"):
        assert f"<code>{operation}</code>" in page
    for text in ("Une cantine", "Les cantines", "Payer", "Créer"):
        assert text in page
    assert "<title>Poche: API publique</title>" in page
    assert "href='/openapi.json'" in page
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all(re.fullmatch(r"<script src='/docs/[\w.-]+'>", tag) for tag in scripts)  # files, no inline
    assert "http://" not in page and "https://" not in page  # no CDN: works offline


def test_the_docs_page_escapes_everything_from_the_documents() -> None:
    evil = service(
        {
            "/v1/<x>": {
                "get": {
                    "summary": "<script>alert(1)</script>",
                    "parameters": [{"name": "<b>n</b>", "in": "query", "description": "<img src=x onerror=y>"}],
                    "responses": {"200": {"description": "<iframe>"}},
                }
            }
        },
        {"Evil": {"description": "</pre><script>steal()</script>"}},
    )
    page = swagger_page(merge([evil], "<Title & co>", "1"))
    for raw in ("<script>alert", "<x>", "<Title & co>", "steal()"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;Title &amp; co&gt;" in page


def test_security_schemes_are_merged_too() -> None:
    scheme = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    admin = {"paths": {}, "components": {"schemas": {}, "securitySchemes": {"staffJwt": scheme}}}
    merged = merge([CANTEEN, admin], "t", "1")
    assert merged["components"]["securitySchemes"] == {"staffJwt": scheme}
    with pytest.raises(ValueError, match="staffJwt"):
        merge([admin, {"paths": {}, "components": {"securitySchemes": {"staffJwt": {"type": "apiKey"}}}}], "t", "1")
