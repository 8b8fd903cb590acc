"""The finance software's debts CSV (FORMAT.md) -> `ParsedFeed` of `Debt`s and `Rejection`s.

Bytes to text as every CSV feed (`poche_common.csvfeed`: UTF-16 with BOM, UTF-8 with or without BOM, else
Windows-1252; empty, binary, HTML and JSON files refused in French), separator of the header line (`;`, `,` or tab),
quoted fields. A file that cannot be used at all (not text, empty, no header, a required column missing or doubled,
no debt row) is a `FeedFormatError`: the run changes nothing. Every row is checked (`Debt`'s fields: the references
by the regexes PayFiP's schema gives, `payments_shared.keys`; the label as plain text; the amount an integer number
of cents; the due date within 2000..2100); a bad row is rejected with its line and a French reason and skipped, and
so is the second row of an (exer, refdet) already given. The payer's e-mail is personal data: no reason quotes it
(nor anything that looks like an address), and no log line is written here.
"""

from __future__ import annotations

import datetime as dt
import re

from payments_shared import keys
from poche_common import csvfeed
from poche_common.bounds import check_date, excerpt
from poche_common.errors import FeedFormatError
from poche_common.plaintext import plain

from .model import Debt, Key, ParsedFeed, Rejection, Status

REQUIRED = ("exer", "refdet", "objet", "montant_centimes", "code_produit", "date_echeance", "statut")
OPTIONAL = ("email_redevable",)
COLUMNS = REQUIRED + OPTIONAL
STATUSES: dict[str, Status] = {"a_payer": "open", "annulee": "cancelled"}
OBJET_MAX = 100  # PayFiP's `objet`
MAX_AMOUNT_CENTS = 100_000_000  # 1,000,000 €: more is an export error (a decimal amount read as cents...)
PRODUCT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
AMOUNT_RE = re.compile(r"[0-9]{1,12}")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EMAIL_MAX = 254
EMAIL_RE = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
LOOKS_LIKE_EMAIL = re.compile(r"[^\s«»\"']*@[^\s«»\"']*")
MASKED = "<adresse masquée>"
NO_USABLE_DEBT = (
    "Aucune ligne du fichier n'est utilisable ({rejected} rejetées ; la première : {first}) : il n'est pas pris en "
    "compte, les créances publiées restent telles quelles."
)
NO_DEBT = (
    "Le fichier ne contient aucune créance (en-tête seul) : il n'est pas pris en compte, les créances publiées "
    "restent. Un export vide est presque toujours un export en erreur."
)


class RowError(ValueError):
    pass


def masked(reason: str) -> str:
    """`reason` with anything that looks like an e-mail address replaced: a rejection never carries one."""
    return LOOKS_LIKE_EMAIL.sub(MASKED, reason)


def _quoted(value: str, limit: int = 40) -> str:
    return f"« {masked(excerpt(value, limit))} »"


def read_key(record: dict[str, str]) -> Key | None:
    """The row's (exer, refdet) when both are well-formed, else None."""
    exer, refdet = record.get("exer", "").strip(), record.get("refdet", "").strip()
    if keys.EXER.fullmatch(exer) and keys.REFDET.fullmatch(refdet):
        return (exer, refdet)
    return None


def parse_amount(raw: str) -> int:
    if re.fullmatch(r"[0-9]+[.,][0-9]*", raw):
        raise RowError(
            f"montant_centimes {_quoted(raw, 20)} : un nombre entier de centimes est attendu, sans virgule ni point "
            "(1250 pour 12,50 €)"
        )
    if not AMOUNT_RE.fullmatch(raw):
        raise RowError(
            f"montant_centimes {_quoted(raw, 20)} : un nombre entier de centimes est attendu (chiffres seuls)"
        )
    amount = int(raw)
    if amount <= 0:
        raise RowError("montant_centimes : le montant doit être supérieur à 0")
    if amount > MAX_AMOUNT_CENTS:
        raise RowError(f"montant_centimes {raw} : au plus {MAX_AMOUNT_CENTS} centimes (1 000 000 €)")
    return amount


def parse_due_date(raw: str) -> str:
    if not DATE_RE.fullmatch(raw):
        raise RowError(f"date_echeance {_quoted(raw, 20)} : une date AAAA-MM-JJ est attendue")
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise RowError(f"date_echeance {raw} n'est pas une date du calendrier") from None
    try:
        check_date(day, "date_echeance")
    except ValueError as exc:
        raise RowError(str(exc)) from None
    return day.isoformat()


def parse_email(raw: str) -> str | None:
    if not raw:
        return None
    if len(raw) > EMAIL_MAX or not EMAIL_RE.fullmatch(raw):
        raise RowError("email_redevable : adresse e-mail invalide (non reproduite ici) ; laisser vide si inconnue")
    return raw


def parse_row(line: int, record: dict[str, str]) -> Debt:
    """One row; RowError with a French reason when it cannot be used."""
    exer = record.get("exer", "").strip()
    if not keys.EXER.fullmatch(exer):
        raise RowError(f"exer {_quoted(exer, 20)} : une année sur 4 chiffres est attendue (2000 à 2099)")
    refdet = record.get("refdet", "").strip()
    if not keys.REFDET.fullmatch(refdet):
        raise RowError(f"refdet {_quoted(refdet)} : 1 à 30 lettres sans accent ou chiffres (ni espace ni tiret)")
    raw_objet = record.get("objet", "")
    objet = " ".join(plain(raw_objet[: OBJET_MAX * 4], OBJET_MAX + 1).split())
    if not objet:
        raise RowError("objet vide")
    if len(objet) > OBJET_MAX:
        raise RowError(f"objet trop long ({len(' '.join(raw_objet.split()))} caractères, au plus {OBJET_MAX})")
    amount = parse_amount(record.get("montant_centimes", "").strip())
    product = record.get("code_produit", "").strip()
    if not PRODUCT_RE.fullmatch(product):
        raise RowError(f"code_produit {_quoted(product)} : 1 à 32 caractères parmi A-Z a-z 0-9 _ . - (sans espace)")
    due_date = parse_due_date(record.get("date_echeance", "").strip())
    raw_status = record.get("statut", "").strip()
    status = STATUSES.get(raw_status.lower())
    if status is None:
        raise RowError(f"statut {_quoted(raw_status, 20)} : a_payer ou annulee est attendu")
    email = parse_email(record.get("email_redevable", "").strip())
    return Debt(line, exer, refdet, objet, amount, product, due_date, status, email)


def parse_feed(data: bytes) -> ParsedFeed:
    """One file; `FeedFormatError` (French) when it cannot be used at all."""
    csv_file = csvfeed.CsvFile(data)
    header = [name.strip().strip('"').lower() for name in csv_file.header]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise csvfeed.missing_columns(missing, csv_file.header)
    duplicated = sorted({name for name in header if name in COLUMNS and header.count(name) > 1})
    if duplicated:
        raise FeedFormatError(f"Colonnes en double dans l'en-tête du CSV : {', '.join(duplicated)}.")
    feed = ParsedFeed()
    first_line: dict[Key, int] = {}
    for line, values in csv_file.rows:
        feed.rows_read += 1
        record = {name: (values[i] if i < len(values) else "") for i, name in enumerate(header) if name in COLUMNS}
        key = read_key(record)
        try:
            if any(value.strip() for value in values[len(header) :]):
                raise RowError(
                    f"{len(values)} champs pour {len(header)} colonnes : mettre entre guillemets un texte qui "
                    f"contient le séparateur « {csv_file.delimiter} »"
                )
            debt = parse_row(line, record)
            if debt.key in first_line:
                raise RowError(
                    f"créance {debt.exer}/{debt.refdet} déjà donnée ligne {first_line[debt.key]} : "
                    "la seconde ligne est ignorée"
                )
        except RowError as exc:
            feed.rejected.append(Rejection(line, masked(str(exc)), key))
            continue
        first_line[debt.key] = line
        feed.debts.append(debt)
    if feed.rows_read == 0:
        raise FeedFormatError(NO_DEBT)
    if not feed.debts:
        raise FeedFormatError(NO_USABLE_DEBT.format(rejected=len(feed.rejected), first=feed.rejected[0].reason))
    return feed
