"""The daily journal of the payments received: the success items of the ledger of one Paris date, sorted, with
totals per product and for the day, as JSON for the API and as a CSV that opens in a French spreadsheet as is.

What counts as a payment received (`payments_shared.keys`): an `OUTCOME#<n>` item with `kind="succeeded"`, or a
`LATE#<n>` item (a success reported after the attempt was written as failed, cancelled or expired). A
`DUPLICATE#<n>` item marks attempt n of its debt as a second payment (a refund to arrange): it adds no entry, it
flags the entry of that attempt (`duplicate`). Any other item is ignored, so the items of a debt's partition can be
passed as they are. A success whose transaction moment (`paid_at`) is not on the journal's Paris date is left
out (the `by_day` index already gives only that day's).

Money is integer cents throughout; the CSV alone writes French decimals ("12,50").

`journal_json` shape (stable; amounts in integer cents, moments in Europe/Paris ISO 8601 with their offset):

    {
      "date": "2026-03-29",                       # the Paris date
      "currency": "EUR",
      "count": 3, "total_cents": 4250,            # the day
      "products": [                               # per product code, sorted by code
        {"product": "CANTINE", "count": 2, "total_cents": 2500}, ...
      ],
      "entries": [                                # sorted by paid_at, then idop
        {"payment_id": "...", "attempt": 1, "exer": "2026", "refdet": "...", "objet": "...",
         "product": "CANTINE", "amount_cents": 1250, "resultrans": "P", "numauto": "...", "idop": "...",
         "paid_at": "2026-03-29T03:30:00+02:00", "late": false, "duplicate": false}, ...
      ]
    }
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from payments_shared import keys
from payments_shared.ledger import PARIS, LedgerError, moment

BOM = b"\xef\xbb\xbf"
CSV_COLUMNS = (
    "exer",
    "refdet",
    "objet",
    "montant",
    "resultrans",
    "numauto",
    "date",
    "heure",
    "idop",
    "code produit",
    "identifiant paiement",
)
# A spreadsheet reads a cell starting with one of these as a formula (or strips it): such a text cell gets a
# leading apostrophe (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class JournalEntry:
    """One payment received, from its success item (`from_item`)."""

    payment_id: str
    attempt: int
    exer: str
    refdet: str
    objet: str
    product: str
    amount_cents: int
    idop: str
    resultrans: str  # P card, V one-off debit
    numauto: str
    paid_at: dt.datetime  # UTC: PayFiP's transaction moment
    recorded_at: dt.datetime | None  # UTC: when the ledger recorded it
    late: bool = False  # from a LATE item
    duplicate: bool = False  # a DUPLICATE item marks this attempt as a second payment of its debt

    @property
    def debt(self) -> tuple[str, str]:
        return self.exer, self.refdet

    @property
    def key(self) -> tuple[str, str, int]:
        """(exer, refdet, attempt): the attempt's identity in the ledger."""
        return self.exer, self.refdet, self.attempt

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> JournalEntry:
        """The entry of a success item (`OUTCOME#<n>` succeeded, or `LATE#<n>`); `LedgerError` for anything
        else or for an item missing what a success has."""
        sk = str(item.get("sk", ""))
        pk = str(item.get("pk", ""))
        if sk.startswith(keys.OUTCOME):
            if item.get("kind") != "succeeded":
                raise LedgerError(f"{pk} {sk}: outcome {item.get('kind')!r} is not a success")
            late = False
        elif sk.startswith(keys.LATE):
            late = True
        else:
            raise LedgerError(f"{pk} {sk}: not a success item (OUTCOME# succeeded or LATE#)")
        try:
            exer, refdet = keys.split_debt_pk(pk)
        except ValueError:
            raise LedgerError(f"{pk!r} {sk}: not a DEBT#<exer>#<refdet> key") from None
        exer = str(item.get("exer") or exer)
        refdet = str(item.get("refdet") or refdet)
        recorded = item.get("at")
        return cls(
            payment_id=_text(item, "payment_id", pk, sk),
            attempt=_integer(item.get("attempt", keys.attempt_of(sk)), "attempt", pk, sk),
            exer=exer,
            refdet=refdet,
            objet=str(item.get("objet") or ""),
            product=str(item.get("product") or ""),
            amount_cents=_integer(item.get("amount_cents"), "amount_cents", pk, sk),
            idop=str(item.get("idop") or ""),
            resultrans=str(item.get("resultrans") or ""),
            numauto=str(item.get("numauto") or ""),
            paid_at=moment(item.get("paid_at"), f"{pk} {sk}: paid_at"),
            recorded_at=moment(recorded, f"{pk} {sk}: at") if recorded else None,
            late=late,
        )


@dataclass(frozen=True)
class ProductTotal:
    product: str
    count: int
    total_cents: int


@dataclass(frozen=True)
class Journal:
    """The payments received on a Paris date: entries sorted by paid_at then idop, totals per product (sorted by
    code) and for the day."""

    date: dt.date
    entries: tuple[JournalEntry, ...]
    products: tuple[ProductTotal, ...]
    count: int
    total_cents: int


def _text(item: Mapping[str, Any], name: str, pk: str, sk: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value:
        raise LedgerError(f"{pk} {sk}: {name} missing")
    return value


def _integer(value: Any, name: str, pk: str, sk: str) -> int:
    """An integer attribute (boto3's resource layer gives Decimal); never a float, a bool or a text."""
    if isinstance(value, bool):
        raise LedgerError(f"{pk} {sk}: {name} {value!r} is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise LedgerError(f"{pk} {sk}: {name} {value!r} is not an integer")


def read_items(
    items: Iterable[Mapping[str, Any]],
) -> tuple[list[JournalEntry], dict[tuple[str, str, int], Mapping[str, Any]]]:
    """The success entries of `items` (each (exer, refdet, attempt) once) and the `DUPLICATE#` items by
    (exer, refdet, attempt); other items are ignored."""
    entries: dict[tuple[str, str, int], JournalEntry] = {}
    duplicates: dict[tuple[str, str, int], Mapping[str, Any]] = {}
    for item in items:
        sk = str(item.get("sk", ""))
        if sk.startswith(keys.DUPLICATE):
            try:
                exer, refdet = keys.split_debt_pk(str(item.get("pk", "")))
                number = keys.attempt_of(sk)
            except ValueError:
                raise LedgerError(f"{item.get('pk')!r} {sk}: not a DUPLICATE item of a debt") from None
            duplicates[(str(item.get("exer") or exer), str(item.get("refdet") or refdet), number)] = item
        elif sk.startswith(keys.LATE) or (sk.startswith(keys.OUTCOME) and item.get("kind") == "succeeded"):
            entry = JournalEntry.from_item(item)
            entries.setdefault(entry.key, entry)
    return list(entries.values()), duplicates


def journal_of(entries: Iterable[JournalEntry], date: dt.date) -> Journal:
    """The journal of `date` from entries already read (those of another Paris date are left out)."""
    day = [entry for entry in entries if entry.paid_at.astimezone(PARIS).date() == date]
    day.sort(key=lambda entry: (entry.paid_at, entry.idop, entry.payment_id))
    per_product: dict[str, list[int]] = {}
    for entry in day:
        total = per_product.setdefault(entry.product, [0, 0])
        total[0] += 1
        total[1] += entry.amount_cents
    products = tuple(ProductTotal(code, count, cents) for code, (count, cents) in sorted(per_product.items()))
    return Journal(
        date=date,
        entries=tuple(day),
        products=products,
        count=len(day),
        total_cents=sum(entry.amount_cents for entry in day),
    )


def journal(items: Iterable[Mapping[str, Any]], date: dt.date) -> Journal:
    """The journal of the Paris `date` from ledger items (module docstring: which items count)."""
    entries, duplicates = read_items(items)
    marked = [dataclasses.replace(entry, duplicate=True) if entry.key in duplicates else entry for entry in entries]
    return journal_of(marked, date)


def paris_iso(moment: dt.datetime) -> str:
    return moment.astimezone(PARIS).isoformat(timespec="seconds")


def entry_json(entry: JournalEntry) -> dict[str, Any]:
    return {
        "payment_id": entry.payment_id,
        "attempt": entry.attempt,
        "exer": entry.exer,
        "refdet": entry.refdet,
        "objet": entry.objet,
        "product": entry.product,
        "amount_cents": entry.amount_cents,
        "resultrans": entry.resultrans,
        "numauto": entry.numauto,
        "idop": entry.idop,
        "paid_at": paris_iso(entry.paid_at),
        "late": entry.late,
        "duplicate": entry.duplicate,
    }


def journal_json(journal: Journal) -> dict[str, Any]:
    """The journal for the API (shape in the module docstring)."""
    return {
        "date": journal.date.isoformat(),
        "currency": "EUR",
        "count": journal.count,
        "total_cents": journal.total_cents,
        "products": [
            {"product": total.product, "count": total.count, "total_cents": total.total_cents}
            for total in journal.products
        ],
        "entries": [entry_json(entry) for entry in journal.entries],
    }


def french_amount(cents: int) -> str:
    """12,50 for 1250 (no thousands separator: every French spreadsheet reads it as a number)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100},{cents % 100:02d}"


def safe_cell(value: str) -> str:
    """A text cell a spreadsheet will not run: a leading apostrophe when it starts like a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _count_label(count: int) -> str:
    return f"{count} paiement" if count == 1 else f"{count} paiements"


def journal_csv(journal: Journal) -> bytes:
    """The journal as a CSV for a French spreadsheet: UTF-8 with BOM, `;`, CRLF, a header in French, one line per
    payment (amount "12,50", date DD/MM/YYYY and time HH:MM in Paris time, text cells protected against formula
    injection and quoted when they hold `;`, `"` or a line break), then one total line per product (`Total
    produit`, the count in the objet column, the product code in its column) and the day's (`Total journée`)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    day = journal.date.strftime("%d/%m/%Y")
    for entry in journal.entries:
        local = entry.paid_at.astimezone(PARIS)
        writer.writerow(
            (
                safe_cell(entry.exer),
                safe_cell(entry.refdet),
                safe_cell(entry.objet),
                french_amount(entry.amount_cents),
                safe_cell(entry.resultrans),
                safe_cell(entry.numauto),
                local.strftime("%d/%m/%Y"),
                local.strftime("%H:%M"),
                safe_cell(entry.idop),
                safe_cell(entry.product),
                safe_cell(entry.payment_id),
            )
        )
    for total in journal.products:
        writer.writerow(
            (
                "Total produit",
                "",
                _count_label(total.count),
                french_amount(total.total_cents),
                "",
                "",
                day,
                "",
                "",
                safe_cell(total.product),
                "",
            )
        )
    writer.writerow(
        ("Total journée", "", _count_label(journal.count), french_amount(journal.total_cents), "", "", day) + ("",) * 4
    )
    return BOM + buffer.getvalue().encode("utf-8")
