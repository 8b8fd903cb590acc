"""One OpenAPI document for the whole API, merged from the services', and a readable page of it."""

from __future__ import annotations

import html
import json
from typing import Any


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


def render(document: dict[str, Any]) -> str:
    """A self-contained HTML page (no CDN: the platform works offline)."""
    esc = html.escape
    rows: list[str] = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            params = "".join(
                f"<li><code>{esc(p['name'])}</code> ({esc(p['in'])}{', requis' if p.get('required') else ''})"
                f" {esc(p.get('description', ''))}</li>"
                for p in operation.get("parameters", [])
            )
            responses = "".join(
                f"<li><code>{esc(code)}</code> {esc(r.get('description', ''))}</li>"
                for code, r in operation.get("responses", {}).items()
            )
            rows.append(
                f"<section><h2><span class='m'>{esc(method.upper())}</span> <code>{esc(path)}</code></h2>"
                f"<p>{esc(operation.get('summary', ''))}</p>"
                f"<h3>Paramètres</h3><ul>{params or '<li>aucun</li>'}</ul>"
                f"<h3>Réponses</h3><ul>{responses}</ul></section>"
            )
    schemas = esc(json.dumps(document["components"]["schemas"], indent=2, ensure_ascii=False))
    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{esc(document['info']['title'])}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "section{border-top:1px solid #ddd;padding:.5rem 0}.m{background:#0a6;color:#fff;padding:0 .4rem;"
        "border-radius:.2rem}pre{background:#f6f6f6;padding:1rem;overflow:auto}</style></head><body>"
        f"<h1>{esc(document['info']['title'])}</h1>"
        "<p>Document OpenAPI complet : <a href='/openapi.json'>/openapi.json</a>. Les erreurs suivent "
        "RFC 9457 (<code>application/problem+json</code>).</p>"
        + "".join(rows)
        + f"<h2>Schémas</h2><pre>{schemas}</pre></body></html>"
    )
