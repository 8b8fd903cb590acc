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


GATEWAY_MESSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Réponse de la passerelle elle-même (API Gateway), avant toute fonction : jeton refusé par "
    "l'autorisateur JWT (401). Une API HTTP d'API Gateway ne permet pas d'en changer le format.",
    "required": ["message"],
    "properties": {"message": {"type": "string", "example": "Unauthorized"}},
}

# Decimal degrees (WGS84), to build `pattern`s with: a longitude within -180..180, a latitude within -90..90.
LONGITUDE_PATTERN = "-?(180(\\.0+)?|(1[0-7][0-9]|0?[0-9]?[0-9])(\\.[0-9]+)?)"
LATITUDE_PATTERN = "-?(0?90(\\.0+)?|0?[0-8]?[0-9](\\.[0-9]+)?)"

# The INSEE codes `poche_common.api.INSEE_RE` accepts once upper-cased (2A, 2B: Corsica), case-insensitive.
INSEE_PATTERN = "^([013-9][0-9]|2[1-9ABab])[0-9]{3}$"


def query_parameter(name: str, schema: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    """An optional query parameter. `poche_common.api.query` reads an empty (or blank) value as no value at all,
    which `allowEmptyValue` says: `?commune=` is the same request as no `commune`."""
    parameter: dict[str, Any] = {"name": name, "in": "query", "required": False, "allowEmptyValue": True}
    parameter["schema"] = schema
    if description is not None:
        parameter["description"] = description
    return parameter


CURSOR: dict[str, Any] = query_parameter(
    "cursor",
    {"type": "string"},
    "Curseur opaque renvoyé dans `next` par la page précédente (un curseur modifié ou d'une autre requête : 400).",
)


def limit_parameter(default: int, maximum: int) -> dict[str, Any]:
    return query_parameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": maximum, "default": default},
        f"Nombre d'éléments par page (1 à {maximum}).",
    )


def commune_parameter(description: str = "Code INSEE de la commune (61001 pour Alençon).") -> dict[str, Any]:
    return query_parameter("commune", {"type": "string", "pattern": INSEE_PATTERN}, description)


def problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def unauthorized_response(description: str, *, problem_too: bool = False) -> dict[str, Any]:
    """401: the gateway's own answer when the JWT authorizer refuses the token; with `problem_too`, also the
    function's problem (a valid token of an account that no longer exists)."""
    content: dict[str, Any] = {"application/json": {"schema": {"$ref": "#/components/schemas/GatewayMessage"}}}
    if problem_too:
        content["application/problem+json"] = {"schema": {"$ref": "#/components/schemas/Problem"}}
    return {"description": description, "content": content}


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
