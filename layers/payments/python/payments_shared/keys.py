"""The key layouts of the payments tables, in one place for their writers and readers. No I/O, no boto3.

Debts table (what can be paid; written by the `payments-debts-csv` connector, read by the payments service):

    pk = DEBT#<exer>#<refdet>  sk = DEBT        one debt (titre de recette or régie product): exer, refdet, objet,
                                                amount_cents, product, due_date, status (open | cancelled), email;
                                                index `by_payer` (gsi1pk = PAYER#<e-mail digest>, gsi1sk =
                                                <due_date>#<exer>#<refdet>) when the file gives a payer e-mail;
                                                index `by_origin` (gsi2pk = ORIGIN#<connector>, gsi2sk =
                                                <exer>#<refdet>): every debt of the file, for the connector's diff;
                                                index `cancelled` (gsi3pk = CANCELLED, gsi3sk = <exer>#<refdet>):
                                                the debts the accountant cancelled (the reconciliation's)
    pk = FEED#<connector>      sk = STATE | RUN#...   the feed state (`poche_common.feeds`)
    pk = OUTBOX                sk = <event id>        the domain's outbox (`poche_common.outbox`): the ledger's
                                                      events are staged here in the same transaction as the fact

Ledger table (append-only: items are put once, with `attribute_not_exists(pk)`, never updated nor deleted):

    pk = DEBT#<exer>#<refdet>  sk = ATTEMPT#<n>          an attempt to pay the debt (n = 0001, 0002...): payment_id,
                                                         created_at, amount_cents, objet, product, payer;
                                                         index `by_payment` (gsi1pk = PAYMENT#<payment id>)
                               sk = FACT#<n>#<kind>      a fact about attempt n, once per kind: `initiated` (idop;
                                                         index `by_idop`, gsi2pk = IDOP#<idop>; index `by_day`,
                                                         gsi3pk = OPENED#<UTC date>), `start-failed`, `notified`,
                                                         `detail-<resultrans>` (each result seen, e.g. detail-A)
                               sk = OUTCOME#<n>          the attempt's one terminal fact: succeeded | failed |
                                                         cancelled | expired; a success is indexed `by_day` with
                                                         gsi3pk = SETTLED#<Paris date of the transaction>; every
                                                         outcome (and a `start-failed` fact) is indexed `by_closed`
                                                         with gsi4pk = CLOSED#<UTC date the attempt was opened>, so
                                                         OPENED#d minus CLOSED#d are the attempts still open
                               sk = LATE#<n>             a success PayFiP reported after the attempt's outcome was
                                                         written as failed/cancelled/expired (money received: kept,
                                                         settles the debt, indexed SETTLED# like a success)
                               sk = DUPLICATE#<n>        attempt n succeeded on a debt another attempt had already
                                                         settled: a refund to arrange (indexed EXCEPTION#<date>)
    pk = RECON#<Paris date>    sk = STATEMENT#<uploaded at>#<part>   the accountant's statement of a day, as uploaded
                               sk = RESOLVED#<exception id>          an exception marked resolved (who, when, why)

The ledger's facts are the only truth: every state (a debt paid, an attempt pending) is derived from them by
`payments_shared.ledger`.
"""

from __future__ import annotations

import hashlib
import re

CONNECTOR = "payments-debts-csv"
SOURCE = "poche.payments"  # the bus source of every payments event

# --- Debts table --------------------------------------------------------------------------------------------------
DEBT_SK = "DEBT"
BY_PAYER_INDEX = "by_payer"
BY_PAYER_PK, BY_PAYER_SK = "gsi1pk", "gsi1sk"
BY_ORIGIN_INDEX = "by_origin"
BY_ORIGIN_PK, BY_ORIGIN_SK = "gsi2pk", "gsi2sk"

# --- Ledger table -------------------------------------------------------------------------------------------------
ATTEMPT = "ATTEMPT#"
FACT = "FACT#"
OUTCOME = "OUTCOME#"
LATE = "LATE#"
DUPLICATE = "DUPLICATE#"
BY_PAYMENT_INDEX = "by_payment"
BY_PAYMENT_PK, BY_PAYMENT_SK = "gsi1pk", "gsi1sk"
BY_IDOP_INDEX = "by_idop"
BY_IDOP_PK, BY_IDOP_SK = "gsi2pk", "gsi2sk"
BY_DAY_INDEX = "by_day"
BY_DAY_PK, BY_DAY_SK = "gsi3pk", "gsi3sk"
BY_CLOSED_INDEX = "by_closed"
BY_CLOSED_PK, BY_CLOSED_SK = "gsi4pk", "gsi4sk"
CANCELLED_INDEX = "cancelled"
CANCELLED_PK, CANCELLED_SK = "gsi3pk", "gsi3sk"
CANCELLED_DEBTS = "CANCELLED"
STATEMENT = "STATEMENT#"
RESOLVED = "RESOLVED#"

# The references of a debt as PayFiP takes them (schema2.xsd): exer a year, refdet alphanumeric (≤ 30; PayFiP
# accepts 6 to 30 for titres, the régies' own references are shorter), objet ≤ 100 characters.
# (ASCII digits only: `\d` would take any script's digits.) The API document's patterns are these (`models.py`).
EXER_PATTERN = "20[0-9]{2}"
REFDET_PATTERN = "[A-Za-z0-9]{1,30}"
IDOP_PATTERN = "[A-Za-z0-9-]{1,64}"
PAYMENT_ID_PATTERN = "[0-9a-f]{32}"
EXER = re.compile(EXER_PATTERN)
REFDET = re.compile(REFDET_PATTERN)
IDOP = re.compile(IDOP_PATTERN)
PAYMENT_ID = re.compile(PAYMENT_ID_PATTERN)
MAX_ATTEMPTS = 9999


def debt_pk(exer: str, refdet: str) -> str:
    return f"DEBT#{exer}#{refdet}"


def split_debt_pk(pk: str) -> tuple[str, str]:
    """(exer, refdet) of a `DEBT#<exer>#<refdet>` key."""
    _, exer, refdet = pk.split("#", 2)
    return exer, refdet


def payer_digest(email: str) -> str:
    """The key under which a payer's debts are listed: a digest of the e-mail (trimmed, case-folded), so the index
    keys carry no e-mail address."""
    return hashlib.sha256(email.strip().casefold().encode("utf-8")).hexdigest()


def payer_gsi(email: str) -> str:
    return f"PAYER#{payer_digest(email)}"


def payer_sk(due_date: str, exer: str, refdet: str) -> str:
    return f"{due_date}#{exer}#{refdet}"


def origin_gsi(connector: str = CONNECTOR) -> str:
    return f"ORIGIN#{connector}"


def attempt_number(n: int) -> str:
    if not 1 <= n <= MAX_ATTEMPTS:
        raise ValueError(f"attempt number {n} out of 1..{MAX_ATTEMPTS}")
    return f"{n:04d}"


def attempt_sk(n: int) -> str:
    return f"{ATTEMPT}{attempt_number(n)}"


def fact_sk(n: int, kind: str) -> str:
    return f"{FACT}{attempt_number(n)}#{kind}"


def outcome_sk(n: int) -> str:
    return f"{OUTCOME}{attempt_number(n)}"


def late_sk(n: int) -> str:
    return f"{LATE}{attempt_number(n)}"


def duplicate_sk(n: int) -> str:
    return f"{DUPLICATE}{attempt_number(n)}"


def attempt_of(sk: str) -> int:
    """The attempt number of an ATTEMPT#/FACT#/OUTCOME#/LATE#/DUPLICATE# sort key."""
    return int(sk.split("#", 2)[1])


def payment_gsi(payment_id: str) -> str:
    return f"PAYMENT#{payment_id}"


def idop_gsi(idop: str) -> str:
    return f"IDOP#{idop}"


def opened_gsi(utc_date: str) -> str:
    """gsi3pk of the attempts initiated on a UTC date (the sweeper reads today's and yesterday's)."""
    return f"OPENED#{utc_date}"


def closed_gsi(utc_date: str) -> str:
    """gsi4pk of the attempts opened on a UTC date that have their outcome (or never started)."""
    return f"CLOSED#{utc_date}"


def settled_gsi(paris_date: str) -> str:
    """gsi3pk of the successes of a Paris date (the day's journal)."""
    return f"SETTLED#{paris_date}"


def exception_gsi(paris_date: str) -> str:
    """gsi3pk of the duplicate payments of a Paris date."""
    return f"EXCEPTION#{paris_date}"


def recon_pk(paris_date: str) -> str:
    return f"RECON#{paris_date}"
