"""The shapes of the payments service's requests and answers, written once: the OpenAPI document is generated from
them. The answers are what `views.py` builds (`debt_view`, `payment_view`), field for field.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py`, the build and the tests only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from payments_shared import keys
from poche_common.openapi import absent

from .policy import MAX_EMAIL_LENGTH

MAX_CENTS = 100_000_000  # handler.MAX_CENTS (the handler is not imported here: it is the Lambda's module)
EXER_PATTERN = f"^{keys.EXER_PATTERN}$"
REFDET_PATTERN = f"^{keys.REFDET_PATTERN}$"
IDOP_PATTERN = f"^{keys.IDOP_PATTERN}$"
PAYMENT_ID_PATTERN = f"^{keys.PAYMENT_ID_PATTERN}$"
EMAIL_PATTERN = "^[^@\\s\\x00-\\x1f]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$"

Exer = Annotated[
    str, Field(pattern=EXER_PATTERN, description="Exercice (année) de la créance, tel que l'avis l'indique.")
]
Refdet = Annotated[
    str,
    Field(
        pattern=REFDET_PATTERN,
        description="Référence de la créance (lettres et chiffres, 30 au plus), telle que l'avis l'indique.",
    ),
]
Cents = Annotated[
    int,
    Field(ge=1, le=MAX_CENTS, description="Montant en centimes d'euro, un entier (12,50 € s'écrit 1250)."),
]
DebtStatus = Literal["payable", "pending", "paid", "cancelled"]
PaymentStatus = Literal["starting", "pending", "paid", "refused", "cancelled", "expired", "error"]


class Debt(BaseModel):
    """Une créance du département (titre de recette ou produit d'une régie) et son état de paiement."""

    exer: str = Field(description="Exercice (année) de la créance.", examples=["2026"])
    refdet: str = Field(description="Référence de la créance.", examples=["TR2026000123"])
    objet: str = Field(description="Libellé de la créance.", examples=["Restauration scolaire novembre 2026"])
    amount_cents: int = Field(description="Montant en centimes d'euro.", examples=[4250])
    product: str = Field(description="Code produit ou régie (vide s'il n'y en a pas).", examples=["CANTINE"])
    due_date: dt.date | None = Field(description="Date d'échéance, si le fichier la donne.", examples=["2026-12-15"])
    status: DebtStatus = Field(
        description="payable : à payer ; pending : un paiement commencé il y a moins de 20 minutes est en cours ; "
        "paid : payée en ligne ; cancelled : annulée par le comptable, rien à payer."
    )
    paid_at: dt.datetime = absent(
        description="Moment du paiement (Europe/Paris), quand la créance est payée.",
        examples=["2026-12-02T10:15:00+01:00"],
    )
    payment_id: str = absent(
        description="Identifiant du paiement qui a réglé la créance, quand elle est payée.",
        examples=["0b9f6c1e8d2a4c5b9e7f2a1d3c4b5e6f"],
    )


class DebtList(BaseModel):
    """Les créances du citoyen : à payer d'abord (par échéance), puis payées et annulées."""

    debts: list[Debt]
    count: int = Field(description="Nombre de créances listées.", examples=[2])


class Payment(BaseModel):
    """Un paiement (une tentative de paiement d'une créance sur PayFiP) et son état."""

    id: str = Field(
        pattern=PAYMENT_ID_PATTERN,
        description="Identifiant du paiement (GET /v1/payments/{payment_id}).",
        examples=["0b9f6c1e8d2a4c5b9e7f2a1d3c4b5e6f"],
    )
    status: PaymentStatus = Field(
        description="starting : en cours de création ; pending : en attente du paiement sur PayFiP ; paid : payé ; "
        "refused : refusé (carte ou prélèvement) ; cancelled : abandonné par le payeur ; expired : jamais payé "
        "(page PayFiP expirée) ; error : PayFiP n'a pas pu créer le paiement."
    )
    exer: str = Field(examples=["2026"])
    refdet: str = Field(examples=["TR2026000123"])
    objet: str = Field(examples=["Restauration scolaire novembre 2026"])
    amount_cents: int = Field(description="Montant en centimes, celui de la créance enregistrée.", examples=[4250])
    created_at: dt.datetime = Field(description="Début du paiement (Europe/Paris).")
    paid_at: dt.datetime = absent(description="Moment de la transaction (Europe/Paris), quand le paiement est payé.")
    means: Literal["card", "debit"] = absent(
        description="Moyen de paiement, quand le paiement est payé : card (carte), debit (prélèvement unique)."
    )
    payfip_url: str = absent(
        description="La page de paiement PayFiP où envoyer le navigateur, tant que le paiement est en attente et "
        "que la page l'accepte (15 minutes après son début).",
        json_schema_extra={"format": "uri"},
        examples=["https://www.tipi.budget.gouv.fr/tpa/paiementws.web?idop=a1b2c3d4-0000-4000-8000-000000000001"],
    )


class PaymentStart(BaseModel):
    """Payer une créance sans compte : ses références, son montant (vérifié contre la créance enregistrée) et
    l'adresse où PayFiP enverra le ticket de paiement."""

    exer: Exer
    refdet: Refdet
    amount_cents: Cents
    email: str = Field(
        max_length=MAX_EMAIL_LENGTH,
        pattern=EMAIL_PATTERN,
        description="Adresse où PayFiP enverra le ticket de paiement (jamais conservée dans les événements).",
        examples=["camille.martin@example.fr"],
    )


class MyPaymentStart(BaseModel):
    """Payer une de ses créances une fois connecté : le ticket part à l'adresse vérifiée du compte."""

    exer: Exer
    refdet: Refdet
    amount_cents: Cents


MODELS = (Debt, DebtList, Payment)
REQUESTS = (PaymentStart, MyPaymentStart)
