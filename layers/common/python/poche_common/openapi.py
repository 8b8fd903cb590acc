"""OpenAPI building blocks shared by every service's `openapi.py`.

Never imported by a handler at run time: the local platform and the tests merge the services'
documents into the one document of the public API (`/openapi.json`).
"""

from __future__ import annotations

from typing import Any

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "example": "urn:poche:problem:not-found"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "Explication en français, pour une personne."},
        "invalid_params": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "reason"],
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}

FRESHNESS_PROPERTIES: dict[str, Any] = {
    "as_of": {
        "type": ["string", "null"],
        "format": "date-time",
        "description": "Quand la donnée a été lue à sa source (Europe/Paris).",
    },
    "stale": {"type": "boolean", "description": "Vrai si la source n'a pas été relue depuis trop longtemps."},
}


def problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def json_ok(description: str, schema_ref: str, *, max_age: int) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {
            "ETag": {"schema": {"type": "string"}},
            "Cache-Control": {"schema": {"type": "string", "example": f"public, max-age={max_age}"}},
        },
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}},
    }


NOT_MODIFIED: dict[str, Any] = {"description": "Non modifié depuis l'ETag envoyé dans If-None-Match."}

IF_NONE_MATCH: dict[str, Any] = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "ETag d'une réponse précédente : 304 si rien n'a changé.",
}


def base_document(title: str, version: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": {},
        "components": {"schemas": {"Problem": PROBLEM_SCHEMA}},
    }


def signed_in_operation(
    operation_id: str,
    summary: str,
    responses: dict[str, Any],
    *,
    tag: str,
    scheme: str,
    body: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An operation behind a JWT authorizer: its security scheme, responses and optional JSON body schema."""
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "tags": [tag],
        "summary": summary,
        "security": [{scheme: []}],
        "responses": responses,
        **extra,
    }
    if body is not None:
        schema = {"$ref": f"#/components/schemas/{body}"}
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    return operation
