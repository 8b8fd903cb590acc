"""The département's bulk notices CSV (`schools-notices-csv`): format, bad rows, targets, and the diff."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from poche_common.errors import FeedFormatError
from schools_notices_csv.parser import parse_feed, resolve_target

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "functions/connectors/schools_notices_csv/sample/notices.csv"
UTC = dt.UTC
HEADER = "reference;target;kind;title;body;starts;ends"
ROW = "r1;0610003X;closure;Fermeture;Le collège est fermé.;2026-12-14T00:00:00+01:00;2026-12-14T23:59:00+01:00"


def csv(*lines: str, separator: str = ";", bom: bool = False, encoding: str = "utf-8") -> bytes:
    text = "\r\n".join(line.replace(";", separator) for line in lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def test_the_bundled_sample() -> None:
    feed = parse_feed(SAMPLE.read_bytes())
    assert feed.rows_read == 5
    assert [(r.line, r.reference, len(r.uais)) for r in feed.rows] == [
        (2, "arrete-2026-12-03-neige", 60),
        (3, "social-2026-12-08-alencon", 10),
        (4, "brevet-blanc-0610003X", 1),
        (6, "travaux-0610745D", 1),
    ]
    exam = feed.rows[2]
    assert exam.body == (
        'Emploi du temps aménagé pour toutes les classes ; les 3e composent en salle "polyvalente".\n'
        "Les autres niveaux ont cours selon le planning affiché."
    )
    assert exam.starts == dt.datetime(2026, 12, 10, 7, 0, tzinfo=UTC)
    (rejected,) = feed.rejected
    assert rejected.line == 7 and "61999" in rejected.reason and rejected.reference == "fermeture-61999"


@pytest.mark.parametrize(
    "payload",
    [
        csv(HEADER, ROW),
        csv(HEADER, ROW, bom=True),
        csv(HEADER, ROW.replace("Le collège est fermé.", "Le collège est fermé"), separator=","),
        csv(HEADER, ROW, encoding="cp1252"),
        csv(
            "Reference;TARGET;kind;title;starts;ends",
            "r1;0610003X;closure;Fermeture;2026-12-14T00:00:00+01:00;2026-12-14T23:59:00+01:00",
        ),
        csv(
            "ends;starts;title;kind;target;reference",
            "2026-12-14T23:59:00+01:00;2026-12-14T00:00:00+01:00;Fermeture;closure;0610003X;r1",
        ),
    ],
    ids=["utf8", "bom", "comma", "cp1252", "no-body-column", "any-order"],
)
def test_encodings_separators_and_column_order(payload: bytes) -> None:
    feed = parse_feed(payload)
    assert feed.rejected == []
    (row,) = feed.rows
    assert (row.reference, row.uais, row.kind, row.title) == ("r1", ("0610003X",), "closure", "Fermeture")
    assert row.ends == dt.datetime(2026, 12, 14, 22, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\xef\xbb\xbf\r\n",
        csv("reference;target;kind;title;starts"),
        csv("a,b,c", "1,2,3"),
        csv(HEADER + ";title", ROW),
    ],
    ids=["empty", "bom-only", "missing-ends", "not-notices", "duplicated-column"],
)
def test_a_file_that_is_not_such_a_csv_is_a_feed_format_error(payload: bytes) -> None:
    with pytest.raises(FeedFormatError):
        parse_feed(payload)


def test_header_only_is_an_empty_feed() -> None:
    feed = parse_feed(csv(HEADER))
    assert feed.rows == [] and feed.rejected == [] and feed.rows_read == 0


def bad(row: str) -> str:
    feed = parse_feed(csv(HEADER, ROW.replace("r1;", "ok;", 1), row))
    assert [r.reference for r in feed.rows] == ["ok"]
    (rejection,) = feed.rejected
    assert rejection.line == 3
    return rejection.reason


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (ROW.replace("0610003X", "0619999Z"), "no school"),
        (ROW.replace("0610003X", "61999"), "no commune"),
        (ROW.replace("0610003X", "61002"), "no school in the reference data"),
        (ROW.replace("0610003X", "Alençon"), "expected a UAI"),
        (ROW.replace("closure", "neige"), "kind"),
        (ROW.replace(";Fermeture;", ";;"), "title is empty"),
        (ROW.replace(";Fermeture;", ";" + "x" * 121 + ";"), "title longer"),
        (ROW.replace("Le collège est fermé.", "x" * 2001), "body longer"),
        (ROW.replace("2026-12-14T00:00:00+01:00", "2026-12-14T00:00:00"), "starts"),
        (ROW.replace("2026-12-14T23:59:00+01:00", "14/12/2026"), "ends"),
        (ROW.replace("2026-12-14T23:59:00+01:00", "2026-12-13T23:59:00+01:00"), "not after"),
        (ROW.replace("r1;", ";", 1), "reference"),
        (ROW.replace("r1;", "r 1;", 1), "reference"),
        (ROW.replace("Le collège est fermé.", "fermé; vraiment"), "quote a text"),
    ],
)
def test_a_bad_row_is_rejected_with_its_line_and_reason(row: str, reason: str) -> None:
    assert reason in bad(row)


def test_a_reused_reference_rejects_the_later_row() -> None:
    feed = parse_feed(csv(HEADER, ROW, ROW.replace("0610003X", "0610010E")))
    assert [r.uais for r in feed.rows] == [("0610003X",)]
    assert feed.rejected[0].line == 3 and "already used" in feed.rejected[0].reason


def test_line_numbers_count_physical_lines() -> None:
    multiline = ROW.replace("Le collège est fermé.", '"Ligne 1\r\nLigne 2"').replace("r1;", "m;", 1)
    feed = parse_feed(csv(HEADER, multiline, "", ROW.replace("closure", "nope")))
    assert feed.rows[0].body == "Ligne 1\nLigne 2"
    assert feed.rejected[0].line == 5


def test_targets() -> None:
    assert len(resolve_target("*")) == 60
    alencon = resolve_target("61001")
    assert len(alencon) == 10 and "0610003X" in alencon and list(alencon) == sorted(alencon)
    assert resolve_target(" 0610003x ") == ("0610003X",)
