"""`/docs`: Swagger UI (swagger-ui-dist from node_modules) on the platform's own origin, and `/openapi.json`, answered
by the platform's local pages without starting anything."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from poche_infra.openapi import build
from poche_local.docs import ASSETS, INITIALIZER, SWAGGER_UI, docs_page, swagger_page
from poche_local.platform import Platform

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build()


@pytest.fixture
def platform(document: dict[str, Any]) -> Platform:
    platform = Platform(cdk_out=ROOT / "cdk.out", port=0)
    platform._document = document  # what `document()` merges from the functions' workers once started
    return platform


def test_swagger_ui_is_pinned_exactly_and_locked() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    version = package["devDependencies"]["swagger-ui-dist"]
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", version), version
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/swagger-ui-dist"]["version"] == version
    assert json.loads((SWAGGER_UI / "package.json").read_text())["version"] == version


def test_docs_is_the_swagger_ui_page_of_our_document(platform: Platform, document: dict[str, Any]) -> None:
    page = platform.local_page("/docs")
    assert page is not None
    content_type, body = page
    assert content_type == "text/html; charset=utf-8"
    text = body.decode()
    assert "<div id='swagger-ui'></div>" in text
    scripts = re.findall(r"<script src='([^']+)'></script>", text)
    assert scripts == ["/docs/swagger-ui-bundle.js", "/docs/swagger-ui-standalone-preset.js", f"/docs/{INITIALIZER}"]
    assert "<script>" not in text  # no inline script: a Content-Security-Policy can forbid them
    assert "http://" not in text and "https://" not in text  # no CDN: works offline
    assert f"<title>{document['info']['title']}</title>" in text
    assert "/v1/canteens/{canteen_id}/menus" in text  # the operations, for a browser without JavaScript
    assert platform.local_page("/docs/") == page


def test_every_file_the_page_loads_resolves(platform: Platform) -> None:
    page = platform.local_page("/docs")
    assert page is not None
    loaded = re.findall(r"(?:src|href)='(/docs/[^']+)'", page[1].decode())
    assert len(loaded) >= 6
    for path in loaded:
        asset = platform.local_page(path)
        assert asset is not None, path
        content_type, body = asset
        assert body, path
        name = path.rsplit("/", 1)[1]
        if name != INITIALIZER:
            assert body == (SWAGGER_UI / name).read_bytes()
            assert content_type == ASSETS[name]
    bundle = platform.local_page("/docs/swagger-ui-bundle.js")
    assert bundle is not None and b"SwaggerUIBundle" in bundle[1]


def test_the_initializer_points_swagger_ui_at_our_document_same_origin(platform: Platform) -> None:
    asset = platform.local_page(f"/docs/{INITIALIZER}")
    assert asset is not None
    content_type, body = asset
    assert content_type.startswith("text/javascript")
    script = body.decode()
    assert 'url: "/openapi.json"' in script
    assert "tryItOutEnabled: true" in script
    assert "petstore" not in script and "http" not in script


def test_openapi_json_is_the_document(platform: Platform, document: dict[str, Any]) -> None:
    page = platform.local_page("/openapi.json")
    assert page is not None
    assert page[0] == "application/json"
    assert json.loads(page[1]) == document


@pytest.mark.parametrize(
    "path",
    [
        "/docs/../package.json",
        "/docs/package.json",
        "/docs/swagger-initializer.js",
        "/docs/x/swagger-ui.css",
        "/docsx",
        "/v1/canteens",
        "/",
    ],
)
def test_nothing_else_is_served(platform: Platform, path: str) -> None:
    assert platform.local_page(path) is None


def test_the_operation_list_escapes_the_document() -> None:
    evil = {
        "info": {"title": "<Title & co>"},
        "paths": {"/v1/<x>": {"get": {"summary": "<script>alert(1)</script>"}}},
    }
    page = swagger_page(evil)
    assert "<script>alert(1)" not in page and "<Title & co>" not in page and "/v1/<x>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert docs_page("/docs/index.html", evil) == ("text/html; charset=utf-8", page.encode())
