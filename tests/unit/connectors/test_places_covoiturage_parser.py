"""Unit tests of the carpool areas parser (etalab `schema-lieux-covoiturage`; offline, deterministic)."""

from __future__ import annotations

from pathlib import Path

import pytest

from places_covoiturage.parser import (
    CATEGORY,
    DETAIL_KEYS,
    LICENCE,
    SOURCE,
    ParsedFeed,
    RejectedRow,
    hours_of,
    parse_feed,
)
from places_shared.categories import BY_ID
from places_shared.model import PlaceRecord
from poche_common.errors import FeedFormatError

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "functions/connectors/places_covoiturage/sample/aires-covoiturage-orne.csv"

HEADER = (
    "id_lieu,nom_lieu,ad_lieu,com_lieu,insee,type,date_maj,ouvert,source,Xlong,Ylat,nbre_pl,nbre_pmr,duree,"
    "horaires,proprio,lumiere,comm"
)


def row(
    id_lieu: str = "61001-C-001",
    nom: str = "Alençon Nord",
    insee: str = "61001",
    xlong: str = "0.1003",
    ylat: str = "48.4657",
    horaires: str = "",
    ouvert: str = "true",
    nbre_pl: str = "60",
    nbre_pmr: str = "",
    type_: str = "Aire de covoiturage",
    lumiere: str = "",
    duree: str = "",
) -> str:
    return (
        f"{id_lieu},{nom},Rond-point,Alençon,{insee},{type_},2026-03-02,{ouvert},,{xlong},{ylat},{nbre_pl},"
        f"{nbre_pmr},{duree},{horaires},,{lumiere},"
    )


def feed_of(*rows: str, departement: str = "61") -> ParsedFeed:
    return parse_feed((HEADER + "\n" + "\n".join(rows) + "\n").encode(), departement)


def test_sample_parses_fully() -> None:
    feed = parse_feed(SAMPLE.read_bytes())
    assert feed.rows_read == 12
    assert feed.rejected == []
    assert feed.skipped_elsewhere == 2  # Le Mans (72), Vire Normandie (14)
    assert feed.skipped_closed == 1  # Domfront en Poiraie, `ouvert` false
    assert feed.hours_unreadable == 0
    assert feed.rejected_ids == set()
    assert not feed.unattributed_rejections
    assert [record.source_id for record in feed.records] == [
        "61001-C-001",
        "61001-C-002",
        "61006-C-001",
        "61006-C-002",
        "61464-C-001",
        "61169-C-001",
        "61214-C-001",
        "61293-C-001",
        "61168-C-001",
    ]
    assert all(record.commune and record.commune.startswith("61") for record in feed.records)
    assert CATEGORY in BY_ID
    assert {key for record in feed.records for key, _ in record.details} <= set(DETAIL_KEYS)


def test_sample_exact_record_of_the_station_area_of_alencon() -> None:
    record = parse_feed(SAMPLE.read_bytes()).records[1]
    assert record == PlaceRecord(
        source="covoiturage",
        source_id="61001-C-002",
        category="carpool_area",
        name="Gare d'Alençon",
        licence="Licence Ouverte 2.0 (schéma lieux de covoiturage, transport.data.gouv.fr)",
        commune="61001",
        lat=48.4339,
        lon=0.0987,
        address="Place de la Gare, Alençon",
        phone=None,
        hours="Mo-Sa 05:30-21:30; Su 08:00-21:00",
        web=None,
        accessibility=None,
        details=(
            ("places", "25"),
            ("pmr_places", "2"),
            ("type", "Parking relais"),
            ("lighting", "oui"),
            ("max_stay_minutes", "720"),
        ),
    )
    assert (record.source, record.licence) == (SOURCE, LICENCE)


def test_sample_always_open_and_no_hours() -> None:
    records = {record.source_id: record for record in parse_feed(SAMPLE.read_bytes()).records}
    assert records["61001-C-001"].hours == "24/7"  # `true`
    assert records["61006-C-001"].hours == "24/7"  # `24/7`
    assert records["61169-C-001"].hours == "24/7"  # `24h/24`
    assert records["61214-C-001"].hours is None  # empty
    assert records["61293-C-001"].details == (("places", "15"), ("type", "Parking"))  # no lumiere, no PMR


def test_sample_in_other_encodings_and_separators_parses_the_same() -> None:
    expected = parse_feed(SAMPLE.read_bytes()).records
    text = SAMPLE.read_text(encoding="utf-8")
    assert parse_feed(text.encode("utf-8-sig")).records == expected
    assert parse_feed(text.encode("cp1252")).records == expected
    assert parse_feed(text.encode("utf-16")).records == expected


def test_header_is_case_insensitive_and_in_any_order() -> None:
    data = "ylat;XLONG;INSEE;Nom_Lieu;ID_LIEU\n48.4657;0.1003;61001;Alençon Nord;61001-C-001\n".encode()
    feed = parse_feed(data)
    assert feed.records == [
        PlaceRecord(
            source="covoiturage",
            source_id="61001-C-001",
            category="carpool_area",
            name="Alençon Nord",
            licence=LICENCE,
            commune="61001",
            lat=48.4657,
            lon=0.1003,
        )
    ]


@pytest.mark.parametrize(
    ("horaires", "expected"),
    [
        ("true", "24/7"),
        ("TRUE", "24/7"),
        ("oui", "24/7"),
        ("24/7", "24/7"),
        ("24h/24", "24/7"),
        ("24h/24 7j/7", "24/7"),
        ("24h/24, 7j/7", "24/7"),
        ("H24", "24/7"),
        ("Mo-Fr 08:00-20:00", "Mo-Fr 08:00-20:00"),
        ("Mo-Fr: 8:00-20:00", "Mo-Fr 08:00-20:00"),
        ("false", None),
        ("non", None),
        ("", None),
        ("du lundi au vendredi", None),
        ("Mo-Fr 08:00-20:00; SH off", None),
        ("2026 Jan 01 off", None),
    ],
)
def test_hours_are_kept_only_when_they_read_as_osm_hours(horaires: str, expected: str | None) -> None:
    assert hours_of(horaires) == expected
    feed = feed_of(row(horaires=f'"{horaires}"'))
    assert feed.records[0].hours == expected
    unreadable = expected is None and horaires not in ("", "false", "non")
    assert feed.hours_unreadable == (1 if unreadable else 0)
    assert feed.rejected == []


def test_optional_details_unreadable_are_left_out_not_rejected() -> None:
    feed = feed_of(row(nbre_pl="beaucoup", nbre_pmr="0", lumiere="peut-être", duree="-5", type_=""))
    assert feed.rejected == []
    assert feed.records[0].details == ()
    feed = feed_of(row(nbre_pl="12", nbre_pmr="1", lumiere="FALSE", duree="60", type_="aire de covoiturage"))
    assert feed.records[0].details == (
        ("places", "12"),
        ("pmr_places", "1"),
        ("type", "Aire de covoiturage"),
        ("lighting", "non"),
        ("max_stay_minutes", "60"),
    )
    assert feed_of(row(type_="Parking de gare")).records[0].details[1] == ("type", "Parking de gare")


def test_coordinates_with_decimal_comma_are_read() -> None:
    feed = feed_of(row(xlong='"0,1003"', ylat='"48,4657"'))
    assert (feed.records[0].lat, feed.records[0].lon) == (48.4657, 0.1003)


def test_departement_filter() -> None:
    rows = (row(), row(id_lieu="72181-C-001", insee="72181", xlong="0.2011", ylat="48.0412"))
    feed = feed_of(*rows)
    assert [r.source_id for r in feed.records] == ["61001-C-001"]
    assert feed.skipped_elsewhere == 1
    sarthe = feed_of(*rows, departement="72")
    assert [r.source_id for r in sarthe.records] == ["72181-C-001"]
    assert sarthe.skipped_elsewhere == 1


def test_closed_places_are_skipped_not_rejected() -> None:
    feed = feed_of(row(), row(id_lieu="61001-C-002", ouvert="false"))
    assert [r.source_id for r in feed.records] == ["61001-C-001"]
    assert feed.skipped_closed == 1
    assert feed.rejected == []


@pytest.mark.parametrize(
    ("bad", "reason", "source_id"),
    [
        (row(id_lieu="61001-X-1"), "id_lieu « 61001-X-1 » invalide", None),
        (row(id_lieu=""), "id_lieu «  » invalide", None),
        (row(nom=""), "nom_lieu vide", "61001-C-009"),
        (row(xlong=""), "Xlong vide", "61001-C-009"),
        (row(ylat="48°27'"), "Ylat « 48°27' » illisible", "61001-C-009"),
        (row(ylat="95.1"), "Ylat 95.1 hors des bornes", "61001-C-009"),
        (row(xlong="0", ylat="0"), "position (0, 0)", "61001-C-009"),
        (row(xlong="48.4657", ylat="0.1003"), "hors de la France métropolitaine", "61001-C-009"),
        (row() + ",de trop", "la ligne compte 19 champs au lieu de 18", "61001-C-009"),
        ("61001-C-009,Court,,,61001", "la ligne compte 5 champs au lieu de 18", "61001-C-009"),
    ],
)
def test_bad_rows_are_rejected_with_line_and_reason(bad: str, reason: str, source_id: str | None) -> None:
    if bad.startswith("61001-C-001"):
        bad = "61001-C-009" + bad.removeprefix("61001-C-001")
    feed = feed_of(row(), bad)
    assert [r.source_id for r in feed.records] == ["61001-C-001"]
    assert len(feed.rejected) == 1
    rejected = feed.rejected[0]
    assert rejected.line == 3
    assert reason in rejected.reason
    assert rejected.source_id == source_id
    assert feed.rejected_ids == ({source_id} if source_id else set())
    assert feed.unattributed_rejections is (source_id is None)


def test_an_invalid_insee_is_rejected_and_the_id_kept() -> None:
    feed = feed_of(row(), row(id_lieu="61001-C-002", insee="6100"))
    assert feed.rejected == [
        RejectedRow(3, "code INSEE « 6100 » invalide (5 caractères attendus, 61001)", "61001-C-002")
    ]
    assert feed.rejected_ids == {"61001-C-002"}


def test_a_rejected_row_of_another_departement_is_not_unattributed() -> None:
    feed = feed_of(row(), row(id_lieu="bad", insee="72181", xlong="0.2011", ylat="48.0412"))
    assert feed.skipped_elsewhere == 1
    assert feed.rejected == []
    assert not feed.unattributed_rejections
    feed = feed_of(row(), row(id_lieu="bad", insee="nope"))
    assert feed.unattributed_rejections
    assert feed.rejected[0].line == 3


def test_a_second_row_of_one_id_is_rejected_and_the_first_kept() -> None:
    feed = feed_of(row(), row(nom="Doublon"))
    assert [r.name for r in feed.records] == ["Alençon Nord"]
    assert feed.rejected == [RejectedRow(3, "le lieu 61001-C-001 a déjà été lu ligne 2", "61001-C-001")]
    assert feed.rejected_ids == set()  # it gave a record: the record is written


def test_line_numbers_count_quoted_line_breaks() -> None:
    multi = row(nom='"Alençon\nNord"', id_lieu="61001-C-002")
    feed = feed_of(multi, row(nom=""))
    assert feed.records[0].name == "Alençon Nord"
    assert feed.rejected[0].line == 4


def test_texts_are_cleaned_and_bounded() -> None:
    feed = feed_of(row(nom='"<b>Alençon</b>   Nord\x07"'))
    assert feed.records[0].name == "Alençon Nord"
    long = feed_of(row(nom="A" * 400)).records[0].name
    assert len(long) == 150 and long.endswith("…")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "vide"),
        (b"\x00\x01\x02binary", "binaire"),
        (b"<!DOCTYPE html><html><body>Erreur</body></html>", "HTML"),
        (b'{"type": "FeatureCollection"}', "JSON"),
        (b"id_lieu,nom_lieu,insee,Xlong\n61001-C-001,A,61001,0.1\n", "Colonnes obligatoires absentes"),
        ((HEADER + ",insee\n").encode(), "Colonnes en double"),
        ((HEADER + "\n").encode(), "que l'en-tête"),
        ((HEADER + "\n" + row(id_lieu="72181-C-001", insee="72181") + "\n").encode(), "aucun lieu du département"),
        ((HEADER + "\n" + row(nom="") + "\n" + row(xlong="x") + "\n").encode(), "Aucune des 2 lignes"),
        # an unclosed quote swallows the rest of the file into one field: the row is too short
        ((HEADER + '\n61001-C-001,"unclosed\n').encode(), "2 champs au lieu de 18"),
    ],
)
def test_unusable_files_raise_feed_format_error(data: bytes, message: str) -> None:
    with pytest.raises(FeedFormatError, match=message):
        parse_feed(data)


def test_official_example_layout_is_read() -> None:
    """The official v0.2.0 example (Dieppe), in the Seine-Maritime: quoted id, `true` hours."""
    data = (
        HEADER + '\n"76217-C-001",Gare SNCF de Dieppe,2 Boulevard Georges Clemenceau,Dieppe,76217,Parking,'
        '2019-06-25,true,217602176,1.081183,49.921823,20,2,,true,Ville de Dieppe,true,"Correspondance TER"\n'
    ).encode()
    record = parse_feed(data, "76").records[0]
    assert (record.source_id, record.hours, record.address) == (
        "76217-C-001",
        "24/7",
        "2 Boulevard Georges Clemenceau, Dieppe",
    )
    assert record.details == (("places", "20"), ("pmr_places", "2"), ("type", "Parking"), ("lighting", "oui"))
