"""OpenAPI description of the schools admin routes: each route declared once, its shapes generated
from `models.py` (merged into the API's document).

`SchoolNotice` (the answer) is described by the public schools service; the merged document holds both.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from poche_common import openapi as spec

from .models import REQUESTS

SECURITY_SCHEMES: dict[str, Any] = {
    "staffJwt": spec.bearer_jwt("ID token of the staff user pool (`poche user create` prints one locally).")
}
SCHEMAS: dict[str, Any] = spec.component_schemas(requests=REQUESTS)

_UAI = spec.path_parameter(
    "uai",
    {"type": "string", "pattern": "^[0-9]{7}[A-Z]$"},
    "Code UAI de l'établissement, l'un de ceux rattachés au compte.",
    "0610003X",
)
_NOTICE = spec.path_parameter("notice_id")
_ERRORS = {
    "400": spec.problem_response("Corps invalide : `invalid_params` nomme le champ."),
    "401": spec.unauthorized_response("Jeton absent, falsifié ou expiré (réponse de la passerelle)."),
    "403": spec.problem_response("Pas dans le groupe school-staff, ou établissement non rattaché au compte."),
    "404": spec.problem_response("Établissement (UAI) ou avis inconnu."),
}
_operation = partial(spec.signed_in_operation, tag="vie-scolaire (personnels)", scheme="staffJwt", errors=_ERRORS)

PATHS: dict[str, Any] = {
    "/v1/admin/schools/{uai}/notices": {
        "post": _operation(
            "publishSchoolNotice",
            "Publier un avis de l'établissement (SchoolNoticePublished sur le bus).",
            {"201": spec.json_response("L'avis publié ; en-tête Location.", "SchoolNotice")},
            "SchoolNoticeNew",
            parameters=[_UAI],
        ),
    },
    "/v1/admin/schools/{uai}/notices/{notice_id}": {
        "patch": _operation(
            "changeSchoolNotice",
            "Modifier un avis publié par l'établissement (409 pour un avis du flux du département).",
            {
                "200": spec.json_response("L'avis modifié.", "SchoolNotice"),
                "409": spec.problem_response("Avis du flux."),
            },
            "SchoolNoticeChange",
            parameters=[_UAI, _NOTICE],
        ),
        "delete": _operation(
            "withdrawSchoolNotice",
            "Retirer un avis (SchoolNoticeWithdrawn sur le bus).",
            {"204": {"description": "Retiré."}, "409": spec.problem_response("Avis du flux du département.")},
            parameters=[_UAI, _NOTICE],
        ),
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths, schemas and the staff security scheme."""
    return spec.service_document(PATHS, SCHEMAS, SECURITY_SCHEMES)
