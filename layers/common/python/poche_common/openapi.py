"""OpenAPI building blocks shared by every service's `openapi.py`.

The shapes of a service's requests and answers are pydantic models (`functions/<service>/models.py`), written once:
`component_schemas` generates their JSON schemas for the document; its `openapi.py` declares each route (path,
method, parameters, summary, responses) next to them. Never imported by a handler at run time (pydantic costs a
Lambda's cold start): the build (`python -m poche_infra.openapi`), the local platform and the tests merge the
services' documents into the one document of the public API (`/openapi.json`).

The rest is what every service's routes share, so that an `openapi.py` (`from poche_common import openapi as spec`)
writes only what is its own: parameters (`commune_parameter`, `page_parameters`, `path_parameter`…), answers
(`json_ok`, `problem_response`…), whole operations (`cached_get` for a public read with its ETag, `commune_page` for
a list that `commune` filters, `signed_in_operation` behind a JWT authorizer) and `service_document`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue, models_json_schema
from pydantic_core import PydanticCustomError, core_schema

REF_TEMPLATE = "#/components/schemas/{model}"


class _Generator(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False  # a property's title would only repeat its name

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        """No `"default": null` on a field that cannot be null (a field of a PATCH body, absent when unchanged)."""
        json_schema = super().default_schema(schema)
        kinds = [json_schema.get("type"), *(option.get("type") for option in json_schema.get("anyOf", []))]
        if json_schema.get("default", ...) is None and "null" not in kinds:
            del json_schema["default"]
        return json_schema


class OneOf:
    """`Annotated[str, OneOf(KINDS)]`: a string that is one of the values a module declares (a JSON schema `enum`,
    checked when validating), where `Literal` would need them written out again."""

    def __init__(self, values: Iterable[str]) -> None:
        self.values = list(values)

    def _check(self, value: str) -> str:
        if value not in self.values:
            raise PydanticCustomError("enum", "Valeur attendue : {expected}.", {"expected": ", ".join(self.values)})
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "enum": self.values}


def absent(**field: Any) -> Any:
    """A field that may be absent from the JSON but is never null (`x: int = absent(description=…)`): its schema
    gives its type, not `null`, and leaves it out of `required`."""
    return Field(default=None, **field)


class Fresh(BaseModel):
    """The freshness every answer carries (`poche_common.clock.freshness`)."""

    as_of: dt.datetime | None = Field(description="Quand la donnée a été lue à sa source (Europe/Paris).")
    stale: bool = Field(description="Vrai si la source n'a pas été relue depuis trop longtemps.")


class Page(Fresh):
    """A page of a list: `next` is the opaque cursor of the next page (null on the last)."""

    next: str | None = Field(description="Curseur opaque de la page suivante.")


def component_schemas(*models: type[BaseModel], requests: tuple[type[BaseModel], ...] = ()) -> dict[str, Any]:
    """The JSON schemas of these models and of every model they use, by name, referring to each other as
    `#/components/schemas/<Model>`: answers as serialized, `requests` (bodies) as validated."""
    modes: list[tuple[type[BaseModel], JsonSchemaMode]] = [(model, "serialization") for model in models]
    modes += [(model, "validation") for model in requests]
    _, top = models_json_schema(modes, ref_template=REF_TEMPLATE, schema_generator=_Generator)
    schemas: dict[str, Any] = top.get("$defs", {})
    for name, schema in schemas.items():
        if schema.get("title") == name:
            del schema["title"]
        if "description" in schema:  # a docstring: one paragraph
            schema["description"] = " ".join(schema["description"].split())
    return dict(sorted(schemas.items()))


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

GATEWAY_MESSAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Réponse de la passerelle elle-même (API Gateway), avant toute fonction : jeton refusé par "
    "l'autorisateur JWT (401). Une API HTTP d'API Gateway ne permet pas d'en changer le format.",
    "required": ["message"],
    "properties": {"message": {"type": "string", "example": "Unauthorized"}},
}

# Decimal degrees (WGS84), to build `pattern`s with: a longitude within -180..180, a latitude within -90..90.
LONGITUDE_PATTERN = "-?(180(\\.0+)?|(1[0-7][0-9]|0?[0-9]?[0-9])(\\.[0-9]+)?)"
# `near=latitude,longitude` in decimal degrees, latitude within -85..85 (`api.MAX_NEAR_LATITUDE`), as `api.parse_near`.
NEAR_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": f"^-?(0?85(\\.0+)?|0?8[0-4](\\.[0-9]+)?|0?[0-7]?[0-9](\\.[0-9]+)?),{LONGITUDE_PATTERN}$",
    "example": "48.4329,0.0913",
}
LATITUDE_PATTERN = "-?(0?90(\\.0+)?|0?[0-8]?[0-9](\\.[0-9]+)?)"

# The INSEE codes `poche_common.api.INSEE_RE` accepts once upper-cased (2A, 2B: Corsica), case-insensitive.
INSEE_PATTERN = "^([013-9][0-9]|2[1-9ABab])[0-9]{3}$"


def schema_ref(name: str) -> dict[str, str]:
    """`{"$ref": …}` to the component schema `name`."""
    return {"$ref": REF_TEMPLATE.format(model=name)}


def bearer_jwt(description: str) -> dict[str, Any]:
    """The security scheme of a JWT authorizer (an ID token of a user pool, as `Authorization: Bearer …`)."""
    return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": description}


def query_parameter(name: str, schema: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    """An optional query parameter. `poche_common.api.query` reads an empty (or blank) value as no value at all,
    which `allowEmptyValue` says: `?commune=` is the same request as no `commune`."""
    parameter: dict[str, Any] = {"name": name, "in": "query", "required": False, "allowEmptyValue": True}
    parameter["schema"] = schema
    if description is not None:
        parameter["description"] = description
    return parameter


def path_parameter(
    name: str, schema: dict[str, Any] | None = None, description: str | None = None, example: str | None = None
) -> dict[str, Any]:
    """A path parameter (`/v1/things/{name}`): a string unless `schema` says otherwise."""
    parameter: dict[str, Any] = {"name": name, "in": "path", "required": True, "schema": schema or {"type": "string"}}
    if description is not None:
        parameter["description"] = description
    if example is not None:
        parameter["example"] = example
    return parameter


def date_parameter(name: str, description: str) -> dict[str, Any]:
    """An optional day (`AAAA-MM-JJ`) in the query."""
    return query_parameter(name, {"type": "string", "format": "date"}, description)


CURSOR: dict[str, Any] = query_parameter(
    "cursor",
    {"type": "string"},
    "Curseur opaque renvoyé dans `next` par la page précédente (un curseur modifié ou d'une autre requête : 400).",
)


def limit_parameter(default: int, maximum: int, description: str | None = None) -> dict[str, Any]:
    return query_parameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": maximum, "default": default},
        description or f"Nombre d'éléments par page (1 à {maximum}).",
    )


def page_parameters(default: int = 50, maximum: int = 100, description: str | None = None) -> list[dict[str, Any]]:
    """`limit` and `cursor`: the parameters of a paged list (`poche_common.api` pages)."""
    return [limit_parameter(default, maximum, description), CURSOR]


def commune_parameter(description: str = "Code INSEE de la commune (61001 pour Alençon).") -> dict[str, Any]:
    return query_parameter("commune", {"type": "string", "pattern": INSEE_PATTERN}, description)


# 404 of a `commune` that is not one of the territory (`poche_common.communes`).
UNKNOWN_COMMUNE = "Code INSEE qui n'est pas celui d'une commune du territoire."


def problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/problem+json": {"schema": schema_ref("Problem")}}}


def unauthorized_response(description: str, *, problem_too: bool = False) -> dict[str, Any]:
    """401: the gateway's own answer when the JWT authorizer refuses the token; with `problem_too`, also the
    function's problem (a valid token of an account that no longer exists)."""
    content: dict[str, Any] = {"application/json": {"schema": schema_ref("GatewayMessage")}}
    if problem_too:
        content["application/problem+json"] = {"schema": schema_ref("Problem")}
    return {"description": description, "content": content}


def json_response(description: str, schema_name: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """An answer whose JSON body is the component schema `schema_name`, with these headers if any."""
    response: dict[str, Any] = {"description": description}
    if headers is not None:
        response["headers"] = headers
    response["content"] = {"application/json": {"schema": schema_ref(schema_name)}}
    return response


def _etag_headers(cache_control: str) -> dict[str, Any]:
    return {
        "ETag": {"schema": {"type": "string"}},
        "Cache-Control": {"schema": {"type": "string", "example": cache_control}},
    }


def json_ok(description: str, schema_name: str, *, max_age: int) -> dict[str, Any]:
    """A public answer, cached `max_age` seconds, with its ETag."""
    return json_response(description, schema_name, _etag_headers(f"public, max-age={max_age}"))


def private_json_ok(description: str, schema_name: str) -> dict[str, Any]:
    """A signed-in citizen's own answer, never cached, with its ETag."""
    return json_response(description, schema_name, _etag_headers("private, no-store"))


NOT_MODIFIED: dict[str, Any] = {"description": "Non modifié depuis l'ETag envoyé dans If-None-Match."}

IF_NONE_MATCH: dict[str, Any] = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "ETag d'une réponse précédente : 304 si rien n'a changé.",
}


def cached_get(
    operation_id: str,
    summary: str,
    ok: tuple[str, str],
    errors: dict[str, str] | None = None,
    *,
    tag: str,
    max_age: int,
    parameters: Iterable[dict[str, Any]] = (),
    description: str | None = None,
) -> dict[str, Any]:
    """`{"get": …}`: a public read, cached `max_age` seconds, with its ETag (`If-None-Match` last among the
    `parameters`; 304 when unchanged). `ok` is the 200's description and schema name, `errors` the problems' by
    status."""
    operation: dict[str, Any] = {"operationId": operation_id, "tags": [tag], "summary": summary}
    if description is not None:
        operation["description"] = description
    operation["parameters"] = [*parameters, IF_NONE_MATCH]
    operation["responses"] = {
        "200": json_ok(*ok, max_age=max_age),
        "304": NOT_MODIFIED,
        **{status: problem_response(text) for status, text in (errors or {}).items()},
    }
    return {"get": operation}


def commune_page(
    operation_id: str,
    summary: str,
    ok: tuple[str, str],
    unknown_commune: str = UNKNOWN_COMMUNE,
    *,
    tag: str,
    max_age: int,
    limit_description: str | None = None,
) -> dict[str, Any]:
    """`{"get": …}`: a public paged list that `commune` filters (`cached_get`), 404 for an unknown commune."""
    return cached_get(
        operation_id,
        summary,
        ok,
        {"400": "Paramètre invalide (commune, limit ou curseur).", "404": unknown_commune},
        tag=tag,
        max_age=max_age,
        parameters=[commune_parameter(), *page_parameters(description=limit_description)],
    )


def json_body(schema_name: str) -> dict[str, Any]:
    """A required JSON request body, the component schema `schema_name`."""
    return {"required": True, "content": {"application/json": {"schema": schema_ref(schema_name)}}}


def signed_in_operation(
    operation_id: str,
    summary: str,
    responses: dict[str, Any],
    body: str | None = None,
    *,
    tag: str,
    scheme: str,
    errors: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An operation behind a JWT authorizer: its security scheme, responses (then the `errors` every operation of
    the service shares) and optional JSON body schema. A service binds `tag`, `scheme` and `errors` once
    (`functools.partial`)."""
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "tags": [tag],
        "summary": summary,
        "security": [{scheme: []}],
        "responses": {**responses, **(errors or {})},
        **extra,
    }
    if body is not None:
        operation["requestBody"] = json_body(body)
    return operation


def service_document(
    paths: dict[str, Any], schemas: dict[str, Any], security_schemes: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A service's part of the API document: its paths, its component schemas and the problem's; behind a JWT
    authorizer (`security_schemes`), also the gateway's own answer and the schemes."""
    components: dict[str, Any] = {"schemas": {**schemas, "Problem": PROBLEM_SCHEMA}}
    if security_schemes is not None:
        components["schemas"]["GatewayMessage"] = GATEWAY_MESSAGE_SCHEMA
        components["securitySchemes"] = security_schemes
    return {"paths": paths, "components": components}
