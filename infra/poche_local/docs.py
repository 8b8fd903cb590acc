"""One OpenAPI document for the whole API, merged from the services', and its readable docs at `/docs`.

`/docs` is Swagger UI (npm `swagger-ui-dist`, pinned in package.json, served from `node_modules/`: no CDN, the
platform works offline), same origin as the API so "Try it out" calls the running platform. Its page loads only
files (no inline script, for a Content-Security-Policy), and lists the operations for a browser without JavaScript.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

SWAGGER_UI = Path(__file__).resolve().parents[2] / "node_modules" / "swagger-ui-dist"
DOCS = "/docs"
# The files of swagger-ui-dist the page loads, by name (nothing else of node_modules is served).
ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "index.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
    "oauth2-redirect.html": "text/html; charset=utf-8",
    "oauth2-redirect.js": "text/javascript; charset=utf-8",
    "favicon-16x16.png": "image/png",
    "favicon-32x32.png": "image/png",
}
INITIALIZER = "poche-initializer.js"
INITIALIZER_JS = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    tryItOutEnabled: true,
    displayRequestDuration: true,
    persistAuthorization: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
});
"""


def merge(documents: list[dict[str, Any]], title: str, version: str) -> dict[str, Any]:
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/"}],
        "paths": {},
        "components": {"schemas": {}},
    }
    for document in documents:
        for path, operations in document.get("paths", {}).items():
            target = merged["paths"].setdefault(path, {})
            clash = set(target) & set(operations)
            if clash:
                raise ValueError(f"{path}: operations {sorted(clash)} are described by two services")
            target.update(operations)
        for section in ("schemas", "securitySchemes"):
            for name, schema in document.get("components", {}).get(section, {}).items():
                existing = merged["components"].setdefault(section, {}).get(name)
                if existing is not None and existing != schema:
                    raise ValueError(f"{section} {name} is defined differently by two services")
                merged["components"][section][name] = schema
    merged["paths"] = dict(sorted(merged["paths"].items()))
    return merged


def swagger_page(document: dict[str, Any]) -> str:
    """Swagger UI's page for the document served at `/openapi.json`; without JavaScript, the list of operations."""
    esc = html.escape
    operations = "".join(
        f"<li><code>{esc(method.upper())} {esc(path)}</code> {esc(operation.get('summary', ''))}</li>"
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    )
    title = esc(document["info"]["title"])
    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{title}</title>"
        f"<link rel='stylesheet' href='{DOCS}/swagger-ui.css'><link rel='stylesheet' href='{DOCS}/index.css'>"
        f"<link rel='icon' type='image/png' href='{DOCS}/favicon-32x32.png' sizes='32x32'>"
        "</head><body><div id='swagger-ui'></div>"
        f"<noscript><h1>{title}</h1><p>Document OpenAPI : <a href='/openapi.json'>/openapi.json</a>.</p>"
        f"<ul>{operations}</ul></noscript>"
        f"<script src='{DOCS}/swagger-ui-bundle.js'></script>"
        f"<script src='{DOCS}/swagger-ui-standalone-preset.js'></script>"
        f"<script src='{DOCS}/{INITIALIZER}'></script>"
        "</body></html>"
    )


def docs_page(path: str, document: dict[str, Any]) -> tuple[str, bytes] | None:
    """What `/docs` and `/docs/<file>` answer (content type, body); None for any other path."""
    if path in (DOCS, f"{DOCS}/", f"{DOCS}/index.html"):
        return "text/html; charset=utf-8", swagger_page(document).encode()
    if not path.startswith(f"{DOCS}/"):
        return None
    name = path[len(DOCS) + 1 :]
    if name == INITIALIZER:
        return ASSETS["swagger-ui-bundle.js"], INITIALIZER_JS.encode()
    if name not in ASSETS:
        return None
    try:
        return ASSETS[name], (SWAGGER_UI / name).read_bytes()
    except FileNotFoundError:  # node_modules not installed: `make install`
        return None
