"""The shape of PayFiP's notification (`urlnotif`), written once: the OpenAPI document is generated from it.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py`, the build and the tests only.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

IDOP_PATTERN = "^[A-Za-z0-9-]{1,64}$"  # handler.IDOP


class PayfipNotification(BaseModel):
    """Le formulaire que PayFiP envoie à `urlnotif` : l'identifiant d'opération seul, sans signature. Rien n'en est
    cru : le résultat est demandé à PayFiP (`recupererDetailPaiementSecurise`)."""

    idOp: str = Field(
        pattern=IDOP_PATTERN,
        description="Identifiant d'opération PayFiP (`idop` est aussi accepté, dans le corps ou la requête).",
        examples=["a1b2c3d4-0000-4000-8000-000000000001"],
    )


REQUESTS = (PayfipNotification,)
