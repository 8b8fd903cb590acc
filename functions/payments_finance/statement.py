"""The accountant's statement of PayFiP receipts for a day, as finance staff upload it: bytes to checked lines.

The format is ours (there is no national file for it): `docs/finance-statement.md` specifies it. In short: a CSV
with a header; `;` separator (`,` and tab are detected too); UTF-8 with or without BOM, Windows-1252 or UTF-16
(`poche_common.csvfeed`, as every CSV of the project); required columns `date`, `exer`, `refdet` and `montant`
(euros, French decimals "12,50"; "12.50", "12", "1 234,50" and a trailing "€" are read too) or `montant_centimes`
(integer cents) instead; optional `idop`, `numauto`, `produit`. Header names are matched without case, accents,
spaces or punctuation, with the aliases of `ALIASES`.

A line that cannot be read is reported (`Statement.errors`: line number and French reason) and the others are
kept. A file that cannot be used at all (not a CSV, no header, missing columns, more than `MAX_LINES` lines or
`MAX_BYTES` bytes) raises `StatementFormatError` (an `InvalidRequestError`: HTTP 400 with its French reason).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from payments_shared import keys
from poche_common import csvfeed
from poche_common.bounds import excerpt
from poche_common.errors import FeedFormatError, InvalidRequestError

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 50_000  # data lines (the header not counted)
MAX_AMOUNT_CENTS = 100_000_000_00  # 100 million euros: beyond is a typing error
NUMAUTO = re.compile(r"[A-Za-z0-9]{1,32}")
PRODUCT = re.compile(r"[A-Za-z0-9_.-]{1,32}")

# Normalised header name (lower case, no accents, only letters and digits) -> column.
ALIASES: dict[str, str] = {
    "date": "date",
    "dateoperation": "date",
    "datedeloperation": "date",
    "dateencaissement": "date",
    "datepaiement": "date",
    "datedupaiement": "date",
    "datetransaction": "date",
    "dattrans": "date",
    "exer": "exer",
    "exercice": "exer",
    "refdet": "refdet",
    "reference": "refdet",
    "referencedette": "refdet",
    "referencedeladette": "refdet",
    "refdette": "refdet",
    "montant": "montant",
    "montanteuros": "montant",
    "montanteur": "montant",
    "montantencaisse": "montant",
    "montantcentimes": "montant_centimes",
    "montantencentimes": "montant_centimes",
    "idop": "idop",
    "idoperation": "idop",
    "identifiantoperation": "idop",
    "identifiantdeloperation": "idop",
    "numauto": "numauto",
    "numeroautorisation": "numauto",
    "numerodautorisation": "numauto",
    "autorisation": "numauto",
    "nautorisation": "numauto",
    "noautorisation": "numauto",
    "numautorisation": "numauto",
    "numeroauto": "numauto",
    "produit": "produit",
    "codeproduit": "produit",
    "regie": "produit",
    "coderegie": "produit",
    "product": "produit",
}
REQUIRED = ("date", "exer", "refdet")


class StatementFormatError(InvalidRequestError):
    """The uploaded statement cannot be used at all (nothing of it is reconciled); the detail says why, in French."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="statement")


@dataclass(frozen=True)
class StatementLine:
    """One receipt of the statement. `idop` and `numauto` are "" when the file has no such column or the cell is
    empty."""

    line: int  # physical line of the file (the header is line 1 when it comes first)
    date: dt.date
    exer: str
    refdet: str
    amount_cents: int
    idop: str = ""
    numauto: str = ""
    product: str = ""


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str  # French, for finance staff


@dataclass(frozen=True)
class Statement:
    lines: tuple[StatementLine, ...]
    errors: tuple[LineError, ...]
    columns: tuple[str, ...]  # the recognised columns, in the file's order
    delimiter: str

    @property
    def has_idop(self) -> bool:
        return "idop" in self.columns

    @property
    def has_numauto(self) -> bool:
        return "numauto" in self.columns


def normalise_header(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff").casefold())
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())


_DATE_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_PAYFIP = re.compile(r"(\d{2})(\d{2})(\d{4})")
_TIME_TAIL = re.compile(r"(?:[ T]\d{1,2}[:h]\d{2}(?::\d{2})?)?")


def parse_date(text: str) -> dt.date:
    """A date as a spreadsheet or PayFiP writes it: DD/MM/YYYY (also D/M/YYYY, with `-` or `.`), YYYY-MM-DD or
    DDMMYYYY, optionally followed by a time (ignored); `ValueError` with a French reason."""
    value = text.strip()
    for pattern, order in ((_DATE_DMY, (3, 2, 1)), (_DATE_ISO, (1, 2, 3)), (_DATE_PAYFIP, (3, 2, 1))):
        match = pattern.match(value)
        if match and _TIME_TAIL.fullmatch(value, match.end()):
            year, month, day = (int(match.group(index)) for index in order)
            try:
                date = dt.date(year, month, day)
            except ValueError:
                break
            if not 2000 <= date.year < 2100:
                raise ValueError(f"date hors des bornes : « {excerpt(value)} »")
            return date
    raise ValueError(f"date illisible : « {excerpt(value)} » (attendu JJ/MM/AAAA)")


_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")
_EUROS_PLAIN = re.compile(r"(\d{1,12})(?:[,.](\d{1,2}))?")
_EUROS_DOTTED = re.compile(r"(\d{1,3}(?:\.\d{3})+),(\d{1,2})")  # 1.234,50 (thousands dots, decimal comma)


def parse_euros(text: str) -> int:
    """Cents of an amount in euros: "12,50", "12,5", "12", "12.50", "1 234,50", "1.234,50", "12,50 €";
    `ValueError` with a French reason (negative, zero, more than two decimals, not a number)."""
    value = text.strip()
    lowered = value.casefold()
    for suffix in ("€", "eur", "euros"):
        if lowered.endswith(suffix):
            value = value[: -len(suffix)]
            break
    value = value.translate(_SPACES)
    if value.startswith("-") or (value.startswith("(") and value.endswith(")")):
        raise ValueError(f"montant négatif : « {excerpt(text.strip())} »")
    match = _EUROS_PLAIN.fullmatch(value)
    if match:
        euros = match.group(1)
    else:
        match = _EUROS_DOTTED.fullmatch(value)
        if not match:
            raise ValueError(f"montant illisible : « {excerpt(text.strip())} » (attendu en euros, par exemple 12,50)")
        euros = match.group(1).replace(".", "")
    cents = int(euros) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    return _check_cents(cents, text)


def parse_cents(text: str) -> int:
    value = text.strip().translate(_SPACES)
    if value.startswith("-"):
        raise ValueError(f"montant négatif : « {excerpt(text.strip())} »")
    if not re.fullmatch(r"\d{1,14}", value):
        raise ValueError(f"montant en centimes illisible : « {excerpt(text.strip())} » (attendu un entier, 1250)")
    return _check_cents(int(value), text)


def _check_cents(cents: int, text: str) -> int:
    if cents == 0:
        raise ValueError("montant nul")
    if cents > MAX_AMOUNT_CENTS:
        raise ValueError(f"montant démesuré : « {excerpt(text.strip())} »")
    return cents


def _amount(euros: str, cents: str, positions: dict[str, int]) -> int:
    """The line's amount: the `montant` cell (euros) when the file has that column and the cell is filled, else
    the `montant_centimes` cell."""
    if "montant" in positions and (euros.strip() or "montant_centimes" not in positions):
        if not euros.strip():
            raise ValueError("montant manquant")
        return parse_euros(euros)
    if not cents.strip():
        raise ValueError("montant manquant")
    return parse_cents(cents)


def _reference(value: str, pattern: re.Pattern[str], what: str, *, required: bool) -> str:
    cleaned = value.strip()
    if not cleaned:
        if required:
            raise ValueError(f"{what} manquant")
        return ""
    if not pattern.fullmatch(cleaned):
        raise ValueError(f"{what} invalide : « {excerpt(cleaned)} »")
    return cleaned


def _exer(value: str) -> str:
    cleaned = value.strip()
    if re.fullmatch(r"20\d{2}[.,]0+", cleaned):  # a spreadsheet that wrote the year as a decimal
        cleaned = cleaned[:4]
    return _reference(cleaned, keys.EXER, "exer (exercice)", required=True)


def parse_statement(data: bytes) -> Statement:
    """The statement's lines and line errors (module docstring); `StatementFormatError` when the file cannot be
    used at all."""
    if len(data) > MAX_BYTES:
        raise StatementFormatError(
            f"Le relevé fait {len(data) / (1024 * 1024):.1f} Mio : au plus {MAX_BYTES // (1024 * 1024)} Mio sont "
            "acceptés. Découpez-le par journée."
        )
    try:
        table = csvfeed.CsvFile(data)
    except FeedFormatError as exc:
        raise StatementFormatError(str(exc)) from None
    positions: dict[str, int] = {}
    for index, name in enumerate(table.header):
        column = ALIASES.get(normalise_header(name))
        if column is not None and column not in positions:
            positions[column] = index
    missing = [name for name in REQUIRED if name not in positions]
    if "montant" not in positions and "montant_centimes" not in positions:
        missing.append("montant")
    if missing:
        raise StatementFormatError(str(csvfeed.missing_columns(missing, table.header)))
    lines: list[StatementLine] = []
    errors: list[LineError] = []
    seen_idop: dict[str, int] = {}
    seen_numauto: dict[tuple[str, str, str], int] = {}
    count = 0

    def cell(fields: list[str], column: str) -> str:
        index = positions.get(column)
        return fields[index] if index is not None and index < len(fields) else ""

    try:
        for number, fields in table.rows:
            count += 1
            if count > MAX_LINES:
                raise StatementFormatError(
                    f"Le relevé a plus de {MAX_LINES:,} lignes (la limite) : découpez-le par journée.".replace(
                        ",", "\u202f"
                    )
                )
            try:
                amount = _amount(cell(fields, "montant"), cell(fields, "montant_centimes"), positions)
                line = StatementLine(
                    line=number,
                    date=parse_date(cell(fields, "date")),
                    exer=_exer(cell(fields, "exer")),
                    refdet=_reference(
                        cell(fields, "refdet"), keys.REFDET, "refdet (référence de la dette)", required=True
                    ),
                    amount_cents=amount,
                    idop=_reference(cell(fields, "idop"), keys.IDOP, "idOp", required=False),
                    numauto=_reference(cell(fields, "numauto"), NUMAUTO, "numéro d'autorisation", required=False),
                    product=_reference(cell(fields, "produit"), PRODUCT, "code produit", required=False),
                )
            except ValueError as exc:
                errors.append(LineError(number, str(exc)))
                continue
            if line.idop:
                first = seen_idop.setdefault(line.idop, number)
                if first != number:
                    errors.append(LineError(number, f"idOp {line.idop} déjà présent ligne {first} (ligne en double)"))
                    continue
            elif line.numauto:
                ref = (line.exer, line.refdet.upper(), line.numauto.upper())
                first = seen_numauto.setdefault(ref, number)
                if first != number:
                    errors.append(
                        LineError(number, f"même dette et même numéro d'autorisation que la ligne {first} (en double)")
                    )
                    continue
            lines.append(line)
    except FeedFormatError as exc:
        raise StatementFormatError(str(exc)) from None
    columns = tuple(sorted(positions, key=positions.__getitem__))
    return Statement(lines=tuple(lines), errors=tuple(errors), columns=columns, delimiter=table.delimiter)
