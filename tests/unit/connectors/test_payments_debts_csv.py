"""The finance software's debts CSV (`payments-debts-csv`, FORMAT.md): the sample, each kind of bad row, and the
files that change nothing. The store, the ledger check and the run: test_payments_debts_csv_store.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from payments_debts_csv.ingest import merge
from payments_debts_csv.model import Debt, Rejection
from payments_debts_csv.parser import NO_DEBT, parse_feed
from poche_common import csvfeed
from poche_common.errors import FeedFormatError

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "functions/connectors/payments_debts_csv/sample/debts.csv"
HEADER = "exer;refdet;objet;montant_centimes;code_produit;date_echeance;statut;email_redevable"
ROW = "2026;T2026000412;Restauration scolaire;14850;CANTINE;2026-12-15;a_payer;famille@example.fr"


def csv(*lines: str, separator: str = ";", bom: bool = False, encoding: str = "utf-8") -> bytes:
    text = "\r\n".join(line.replace(";", separator) for line in lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def test_the_bundled_sample_parses_fully() -> None:
    feed = parse_feed(SAMPLE.read_bytes())
    assert (feed.rows_read, len(feed.debts), feed.rejected) == (20, 20, [])
    assert feed.debts[0] == Debt(
        2,
        "2026",
        "T2026000412",
        "Restauration scolaire collège Saint-Exupéry Alençon - septembre à novembre 2026",
        14850,
        "CANTINE",
        "2026-12-15",
        "open",
        "famille.lemarchand@example.fr",
    )
    assert [(d.line, d.refdet) for d in feed.debts if d.status == "cancelled"] == [(6, "T2026000432")]
    assert feed.debts[10].objet == "Location de salle - Maison départementale des sports, Alençon ; 14 novembre 2026"
    assert sum(1 for d in feed.debts if d.email) == 8
    assert {d.email.rsplit("@", 1)[1].rsplit(".", 1)[0].rsplit(".", 1)[-1] for d in feed.debts if d.email} == {
        "example"
    }
    assert sorted({d.product for d in feed.debts}) == [
        "CANTINE",
        "INTERNAT",
        "REDEVANCE",
        "REGIE-MUSEE",
        "SALLE",
        "TRANSPORT",
    ]
    assert [d.line for d in feed.debts] == list(range(2, 22))


@pytest.mark.parametrize(
    "payload",
    [
        csv(HEADER, ROW),
        csv(HEADER, ROW, bom=True),
        csv(HEADER, ROW, separator=","),
        csv(HEADER, ROW, separator="\t"),
        csv(HEADER, ROW, encoding="cp1252"),
        b"\xff\xfe" + ("\r\n".join((HEADER, ROW)) + "\r\n").encode("utf-16-le"),
        csv(HEADER.upper(), ROW),
        csv(
            "statut;date_echeance;code_produit;montant_centimes;objet;refdet;exer;email_redevable;service_emetteur",
            "a_payer;2026-12-15;CANTINE;14850;Restauration scolaire;T2026000412;2026;famille@example.fr;DEJ",
        ),
        csv(" exer ; refdet ;objet;montant_centimes;code_produit;date_echeance;statut;email_redevable", ROW),
        b"exer;refdet;objet;montant_centimes;code_produit;date_echeance;statut;email_redevable\n"
        + ROW.encode()
        + b"\n",
    ],
    ids=["utf8", "bom", "comma", "tab", "cp1252", "utf16", "upper-header", "any-order-extra-column", "spaces", "lf"],
)
def test_one_format_many_spellings(payload: bytes) -> None:
    feed = parse_feed(payload)
    assert feed.rejected == []
    assert feed.debts == [
        Debt(
            2,
            "2026",
            "T2026000412",
            "Restauration scolaire",
            14850,
            "CANTINE",
            "2026-12-15",
            "open",
            "famille@example.fr",
        )
    ]


def test_optional_email_column_and_empty_email() -> None:
    feed = parse_feed(
        csv(
            "exer;refdet;objet;montant_centimes;code_produit;date_echeance;statut",
            "2026;A1;Salle;100;SALLE;2026-01-31;ANNULEE",
        )
    )
    assert feed.debts == [Debt(2, "2026", "A1", "Salle", 100, "SALLE", "2026-01-31", "cancelled", None)]
    feed = parse_feed(csv(HEADER, "2026;A1;Salle;100;SALLE;2026-01-31;a_payer;  "))
    assert feed.debts[0].email is None


def test_objet_is_plain_text_on_one_line() -> None:
    feed = parse_feed(csv(HEADER, '2026;A1;"<b>Location</b>  de\nsalle";100;SALLE;2026-01-31;a_payer;'))
    assert feed.debts[0].objet == "Location de salle"
    assert feed.debts[0].line == 2


EXER = " : une année sur 4 chiffres est attendue (2000 à 2099)"
REFDET = " : 1 à 30 lettres sans accent ou chiffres (ni espace ni tiret)"
DECIMALS = " : un nombre entier de centimes est attendu, sans virgule ni point (1250 pour 12,50 €)"
DIGITS = " : un nombre entier de centimes est attendu (chiffres seuls)"
PRODUCT = " : 1 à 32 caractères parmi A-Z a-z 0-9 _ . - (sans espace)"
EMAIL = "email_redevable : adresse e-mail invalide (non reproduite ici) ; laisser vide si inconnue"
BAD_ROWS = [  # (the row, its reason)
    ("26;A1;Salle;100;SALLE;2026-01-31;a_payer;", "exer « 26 »" + EXER),
    ("1999;A1;Salle;100;SALLE;2026-01-31;a_payer;", "exer « 1999 »" + EXER),
    ("2026;T-2026/1;Salle;100;SALLE;2026-01-31;a_payer;", "refdet « T-2026/1 »" + REFDET),
    ("2026;;Salle;100;SALLE;2026-01-31;a_payer;", "refdet «  »" + REFDET),
    (f"2026;{'A' * 31};Salle;100;SALLE;2026-01-31;a_payer;", f"refdet « {'A' * 31} »" + REFDET),
    ("2026;A1;  ;100;SALLE;2026-01-31;a_payer;", "objet vide"),
    ("2026;A1;<br/>;100;SALLE;2026-01-31;a_payer;", "objet vide"),
    (f"2026;A1;{'x' * 101};100;SALLE;2026-01-31;a_payer;", "objet trop long (101 caractères, au plus 100)"),
    ("2026;A1;Salle;12,50;SALLE;2026-01-31;a_payer;", "montant_centimes « 12,50 »" + DECIMALS),
    ("2026;A1;Salle;12.5;SALLE;2026-01-31;a_payer;", "montant_centimes « 12.5 »" + DECIMALS),
    ("2026;A1;Salle;-100;SALLE;2026-01-31;a_payer;", "montant_centimes « -100 »" + DIGITS),
    ("2026;A1;Salle;1 000;SALLE;2026-01-31;a_payer;", "montant_centimes « 1 000 »" + DIGITS),
    ("2026;A1;Salle;;SALLE;2026-01-31;a_payer;", "montant_centimes «  »" + DIGITS),
    ("2026;A1;Salle;0;SALLE;2026-01-31;a_payer;", "montant_centimes : le montant doit être supérieur à 0"),
    (
        "2026;A1;Salle;100000001;SALLE;2026-01-31;a_payer;",
        "montant_centimes 100000001 : au plus 100000000 centimes (1 000 000 €)",
    ),
    ("2026;A1;Salle;100;SALLE DES FÊTES;2026-01-31;a_payer;", "code_produit « SALLE DES FÊTES »" + PRODUCT),
    ("2026;A1;Salle;100;;2026-01-31;a_payer;", "code_produit «  »" + PRODUCT),
    ("2026;A1;Salle;100;SALLE;31/01/2026;a_payer;", "date_echeance « 31/01/2026 » : une date AAAA-MM-JJ est attendue"),
    ("2026;A1;Salle;100;SALLE;2026-02-30;a_payer;", "date_echeance 2026-02-30 n'est pas une date du calendrier"),
    ("2026;A1;Salle;100;SALLE;1999-12-31;a_payer;", "date_echeance hors des bornes (2000 à 2100) : 1999-12-31"),
    ("2026;A1;Salle;100;SALLE;2100-01-01;a_payer;", "date_echeance hors des bornes (2000 à 2100) : 2100-01-01"),
    ("2026;A1;Salle;100;SALLE;2026-01-31;payée;", "statut « payée » : a_payer ou annulee est attendu"),
    ("2026;A1;Salle;100;SALLE;2026-01-31;annulée;", "statut « annulée » : a_payer ou annulee est attendu"),
    ("2026;A1;Salle;100;SALLE;2026-01-31;a_payer;jean.dupont@@example.org", EMAIL),
    ("2026;A1;Salle;100;SALLE;2026-01-31;a_payer;jean dupont", EMAIL),
    (f"2026;A1;Salle;100;SALLE;2026-01-31;a_payer;{'a' * 250}@example.org", EMAIL),
    (
        "2026;A1;Salle;100;SALLE;2026-01-31;a_payer;x@example.org;extra",
        "9 champs pour 8 colonnes : mettre entre guillemets un texte qui contient le séparateur « ; »",
    ),
    ("2026;jean@example.org;Salle;100;SALLE;2026-01-31;a_payer;", "refdet « <adresse masquée> »" + REFDET),
    ("2026;A1;Salle;100;dupont@example.fr;2026-01-31;a_payer;", "code_produit « <adresse masquée> »" + PRODUCT),
]


@pytest.mark.parametrize(("row", "reason"), BAD_ROWS)
def test_a_bad_row_is_rejected_with_its_line_and_reason(row: str, reason: str) -> None:
    good = "2026;B2;Salle;100;SALLE;2026-01-31;a_payer;"
    feed = parse_feed(csv(HEADER, good, row, good.replace("B2", "B3")))
    assert feed.rows_read == 3
    assert [d.line for d in feed.debts] == [2, 4]
    (rejected,) = feed.rejected
    assert (rejected.line, rejected.reason) == (3, reason)
    assert "@" not in rejected.reason


def test_a_rejected_row_keeps_its_key_when_readable() -> None:
    feed = parse_feed(
        csv(
            HEADER,
            "2026;A1;Salle;12,50;SALLE;2026-01-31;a_payer;",
            "2026;A-2;Salle;100;SALLE;2026-01-31;a_payer;",
            "2026;A3;Salle;100;SALLE;2026-01-31;a_payer;",
        )
    )
    assert [(r.line, r.key) for r in feed.rejected] == [(2, ("2026", "A1")), (3, None)]
    assert feed.rejected_keys == {("2026", "A1")}
    assert feed.unattributed_rejections is True


def test_a_file_without_one_usable_row_is_refused_whole() -> None:
    """Every row rejected (a damaged export): the file changes nothing, rather than withdrawing every debt."""
    with pytest.raises(FeedFormatError, match=r"Aucune ligne du fichier n'est utilisable \(2 rejetées"):
        parse_feed(
            csv(
                HEADER,
                "2026;T-1;Salle;100;SALLE;2026-01-31;a_payer;",
                "2026;T-2;Salle;100;SALLE;2026-01-31;a_payer;",
            )
        )


def test_the_second_row_of_a_debt_is_rejected() -> None:
    feed = parse_feed(
        csv(
            HEADER,
            "2026;A1;Salle;100;SALLE;2026-01-31;a_payer;",
            "2026;A2;Salle;200;SALLE;2026-01-31;a_payer;",
            "2026;A1;Salle bis;300;SALLE;2026-01-31;a_payer;",
            "2025;A1;Salle;400;SALLE;2025-01-31;a_payer;",
        )
    )
    assert [(d.line, d.exer, d.refdet, d.amount_cents) for d in feed.debts] == [
        (2, "2026", "A1", 100),
        (3, "2026", "A2", 200),
        (5, "2025", "A1", 400),
    ]
    assert feed.rejected == [
        Rejection(4, "créance 2026/A1 déjà donnée ligne 2 : la seconde ligne est ignorée", ("2026", "A1"))
    ]


def test_a_debt_given_by_two_files_keeps_the_first() -> None:
    first = parse_feed(csv(HEADER, "2026;A1;Salle;100;SALLE;2026-01-31;a_payer;"))
    second = parse_feed(
        csv(HEADER, "2026;A2;Salle;200;SALLE;2026-01-31;a_payer;", "2026;A1;Salle;300;SALLE;2026-01-31;a_payer;")
    )
    merged = merge([first, second])
    assert [(d.refdet, d.amount_cents) for d in merged.debts] == [("A1", 100), ("A2", 200)]
    assert merged.rows_read == 3
    assert merged.rejected == [
        Rejection(3, "créance 2026/A1 déjà donnée par un autre fichier : ligne ignorée", ("2026", "A1"))
    ]


def test_a_blank_line_is_skipped_and_lines_stay_physical() -> None:
    feed = parse_feed(
        csv(HEADER, "", '2026;A1;"Salle\nA";100;SALLE;2026-01-31;a_payer;', "2026;A2;x;1;P;2026-01-31;a_payer;")
    )
    assert [(d.line, d.refdet) for d in feed.debts] == [(3, "A1"), (5, "A2")]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", csvfeed.EMPTY),
        (b"\r\n\r\n", csvfeed.EMPTY),
        (b"PK\x03\x04\x00\x00binary", csvfeed.BINARY),
        (csv(HEADER), NO_DEBT),
        (csv(HEADER, "", ""), NO_DEBT),
        (
            csv("exer;refdet;objet;montant;code_produit;date_echeance;statut", ROW),
            "Colonnes obligatoires absentes du fichier CSV : montant_centimes. Colonnes trouvées : exer, refdet, "
            "objet, montant, code_produit, date_echeance, statut.",
        ),
        (
            csv(ROW),
            "Colonnes obligatoires absentes du fichier CSV : exer, refdet, objet, montant_centimes, code_produit, "
            "date_echeance, statut. Colonnes trouvées : 2026, T2026000412, Restauration scolaire, 14850, CANTINE, "
            "2026-12-15, a_payer, famille@example.fr.",
        ),
        (csv(HEADER + ";montant_centimes", ROW + ";1"), "Colonnes en double dans l'en-tête du CSV : montant_centimes."),
        (
            b"<!DOCTYPE html><html><body>Erreur 500</body></html>",
            "Le fichier reçu est une page HTML (ou du XML) et non un fichier CSV : l'adresse du jeu de données renvoie "
            "peut-être vers une page d'erreur ou de présentation.",
        ),
        (b'{"debts": []}', "Le fichier reçu est du JSON et non un fichier CSV."),
    ],
    ids=[
        "empty",
        "blank",
        "binary",
        "header-only",
        "header-blanks",
        "missing-column",
        "no-header",
        "doubled",
        "html",
        "json",
    ],
)
def test_an_unusable_file_raises_feed_format_error(payload: bytes, message: str) -> None:
    with pytest.raises(FeedFormatError) as raised:
        parse_feed(payload)
    assert str(raised.value) == message


def test_a_debt_repr_never_shows_the_email() -> None:
    debt = parse_feed(csv(HEADER, ROW)).debts[0]
    assert "famille@example.fr" not in repr(debt)
    assert "famille@example.fr" not in str(debt)
    assert repr(debt).endswith("status='open', email='<masquée>')")
