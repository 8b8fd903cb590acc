"""OpenAPI description of the schools admin routes (merged into the API's document).

`SchoolNotice` (the answer) is described by the public schools service; the merged document holds both.
"""

from __future__ import annotations

from typing import Any

from poche_common.openapi import (
    GATEWAY_MESSAGE_SCHEMA,
    PROBLEM_SCHEMA,
    problem_response,
    signed_in_operation,
    unauthorized_response,
)
from poche_common.schools import BODY_MAX, NOTICE_KINDS, TITLE_MAX

SECURITY_SCHEMES: dict[str, Any] = {
    "staffJwt": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "ID token of the staff user pool (`poche user create` prints one locally).",
    }
}
_MOMENT = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 avec décalage (ou Z), entre 2000 et 2100 (poche_common.bounds).",
}
_FIELDS: dict[str, Any] = {
    "title": {
        "type": "string",
        "minLength": 1,
        "maxLength": TITLE_MAX,
        "pattern": "\\S",
        "description": "Au moins un caractère qui n'est pas une espace.",
    },
    "body": {"type": ["string", "null"], "maxLength": BODY_MAX, "description": "Facultatif ; null vaut vide."},
    "kind": {"type": "string", "enum": sorted(NOTICE_KINDS)},
    "starts": _MOMENT,
    "ends": {**_MOMENT, "description": "Après `starts`, et dans le futur."},
}

SCHEMAS: dict[str, Any] = {
    "SchoolNoticeNew": {
        "type": "object",
        "required": ["title", "kind", "starts", "ends"],
        "additionalProperties": False,
        "properties": _FIELDS,
    },
    "SchoolNoticeChange": {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": False,
        "properties": _FIELDS,
    },
}

_UAI = {
    "name": "uai",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9]{7}[A-Z]$"},
    "description": "Code UAI de l'établissement, l'un de ceux rattachés au compte.",
    "example": "0610003X",
}
_NOTICE = {"name": "notice_id", "in": "path", "required": True, "schema": {"type": "string"}}
_NOTICE_OK = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/SchoolNotice"}}}}
_ERRORS = {
    "400": problem_response("Corps invalide : `invalid_params` nomme le champ."),
    "401": unauthorized_response("Jeton absent, falsifié ou expiré (réponse de la passerelle)."),
    "403": problem_response("Pas dans le groupe school-staff, ou établissement non rattaché au compte."),
    "404": problem_response("Établissement (UAI) ou avis inconnu."),
}


def _operation(
    operation_id: str, summary: str, parameters: list[dict[str, Any]], responses: dict[str, Any], body: str | None
) -> dict[str, Any]:
    return signed_in_operation(
        operation_id,
        summary,
        {**responses, **_ERRORS},
        tag="vie-scolaire (personnels)",
        scheme="staffJwt",
        body=body,
        parameters=parameters,
    )


PATHS: dict[str, Any] = {
    "/v1/admin/schools/{uai}/notices": {
        "post": _operation(
            "publishSchoolNotice",
            "Publier un avis de l'établissement (SchoolNoticePublished sur le bus).",
            [_UAI],
            {"201": {"description": "L'avis publié ; en-tête Location.", **_NOTICE_OK}},
            "SchoolNoticeNew",
        ),
    },
    "/v1/admin/schools/{uai}/notices/{notice_id}": {
        "patch": _operation(
            "changeSchoolNotice",
            "Modifier un avis publié par l'établissement (409 pour un avis du flux du département).",
            [_UAI, _NOTICE],
            {"200": {"description": "L'avis modifié.", **_NOTICE_OK}, "409": problem_response("Avis du flux.")},
            "SchoolNoticeChange",
        ),
        "delete": _operation(
            "withdrawSchoolNotice",
            "Retirer un avis (SchoolNoticeWithdrawn sur le bus).",
            [_UAI, _NOTICE],
            {"204": {"description": "Retiré."}, "409": problem_response("Avis du flux du département.")},
            None,
        ),
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths, schemas and the staff security scheme."""
    return {
        "paths": PATHS,
        "components": {
            "schemas": {**SCHEMAS, "Problem": PROBLEM_SCHEMA, "GatewayMessage": GATEWAY_MESSAGE_SCHEMA},
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
