"""OpenAPI description of the payments service's routes: each route declared once, its shapes generated from
`models.py` (merged into the API's document).

PayFiP's notification (`POST /v1/payments/payfip/notifications`) is another function: `payments_notifications`
describes it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from poche_common import openapi as spec

from .models import EXER_PATTERN, IDOP_PATTERN, MAX_CENTS, MODELS, PAYMENT_ID_PATTERN, REFDET_PATTERN, REQUESTS
from .policy import LOOKUPS_PER_MINUTE

SECURITY_SCHEMES: dict[str, Any] = {
    "citizenJwt": spec.bearer_jwt(
        "ID token of the citizens' user pool (`poche user create --email … --citizen` prints one locally)."
    )
}
SCHEMAS: dict[str, Any] = spec.component_schemas(*MODELS, requests=REQUESTS)

_TAG = "paiement en ligne"
_MY_TAG = "espace personnel"
_NO_STORE = {"Cache-Control": {"schema": {"type": "string", "example": "private, no-store"}}}
_RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Secondes à attendre."}}


def _ok(description: str, schema: str) -> dict[str, Any]:
    """An answer never cached (it says where a payment stands, or whom a debt is for)."""
    return spec.json_response(description, schema, _NO_STORE)


def _retry(description: str) -> dict[str, Any]:
    """A problem with its `Retry-After` header (429, 503)."""
    return {**spec.problem_response(description), "headers": _RETRY_AFTER}


def _required_query(name: str, schema: dict[str, Any], description: str, example: str) -> dict[str, Any]:
    """A query parameter the route cannot do without (400 when absent)."""
    parameter = {"name": name, "in": "query", "required": True, "schema": schema}
    return {**parameter, "description": description, "example": example}


_EXER = {"type": "string", "pattern": EXER_PATTERN}
_THROTTLED = _retry(f"Plus de {LOOKUPS_PER_MINUTE} recherches ou paiements en une minute : réessayer plus tard.")
_UNAVAILABLE = _retry("PayFiP (DGFiP) ne répond pas : réessayer dans quelques minutes.")
_CONFLICT = spec.problem_response(
    "Créance déjà payée, annulée, ou dont un paiement a commencé il y a moins de 20 minutes (ou au même instant)."
)
_UNKNOWN_DEBT = spec.problem_response("Aucune créance ne correspond à cette référence et à ce montant.")
_UNKNOWN_PAYMENT = spec.problem_response("Paiement inconnu.")
_STARTED = _ok("Le paiement commencé : envoyer le navigateur à `payfip_url` (valable 15 minutes).", "Payment")


def _public(operation_id: str, summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"operationId": operation_id, "tags": [_TAG], "summary": summary, **extra, "responses": responses}


_signed_in = partial(
    spec.signed_in_operation,
    tag=_MY_TAG,
    scheme="citizenJwt",
    errors={
        "401": spec.unauthorized_response("Jeton absent, falsifié ou expiré (réponse de la passerelle)."),
        "403": spec.problem_response("L'adresse e-mail du compte n'est pas vérifiée."),
    },
)

PATHS: dict[str, Any] = {
    "/v1/payments/debts/{refdet}": {
        "get": _public(
            "findDebt",
            "Retrouver une créance par sa référence et son montant, comme l'avis les donne (un montant faux et une "
            "référence inconnue donnent le même 404).",
            {
                "200": _ok("La créance et son état de paiement.", "Debt"),
                "400": spec.problem_response("exer, refdet ou amount invalide : `invalid_params` le nomme."),
                "404": _UNKNOWN_DEBT,
                "429": _THROTTLED,
            },
            parameters=[
                spec.path_parameter(
                    "refdet",
                    {"type": "string", "pattern": REFDET_PATTERN},
                    "Référence de la créance (lettres et chiffres, 30 au plus).",
                    "TR2026000123",
                ),
                _required_query("exer", _EXER, "Exercice (année) de la créance.", "2026"),
                _required_query(
                    "amount",
                    {"type": "integer", "minimum": 1, "maximum": MAX_CENTS},
                    "Montant de la créance en centimes (12,50 € s'écrit 1250).",
                    "4250",
                ),
            ],
        )
    },
    "/v1/payments": {
        "post": _public(
            "startPayment",
            "Commencer le paiement d'une créance sans compte : le montant est celui de la créance enregistrée ; "
            "PayFiP envoie le ticket à `email`.",
            {
                "201": _STARTED,
                "400": spec.problem_response("Corps invalide : `invalid_params` nomme le champ."),
                "404": _UNKNOWN_DEBT,
                "409": _CONFLICT,
                "429": _THROTTLED,
                "503": _UNAVAILABLE,
            },
            requestBody=spec.json_body("PaymentStart"),
        )
    },
    "/v1/payments/{payment_id}": {
        "get": _public(
            "getPayment",
            "L'état d'un paiement ; tant qu'il est en attente, PayFiP est interrogé à nouveau.",
            {
                "200": _ok("Le paiement.", "Payment"),
                "400": spec.problem_response("Identifiant de paiement invalide."),
                "404": _UNKNOWN_PAYMENT,
            },
            parameters=[
                spec.path_parameter(
                    "payment_id",
                    {"type": "string", "pattern": PAYMENT_ID_PATTERN},
                    "Identifiant du paiement (`id` de la réponse de POST /v1/payments).",
                    "0b9f6c1e8d2a4c5b9e7f2a1d3c4b5e6f",
                )
            ],
        )
    },
    "/v1/payments/payfip/return": {
        "get": _public(
            "returnFromPayfip",
            "Le retour du navigateur depuis PayFiP (`urlredirect`) : l'état du paiement de cet idOp, PayFiP "
            "interrogé à nouveau s'il est en attente.",
            {
                "200": _ok("Le paiement.", "Payment"),
                "400": spec.problem_response("idop absent ou invalide."),
                "404": _UNKNOWN_PAYMENT,
            },
            parameters=[
                _required_query(
                    "idop",
                    {"type": "string", "pattern": IDOP_PATTERN},
                    "Identifiant d'opération PayFiP (`idOp` est aussi accepté).",
                    "a1b2c3d4-0000-4000-8000-000000000001",
                )
            ],
        )
    },
    "/v1/me/debts": {
        "get": _signed_in(
            "listMyDebts",
            "Mes créances (celles qui portent l'adresse e-mail vérifiée du compte) : à payer d'abord.",
            {"200": _ok("Les créances.", "DebtList")},
        )
    },
    "/v1/me/payments": {
        "post": _signed_in(
            "startMyPayment",
            "Commencer le paiement d'une de mes créances : le ticket PayFiP part à l'adresse vérifiée du compte.",
            {
                "201": _STARTED,
                "400": spec.problem_response("Corps invalide : `invalid_params` nomme le champ."),
                "404": _UNKNOWN_DEBT,
                "409": _CONFLICT,
                "429": _THROTTLED,
                "503": _UNAVAILABLE,
            },
            "MyPaymentStart",
        )
    },
}


def document() -> dict[str, Any]:
    """This service's part of the API document: paths, schemas and the citizens' security scheme."""
    return spec.service_document(PATHS, SCHEMAS, SECURITY_SCHEMES)
