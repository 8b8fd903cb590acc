"""The daily journal of payments received: entries, totals, JSON and the CSV bytes finance staff open."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from payments_finance.journal import JournalEntry, journal, journal_csv, journal_json
from payments_shared.ledger import LedgerError

DST_DAY = dt.date(2026, 3, 29)  # Paris goes from 02:00 +01:00 to 03:00 +02:00


def success(
    refdet: str,
    paid_at: str,
    *,
    amount: int = 1250,
    product: str = "CANTINE",
    idop: str | None = None,
    attempt: int = 1,
    sk_kind: str = "OUTCOME",
    **extra: Any,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": f"DEBT#2026#{refdet}",
        "sk": f"{sk_kind}#{attempt:04d}",
        "kind": "succeeded",
        "payment_id": (refdet.lower() + "0" * 32)[:32],
        "attempt": attempt,
        "exer": "2026",
        "refdet": refdet,
        "objet": f"Cantine {refdet}",
        "product": product,
        "amount_cents": amount,
        "idop": idop or f"OP-{refdet}",
        "resultrans": "P",
        "numauto": "123456",
        "paid_at": paid_at,
        "at": paid_at,
    }
    item.update(extra)
    return item


def test_entry_from_item_reads_a_success_and_a_late_success() -> None:
    entry = JournalEntry.from_item(success("A1", "2026-03-29T00:30:00+00:00", amount=Decimal(990)))  # type: ignore[arg-type]
    assert entry.amount_cents == 990 and isinstance(entry.amount_cents, int)
    assert entry.paid_at == dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)
    assert (entry.exer, entry.refdet, entry.attempt, entry.late, entry.duplicate) == ("2026", "A1", 1, False, False)
    late = JournalEntry.from_item(success("A1", "2026-03-29T00:30:00+00:00", sk_kind="LATE", kind="late"))
    assert late.late is True


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "failed"},
        {"sk": "ATTEMPT#0001"},
        {"amount_cents": 12.5},
        {"amount_cents": True},
        {"amount_cents": "1250"},
        {"paid_at": "2026-03-29T00:30:00"},
        {"paid_at": "hier"},
        {"payment_id": ""},
    ],
)
def test_entry_from_item_refuses_what_is_not_a_success(change: dict[str, Any]) -> None:
    with pytest.raises(LedgerError):
        JournalEntry.from_item({**success("A1", "2026-03-29T00:30:00+00:00"), **change})


def day_items() -> list[dict[str, Any]]:
    return [
        success("B2", "2026-03-29T01:30:00+00:00", amount=2000, product="TRANSPORT", idop="OP-2"),  # 03:30 +02:00
        success("A1", "2026-03-29T00:30:00+00:00", amount=1250, idop="OP-1"),  # 01:30 +01:00
        success("C3", "2026-03-28T23:00:00+00:00", amount=5, idop="OP-0"),  # 00:00 Paris: the day's first minute
        success("C4", "2026-03-29T01:30:00+00:00", amount=1, idop="OP-1b", sk_kind="LATE"),  # same moment: by idop
        success("D5", "2026-03-29T22:00:00+00:00", amount=777),  # 00:00 on the 30th in Paris: another day
        success("E6", "2026-03-28T22:59:59+00:00", amount=888),  # 23:59:59 on the 28th: another day
        {"pk": "DEBT#2026#A1", "sk": "OUTCOME#0002", "kind": "failed", "payment_id": "f" * 32},  # not a payment
        {"pk": "DEBT#2026#A1", "sk": "ATTEMPT#0001", "payment_id": "a" * 32, "created_at": "2026-03-29T00:20:00Z"},
    ]


def test_journal_keeps_the_paris_day_sorted_with_totals() -> None:
    day = journal(day_items(), DST_DAY)
    assert [entry.refdet for entry in day.entries] == ["C3", "A1", "C4", "B2"]
    assert (day.count, day.total_cents) == (4, 3256)
    assert [(total.product, total.count, total.total_cents) for total in day.products] == [
        ("CANTINE", 3, 1256),
        ("TRANSPORT", 1, 2000),
    ]


def test_journal_counts_a_repeated_item_once_and_marks_duplicates() -> None:
    first = success("A1", "2026-03-29T08:00:00+00:00", attempt=1)
    second = success("A1", "2026-03-29T09:00:00+00:00", attempt=2, idop="OP-A1-2")
    marker = {"pk": "DEBT#2026#A1", "sk": "DUPLICATE#0002", "payment_id": second["payment_id"]}
    day = journal([first, second, dict(second), marker], DST_DAY)
    assert [(entry.attempt, entry.duplicate) for entry in day.entries] == [(1, False), (2, True)]
    assert day.total_cents == 2500


def test_journal_json_shape() -> None:
    answer = journal_json(journal(day_items(), DST_DAY))
    assert answer["date"] == "2026-03-29" and answer["currency"] == "EUR"
    assert (answer["count"], answer["total_cents"]) == (4, 3256)
    assert answer["products"] == [
        {"product": "CANTINE", "count": 3, "total_cents": 1256},
        {"product": "TRANSPORT", "count": 1, "total_cents": 2000},
    ]
    assert [entry["paid_at"] for entry in answer["entries"]] == [
        "2026-03-29T00:00:00+01:00",
        "2026-03-29T01:30:00+01:00",
        "2026-03-29T03:30:00+02:00",
        "2026-03-29T03:30:00+02:00",
    ]
    assert answer["entries"][1] == {
        "payment_id": "a1" + "0" * 30,
        "attempt": 1,
        "exer": "2026",
        "refdet": "A1",
        "objet": "Cantine A1",
        "product": "CANTINE",
        "amount_cents": 1250,
        "resultrans": "P",
        "numauto": "123456",
        "idop": "OP-1",
        "paid_at": "2026-03-29T01:30:00+01:00",
        "late": False,
        "duplicate": False,
    }
    assert answer["entries"][2]["late"] is True
    assert all(isinstance(entry["amount_cents"], int) for entry in answer["entries"])


def test_journal_csv_bytes() -> None:
    data = journal_csv(journal(day_items(), DST_DAY))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert text.split("\r\n") == [
        "exer;refdet;objet;montant;resultrans;numauto;date;heure;idop;code produit;identifiant paiement",
        "2026;C3;Cantine C3;0,05;P;123456;29/03/2026;00:00;OP-0;CANTINE;c3" + "0" * 30,
        "2026;A1;Cantine A1;12,50;P;123456;29/03/2026;01:30;OP-1;CANTINE;a1" + "0" * 30,
        "2026;C4;Cantine C4;0,01;P;123456;29/03/2026;03:30;OP-1b;CANTINE;c4" + "0" * 30,
        "2026;B2;Cantine B2;20,00;P;123456;29/03/2026;03:30;OP-2;TRANSPORT;b2" + "0" * 30,
        "Total produit;;3 paiements;12,56;;;29/03/2026;;;CANTINE;",
        "Total produit;;1 paiement;20,00;;;29/03/2026;;;TRANSPORT;",
        "Total journée;;4 paiements;32,56;;;29/03/2026;;;;",
        "",
    ]


def test_journal_csv_on_the_autumn_change_shows_both_one_oclocks() -> None:
    items = [
        success("A1", "2026-10-25T00:30:00+00:00", idop="OP-1"),  # 02:30 +02:00
        success("A2", "2026-10-25T01:30:00+00:00", idop="OP-2"),  # 02:30 +01:00
    ]
    lines = journal_csv(journal(items, dt.date(2026, 10, 25)))[3:].decode().split("\r\n")
    assert [line.split(";")[7] for line in lines[1:3]] == ["02:30", "02:30"]
    assert [entry["paid_at"] for entry in journal_json(journal(items, dt.date(2026, 10, 25)))["entries"]] == [
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:30:00+01:00",
    ]


def test_journal_csv_protects_and_quotes_text_cells() -> None:
    items = [
        success("A1", "2026-03-29T08:00:00+00:00", objet='=HYPERLINK("http://x";"y")', idop="-OP", product="@SUM"),
        success("A2", "2026-03-29T09:00:00+00:00", objet="+33 6 12", numauto="\tX"),
        success("A3", "2026-03-29T10:00:00+00:00", objet="Cantine; mars\r\nsuite", amount=123456789),
    ]
    lines = journal_csv(journal(items, DST_DAY))[3:].decode().split("\r\n")
    assert lines[1] == (
        '2026;A1;"\'=HYPERLINK(""http://x"";""y"")";12,50;P;123456;29/03/2026;10:00;\'-OP;\'@SUM;a1' + "0" * 30
    )
    assert lines[2] == "2026;A2;'+33 6 12;12,50;P;'\tX;29/03/2026;11:00;OP-A2;CANTINE;a2" + "0" * 30
    assert lines[3] == '2026;A3;"Cantine; mars'
    assert lines[4] == 'suite";1234567,89;P;123456;29/03/2026;12:00;OP-A3;CANTINE;a3' + "0" * 30
    assert lines[5] == "Total produit;;1 paiement;12,50;;;29/03/2026;;;'@SUM;"  # products sorted by code
    assert lines[6] == "Total produit;;2 paiements;1234580,39;;;29/03/2026;;;CANTINE;"
    assert lines[7] == "Total journée;;3 paiements;1234592,89;;;29/03/2026;;;;"


def test_empty_day() -> None:
    day = journal([], DST_DAY)
    assert journal_json(day) == {
        "date": "2026-03-29",
        "currency": "EUR",
        "count": 0,
        "total_cents": 0,
        "products": [],
        "entries": [],
    }
    assert journal_csv(day) == (
        b"\xef\xbb\xbfexer;refdet;objet;montant;resultrans;numauto;date;heure;idop;code produit;identifiant paiement"
        b"\r\nTotal journ\xc3\xa9e;;0 paiements;0,00;;;29/03/2026;;;;\r\n"
    )
