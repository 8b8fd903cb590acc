"""Unit tests of the IRVE parser (etalab `schema-irve`, static and dynamic; offline, deterministic)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from places_irve.parser import (
    CATEGORY,
    DETAIL_KEYS,
    LICENCE,
    ChargerStatus,
    DynamicFeed,
    ParsedFeed,
    RejectedRow,
    parse_dynamic,
    parse_dynamic_feed,
    parse_horodatage,
    parse_static,
    station_availability,
)
from places_shared.categories import BY_ID
from places_shared.model import PlaceRecord
from poche_common.errors import FeedFormatError

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "functions/connectors/places_irve/sample"
STATIC = SAMPLES / "irve-statique-orne.csv"
DYNAMIC = SAMPLES / "irve-dynamique-orne.csv"

HEADER = (
    "nom_amenageur,siren_amenageur,contact_amenageur,nom_operateur,contact_operateur,telephone_operateur,"
    "nom_enseigne,id_station_itinerance,id_station_local,nom_station,implantation_station,adresse_station,"
    "code_insee_commune,coordonneesXY,nbre_pdc,id_pdc_itinerance,id_pdc_local,puissance_nominale,prise_type_ef,"
    "prise_type_2,prise_type_combo_ccs,prise_type_chademo,prise_type_autre,gratuit,paiement_acte,paiement_cb,"
    "paiement_autre,tarification,condition_acces,reservation,horaires,accessibilite_pmr,restriction_gabarit,"
    "station_deux_roues,raccordement,num_pdl,date_mise_en_service,observations,date_maj,cable_t2_attache"
)
DYNAMIC_HEADER = (
    "id_pdc_itinerance,etat_pdc,occupation_pdc,horodatage,etat_prise_type_2,etat_prise_type_combo_ccs,"
    "etat_prise_type_chademo,etat_prise_type_ef"
)
UTC = dt.UTC


def pdc(
    pdc_id: str = "FRXORE610010011",
    station: str = "FRXORP61001001",
    name: str = "Alençon - Halle au Blé",
    address: str = "Place de la Halle au Blé 61000 Alençon",
    insee: str = "61001",
    xy: str = '"[0.0896,48.4310]"',
    power: str = "22",
    ef: str = "false",
    t2: str = "true",
    ccs: str = "false",
    chademo: str = "false",
    gratuit: str = "false",
    horaires: str = "24/7",
    pmr: str = "Accessible mais non réservé PMR",
    operator: str = "Opérateur Exemple",
    pricing: str = "",
) -> str:
    return (
        f"Aménageur,999999991,a@example.org,{operator},o@example.org,0299999999,Réseau,{station},,{name},Voirie,"
        f"{address},{insee},{xy},2,{pdc_id},,{power},{ef},{t2},{ccs},{chademo},false,{gratuit},true,true,false,"
        f"{pricing},Accès libre,false,{horaires},{pmr},,false,Direct,,2024-05-15,,2026-03-01,true"
    )


def static_of(*rows: str, departement: str = "61") -> ParsedFeed:
    return parse_static((HEADER + "\n" + "\n".join(rows) + "\n").encode(), departement)


def dynamic_of(*rows: str) -> DynamicFeed:
    return parse_dynamic_feed((DYNAMIC_HEADER + "\n" + "\n".join(rows) + "\n").encode())


def status(
    pdc_id: str, etat: str = "en_service", occupation: str = "libre", at: str = "2026-03-02T08:10:00+0000"
) -> str:
    return f"{pdc_id},{etat},{occupation},{at},fonctionnel,,,"


# ---------------------------------------------------------------- static


def test_sample_groups_points_of_charge_into_stations() -> None:
    feed = parse_static(STATIC.read_bytes())
    assert feed.rows_read == 22
    assert feed.rejected == []
    assert feed.skipped_elsewhere == 2  # Le Mans (72): 2 pdc
    assert feed.hours_unreadable == 0
    assert feed.rejected_ids == set()
    assert not feed.unattributed_rejections
    points = {record.source_id: dict(record.details)["points"] for record in feed.records}
    assert points == {
        "FRXORP61001001": "2",
        "FRXORP61001002": "4",
        "FRXORP61169001": "2",
        "FRXRRP61006001": "3",
        "FRXORP61038001": "2",
        "FRXORP61464001": "2",
        "FRXORP61214001": "2",
        "FRXORP61293001": "3",
    }
    assert len(feed.pdc_to_station) == 20
    assert feed.pdc_to_station["FRXORE610010023"] == "FRXORP61001002"
    assert CATEGORY in BY_ID
    assert {key for record in feed.records for key, _ in record.details} <= set(DETAIL_KEYS)


def test_sample_exact_record_of_the_station_of_alencon_gare() -> None:
    record = parse_static(STATIC.read_bytes()).records[1]
    assert record == PlaceRecord(
        source="irve",
        source_id="FRXORP61001002",
        category="charging_station",
        name="Alençon - Gare",
        licence="Licence Ouverte 2.0 (schéma IRVE, data.gouv.fr)",
        commune="61001",
        lat=48.4342,
        lon=0.0982,
        address="Place de la Gare 61000 Alençon",
        phone=None,
        hours="24/7",
        web=None,
        accessibility="réservée aux personnes à mobilité réduite",
        details=(
            ("points", "4"),
            ("power_kw", "150"),
            ("plugs", "Type 2, Combo CCS, CHAdeMO"),
            ("free", "non"),
            ("pricing", "0,45 € / kWh en charge rapide, 0,30 € / kWh en 22 kW"),
            ("operator", "Opérateur Exemple Normandie"),
        ),
    )
    assert record.licence == LICENCE


def test_sample_free_station_unknown_accessibility_and_decimal_power() -> None:
    records = {record.source_id: record for record in parse_static(STATIC.read_bytes()).records}
    belleme = records["FRXORP61038001"]
    assert belleme.accessibility is None  # `Accessibilité inconnue`
    assert dict(belleme.details) == {
        "points": "2",
        "power_kw": "7.4",
        "plugs": "Type 2, E/F (prise domestique)",
        "free": "oui",
        "operator": "Opérateur Exemple Normandie",
    }
    assert records["FRXORP61169001"].hours == "Mo-Sa 07:00-21:00"
    assert records["FRXRRP61006001"].accessibility == "non accessible aux personnes à mobilité réduite"


def test_sample_in_other_encodings_parses_the_same() -> None:
    expected = parse_static(STATIC.read_bytes())
    text = STATIC.read_text(encoding="utf-8")
    for data in (text.encode("utf-8-sig"), text.encode("cp1252"), text.encode("utf-16")):
        again = parse_static(data)
        assert (again.records, again.pdc_to_station) == (expected.records, expected.pdc_to_station)


def test_station_level_values_come_from_its_first_accepted_row() -> None:
    feed = static_of(
        pdc("FRXORE61001001A", power="7.4", gratuit="true", ef="true"),
        pdc("FRXORE61001001B", name="Autre nom", xy='"[0.1,48.5]"', power='"22,5"', gratuit="", t2="false", ccs="true"),
    )
    assert feed.rejected == []
    (record,) = feed.records
    assert (record.name, record.lat, record.lon) == ("Alençon - Halle au Blé", 48.431, 0.0896)
    assert dict(record.details) == {
        "points": "2",
        "power_kw": "22.5",
        "plugs": "Type 2, Combo CCS, E/F (prise domestique)",
        "operator": "Opérateur Exemple",
    }  # one pdc free, the other unknown: `free` left out
    assert feed.pdc_to_station == {"FRXORE61001001A": "FRXORP61001001", "FRXORE61001001B": "FRXORP61001001"}


def test_rows_of_a_station_need_not_be_adjacent_and_ids_are_normalised() -> None:
    feed = static_of(
        pdc("FR*XOR*E61001001A"),
        pdc("FRXORE611690011", station="FRXORP61169001", name="Flers", insee="61169", xy='"[-0.5693,48.7485]"'),
        pdc("frxore61001001b", station="fr*xor*p61001001"),
    )
    assert [(r.source_id, dict(r.details)["points"]) for r in feed.records] == [
        ("FRXORP61001001", "2"),
        ("FRXORP61169001", "1"),
    ]
    assert feed.pdc_to_station["FRXORE61001001B"] == "FRXORP61001001"


@pytest.mark.parametrize(
    ("xy", "expected"),
    [
        ('"[0.0896,48.4310]"', (48.431, 0.0896)),
        ('"[ 0.0896 , 48.4310 ]"', (48.431, 0.0896)),
        ('"0.0896,48.4310"', (48.431, 0.0896)),
        ('"[-0.56930000,48.748500]"', (48.7485, -0.5693)),
    ],
)
def test_coordinates_are_read_as_lon_lat(xy: str, expected: tuple[float, float]) -> None:
    (record,) = static_of(pdc(xy=xy)).records
    assert (record.lat, record.lon) == expected


@pytest.mark.parametrize(
    ("horaires", "expected", "unreadable"),
    [
        ("24/7", "24/7", 0),
        (
            '"Mo-Fr 08:00-12:00,Mo-Fr 14:00-18:00,Th 08:00-18:00"',
            "Mo-Fr 08:00-12:00, Mo-Fr 14:00-18:00, Th 08:00-18:00",
            0,
        ),
        ("", None, 0),
        ("tous les jours", None, 1),
        ("Mo-Fr 08:00+", None, 1),
    ],
)
def test_hours_are_kept_only_when_valid(horaires: str, expected: str | None, unreadable: int) -> None:
    feed = static_of(pdc(horaires=horaires))
    assert feed.records[0].hours == expected
    assert feed.hours_unreadable == unreadable
    assert feed.rejected == []


def test_out_of_range_power_and_unknown_booleans_are_left_out() -> None:
    (record,) = static_of(pdc(power="22000", t2="peut-être", gratuit="NC")).records
    assert dict(record.details) == {"points": "1", "operator": "Opérateur Exemple"}


def test_departement_filter_and_commune_from_the_postcode() -> None:
    sarthe = pdc(
        "FRXORE721810011",
        station="FRXORP72181001",
        name="Le Mans",
        address="Place des Jacobins 72000 Le Mans",
        insee="72181",
        xy='"[0.1986,48.0068]"',
    )
    no_insee = pdc("FRXORE614640011", station="FRXORP61464001", name="Sées", address="Place 61500 Sées", insee="")
    feed = static_of(pdc(), sarthe, no_insee)
    assert [(r.source_id, r.commune) for r in feed.records] == [("FRXORP61001001", "61001"), ("FRXORP61464001", None)]
    assert feed.skipped_elsewhere == 1
    assert set(feed.pdc_to_station) == {"FRXORE610010011", "FRXORE614640011"}
    other = static_of(pdc(), sarthe, departement="72")
    assert [r.source_id for r in other.records] == ["FRXORP72181001"]


@pytest.mark.parametrize(
    ("bad", "reason", "source_id"),
    [
        (pdc(station="12"), "id_station_itinerance « 12 » invalide", None),
        (pdc(station="Non concerné"), "« Non concerné » : station sans identifiant", None),
        (pdc(pdc_id="E1"), "id_pdc_itinerance « E1 » invalide", "FRXORP61001009"),
        (pdc(pdc_id="FRXORE610010011"), "le point de charge FRXORE610010011 a déjà été lu ligne 2", "FRXORP61001009"),
        (pdc(name=""), "nom_station vide", "FRXORP61001009"),
        (pdc(xy=""), "coordonneesXY vide", "FRXORP61001009"),
        (pdc(xy='"48.4310 0.0896"'), "coordonneesXY « 48.4310 0.0896 » illisible", "FRXORP61001009"),
        (pdc(xy='"[200,48.4]"'), "hors des bornes", "FRXORP61001009"),
        (pdc(xy='"[0,0]"'), "[0,0]", "FRXORP61001009"),
        (pdc(xy='"[48.4310,0.0896]"'), "hors de la France métropolitaine", "FRXORP61001009"),
        (pdc(insee="", address="Place de la Halle"), "commune inconnue", "FRXORP61001009"),
        (pdc() + ",de trop", "la ligne compte 41 champs au lieu de 40", "FRXORP61001009"),
    ],
)
def test_bad_rows_are_rejected_with_line_and_reason(bad: str, reason: str, source_id: str | None) -> None:
    bad = bad.replace("FRXORP61001001", "FRXORP61001009")
    if "déjà" not in reason:
        bad = bad.replace("FRXORE610010011", "FRXORE610010091")
    feed = static_of(pdc(), bad)
    assert [r.source_id for r in feed.records] == ["FRXORP61001001"]
    assert len(feed.rejected) == 1
    rejected = feed.rejected[0]
    assert rejected.line == 3
    assert reason in rejected.reason
    assert rejected.source_id == source_id
    assert feed.rejected_ids == ({source_id} if source_id else set())
    assert feed.unattributed_rejections is (source_id is None)


def test_a_bad_first_row_leaves_the_station_to_its_next_row() -> None:
    feed = static_of(pdc(xy="nowhere"), pdc("FRXORE610010012"))
    (record,) = feed.records
    assert dict(record.details)["points"] == "1"
    assert feed.rejected == [
        RejectedRow(2, "coordonneesXY « nowhere » illisible (attendu : [longitude,latitude])", "FRXORP61001001")
    ]
    assert feed.rejected_ids == set()  # the station gave a record
    assert feed.pdc_to_station == {"FRXORE610010012": "FRXORP61001001"}


def test_a_rejected_row_of_another_departement_is_not_unattributed() -> None:
    elsewhere = pdc(station="??", insee="72181", address="72000 Le Mans", xy='"[0.1986,48.0068]"')
    feed = static_of(pdc(), elsewhere)
    assert feed.skipped_elsewhere == 1
    assert feed.rejected == []
    assert not feed.unattributed_rejections


def test_official_example_row_is_read() -> None:
    """The first row of the official v2.3 example (Paris, coordinates in Alsace): read for département 75."""
    data = (
        HEADER + "\nSociété X,130025265,contact@societe-amenageur.com,Société Y,contact@societe-operateur.com,"
        "111111111,Réseau de recharge ABC,FRA68P68021001,,Picpus,Voirie,1 avenue de la Paix 75001 Paris,75001,"
        '"[7.48710500,48.345345]",10,FRA68E680210015,,22,true,true,false,false,false,false,true,true,true,'
        '0.40€ / kwh,Accès libre,true,"Mo-Fr 08:00-12:00,Mo-Fr 14:00-18:00,Th 08:00-18:00",'
        "Accessible mais non réservé PMR,Hauteur maximale 2m,false,Direct,12345678912345,2020-01-14,,2021-04-05,true\n"
    ).encode()
    (record,) = parse_static(data, "75").records
    assert (record.source_id, record.lat, record.lon) == ("FRA68P68021001", 48.345345, 7.487105)
    assert record.hours == "Mo-Fr 08:00-12:00, Mo-Fr 14:00-18:00, Th 08:00-18:00"
    assert dict(record.details)["plugs"] == "Type 2, E/F (prise domestique)"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "vide"),
        (b"<html><body>502</body></html>", "HTML"),
        (b"[1, 2]\n", "Colonnes obligatoires absentes"),
        (b"id_station_itinerance,nom_station\nFRXORP1,A\n", "coordonneesXY"),
        ((HEADER + ",nom_station\n").encode(), "Colonnes en double"),
        ((HEADER + "\n").encode(), "que l'en-tête"),
        (
            (HEADER + "\n" + pdc(insee="72181", address="72000 Le Mans") + "\n").encode(),
            "aucune station du département",
        ),
        ((HEADER + "\n" + pdc(name="") + "\n").encode(), "Aucune des 1 lignes du fichier IRVE statique"),
    ],
)
def test_unusable_static_files_raise_feed_format_error(data: bytes, message: str) -> None:
    with pytest.raises(FeedFormatError, match=message):
        parse_static(data)


# ---------------------------------------------------------------- dynamic


def test_dynamic_sample_statuses() -> None:
    feed = parse_dynamic_feed(DYNAMIC.read_bytes())
    assert feed.rejected == []
    assert len(feed.statuses) == 21
    assert feed.statuses[0] == ChargerStatus(
        "FRXORE610010011", "en_service", "libre", dt.datetime(2026, 3, 2, 8, 10, tzinfo=UTC)
    )
    assert parse_dynamic(DYNAMIC.read_bytes()) == feed.statuses


def test_dynamic_sample_availability_per_station() -> None:
    static = parse_static(STATIC.read_bytes())
    availability = station_availability(parse_dynamic(DYNAMIC.read_bytes()), static.pdc_to_station)
    assert availability == {
        "FRXORP61001001": {"available": 1, "total": 2, "out_of_order": 0},
        "FRXORP61001002": {"available": 2, "total": 4, "out_of_order": 1},
        "FRXORP61169001": {"available": 0, "total": 2, "out_of_order": 0},
        "FRXRRP61006001": {"available": 2, "total": 3, "out_of_order": 0},
        "FRXORP61038001": {"available": 0, "total": 2, "out_of_order": 2},
        "FRXORP61464001": {"available": 2, "total": 2, "out_of_order": 0},
        "FRXORP61214001": {"available": 1, "total": 2, "out_of_order": 0},  # one pdc without status
        "FRXORP61293001": {"available": 2, "total": 3, "out_of_order": 0},
    }  # the Le Mans statuses: pdc unknown to the Orne's static file, ignored


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-10-18T12:35:49+0000", dt.datetime(2022, 10, 18, 12, 35, 49, tzinfo=UTC)),
        ("2022-10-18T14:35:49+0200", dt.datetime(2022, 10, 18, 12, 35, 49, tzinfo=UTC)),
        ("2022-10-18T12:35:49-0130", dt.datetime(2022, 10, 18, 14, 5, 49, tzinfo=UTC)),
        ("2022-10-18T14:35:49+02:00", dt.datetime(2022, 10, 18, 12, 35, 49, tzinfo=UTC)),
        ("2022-10-18T12:35:49Z", dt.datetime(2022, 10, 18, 12, 35, 49, tzinfo=UTC)),
        ("2022-10-18T12:35:49.250+0000", dt.datetime(2022, 10, 18, 12, 35, 49, 250000, tzinfo=UTC)),
    ],
)
def test_horodatage_offsets_with_or_without_colon(text: str, expected: dt.datetime) -> None:
    assert parse_horodatage(text) == expected
    (parsed,) = dynamic_of(status("FRXORE610010011", at=text)).statuses
    assert parsed.observed_at == expected
    assert parsed.observed_at.utcoffset() == dt.timedelta(0)


def test_the_most_recent_row_of_a_pdc_wins() -> None:
    feed = dynamic_of(
        status("FRXORE610010011", occupation="occupe", at="2026-03-02T08:10:00+0000"),
        status("FRXORE610010011", occupation="libre", at="2026-03-02T09:10:00+0100"),  # 08:10Z: same time, later row
        status("FRXORE610010011", occupation="reserve", at="2026-03-02T07:00:00+0000"),  # older: ignored
    )
    assert [(s.pdc_id, s.occupation) for s in feed.statuses] == [("FRXORE610010011", "libre")]
    assert feed.superseded == 2


@pytest.mark.parametrize(
    ("bad", "reason", "pdc_id"),
    [
        (status("??"), "id_pdc_itinerance « ?? » invalide", None),
        (status("FRXORE610010012", etat="en service"), "etat_pdc « en service » inconnu", "FRXORE610010012"),
        (status("FRXORE610010012", occupation="plein"), "occupation_pdc « plein » inconnue", "FRXORE610010012"),
        (status("FRXORE610010012", at="2026-03-02 08h10"), "horodatage illisible", "FRXORE610010012"),
        (status("FRXORE610010012", at="2026-03-02T08:10:00"), "horodatage sans fuseau horaire", "FRXORE610010012"),
        (status("FRXORE610010012", at="1970-01-01T00:00:00+0000"), "horodatage hors des bornes", "FRXORE610010012"),
        (status("FRXORE610010012") + ",de trop", "la ligne compte 9 champs au lieu de 8", "FRXORE610010012"),
    ],
)
def test_bad_dynamic_rows_are_rejected_with_line_and_reason(bad: str, reason: str, pdc_id: str | None) -> None:
    feed = dynamic_of(status("FRXORE610010011"), bad)
    assert [s.pdc_id for s in feed.statuses] == ["FRXORE610010011"]
    (rejected,) = feed.rejected
    assert rejected.line == 3
    assert reason in rejected.reason
    assert rejected.source_id == pdc_id
    assert feed.rejected_ids == ({pdc_id} if pdc_id else set())


def test_dynamic_values_are_read_case_insensitively_and_accented() -> None:
    feed = dynamic_of(status("fr*xor*e610010011", etat="EN_SERVICE", occupation="Occupé"))
    assert feed.statuses[0].pdc_id == "FRXORE610010011"
    assert (feed.statuses[0].state, feed.statuses[0].occupation) == ("en_service", "occupe")


def test_official_dynamic_example_is_read() -> None:
    data = (
        DYNAMIC_HEADER + "\nFRA68P68021001,en_service,libre,2022-10-18T12:35:49+0000,fonctionnel,fonctionnel,,"
        "fonctionnel\nESZUNE1111ER7,en_service,libre,2022-10-18T12:35:49+0000,fonctionnel,fonctionnel,,fonctionnel\n"
    ).encode()
    assert [(s.pdc_id, s.available) for s in parse_dynamic(data)] == [("FRA68P68021001", True), ("ESZUNE1111ER7", True)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "vide"),
        (b'{"statuses": []}', "JSON"),
        (b"id_pdc_itinerance,etat_pdc\nFRXORE1,en_service\n", "occupation_pdc, horodatage"),
        ((DYNAMIC_HEADER + "\n").encode(), "que l'en-tête"),
        ((DYNAMIC_HEADER + "\n" + status("FRXORE610010011", etat="?") + "\n").encode(), "IRVE dynamique"),
    ],
)
def test_unusable_dynamic_files_raise_feed_format_error(data: bytes, message: str) -> None:
    with pytest.raises(FeedFormatError, match=message):
        parse_dynamic_feed(data)


# ---------------------------------------------------------------- availability


def at(minute: int) -> dt.datetime:
    return dt.datetime(2026, 3, 2, 8, minute, tzinfo=UTC)


def test_availability_counts_each_state() -> None:
    mapping = {"FRXE1": "S1", "FRXE2": "S1", "FRXE3": "S1", "FRXE4": "S1", "FRXE5": "S1", "FRXE6": "S2"}
    statuses = [
        ChargerStatus("FRXE1", "en_service", "libre", at(1)),
        ChargerStatus("FRXE2", "en_service", "occupe", at(1)),
        ChargerStatus("FRXE3", "en_service", "reserve", at(1)),
        ChargerStatus("FRXE4", "hors_service", "libre", at(1)),
        ChargerStatus("FRXE5", "inconnu", "libre", at(1)),
        ChargerStatus("FRXE9", "en_service", "libre", at(1)),  # unknown pdc: ignored
    ]
    assert station_availability(statuses, mapping) == {"S1": {"available": 1, "total": 5, "out_of_order": 1}}


def test_availability_keeps_the_most_recent_status_of_a_pdc() -> None:
    mapping = {"FRXE1": "S1", "FRXE2": "S1"}
    statuses = [
        ChargerStatus("FRXE1", "en_service", "libre", at(5)),
        ChargerStatus("fr*x*e1", "hors_service", "inconnu", at(2)),  # older, same pdc once normalised
        ChargerStatus("FRXE2", "hors_service", "inconnu", at(2)),
        ChargerStatus("FRXE2", "en_service", "libre", at(9)),
    ]
    assert station_availability(statuses, mapping) == {"S1": {"available": 2, "total": 2, "out_of_order": 0}}
    assert station_availability([], mapping) == {}
