"""OpenAPI description of the schools admin routes: each route declared once, its shapes generated
from `models.py` (merged into the API's document).

`SchoolNotice` (the answer) is described by the public schools service; the merged document holds both.
"""

from __future__ import annotations

from typing import Any

from poche_common.openapi import (
    GATEWAY_MESSAGE_SCHEMA,
    PROBLEM_SCHEMA,
    component_schemas,
    problem_response,
    signed_in_operation,
    unauthorized_response,
)

from .models import REQUESTS

SECURITY_SCHEMES: dict[str, Any] = {
    "staffJwt": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "ID token of the staff user pool (`poche user create` prints one locally).",
    }
}
SCHEMAS: dict[str, Any] = component_schemas(requests=REQUESTS)

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
