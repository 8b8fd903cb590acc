"""OpenAPI description of the finance staff routes: each route declared once, its shapes generated from
`models.py` (merged into the API's document). The journal's CSV answer and the statement's CSV body are
documented as `text/csv`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from poche_common import openapi as spec

from .models import ANSWERS, REQUESTS

SECURITY_SCHEMES: dict[str, Any] = {
    "staffJwt": spec.bearer_jwt("ID token of the staff user pool (`poche user create` prints one locally).")
}
SCHEMAS: dict[str, Any] = spec.component_schemas(*ANSWERS, requests=REQUESTS)

_DATE_SCHEMA = {"type": "string", "format": "date"}
_DATE = spec.path_parameter("date", _DATE_SCHEMA, "Date du jour (Paris), AAAA-MM-JJ, entre 2000 et 2099.", "2026-03-29")
_EXCEPTION = spec.path_parameter(
    "exception_id", {"type": "string", "pattern": "^[0-9a-f]{32}$"}, "Identifiant de l'écart (exception_id)."
)
_NO_STORE = {"Cache-Control": {"schema": {"type": "string", "example": "private, no-store"}}}
_CSV = {"type": "string", "description": "CSV (UTF-8 avec BOM, `;`, fin de ligne CRLF), pour un tableur français."}
_ERRORS = {
    "400": spec.problem_response("Paramètre ou corps invalide : `invalid_params` nomme le champ."),
    "401": spec.unauthorized_response("Jeton absent, falsifié ou expiré (réponse de la passerelle)."),
    "403": spec.problem_response("Le compte n'est pas dans le groupe finance."),
}
_operation = partial(spec.signed_in_operation, tag="paiements (finances)", scheme="staffJwt", errors=_ERRORS)

PATHS: dict[str, Any] = {
    "/v1/admin/finance/journal": {
        "get": _operation(
            "getFinanceJournal",
            "Journal des paiements reçus un jour (JSON, ou CSV avec format=csv ou Accept: text/csv).",
            {
                "200": {
                    "description": "Le journal du jour ; en CSV, en pièce jointe journal-paiements-<date>.csv.",
                    "headers": {
                        **_NO_STORE,
                        "Content-Disposition": {
                            "schema": {"type": "string"},
                            "description": 'En CSV seulement : attachment; filename="journal-paiements-<date>.csv".',
                        },
                    },
                    "content": {
                        "application/json": {"schema": spec.schema_ref("FinanceJournal")},
                        "text/csv": {"schema": _CSV},
                    },
                },
            },
            parameters=[
                {
                    "name": "date",
                    "in": "query",
                    "required": True,
                    "schema": _DATE_SCHEMA,
                    "description": "Date du journal (Paris), AAAA-MM-JJ.",
                },
                spec.query_parameter("format", {"type": "string", "enum": ["json", "csv"]}, "json (défaut) ou csv."),
            ],
        ),
    },
    "/v1/admin/finance/statements/{date}": {
        "put": _operation(
            "putFinanceStatement",
            "Envoyer le relevé du comptable d'un jour (CSV, 4 Mio au plus) : un nouveau relevé à chaque envoi.",
            {
                "201": spec.json_response(
                    "Le relevé enregistré : lignes lues, erreurs par ligne, totaux ; en-tête Location.",
                    "FinanceStatementSummary",
                )
            },
            parameters=[_DATE],
            requestBody={
                "required": True,
                "description": "Le fichier CSV tel quel (format : docs/finance-statement.md).",
                "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
            },
        ),
    },
    "/v1/admin/finance/reconciliations/{date}": {
        "get": _operation(
            "getFinanceReconciliation",
            "Rapprochement d'un jour : paiements reçus contre le dernier relevé du comptable, et les écarts.",
            {
                "200": spec.json_response("Le rapprochement du jour.", "FinanceReconciliation", _NO_STORE),
                "404": spec.problem_response("Aucun relevé envoyé pour ce jour."),
            },
            parameters=[
                _DATE,
                spec.query_parameter(
                    "matched", {"type": "boolean", "default": True}, "false : sans la liste des paires rapprochées."
                ),
            ],
        ),
    },
    "/v1/admin/finance/reconciliations/{date}/exceptions/{exception_id}/resolution": {
        "post": _operation(
            "resolveFinanceException",
            "Marquer un écart du rapprochement comme traité, avec un commentaire (ExceptionResolved sur le bus).",
            {
                "201": spec.json_response("L'écart, marqué traité.", "FinanceException"),
                "404": spec.problem_response("Aucun relevé pour ce jour, ou écart absent du rapprochement actuel."),
                "409": spec.problem_response("Écart déjà marqué comme traité."),
            },
            "FinanceResolutionNew",
            parameters=[_DATE, _EXCEPTION],
        ),
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths, schemas and the staff security scheme."""
    return spec.service_document(PATHS, SCHEMAS, SECURITY_SCHEMES)
