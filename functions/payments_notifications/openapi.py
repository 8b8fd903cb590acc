"""OpenAPI description of PayFiP's notification route (`urlnotif`), its form generated from `models.py` (merged
into the API's document). The payments service (`functions/payments/openapi.py`) describes the other routes."""

from __future__ import annotations

from typing import Any

from poche_common import openapi as spec

from .models import REQUESTS

SCHEMAS: dict[str, Any] = spec.component_schemas(requests=REQUESTS)

_NO_STORE = {"Cache-Control": {"schema": {"type": "string", "example": "no-store"}}}


def _text(description: str, example: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": _NO_STORE,
        "content": {"text/plain": {"schema": {"type": "string", "example": example}}},
    }


PATHS: dict[str, Any] = {
    "/v1/payments/payfip/notifications": {
        "post": {
            "operationId": "notifyPayfipPayment",
            "tags": ["paiement en ligne"],
            "summary": "Notification de PayFiP (`urlnotif`) : l'idOp est mis en file et le résultat demandé à "
            "PayFiP ; une notification inconnue ou falsifiée ne crédite rien.",
            "requestBody": {
                "required": True,
                "content": {"application/x-www-form-urlencoded": {"schema": spec.schema_ref("PayfipNotification")}},
            },
            "responses": {
                "200": _text("Notification reçue (mise en file).", "OK"),
                "400": spec.problem_response("Pas d'idOp de la bonne forme (ou un corps de plus de 4 Kio)."),
            },
        }
    }
}


def document() -> dict[str, Any]:
    """This function's part of the API document: its path, its form's schema and the problem's."""
    return spec.service_document(PATHS, SCHEMAS)
