"""The accountant's statement (parsing, line errors, unusable files) and the reconciliation of a day."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from payments_finance.reconcile import KINDS, exception_id, reconcile, reconciliation_json
from payments_finance.statement import MAX_LINES, StatementFormatError, parse_statement
from poche_common.errors import InvalidRequestError

DAY = dt.date(2026, 3, 29)
HEADER = "date;exer;refdet;montant;numauto;idop;produit"


def success(refdet: str, *, amount: int = 1250, idop: str = "", numauto: str = "654321", attempt: int = 1,
            hour: int = 8, late: bool = False) -> dict[str, Any]:  # fmt: skip
    return {
        "pk": f"DEBT#2026#{refdet}",
        "sk": f"{'LATE' if late else 'OUTCOME'}#{attempt:04d}",
        "kind": "succeeded",
        "payment_id": f"{refdet.lower()}{attempt}".ljust(32, "0"),
        "attempt": attempt,
        "exer": "2026",
        "refdet": refdet,
        "objet": "Cantine",
        "product": "CANTINE",
        "amount_cents": amount,
        "idop": idop or f"OP{refdet}{attempt}",
        "resultrans": "P",
        "numauto": numauto,
        "paid_at": f"2026-03-29T{hour:02d}:00:00+00:00",
        "at": f"2026-03-29T{hour:02d}:00:05+00:00",
    }


def csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\r\n".join((header, *lines)) + "\r\n").encode("utf-8")


# --- the statement ----------------------------------------------------------------------------------------------


def test_statement_reads_what_spreadsheets_write() -> None:
    data = (
        "\ufeffDate de l'opération;Exercice;Référence;Montant;N° autorisation;IdOp;Code produit\r\n"
        "29/03/2026;2026;T0001;12,50;001234;OP-1;CANTINE\r\n"
        "\r\n"
        "2026-03-29;2026;T0002;1 234,5 €;;;\r\n"
        '29032026;2026,0;T0003;"1.234,56";;;\r\n'
        "9/3/2026 14:05;2026;T0004;12.5;;;\r\n"
    ).encode("cp1252", errors="ignore")
    statement = parse_statement(data.replace(b"\xef\xbb\xbf", b""))
    assert statement.errors == ()
    assert statement.columns == ("date", "exer", "refdet", "montant", "numauto", "idop", "produit")
    assert statement.has_idop and statement.has_numauto
    assert [
        (line.line, line.date.isoformat(), line.exer, line.refdet, line.amount_cents) for line in statement.lines
    ] == [
        (2, "2026-03-29", "2026", "T0001", 1250),
        (4, "2026-03-29", "2026", "T0002", 123450),
        (5, "2026-03-29", "2026", "T0003", 123456),
        (6, "2026-03-09", "2026", "T0004", 1250),
    ]
    assert (statement.lines[0].idop, statement.lines[0].numauto, statement.lines[0].product) == (
        "OP-1",
        "001234",
        "CANTINE",
    )


def test_statement_in_cents() -> None:
    statement = parse_statement(csv("29/03/2026;2026;T1;1250", header="date;exer;refdet;montant_centimes"))
    assert [line.amount_cents for line in statement.lines] == [1250]
    assert not statement.has_idop


def test_statement_line_errors_have_their_line_number_and_a_french_reason() -> None:
    statement = parse_statement(
        csv(
            "29/03/2026;2026;T1;12,50;;OP-1;",  # 2: good
            "30/02/2026;2026;T2;12,50;;;",  # 3
            "29/03/2026;1999;T3;12,50;;;",  # 4
            "29/03/2026;2026;T-4;12,50;;;",  # 5
            "29/03/2026;2026;T5;12,505;;;",  # 6
            "29/03/2026;2026;T6;-12,50;;;",  # 7
            "29/03/2026;2026;T7;0,00;;;",  # 8
            "29/03/2026;2026;;12,50;;;",  # 9
            "29/03/2026;2026;T9;12,50;;OP-1;",  # 10: idOp again
            "29/03/2026;2026;T10;12,50;12/34;;",  # 11
            "29/03/2026;2026;T11;12,50;A1;;",  # 12: good
            "29/03/2026;2026;T11;12,50;A1;;",  # 13: same debt and numauto
            "29/03/2026;2026;T12",  # 14: short line
        )
    )
    assert [line.line for line in statement.lines] == [2, 12]
    assert [(error.line, error.reason) for error in statement.errors] == [
        (3, "date illisible : « 30/02/2026 » (attendu JJ/MM/AAAA)"),
        (4, "exer (exercice) invalide : « 1999 »"),
        (5, "refdet (référence de la dette) invalide : « T-4 »"),
        (6, "montant illisible : « 12,505 » (attendu en euros, par exemple 12,50)"),
        (7, "montant négatif : « -12,50 »"),
        (8, "montant nul"),
        (9, "refdet (référence de la dette) manquant"),
        (10, "idOp OP-1 déjà présent ligne 2 (ligne en double)"),
        (11, "numéro d'autorisation invalide : « 12/34 »"),
        (13, "même dette et même numéro d'autorisation que la ligne 12 (en double)"),
        (14, "montant manquant"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "vide"),
        (b"<html><body>Erreur</body></html>", "page HTML"),
        (b"date;exer;montant\r\n29/03/2026;2026;12,50\r\n", "Colonnes obligatoires absentes du fichier CSV : refdet."),
        (b"date;exer;refdet;objet\r\n", "Colonnes obligatoires absentes du fichier CSV : montant."),
        (b'{"date": "29/03/2026"}', "JSON"),
        (b"\x00\x01binary", "binaire"),
        (b"x" * (5 * 1024 * 1024 + 1), "au plus 5 Mio"),
    ],
)
def test_unusable_statement(data: bytes, message: str) -> None:
    with pytest.raises(StatementFormatError) as caught:
        parse_statement(data)
    assert message in caught.value.detail
    assert isinstance(caught.value, InvalidRequestError) and caught.value.field == "statement"


def test_statement_of_too_many_lines() -> None:
    row = "29/03/2026;2026;T1;1"
    assert len(parse_statement(csv(*[row] * MAX_LINES, header="date;exer;refdet;montant")).errors) == 0
    with pytest.raises(StatementFormatError, match="plus de 50\u202f000 lignes"):
        parse_statement(csv(*[row] * (MAX_LINES + 1), header="date;exer;refdet;montant"))


# --- the reconciliation: every kind alone -----------------------------------------------------------------------


def kinds_of(result: Any) -> list[str]:
    return [exception.kind for exception in result.exceptions]


def test_matched_by_idop_numauto_and_amount() -> None:
    items = [success("A1", idop="OP-A"), success("B2", numauto="000777"), success("C3", amount=990, numauto="")]
    statement = parse_statement(
        csv("29/03/2026;2026;A1;12,50;;OP-A;", "29/03/2026;2026;B2;12,50;777;;", "29/03/2026;2026;c3;9,90;;;")
    )
    result = reconcile(DAY, items, statement)
    assert result.exceptions == ()
    assert [(match.entry.refdet, match.line.line, match.matched_by) for match in result.matched] == [
        ("A1", 2, "idop"),
        ("B2", 3, "numauto"),
        ("C3", 4, "amount"),
    ]
    assert (result.ledger_count, result.ledger_total_cents, result.statement_count, result.statement_total_cents) == (
        3,
        3490,
        3,
        3490,
    )


def test_missing_from_statement() -> None:
    result = reconcile(DAY, [success("A1"), success("B2")], parse_statement(csv("29/03/2026;2026;A1;12,50;;;")))
    assert kinds_of(result) == ["missing_from_statement"]
    (exception,) = result.exceptions
    assert (exception.refdet, exception.payment_id, exception.amount_cents) == ("B2", "b21".ljust(32, "0"), 1250)
    assert exception.exception_id == exception_id(DAY, "missing_from_statement", exception.payment_id)


def test_unknown_here_by_idop_and_by_references() -> None:
    statement = parse_statement(
        csv(
            "29/03/2026;2026;A1;12,50;;;",
            "29/03/2026;2026;Z9;12,50;;OP-Z;",
            "29/03/2026;2026;Z8;5,00;;;",
            "29/03/2026;2026;Z8;5,00;;;",
            "29/03/2026;2026;A1;12,50;;OP-A;",  # the idOp of a payment of another debt: not matched
        )
    )
    result = reconcile(DAY, [success("A1"), success("B2", idop="OP-A")], statement)
    assert Counter(kinds_of(result)) == {"unknown_here": 4, "missing_from_statement": 1}
    unknown = result.of_kind("unknown_here")
    assert [exception.statement_line for exception in unknown] == [6, 4, 5, 3]  # sorted by exer, refdet, line
    assert {exception.exception_id for exception in unknown} == {
        exception_id(DAY, "unknown_here", "idop", "OP-Z"),
        exception_id(DAY, "unknown_here", "idop", "OP-A"),
        exception_id(DAY, "unknown_here", "ref", "2026", "Z8", "", 500, 1),
        exception_id(DAY, "unknown_here", "ref", "2026", "Z8", "", 500, 2),
    }


@pytest.mark.parametrize(
    ("line", "matched_by"),
    [("29/03/2026;2026;A1;12,00;;OP-A;", "idop"), ("29/03/2026;2026;A1;12,00;654321;;", "numauto"),
     ("29/03/2026;2026;A1;12,00;;;", "amount")],
)  # fmt: skip
def test_amount_mismatch_whatever_the_key(line: str, matched_by: str) -> None:
    result = reconcile(DAY, [success("A1", idop="OP-A")], parse_statement(csv(line)))
    assert kinds_of(result) == ["amount_mismatch"] and result.matched == ()
    (exception,) = result.exceptions
    assert (exception.amount_cents, exception.statement_amount_cents, exception.statement_line) == (1250, 1200, 2)
    assert exception.exception_id == exception_id(DAY, "amount_mismatch", "a11".ljust(32, "0"))


def test_duplicate_from_its_item_and_without_one() -> None:
    first, second = success("A1", attempt=1), success("A1", attempt=2, hour=9, late=True)
    marker = {"pk": "DEBT#2026#A1", "sk": "DUPLICATE#0002", "payment_id": second["payment_id"]}
    lines = csv("29/03/2026;2026;A1;12,50;;OPA11;", "29/03/2026;2026;A1;12,50;;OPA12;")
    for items in ([first, second, marker], [first, second]):
        result = reconcile(DAY, items, parse_statement(lines))
        assert kinds_of(result) == ["duplicate"] and len(result.matched) == 2
        assert result.exceptions[0].attempt == 2
        assert result.exceptions[0].exception_id == exception_id(DAY, "duplicate", "2026", "A1", 2)
    alone = reconcile(DAY, [marker | {"amount_cents": 1250}], parse_statement(csv()))
    assert [(ex.kind, ex.attempt, ex.amount_cents) for ex in alone.exceptions] == [("duplicate", 2, 1250)]


def test_pending_too_long() -> None:
    pending = [
        {"payment_id": "p" * 32, "exer": "2026", "refdet": "A1", "amount_cents": 1250,
         "created_at": "2026-03-29T07:00:00+00:00", "idop": "OP-P"},
    ]  # fmt: skip
    result = reconcile(DAY, [], parse_statement(csv()), pending=pending + pending)
    assert kinds_of(result) == ["pending_too_long"]
    assert reconciliation_json(result)["exceptions"][0]["created_at"] == "2026-03-29T09:00:00+02:00"


def test_paid_after_cancellation() -> None:
    statement = parse_statement(csv("29/03/2026;2026;A1;12,50;;;", "29/03/2026;2026;B2;12,50;;;"))
    result = reconcile(DAY, [success("A1"), success("B2")], statement, cancelled_debts={("2026", "B2")})
    assert kinds_of(result) == ["paid_after_cancellation"] and len(result.matched) == 2
    assert result.exceptions[0].refdet == "B2"


def test_lines_of_another_day_are_set_aside() -> None:
    result = reconcile(DAY, [success("A1")], parse_statement(csv("28/03/2026;2026;A1;12,50;;;")))
    assert kinds_of(result) == ["missing_from_statement"]
    assert reconciliation_json(result)["other_dates"] == [{"line": 2, "date": "2026-03-28"}]


# --- ids, resolutions, the JSON ---------------------------------------------------------------------------------


def test_ids_are_stable_and_resolutions_stay_attached() -> None:
    items = [success("A1"), success("B2", amount=990)]
    statement = csv("29/03/2026;2026;B2;12,50;;;", "29/03/2026;2026;Z9;1,00;;;")
    first = reconcile(DAY, items, parse_statement(statement))
    reordered = csv("29/03/2026;2026;Z9;1,00;;;", "29/03/2026;2026;B2;12,50;;;")  # re-sorted upload
    again = reconcile(DAY, list(reversed(items)), parse_statement(reordered))
    assert [ex.exception_id for ex in first.exceptions] == [ex.exception_id for ex in again.exceptions]
    assert len({ex.exception_id for ex in first.exceptions}) == 3
    mismatch = first.of_kind("amount_mismatch")[0].exception_id
    resolution = {"by": "agent@cd61.fr", "at": "2026-03-30T09:00:00+02:00", "comment": "titre corrigé"}
    resolved = reconcile(DAY, items, parse_statement(statement), resolved={mismatch: resolution, "0" * 32: resolution})
    assert [(ex.kind, ex.resolved) for ex in resolved.exceptions] == [
        ("missing_from_statement", False),
        ("unknown_here", False),
        ("amount_mismatch", True),
    ]
    answer = reconciliation_json(resolved)
    assert answer["summary"]["unresolved"] == 2
    assert answer["exceptions"][2] == {
        "exception_id": mismatch,
        "kind": "amount_mismatch",
        "label": "Montant différent entre le paiement et le relevé du comptable",
        "exer": "2026",
        "refdet": "B2",
        "payment_id": "b21".ljust(32, "0"),
        "attempt": 1,
        "idop": "OPB21",
        "numauto": "654321",
        "product": "CANTINE",
        "amount_cents": 990,
        "statement_amount_cents": 1250,
        "statement_line": 2,
        "paid_at": "2026-03-29T10:00:00+02:00",
        "created_at": None,
        "resolved": True,
        "resolution": resolution,
    }
    assert exception_id(DAY, "amount_mismatch", "x") != exception_id(dt.date(2026, 3, 30), "amount_mismatch", "x")


def test_reconciliation_json_summary() -> None:
    statement = parse_statement(csv("29/03/2026;2026;A1;12,50;;;", "29/03/2026;2026;A1;douze;;;"))
    answer = reconciliation_json(reconcile(DAY, [success("A1")], statement))
    assert answer["summary"] == {
        "ledger": {"count": 1, "total_cents": 1250},
        "statement": {"count": 1, "total_cents": 1250, "errors": 1, "other_dates": 0},
        "matched": 1,
        "exceptions": dict.fromkeys(KINDS, 0),
        "unresolved": 0,
    }
    assert answer["matched"] == [
        {"payment_id": "a11".ljust(32, "0"), "exer": "2026", "refdet": "A1", "amount_cents": 1250, "idop": "OPA11",
         "numauto": "654321", "statement_line": 2, "matched_by": "amount"},
    ]  # fmt: skip
    assert answer["statement_errors"] == [
        {"line": 3, "reason": "montant illisible : « douze » (attendu en euros, par exemple 12,50)"}
    ]
    assert "matched" not in reconciliation_json(reconcile(DAY, [success("A1")], statement), include_matched=False)


# --- all together: a day of 10,000 payments ---------------------------------------------------------------------


def test_a_day_of_ten_thousand_payments_with_every_kind_injected() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    try:
        import reconciliation as bench
    finally:
        sys.path.pop(0)
    items, data, keywords, expected = bench.build(10_000, 7)
    result = reconcile(DAY, items, parse_statement(data), **keywords)
    reported = Counter((exception.kind, exception.exception_id) for exception in result.exceptions)
    assert reported == expected  # every injected discrepancy, each once, nothing else
    assert Counter(kind for kind, _ in expected.elements()) == dict.fromkeys(KINDS, 7)
    assert len(result.matched) == 10_000 - 14 and result.ledger_count == 10_000
    again = reconcile(DAY, list(reversed(items)), parse_statement(data), **keywords)
    assert [ex.exception_id for ex in again.exceptions] == [ex.exception_id for ex in result.exceptions]
