"""Unit tests of the FINESS establishments extract parser (offline, deterministic)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from places_finess.parser import (
    CATEGORIES,
    PLACE_CATEGORIES,
    FinessPlace,
    ParsedFeed,
    RejectedRow,
    parse_feed,
)
from poche_common.errors import FeedFormatError
from poche_common.lambert93 import to_wgs84

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "functions/connectors/places_finess/sample/etalab-cs1100502-stock-orne.csv"

METADATA = "finess;etalab;111;2026-05-12"
L93 = "1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)"
L93_OLD = "1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93"
UTM20 = "1,ATLASANTE,96,BAN,EPSG:5490 RGAF09/UTM Zone 20N"

# The 15 lines of the public extract of etalab-cs1100502-stock-20260512-0339.csv (see the sample's README): one
# metropolitan establishment, 13 overseas, no geolocalisation rows, a quoted field with doubled quotes.
REAL_EXTRACT = (
    "finess;etalab;111;2026-05-12\n"
    "structureet;010000024;010780054;CH DE FLEYRIAT;CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT;;;900;RTE;"
    "DE PARIS;;;451;01;AIN;01440 VIRIAT;0474454647;0474454114;355;Centre Hospitalier (C.H.);1102;"
    "Centres Hospitaliers;26010004500012;8610Z;03;ARS établissements Publics de santé dotation globale;1;"
    "Etablissement public de santé;1979-02-13;1979-02-13;2020-02-04;\n"
    "structureet;970102018;970113015;PMI SAINT BARTHELEMY;PMI SAINT BARTHELEMY;PMI CMS DE GUSTAVIA;;4;R;"
    "AUGUST NYMAN;;;123;9A;GUADELOUPE;97133 ST BARTHELEMY;0590276027;;223;"
    "Protection Maternelle et Infantile (P.M.I.);2202;Etablissements de PMI et de Planification Familiale;;;01;"
    "Etablissement Tarif Libre;;;1964-01-01;1964-01-01;2019-02-15;\n"
    "structureet;970100400;970100186;C.H. LOUIS CONSTANT FLEMING;CENTRE HOSPITALIER LOUIS CONSTANT FLEMING;"
    "CH LOUIS CONSTANT FLEMING;;;;;;BP 381;127;9A;GUADELOUPE;97150 ST MARTIN;0590522525;0590522630;355;"
    "Centre Hospitalier (C.H.);1102;Centres Hospitaliers;26971036400028;;03;"
    "ARS établissements Publics de santé dotation globale;1;Etablissement public de santé;1951-01-01;1951-01-01;"
    "2024-04-08;\n"
    "structureet;970102059;970112611;CLASS DE MARIGOT;CLASS DE MARIGOT;;;;;;;;127;9A;GUADELOUPE;97150 ST MARTIN;"
    "0590875093;;223;Protection Maternelle et Infantile (P.M.I.);2202;"
    "Etablissements de PMI et de Planification Familiale;;;01;Etablissement Tarif Libre;;;1964-01-01;1964-01-01;"
    "2016-09-09;\n"
    "structureet;970210126;970210118;CMPP  INTERSECTORIEL ALOES;CMPP INTERSECTORIEL;;;;;ZAC CHAMPIGNY;;"
    "BP 71 IMMEUBLE SEMAFA;207;9B;MARTINIQUE;97224 DUCOS;0596748677;0596748631;189;"
    "Centre Médico-Psycho-Pédagogique (C.M.P.P.);4106;Services à Domicile ou Ambulatoires pour Handicapés;"
    "50254756500015;;57;DGS ARS & hébergement PCD - sous CPOM;;;2008-04-14;2007-11-14;2017-02-21;\n"
    "structureet;970300026;970302022;CENTRE HOSPITALIER DE CAYENNE;CENTRE HOSPITALIER  DE CAYENNE;;;;AV;"
    "ALEXIS BLAISE;;BP 6006;302;9C;GUYANE;97306 CAYENNE CEDEX;0594395050;0594305250;355;"
    "Centre Hospitalier (C.H.);1102;Centres Hospitaliers;26973302800022;;03;"
    "ARS établissements Publics de santé dotation globale;1;Etablissement public de santé;1904-04-04;1998-04-29;"
    "2024-04-22;\n"
    "structureet;970400024;970408589;CHU SITE FELIX GUYON (SAINT DENIS);CHU SITE FELIX GUYON (SAINT DENIS);;;;"
    "ALL;DES TOPAZES;;CS 11021;411;9D;LA REUNION;97405 ST DENIS CEDEX;0262905050;0262905051;101;"
    "Centre Hospitalier Régional (C.H.R.);1101;Centres Hospitaliers Régionaux;20003001300011;8610Z;03;"
    "ARS établissements Publics de santé dotation globale;1;Etablissement public de santé;1957-07-01;1957-07-01;"
    "2023-11-13;\n"
    "structureet;970405767;970400149;CENTRE EDUCATIF FERME JULES PALANT;"
    "CENTRE EDUCATIF FERME JULES PALANT (STE ANNE);;;40;CHE;CHEMIN SAFER MORANGE;;;410;9D;LA REUNION;"
    "97437 ST BENOIT;0262508105;0262508505;241;Etablissement de Placement;4502;"
    "Etab.et Services du Ministère de la Justice pour Mineurs;31822647900117;;99;Indéterminé;;;2007-05-25;"
    "2005-06-02;2007-09-03;\n"
    "structureet;970409645;970463600;UAD (LA POSSESSION)-ASDR;UNITE AUTODIALYSE (LA POSSESSION)-ASDR;;;1;R;"
    "RAYMOND BARRE;C;ZAC MOULIN JOLI;408;9D;LA REUNION;97419 LA POSSESSION;0262202820;0262285269;146;"
    "Structure d'Alternative à la dialyse en centre;1203;Dialyse Ambulatoire;37875112700101;;07;"
    "ARS établissements de santé non financés dotation globale;0;Non concerné;2016-09-15;2014-03-31;2023-10-26;\n"
    'structureet;980501506;980501498;"LIEU DE VIE ""MAVOUNA MEMA 1""";'
    '"LIEU DE VIE ET D\'ACCUEIL ""MAVOUNA MEMA 1""";ASSOCIATION MESSO;;12;R;ANCIEN TERRAIN DE FOOT;;;606;9F;'
    "MAYOTTE;97620 CHIRONGUI;0269666815;;462;Lieux de Vie et d'Accueil;4605;"
    "Etablissements et services multi-clientèles;82967998400015;;08;Président du Conseil Départemental;;;"
    "2019-04-01;2019-03-18;2025-05-07;\n"
    "structureet;980502199;980502181;UBIPHARM-MAYOTTE;;;;;ZI;VALLÉE 3 BP 208;;;610;9F;MAYOTTE;97600 KOUNGOU;"
    "0269665008;;699;Entité Ayant Autorisation;1205;Autres Etablissements Relevant de la Loi Hospitalière;;4646Z;"
    "99;Indéterminé;0;Non concerné;2020-09-01;2018-10-01;2021-12-09;\n"
    "structureet;980600027;980600019;HOPITAL DE SIA;;;;;;;;BP 4 - MATA'UTU;613;9J;WALLIS ET FUTUNA;98600 UVEA;;;"
    "355;Centre Hospitalier (C.H.);1102;Centres Hospitaliers;13000323900014;;99;Indéterminé;1;"
    "Etablissement public de santé;2024-10-30;2024-10-30;2024-10-30;\n"
    "structureet;970302287;970302022;E.H.P.A.D. EDMAR LAMA DE CAYENNE;"
    "E.H.P.A.D. DU CENTRE HOSPITALIER DE CAYENNE;;;;AV;ALEXIS BLAISE;;BP 6006;302;9C;GUYANE;97306 CAYENNE CEDEX;"
    "0594395050;0594305150;500;Etablissement d'hébergement pour personnes âgées dépendantes;4401;"
    "Etablissements d'Hébergement pour Personnes Âgées;;8710A;40;"
    "ARS/PCD, Tarif global, habilité aide sociale, recours PUI;;;1988-05-02;2017-01-03;2024-04-22;\n"
    "structureet;970216057;590799730;ALEFPA S.M.J.P.M;;CITE BON AIR;ROUTE DES RELIGIEUSES;;;;;;209;9B;MARTINIQUE;"
    "97200 FORT DE FRANCE;0596712806;0596705342;340;Service mandataire judiciaire à la protection des majeurs;"
    "4608;Protection des majeurs;;;99;Indéterminé;;;2025-04-15;2025-04-01;2026-04-21;"
).encode()
OVERSEAS = ("9A", "9B", "9C", "9D", "9E", "9F", "9J")

# A made-up pharmacy of the Orne, field by field (1-based positions in the comments of the parser's docstring)
BASE = {
    "nofinesset": "610990997",
    "nofinessej": "610990989",
    "rs": "PHARMACIE TEST",
    "rslongue": "PHARMACIE DU TEST",
    "complrs": "",
    "compldistrib": "",
    "numvoie": "3",
    "typvoie": "R",
    "voie": "DE L ESSAI",
    "compvoie": "",
    "lieuditbp": "",
    "commune": "001",
    "departement": "61",
    "libdepartement": "ORNE",
    "ligneacheminement": "61000 ALENCON",
    "telephone": "0233999999",
    "telecopie": "",
    "categetab": "620",
    "libcategetab": "Pharmacie d'Officine",
    "categagretab": "3301",
    "libcategagretab": "Pharmacies d'Officine",
    "siret": "",
    "codeape": "4773Z",
    "codemft": "01",
    "libmft": "Etablissement Tarif Libre",
    "codesph": "",
    "libsph": "",
    "dateouv": "2020-01-06",
    "dateautor": "2020-01-06",
    "datemaj": "2025-01-06",
    "numuai": "",
}


def structure(**changes: str) -> str:
    values = {**BASE, **changes}
    return "structureet;" + ";".join(values[key] for key in BASE)


def geolocation(number: str = "610990997", x: str = "484800.0", y: str = "6818500.0", source: str = L93) -> str:
    return f"geolocalisation;{number};{x};{y};{source};2026-05-04"


def feed(*lines: str, departements: tuple[str, ...] = ("61",)) -> ParsedFeed:
    return parse_feed(("\n".join((METADATA, *lines)) + "\n").encode("utf-8"), departements)


def by_id(parsed: ParsedFeed) -> dict[str, FinessPlace]:
    return {place.finess: place for place in parsed.places}


# ---------------------------------------------------------------- the sample


def test_sample_parses_fully() -> None:
    parsed = parse_feed(SAMPLE.read_bytes())
    assert parsed.extracted_on == dt.date(2026, 5, 12)
    assert parsed.rejected == []
    assert parsed.rows_read == 37  # 19 structureet + 18 geolocalisation
    assert len(parsed.places) == 15
    assert parsed.located == 14
    assert parsed.skipped_elsewhere == 2  # Calvados, Sarthe
    assert dict(parsed.skipped_categories) == {"500": 1, "611": 1}  # EHPAD, laboratory
    categories = [place.category for place in parsed.places]
    assert categories.count("hospital") == 6
    assert categories.count("pharmacy") == 6
    assert categories.count("doctor") == 3
    assert all(place.insee.startswith("61") for place in parsed.places)
    positions = [(place.lat, place.lon) for place in parsed.places if place.lat is not None and place.lon is not None]
    assert all(48.2 < lat < 49.0 and -0.9 < lon < 0.9 for lat, lon in positions)
    assert [place.finess for place in parsed.places][:3] == ["610990013", "610990021", "610990039"]  # file order


def test_sample_exact_values_of_the_hospital_of_alencon() -> None:
    place = by_id(parse_feed(SAMPLE.read_bytes()))["610990013"]
    lat, lon = to_wgs84(485159.1, 6818332.1)
    assert place == FinessPlace(
        finess="610990013",
        category="hospital",
        category_code="355",
        category_label="Centre Hospitalier (C.H.)",
        name="CENTRE HOSPITALIER INTERCOMMUNAL ALENCON-MAMERS",
        address="25 RUE DES TILLEULS",
        postcode="61000",
        town="ALENCON",
        insee="61001",
        phone="0233990100",
        lat=lat,
        lon=lon,
        opened=dt.date(1968, 1, 1),
        updated=dt.date(2025, 11, 18),
    )
    assert place.lat == pytest.approx(48.4297, abs=1e-6)
    assert place.lon == pytest.approx(0.0951, abs=1e-6)


def test_sample_exact_values_of_a_pharmacy_of_alencon() -> None:
    place = by_id(parse_feed(SAMPLE.read_bytes()))["610990138"]
    assert place == FinessPlace(
        finess="610990138",
        category="pharmacy",
        category_code="620",
        category_label="Pharmacie d'Officine",
        name="PHARMACIE DE PERSEIGNE",
        address="1 PLACE DE LA PAIX, CENTRE COMMERCIAL",
        postcode="61000",
        town="ALENCON",
        insee="61001",
        phone="0233990800",
        lat=pytest.approx(48.4217, abs=1e-6),  # type: ignore[arg-type]
        lon=pytest.approx(0.0992, abs=1e-6),  # type: ignore[arg-type]
        opened=dt.date(1998, 2, 16),
        updated=dt.date(2025, 12, 1),
    )


def test_sample_details_cedex_bp_repetition_and_missing_position() -> None:
    places = by_id(parse_feed(SAMPLE.read_bytes()))
    flers = places["610990039"]
    assert (flers.address, flers.postcode, flers.town) == ("RUE DU PARC DE LA GARE", "61104", "FLERS")  # BP dropped
    assert places["610990021"].address == "4 BIS AVENUE DU GENERAL LECLERC"
    bellême = places["610990252"]
    assert (bellême.category, bellême.address, bellême.lat, bellême.lon) == ("doctor", "LE TERTRE", None, None)
    assert places["610990070"].category_code == "106"
    assert places["610990096"].category == "hospital"  # a clinique (365)
    assert places["610990278"].category == "doctor"  # a centre de santé (124)


def test_sample_in_other_encodings_parses_the_same() -> None:
    text = SAMPLE.read_bytes().decode("utf-8")
    reference = parse_feed(SAMPLE.read_bytes())
    for data in (text.encode("cp1252"), b"\xef\xbb\xbf" + text.encode("utf-8"), text.replace("\n", "\r\n").encode()):
        parsed = parse_feed(data)
        assert parsed.places == reference.places
        assert parsed.rejected == []


# ---------------------------------------------------------------- geolocation


def test_geolocation_is_joined_by_finess_number_in_any_order() -> None:
    parsed = feed(
        geolocation("610990997", "484800.0", "6818500.0"),
        structure(),
        structure(nofinesset="610990989", rslongue="PHARMACIE SANS POSITION"),
        geolocation("610990013", "485159.1", "6818332.1"),  # no such establishment in this file
    )
    places = by_id(parsed)
    assert (places["610990997"].lat, places["610990997"].lon) == to_wgs84(484800.0, 6818500.0)
    assert places["610990989"].lat is None
    assert parsed.located == 1
    assert parsed.rejected == [
        RejectedRow(5, "aucun établissement n° 610990013 dans le fichier pour cette géolocalisation")
    ]


def test_geolocation_of_skipped_establishments_is_not_read() -> None:
    parsed = feed(
        structure(),
        structure(nofinesset="140990999", departement="14", commune="762"),
        structure(nofinesset="610990971", categetab="500"),
        geolocation("140990999", "not a number", "x", source=UTM20),
        geolocation("610990971", "1", "2", source=""),
        geolocation(),
    )
    assert parsed.rejected == []
    assert parsed.located == 1


def test_older_lambert93_source_and_decimal_comma_are_read() -> None:
    parsed = feed(structure(), 'geolocalisation;610990997;"484800,5";6818500;' + L93_OLD + ";2024-01-15")
    assert parsed.rejected == []
    assert (parsed.places[0].lat, parsed.places[0].lon) == to_wgs84(484800.5, 6818500.0)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (
            UTM20,
            "système de coordonnées « 1,ATLASANTE,96,BAN,EPSG:5490 RGAF09/UTM Zone 20N » : seul Lambert-93 "
            "(EPSG:2154) est lu, position de l'établissement ignorée",
        ),
        (
            "1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N20",
            "système de coordonnées « 1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N20 » : seul Lambert-93 (EPSG:2154) "
            "est lu, position de l'établissement ignorée",
        ),
        (
            "",
            "système de coordonnées non indiqué : seul Lambert-93 (EPSG:2154) est lu, "
            "position de l'établissement ignorée",
        ),
    ],
)
def test_non_lambert_positions_are_rejected_and_the_place_kept(source: str, reason: str) -> None:
    parsed = feed(structure(), geolocation(source=source))
    assert parsed.rejected == [RejectedRow(3, reason)]
    assert len(parsed.places) == 1
    assert parsed.places[0].lat is None


def test_overseas_utm_positions_are_rejected() -> None:
    data = REAL_EXTRACT + b"\n" + geolocation("970100400", "1090000.5", "2011000.2", source=UTM20).encode()
    parsed = parse_feed(data, ("9A",))
    assert parsed.rejected == [RejectedRow(16, parsed.rejected[0].reason)]
    assert "EPSG:5490" in parsed.rejected[0].reason
    assert "seul Lambert-93" in parsed.rejected[0].reason
    assert by_id(parsed)["970100400"].lat is None


def test_swapped_or_out_of_france_coordinates_are_rejected() -> None:
    parsed = feed(
        structure(),
        structure(nofinesset="610990989"),
        geolocation("610990997", "6818500.0", "484800.0"),
        geolocation("610990989", "-300000", "6600000"),
    )
    assert [row.line for row in parsed.rejected] == [4, 5]
    assert parsed.rejected[0].reason == (
        "coordonnées Lambert-93 hors de la France métropolitaine (X=6818500.0, Y=484800.0) : X et Y inversés ?"
    )
    assert parsed.located == 0


# ---------------------------------------------------------------- départements


def test_departement_filter() -> None:
    data = SAMPLE.read_bytes()
    calvados = parse_feed(data, ("14",))
    assert [place.finess for place in calvados.places] == ["140990015"]
    assert calvados.places[0].insee == "14762"
    assert calvados.skipped_elsewhere == 18
    both = parse_feed(data, ["61", "72"])
    assert len(both.places) == 16
    assert by_id(both)["720990017"].town == "LA FLECHE"
    assert both.rejected == []


def test_a_file_without_the_wanted_departement_is_unusable() -> None:
    with pytest.raises(FeedFormatError, match=r"aucun établissement du ou des départements attendus \(61\)"):
        parse_feed(REAL_EXTRACT)
    with pytest.raises(FeedFormatError, match="départements attendus"):
        parse_feed(SAMPLE.read_bytes(), ("27",))


# ---------------------------------------------------------------- bad rows


def test_bad_rows_are_rejected_with_line_and_reason() -> None:
    parsed = feed(
        structure(),  # line 2: kept
        structure(nofinesset="610990989")[:-20],  # 3: cut
        structure(nofinesset="61-0990"),  # 4
        structure(rslongue="AUTRE NOM"),  # 5: same number as line 2
        structure(nofinesset="610990971", rs="  ", rslongue=""),  # 6
        structure(nofinesset="610990963", commune="1"),  # 7
        "structureetab;610990955;x",  # 8
        geolocation("610990997", "48480O.0"),  # 9: a letter O
        geolocation("610990997") + ";en trop",  # 10
        geolocation(),  # 11: the position of line 2
        geolocation(),  # 12: twice
    )
    assert parsed.rejected == [
        RejectedRow(3, "la ligne « structureet » compte 30 champs au lieu de 32 (séparateur ou guillemet mal placé ?)"),
        RejectedRow(4, "numéro FINESS « 61-0990 » invalide (9 caractères attendus)"),
        RejectedRow(5, "l'établissement n° 610990997 a déjà été lu ligne 2"),
        RejectedRow(6, "raison sociale vide"),
        RejectedRow(7, "code commune « 61 1 » invalide (département et commune sur 3 chiffres attendus)"),
        RejectedRow(8, "type de ligne « structureetab » inconnu (structureet ou geolocalisation)"),
        RejectedRow(9, "coordonnée X « 48480O.0 » illisible"),
        RejectedRow(
            10, "la ligne « geolocalisation » compte 7 champs au lieu de 6 (séparateur ou guillemet mal placé ?)"
        ),
        RejectedRow(12, "l'établissement n° 610990997 a déjà une géolocalisation, ligne 11"),
    ]
    assert [place.finess for place in parsed.places] == ["610990997"]
    assert parsed.places[0].name == "PHARMACIE DU TEST"
    assert parsed.located == 1
    assert parsed.rows_read == 11
    # the numbers of the rejected rows, when readable; line 4's establishment cannot be told
    assert parsed.rejected_finess == {"610990989", "610990997", "610990971", "610990963", "610990955"}
    assert parsed.unattributed_rejections


def test_a_rejected_row_is_attributed_to_its_finess_number() -> None:
    """Each rejected row names its establishment when its second field reads as a FINESS number: the store keeps
    that stored place as it is (a bad row never withdraws what is stored)."""
    parsed = feed(
        structure(),  # line 2: kept
        structure(nofinesset="610990989")[:-20],  # 3: cut
        structure(nofinesset="610990971", rs="", rslongue=""),  # 4: no name
        structure(nofinesset="610990963", commune="1"),  # 5: bad commune
        structure(nofinesset="610990955", departement="ORNE"),  # 6: a shifted row
        "structureetab;610990948;x",  # 7: an unknown type
        geolocation("61-0990"),  # 8: a geolocation never makes a place: not unattributed
        geolocation("610990930"),  # 9: no such establishment
    )
    assert [row.line for row in parsed.rejected] == [3, 4, 5, 6, 7, 8, 9]
    assert parsed.rejected[3].reason == "code département « ORNE » invalide (un champ en trop ou en moins ?)"
    assert parsed.rejected_finess == {"610990989", "610990971", "610990963", "610990955", "610990948", "610990930"}
    assert not parsed.unattributed_rejections
    assert [place.finess for place in parsed.places] == ["610990997"]


@pytest.mark.parametrize(
    "row",
    [
        structure(nofinesset="61O990997"),  # a letter O
        structure(nofinesset="6" * 1500),
        "structureet",  # one field
        "autre;;x",  # an unknown type without a number
    ],
)
def test_a_rejected_row_without_a_readable_number_is_unattributed(row: str) -> None:
    parsed = feed(structure(), row)
    assert [row.line for row in parsed.rejected] == [3]
    assert parsed.rejected_finess == set() and parsed.unattributed_rejections


def test_a_whole_file_has_no_rejections_to_attribute() -> None:
    parsed = parse_feed(SAMPLE.read_bytes())
    assert parsed.rejected_finess == set() and not parsed.unattributed_rejections


def test_fields_are_cleaned_and_bounded() -> None:
    parsed = feed(
        structure(
            rslongue="",
            rs="PHARMACIE  <b>DU</b>\x07 BOURG" + "X" * 300,
            telephone="02 33 99 99 99",
            ligneacheminement="61014  ALENCON CEDEX 1",
            numvoie="",
            typvoie="",
            voie="",
            lieuditbp="CS 20010",
            dateouv="1899-13-01",
            datemaj="",
        ),
    )
    place = parsed.places[0]
    assert place.name.startswith("PHARMACIE DU BOURG")
    assert "<" not in place.name and "\x07" not in place.name
    assert len(place.name) <= 150
    assert (place.phone, place.postcode, place.town, place.address) == ("0233999999", "61014", "ALENCON", "")
    assert (place.opened, place.updated) == (None, None)
    unusual = feed(structure(telephone="+33 2 33", ligneacheminement="ALENCON", typvoie="XYZ", compvoie="T"))
    assert (unusual.places[0].phone, unusual.places[0].postcode, unusual.places[0].town) == (None, None, "ALENCON")
    assert unusual.places[0].address == "3 TER XYZ DE L ESSAI"


def test_a_row_without_its_trailing_separator_is_read() -> None:
    parsed = feed(structure()[: -len(";")])  # the empty 32nd field lost
    assert parsed.rejected == []
    assert len(parsed.places) == 1


# ---------------------------------------------------------------- unusable files


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "vide"),
        (b"\n\n", "vide"),
        (b"<!DOCTYPE html><html><body>Maintenance</body></html>", "HTML"),
        (b'{"structures": []}', "JSON"),
        (b"\x00\x01\x02", "binaire"),
        ((structure() + "\n").encode(), "première ligne devrait être « finess;etalab;… »"),
        (b"nofinesset;rs;categetab\n610990997;PHARMACIE;620\n", "première ligne devrait être"),
        ((METADATA + "\n").encode(), "ne contient que la ligne d'en-tête"),
        (
            (METADATA + "\nstructureet;610990997;PHARMACIE;620\nstructureet;610990989;PHARMACIE;620\n").encode(),
            r"Aucune des 2 lignes du fichier n'est une ligne « structureet » lisible.*"
            r"ligne 2 : la ligne « structureet » compte 4 champs",
        ),
        ((METADATA + "\n" + geolocation() + "\n").encode(), "Aucune des 1 lignes"),
    ],
)
def test_unusable_files_raise_feed_format_error(data: bytes, message: str) -> None:
    with pytest.raises(FeedFormatError, match=message):
        parse_feed(data)


# ---------------------------------------------------------------- categories


def test_category_mapping() -> None:
    assert set(CATEGORIES.values()) == set(PLACE_CATEGORIES)
    for code in ("101", "106", "355", "362", "365"):
        assert CATEGORIES[code] == "hospital"
    for code in ("620", "627", "628", "629", "641"):
        assert CATEGORIES[code] == "pharmacy"
    for code in ("124", "603"):
        assert CATEGORIES[code] == "doctor"
    for code in ("500", "611", "223", "127", "146", "699"):
        assert code not in CATEGORIES


def test_skipped_categories_are_counted_by_code() -> None:
    parsed = feed(
        structure(),
        structure(nofinesset="610990989", categetab="500"),
        structure(nofinesset="610990971", categetab="500"),
        structure(nofinesset="610990963", categetab=""),
        structure(nofinesset="610990955", categetab="62O"),
    )
    assert dict(parsed.skipped_categories) == {"500": 2}
    assert len(parsed.places) == 1
    # A category code that is not one (empty, a letter for a digit) is a damaged row: rejected, its place kept.
    assert [r.reason for r in parsed.rejected] == [
        "code de catégorie «  » invalide (3 chiffres attendus)",
        "code de catégorie « 62O » invalide (3 chiffres attendus)",
    ]
    assert parsed.rejected_finess == {"610990963", "610990955"}


# ---------------------------------------------------------------- the real extract


def test_real_extract_parses() -> None:
    parsed = parse_feed(REAL_EXTRACT, ("01", *OVERSEAS))
    assert parsed.extracted_on == dt.date(2026, 5, 12)
    assert parsed.rows_read == 14
    assert parsed.rejected == []
    assert parsed.skipped_elsewhere == 0
    assert sum(parsed.skipped_categories.values()) == 9
    assert parsed.located == 0  # no geolocalisation rows in the extract
    places = by_id(parsed)
    assert set(places) == {"010000024", "970100400", "970300026", "970400024", "980600027"}
    assert places["010000024"] == FinessPlace(
        finess="010000024",
        category="hospital",
        category_code="355",
        category_label="Centre Hospitalier (C.H.)",
        name="CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT",
        address="900 ROUTE DE PARIS",
        postcode="01440",
        town="VIRIAT",
        insee="01451",
        phone="0474454647",
        lat=None,
        lon=None,
        opened=dt.date(1979, 2, 13),
        updated=dt.date(2020, 2, 4),
    )
    cayenne = places["970300026"]
    assert (cayenne.name, cayenne.address, cayenne.postcode, cayenne.town, cayenne.insee) == (
        "CENTRE HOSPITALIER DE CAYENNE",
        "AVENUE ALEXIS BLAISE",
        "97306",
        "CAYENNE",
        "97302",
    )
    assert cayenne.opened == dt.date(1904, 4, 4)
    assert (places["970100400"].address, places["970100400"].insee) == ("", "97127")
    assert (places["970400024"].category_code, places["970400024"].address) == ("101", "ALLÉE DES TOPAZES")
    sia = places["980600027"]
    assert (sia.name, sia.insee, sia.town, sia.phone) == ("HOPITAL DE SIA", "98613", "UVEA", None)


def test_real_extract_quoted_field_with_doubled_quotes() -> None:
    parsed = parse_feed(REAL_EXTRACT.replace(b";462;", b";603;"), ("9F",))
    assert parsed.rejected == []
    place = by_id(parsed)["980501506"]
    assert place.name == 'LIEU DE VIE ET D\'ACCUEIL "MAVOUNA MEMA 1"'
    assert (place.category, place.insee, place.address) == ("doctor", "97606", "12 RUE ANCIEN TERRAIN DE FOOT")
