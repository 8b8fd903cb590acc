"""The shapes of the finance staff routes, written once: the OpenAPI document is generated from them. The answers
are what `journal.journal_json`, `logic.statement_summary`, `reconcile.reconciliation_json` and
`reconcile.exception_json` build, field for field; the resolution body is what `logic.parse_comment` accepts.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py`, the build and the tests only.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from poche_common.openapi import OneOf, absent

from .logic import COMMENT_MAX
from .reconcile import KINDS

Cents = Annotated[int, Field(description="Montant en centimes d'euro (12,50 € s'écrit 1250).", examples=[1250])]
ParisMoment = Annotated[str, Field(json_schema_extra={"format": "date-time"}, description="ISO 8601, Europe/Paris.")]
Day = Annotated[str, Field(json_schema_extra={"format": "date"}, description="Date (Paris), AAAA-MM-JJ.")]
Kind = Annotated[str, OneOf(KINDS)]


class FinanceProductTotal(BaseModel):
    product: str = Field(description="Code produit ou régie (vide s'il n'y en a pas).", examples=["CANTINE"])
    count: int
    total_cents: Cents


class FinanceJournalEntry(BaseModel):
    """Un paiement reçu."""

    payment_id: str
    attempt: int = Field(description="Numéro de la tentative de paiement de la créance.")
    exer: str = Field(examples=["2026"])
    refdet: str = Field(examples=["T00012345"])
    objet: str
    product: str
    amount_cents: Cents
    resultrans: str = Field(description="P : carte ; V : prélèvement unique.", examples=["P"])
    numauto: str = Field(description="Numéro d'autorisation (vide s'il n'y en a pas).")
    idop: str = Field(description="Identifiant de l'opération PayFiP.")
    paid_at: ParisMoment
    late: bool = Field(description="Succès signalé après que le paiement a été noté échoué, annulé ou expiré.")
    duplicate: bool = Field(description="Second paiement d'une créance déjà payée : remboursement à prévoir.")


class FinanceJournal(BaseModel):
    """Le journal des paiements reçus un jour (date de Paris), trié par moment du paiement."""

    date: Day
    currency: Literal["EUR"]
    count: int
    total_cents: Cents
    products: list[FinanceProductTotal] = Field(description="Totaux par code produit, triés par code.")
    entries: list[FinanceJournalEntry]


class FinanceLineError(BaseModel):
    line: int = Field(description="Numéro de ligne du fichier (l'en-tête est la ligne 1).")
    reason: str = Field(description="Pourquoi la ligne n'a pas été lue, en français.")


class FinanceCountTotal(BaseModel):
    count: int
    total_cents: Cents


class FinanceStatementSummary(BaseModel):
    """Le relevé enregistré (un nouveau relevé à chaque envoi : le plus récent du jour fait foi)."""

    date: Day
    uploaded_at: ParisMoment
    sha256: str = Field(description="Empreinte SHA-256 du fichier tel qu'envoyé.")
    size_bytes: int
    columns: list[str] = Field(description="Colonnes reconnues, dans l'ordre du fichier.")
    lines: int = Field(description="Lignes lues (toutes dates).")
    total_cents: Cents
    of_date: FinanceCountTotal = Field(description="Lignes du jour du relevé et leur total.")
    other_dates: int = Field(description="Lignes d'une autre date (mises de côté par le rapprochement).")
    errors: list[FinanceLineError]


class FinanceResolution(BaseModel):
    by: str = Field(description="Identifiant (sub) de la personne qui a traité l'écart.")
    at: str = Field(json_schema_extra={"format": "date-time"}, description="Moment (UTC).")
    comment: str


class FinanceException(BaseModel):
    """Un écart du rapprochement, à traiter."""

    exception_id: str = Field(pattern="^[0-9a-f]{32}$")
    kind: Kind
    label: str = Field(description="Nature de l'écart, en français.")
    exer: str
    refdet: str
    payment_id: str | None
    attempt: int | None
    idop: str | None
    numauto: str | None
    product: str | None
    amount_cents: int | None = Field(description="Montant du paiement ici, en centimes.")
    statement_amount_cents: int | None = Field(description="Montant du relevé, en centimes.")
    statement_line: int | None
    paid_at: ParisMoment | None
    created_at: ParisMoment | None
    resolved: bool
    resolution: FinanceResolution | None


class FinanceMatch(BaseModel):
    payment_id: str
    exer: str
    refdet: str
    amount_cents: Cents
    idop: str | None
    numauto: str | None
    statement_line: int
    matched_by: Literal["idop", "numauto", "amount"]


class FinanceStatementCounts(BaseModel):
    count: int
    total_cents: Cents
    errors: int
    other_dates: int


class FinanceExceptionCounts(BaseModel):
    missing_from_statement: int
    unknown_here: int
    amount_mismatch: int
    duplicate: int
    pending_too_long: int
    paid_after_cancellation: int


class FinanceReconciliationSummary(BaseModel):
    ledger: FinanceCountTotal
    statement: FinanceStatementCounts
    matched: int
    exceptions: FinanceExceptionCounts
    unresolved: int


class FinanceOtherDate(BaseModel):
    line: int
    date: Day


class FinanceReconciliation(BaseModel):
    """Le rapprochement d'un jour : paiements reçus ici contre le relevé du comptable le plus récent."""

    date: Day
    summary: FinanceReconciliationSummary
    exceptions: list[FinanceException]
    matched: list[FinanceMatch] = absent(
        description="Les paires ligne du relevé / paiement ; absent avec ?matched=false."
    )
    statement_errors: list[FinanceLineError]
    other_dates: list[FinanceOtherDate]


class FinanceResolutionNew(BaseModel):
    """Comment l'écart a été traité."""

    model_config = ConfigDict(extra="forbid")

    comment: str = Field(
        min_length=1,
        max_length=COMMENT_MAX,
        json_schema_extra={"pattern": "\\S"},
        description="Texte simple (sans balises), 1 000 caractères au plus.",
    )


ANSWERS = (FinanceJournal, FinanceStatementSummary, FinanceReconciliation, FinanceException)
REQUESTS = (FinanceResolutionNew,)
