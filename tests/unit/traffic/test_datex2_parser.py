"""Unit tests of the DATEX II SituationPublication parser, v2.x and v3.x (offline, deterministic)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from poche_common.errors import FeedFormatError
from traffic_datex2.model import ParsedFeed, TrafficEvent
from traffic_datex2.parser import parse_feed

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "functions/connectors/traffic_datex2/sample"
UTC = dt.UTC
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 10:00 in Paris


def v2(records: str, *, situation: str = '<situation id="S1" version="1">', lang: str = "fr") -> bytes:
    """A v2 SituationPublication holding `records` in one situation."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<d2LogicalModel xmlns="http://datex2.eu/schema/2/2_0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 modelBaseVersion="2">
  <exchange><supplierIdentification><country>fr</country><nationalIdentifier>T</nationalIdentifier>
  </supplierIdentification></exchange>
  <payloadPublication xsi:type="SituationPublication" lang="{lang}">
    <publicationTime>2026-12-02T09:55:00+01:00</publicationTime>
    {situation}{records}</situation>
  </payloadPublication>
</d2LogicalModel>""".encode()


def record(
    *,
    rid: str = "R1",
    kind: str = "MaintenanceWorks",
    status: str = "definedByValidityTimeSpec",
    start: str = "2026-12-01T08:00:00+01:00",
    end: str | None = "2026-12-04T18:00:00+01:00",
    severity: str | None = "medium",
    location: str = '<groupOfLocations xsi:type="Point"><locationForDisplay><latitude>48.43</latitude>'
    "<longitude>0.09</longitude></locationForDisplay></groupOfLocations>",
    extra: str = "",
    comment: str = "",
    attributes: str | None = None,
) -> str:
    attrs = attributes if attributes is not None else f'id="{rid}" version="1" xsi:type="{kind}"'
    end_xml = f"<overallEndTime>{end}</overallEndTime>" if end else ""
    severity_xml = f"<severity>{severity}</severity>" if severity else ""
    return f"""<situationRecord {attrs}>
  <situationRecordCreationTime>2026-11-30T08:00:00+01:00</situationRecordCreationTime>
  <situationRecordVersionTime>2026-11-30T09:00:00+01:00</situationRecordVersionTime>
  {severity_xml}
  <validity><validityStatus>{status}</validityStatus><validityTimeSpecification>
    <overallStartTime>{start}</overallStartTime>{end_xml}</validityTimeSpecification></validity>
  {comment}
  {location}
  {extra}
</situationRecord>"""


def only(feed: ParsedFeed) -> TrafficEvent:
    assert not feed.rejected, feed.rejected
    (event,) = feed.events
    return event


def by_record(feed: ParsedFeed) -> dict[str, TrafficEvent]:
    return {event.record_id: event for event in feed.events}


# --- the bundled samples ----------------------------------------------------------------------------------------


def test_v2_sample_reads_every_record_and_rejects_the_malformed_one() -> None:
    feed = parse_feed((SAMPLES / "situations-v2.xml").read_bytes())

    assert feed.datex_version == "2"
    assert feed.published_at == dt.datetime(2026, 12, 2, 8, 55, tzinfo=UTC)
    assert (feed.records_read, len(feed.events), len(feed.rejected)) == (9, 8, 1)
    (bad,) = feed.rejected
    assert (bad.situation_id, bad.record_id) == ("CD61_D932_2026_121", "CD61_D932_2026_121_01")
    assert bad.reason == "overallStartTime « 03/12/2026 07:00 » n'est pas une date-heure ISO 8601"
    types = {event.record_id: event.type for event in feed.events}
    assert types == {
        "DIRNO_N12_20261123_001_01": "roadworks",
        "DIRNO_N12_20261123_001_02": "restriction",
        "CD61_D438_SEES_2026_117_01": "closure",
        "ALIS_A28_20261202_0840_01": "accident",
        "CD61_METEO_20261202_NEIGE_01": "weather",
        "CD61_D924_FLERS_2026_098_01": "roadworks",
        "BELLEME_MARCHE_NOEL_2026_01": "event",
        "DIRNO_N12_PREENPAIL_2026_045_01": "roadworks",
    }


def test_v2_works_on_a_line_with_road_number_validity_and_french_comment() -> None:
    works = by_record(parse_feed((SAMPLES / "situations-v2.xml").read_bytes()))["DIRNO_N12_20261123_001_01"]

    assert works.id == "DIRNO_N12_20261123_001:DIRNO_N12_20261123_001_01"
    assert (works.datex_type, works.detail, works.severity, works.status) == (
        "MaintenanceWorks",
        "resurfacingWork",
        "medium",
        "defined_by_time",
    )
    assert works.start == dt.datetime(2026, 11, 23, 6, 30, tzinfo=UTC)
    assert works.end == dt.datetime(2026, 12, 18, 17, 0, tzinfo=UTC)
    assert (works.road, works.road_name) == ("N12", "Route nationale 12")  # "RN12" as published
    assert works.geometry.kind == "line"
    assert works.geometry.positions == ((0.068, 48.43), (-0.0385, 48.4552))
    assert works.geometry.display == (0.0087, 48.4437)
    assert works.description == (
        "RN12 entre Alençon (giratoire de Lancrel) et Saint-Denis-sur-Sarthon : renouvellement de la chaussée, "
        "circulation alternée par feux de 7 h 30 à 18 h en semaine. Prévoir 10 minutes de retard."
    )
    assert not works.description_generated
    assert works.updated_at == dt.datetime(2026, 11, 30, 15, 40, tzinfo=UTC)
    assert works.active_at(NOW)


def test_v2_record_without_coordinates_takes_its_situations_location() -> None:
    events = by_record(parse_feed((SAMPLES / "situations-v2.xml").read_bytes()))
    works, alternate = events["DIRNO_N12_20261123_001_01"], events["DIRNO_N12_20261123_001_02"]

    assert alternate.geometry == works.geometry
    assert alternate.road == "N12"
    assert alternate.severity == "medium"  # no severity of its own: the situation's overallSeverity
    assert alternate.description == "Circulation restreinte (circulation alternée) sur la N12."
    assert alternate.description_generated


def test_v2_closure_accident_weather_finished_and_future() -> None:
    events = by_record(parse_feed((SAMPLES / "situations-v2.xml").read_bytes()))

    closure = events["CD61_D438_SEES_2026_117_01"]
    assert (closure.type, closure.severity, closure.status, closure.road) == ("closure", "high", "active", "D438")
    assert closure.places == ("Sées",)
    assert closure.description == "Route fermée sur la D438 à Sées."
    assert closure.geometry.kind == "line" and len(closure.geometry.positions) == 2
    assert closure.active_at(NOW)

    accident = events["ALIS_A28_20261202_0840_01"]
    assert accident.geometry.kind == "point" and accident.geometry.positions == ((0.1418, 48.5262),)
    assert accident.road == "A28" and accident.end is None
    assert accident.description.startswith("A28 sens Rouen vers Alençon")  # French preferred to English
    assert accident.active_at(NOW)

    snow = events["CD61_METEO_20261202_NEIGE_01"]
    assert (snow.type, snow.detail) == ("weather", "snowfall")
    assert snow.description == "Conditions météo difficiles (chutes de neige) à Mortagne-au-Perche."
    assert snow.description_generated  # the feed's only comment is in English

    finished = events["CD61_D924_FLERS_2026_098_01"]
    assert finished.end == dt.datetime(2026, 11, 28, 16, 0, tzinfo=UTC) and not finished.active_at(NOW)
    future = events["BELLEME_MARCHE_NOEL_2026_01"]
    assert future.start > NOW and not future.active_at(NOW)
    assert future.active_at(dt.datetime(2026, 12, 12, 10, 0, tzinfo=UTC))


def test_v3_sample_same_scenario_other_shapes() -> None:
    feed = parse_feed((SAMPLES / "situations-v3.xml").read_bytes())

    assert feed.datex_version == "3"
    assert (feed.records_read, len(feed.events), len(feed.rejected)) == (7, 6, 1)
    (bad,) = feed.rejected
    assert bad.ref == "CD61-2026-D932-0121:CD61-2026-D932-0121-R1"
    assert bad.reason == "latitude 148.6720 est hors des bornes WGS84 (-90 à 90)"
    events = by_record(feed)
    works = events["CD61-2026-N12-0412-R1"]
    assert works.type == "roadworks" and works.datex_type == "MaintenanceWorks"  # "sit:" prefix dropped
    # posList is "lat lon": positions come out (lon, lat)
    assert works.geometry.positions == ((0.068, 48.43), (0.0301, 48.438), (-0.0052, 48.4471), (-0.0385, 48.4552))
    assert works.geometry.display == (0.0087, 48.4437)  # coordinatesForDisplay
    assert (works.road, works.road_name) == ("N12", "Route nationale 12")  # "N 12" as published
    assert works.start == dt.datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # "Z"
    assert works.severity == "medium"  # overallSeverity

    closure = events["CD61-2026-D438-0117-R1"]
    assert (closure.type, closure.detail, closure.road) == ("closure", "roadClosed", "D438")
    assert closure.description.startswith("Sées : D438 (rue d'Argentan) fermée")

    accident = events["CD61-2026-A28-1202-0840-R1"]
    assert (accident.type, accident.severity, accident.road) == ("accident", "highest", "A28")
    assert accident.geometry.kind == "point"

    snow = events["CD61-2026-METEO-1202-R1"]
    assert snow.geometry.kind == "point" and snow.geometry.positions == ((0.5467, 48.5203),)
    assert snow.description == "Conditions météo difficiles (fortes chutes de neige) à Mortagne-au-Perche."

    future = events["CD61-2026-BELLEME-NOEL-R1"]
    assert future.status == "planned" and not future.active_at(NOW)
    finished = events["CD61-2026-D924-0098-R1"]
    assert finished.description == "Travaux (marquage au sol) sur la D924." and not finished.active_at(NOW)
    assert [e.id for e in feed.events if e.active_at(NOW)] == [
        "CD61-2026-N12-0412:CD61-2026-N12-0412-R1",
        "CD61-2026-D438-0117:CD61-2026-D438-0117-R1",
        "CD61-2026-A28-1202-0840:CD61-2026-A28-1202-0840-R1",
        "CD61-2026-METEO-1202:CD61-2026-METEO-1202-R1",
    ]


# --- safe XML ---------------------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE d2LogicalModel [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<d2LogicalModel xmlns="http://datex2.eu/schema/2/2_0">&lol9;</d2LogicalModel>"""


def test_billion_laughs_is_refused_before_any_expansion() -> None:
    started = time.perf_counter()
    with pytest.raises(FeedFormatError, match="DOCTYPE") as error:
        parse_feed(BILLION_LAUGHS)
    assert time.perf_counter() - started < 0.5
    assert "sécurité" in str(error.value)


def test_external_entity_xxe_is_refused_and_the_file_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT-DE-PASSE-SECRET", encoding="utf-8")
    attack = v2(
        record(
            comment="<generalPublicComment><comment><values><value lang='fr'>&xxe;</value></values></comment>"
            "</generalPublicComment>"
        )
    ).replace(
        b"<d2LogicalModel",
        f'<!DOCTYPE d2LogicalModel [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n<d2LogicalModel'.encode(),
        1,
    )

    with pytest.raises(FeedFormatError, match="DOCTYPE") as error:
        parse_feed(attack)
    assert "MOT-DE-PASSE" not in str(error.value)


@pytest.mark.parametrize(
    "prologue",
    [
        '<!DOCTYPE d2LogicalModel SYSTEM "http://127.0.0.1:9/datex.dtd">',
        '<!DOCTYPE d2LogicalModel [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>',
        "<!DOCTYPE d2LogicalModel [<!ELEMENT d2LogicalModel ANY>]>",
    ],
    ids=["external-dtd", "parameter-entity", "harmless-looking-dtd"],
)
def test_every_doctype_is_refused(prologue: str) -> None:
    attack = v2(record()).replace(b"<d2LogicalModel", f"{prologue}\n<d2LogicalModel".encode(), 1)

    with pytest.raises(FeedFormatError, match="DOCTYPE"):
        parse_feed(attack)


def test_an_undeclared_entity_is_a_malformed_feed() -> None:
    attack = v2(
        record(
            comment="<generalPublicComment><comment><values><value>&xxe;</value></values></comment>"
            "</generalPublicComment>"
        )
    )

    with pytest.raises(FeedFormatError, match="pas un XML bien formé"):
        parse_feed(attack)


# --- whole-feed failures ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "vide"),
        (b"   \n", "vide"),
        (b'{"situations": []}', "pas du XML"),
        (b"<!doctype html><html><body>Service indisponible</body></html>", "page HTML"),
        (b"<html><body>Erreur 502</body></html>", "page HTML"),
        (b"<error><code>502</code></error>", "racine « error »"),
        (b"<rss version='2.0'><channel/></rss>", "racine « rss »"),
    ],
    ids=["empty", "blank", "json", "html-with-doctype", "html", "other-xml", "rss"],
)
def test_what_is_not_a_situation_publication_fails_whole(data: bytes, message: str) -> None:
    with pytest.raises(FeedFormatError, match=message):
        parse_feed(data)


def test_a_truncated_file_fails_whole() -> None:
    data = (SAMPLES / "situations-v2.xml").read_bytes()

    with pytest.raises(FeedFormatError, match="tronqué"):
        parse_feed(data[: len(data) // 2])


def test_another_publication_type_is_the_wrong_format() -> None:
    regulation = b"""<?xml version="1.0" encoding="UTF-8"?>
<d2:payload xmlns:d2="http://datex2.eu/schema/3/d2Payload" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:com="http://datex2.eu/schema/3/common" xsi:type="TrafficRegulationPublication" modelBaseVersion="3">
  <com:publicationTime>2026-12-02T09:00:00Z</com:publicationTime>
</d2:payload>"""

    with pytest.raises(FeedFormatError, match="TrafficRegulationPublication"):
        parse_feed(regulation)


def test_when_no_record_is_usable_the_feed_fails_whole() -> None:
    with pytest.raises(FeedFormatError, match="Aucun des 2 enregistrements") as error:
        parse_feed(v2(record(rid="A", start="demain") + record(rid="B", status="bientot")))
    assert "S1:A : overallStartTime « demain »" in str(error.value)


def test_an_empty_publication_is_valid_and_empty() -> None:
    feed = parse_feed(v2(""))

    assert (feed.records_read, feed.events, feed.rejected) == (0, [], [])


# --- one bad record, the others kept ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (record(attributes='version="1" xsi:type="Accident"'), "situationRecord sans attribut id"),
        (record(attributes='id="BAD" version="1"'), "situationRecord sans xsi:type"),
        (record(status="bientôt"), "validityStatus « bientôt » inconnu"),
        (record(start="2026-12-01T25:00:00+01:00"), "overallStartTime « 2026-12-01T25:00:00+01:00 »"),
        (record(end="2026-11-01T08:00:00+01:00"), "précède overallStartTime"),
        (record(location="<groupOfLocations xsi:type='Point'/>"), "aucune position WGS84"),
        (record(location=""), "aucune position WGS84"),
        (
            record(
                location="<groupOfLocations><locationForDisplay><latitude>48.4</latitude></locationForDisplay>"
                "</groupOfLocations>"
            ),
            "que sa latitude ou que sa longitude",
        ),
        (
            record(
                location="<groupOfLocations><locationForDisplay><latitude>nord</latitude><longitude>0.1</longitude>"
                "</locationForDisplay></groupOfLocations>"
            ),
            "latitude « nord » n'est pas un nombre",
        ),
        (
            record(
                location="<groupOfLocations><locationForDisplay><latitude>48.4</latitude><longitude>200</longitude>"
                "</locationForDisplay></groupOfLocations>"
            ),
            "longitude 200 est hors des bornes WGS84",
        ),
        (
            record(
                location="<locationReference><gmlLineString><posList>48.4 0.1 48.5</posList></gmlLineString>"
                "</locationReference>"
            ),
            "pas un nombre pair",
        ),
    ],
    ids=[
        "no-id",
        "no-type",
        "unknown-status",
        "bad-start",
        "end-before-start",
        "empty-location",
        "no-location",
        "latitude-only",
        "latitude-not-a-number",
        "longitude-out-of-range",
        "odd-poslist",
    ],
)
def test_a_bad_record_is_rejected_with_its_reason_and_the_others_kept(bad: str, reason: str) -> None:
    # the bad record comes first, with no located sibling before it to borrow a location from
    data = v2(bad, situation='<situation id="S1" version="1">').replace(
        b"</situation>", b'</situation><situation id="S2" version="1">' + record(rid="GOOD").encode() + b"</situation>"
    )
    feed = parse_feed(data)

    assert feed.records_read == 2
    assert [e.id for e in feed.events] == ["S2:GOOD"]
    (rejected,) = feed.rejected
    assert rejected.situation_id == "S1"
    assert reason in rejected.reason


def test_a_situation_without_id_rejects_its_records() -> None:
    data = v2(record(rid="X"), situation="<situation>").replace(
        b"</situation>", b'</situation><situation id="S2">' + record(rid="GOOD").encode() + b"</situation>"
    )
    feed = parse_feed(data)

    assert [r.reason for r in feed.rejected] == ["situation sans attribut id"]
    assert [e.id for e in feed.events] == ["S2:GOOD"]


# --- types, severity, validity, location, description -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "extra", "expected"),
    [
        ("MaintenanceWorks", "<roadMaintenanceType>roadworks</roadMaintenanceType>", "roadworks"),
        ("ConstructionWorks", "<constructionWorkType>constructionWork</constructionWorkType>", "roadworks"),
        ("sit:Roadworks", "", "roadworks"),
        ("Accident", "<accidentType>seriousAccident</accidentType>", "accident"),
        ("PoorEnvironmentConditions", "<poorEnvironmentType>fog</poorEnvironmentType>", "weather"),
        (
            "WeatherRelatedRoadConditions",
            "<weatherRelatedRoadConditionType>blackIce</weatherRelatedRoadConditionType>",
            "weather",
        ),
        ("AbnormalTraffic", "<abnormalTrafficType>stationaryTraffic</abnormalTrafficType>", "congestion"),
        ("VehicleObstruction", "<vehicleObstructionType>brokenDownVehicle</vehicleObstructionType>", "obstruction"),
        (
            "EnvironmentalObstruction",
            "<environmentalObstructionType>fallenTrees</environmentalObstructionType>",
            "obstruction",
        ),
        ("GeneralObstruction", "<obstructionType>objectOnTheRoad</obstructionType>", "obstruction"),
        ("PublicEvent", "<publicEventType>cycleRace</publicEventType>", "event"),
        (
            "RoadOrCarriagewayOrLaneManagement",
            "<roadOrCarriagewayOrLaneManagementType>roadClosed</roadOrCarriagewayOrLaneManagementType>",
            "closure",
        ),
        (
            "RoadOrCarriagewayOrLaneManagement",
            "<roadOrCarriagewayOrLaneManagementType>carriagewayClosures</roadOrCarriagewayOrLaneManagementType>",
            "closure",
        ),
        (
            "RoadOrCarriagewayOrLaneManagement",
            "<roadOrCarriagewayOrLaneManagementType>laneClosures</roadOrCarriagewayOrLaneManagementType>",
            "restriction",
        ),
        (
            "RoadOrCarriagewayOrLaneManagement",
            "<impact><trafficConstrictionType>roadBlocked</trafficConstrictionType></impact>"
            "<roadOrCarriagewayOrLaneManagementType>other</roadOrCarriagewayOrLaneManagementType>",
            "closure",
        ),
        (
            "sit:GeneralNetworkManagement",
            "<generalNetworkManagementType>roadClosed</generalNetworkManagementType>",
            "closure",
        ),
        ("SpeedManagement", "", "restriction"),
        ("TransitInformation", "", "other"),
        ("SomethingNew", "", "other"),
    ],
)
def test_record_types_map_to_codes(kind: str, extra: str, expected: str) -> None:
    event = only(parse_feed(v2(record(kind=kind, extra=extra))))

    assert event.type == expected
    assert event.datex_type == kind.split(":")[-1]


def test_generated_descriptions_read_as_french_sentences() -> None:
    line = (
        "<groupOfLocations xsi:type='Linear'><tpegLinearLocation>"
        "<to><pointCoordinates><latitude>48.75</latitude><longitude>-0.03</longitude></pointCoordinates>"
        "<name><descriptor><values><value lang='fr'>Argentan</value></values></descriptor></name></to>"
        "<from><pointCoordinates><latitude>48.60</latitude><longitude>0.17</longitude></pointCoordinates>"
        "<name><descriptor><values><value lang='fr'>Sées</value></values></descriptor></name></from>"
        "</tpegLinearLocation><linearWithinLinearElement><linearElement><roadNumber>RD 958</roadNumber>"
        "</linearElement></linearWithinLinearElement></groupOfLocations>"
    )
    traffic = only(
        parse_feed(
            v2(
                record(
                    kind="AbnormalTraffic",
                    location=line,
                    extra="<abnormalTrafficType>slowTraffic</abnormalTrafficType>",
                )
            )
        )
    )
    assert traffic.description == "Bouchon (ralentissements) sur la D958 entre Argentan et Sées."

    autoroute = only(
        parse_feed(
            v2(
                record(
                    kind="Accident",
                    extra="<accidentType>accident</accidentType>",
                    location=line.replace("RD 958", "A88"),
                )
            )
        )
    )
    assert autoroute.description == "Accident sur l'A88 entre Argentan et Sées."

    bare = only(parse_feed(v2(record(kind="TransitInformation"))))
    assert bare.description == "Autre perturbation."


@pytest.mark.parametrize(
    ("comment", "lang", "expected"),
    [
        (
            '<value lang="en">Road closed</value><value lang="fr-FR">Route  barrée\n   cette nuit</value>',
            "fr",
            "Route barrée cette nuit",
        ),
        ("<value>Chaussée glissante</value>", "fr", "Chaussée glissante"),
        ("<value>Slippery road</value>", "en", None),
        (
            '<value lang="FR">Premier paragraphe\n\n   second paragraphe</value>',
            "en",
            "Premier paragraphe\n\nsecond paragraphe",
        ),
    ],
    ids=["fr-region-preferred", "no-lang-in-french-publication", "no-lang-in-english-publication", "paragraphs"],
)
def test_french_comment_chosen_else_a_sentence_is_built(comment: str, lang: str, expected: str | None) -> None:
    xml = f"<generalPublicComment><comment><values>{comment}</values></comment></generalPublicComment>"
    event = only(parse_feed(v2(record(kind="PoorEnvironmentConditions", comment=xml), lang=lang)))

    if expected is None:
        assert event.description_generated and event.description == "Conditions météo difficiles."
    else:
        assert (event.description, event.description_generated) == (expected, False)


def test_two_comments_are_both_kept() -> None:
    comments = "".join(
        f"<generalPublicComment><comment><values><value lang='fr'>{text}</value></values></comment>"
        "</generalPublicComment>"
        for text in ("Chaussée rétrécie.", "Vitesse limitée à 50 km/h.")
    )
    event = only(parse_feed(v2(record(comment=comments))))

    assert event.description == "Chaussée rétrécie.\n\nVitesse limitée à 50 km/h."


@pytest.mark.parametrize(
    ("situation", "severity", "expected"),
    [
        ('<situation id="S1">', "high", "high"),
        ('<situation id="S1"><overallSeverity>low</overallSeverity>', None, "low"),
        ('<situation id="S1">', None, "unknown"),
        ('<situation id="S1">', "catastrophique", "unknown"),
        ('<situation id="S1"><overallSeverity>highest</overallSeverity>', "lowest", "lowest"),
    ],
)
def test_severity_from_the_record_else_the_situation(situation: str, severity: str | None, expected: str) -> None:
    event = only(parse_feed(v2(record(severity=severity), situation=situation)))

    assert event.severity == expected


@pytest.mark.parametrize(
    ("status", "start", "end", "moments"),
    [
        # status, start, end, {moment: in force?}
        (
            "definedByValidityTimeSpec",
            "2026-12-01T08:00:00+01:00",
            "2026-12-04T18:00:00+01:00",
            {"2026-12-01T07:59:00+01:00": False, "2026-12-01T08:00:00+01:00": True, "2026-12-04T18:00:00+01:00": False},
        ),
        ("active", "2026-12-03T08:00:00+01:00", None, {"2026-12-02T10:00:00+01:00": True}),
        ("active", "2026-12-01T08:00:00+01:00", "2026-12-02T08:00:00+01:00", {"2026-12-02T10:00:00+01:00": False}),
        ("suspended", "2026-12-01T08:00:00+01:00", None, {"2026-12-02T10:00:00+01:00": False}),
        (
            "planned",
            "2026-12-01T08:00:00+01:00",
            None,
            {"2026-11-30T10:00:00+01:00": False, "2026-12-02T10:00:00+01:00": True},
        ),
    ],
    ids=["time-spec", "active-says-now", "active-but-ended", "suspended", "planned"],
)
def test_in_force_is_computed_from_status_and_period(
    status: str, start: str, end: str | None, moments: dict[str, bool]
) -> None:
    event = only(parse_feed(v2(record(status=status, start=start, end=end))))

    assert event.status in ("defined_by_time", "active", "suspended", "planned")
    for moment, expected in moments.items():
        assert event.active_at(dt.datetime.fromisoformat(moment)) is expected, moment


def test_times_without_offset_are_paris_time() -> None:
    event = only(parse_feed(v2(record(start="2026-07-01T08:00:00", end="2026-07-01T18:00:00.1234567"))))

    assert event.start == dt.datetime(2026, 7, 1, 6, 0, tzinfo=UTC)  # summer: UTC+2
    assert event.end is not None and event.end.replace(microsecond=0) == dt.datetime(2026, 7, 1, 16, 0, tzinfo=UTC)


def test_a_malformed_bookkeeping_time_does_not_drop_the_record() -> None:
    data = v2(record()).replace(b"2026-11-30T09:00:00+01:00", b"hier")

    assert only(parse_feed(data)).updated_at is None


def test_linear_by_coordinates_and_point_shapes() -> None:
    linear = (
        "<groupOfLocations xsi:type='Linear'><linearExtension><linearByCoordinatesExtension>"
        "<linearCoordinatesStartPoint><pointCoordinates><latitude>48.1</latitude><longitude>0.1</longitude>"
        "</pointCoordinates></linearCoordinatesStartPoint>"
        "<linearCoordinatesEndPoint><pointCoordinates><latitude>48.2</latitude><longitude>0.3</longitude>"
        "</pointCoordinates></linearCoordinatesEndPoint></linearByCoordinatesExtension></linearExtension>"
        "</groupOfLocations>"
    )
    line = only(parse_feed(v2(record(location=linear)))).geometry
    assert (line.kind, line.positions, line.display) == ("line", ((0.1, 48.1), (0.3, 48.2)), (0.3, 48.2))
    assert line.bbox == (0.1, 48.1, 0.3, 48.2)

    same_twice = linear.replace("48.2", "48.1").replace("0.3", "0.1")
    point = only(parse_feed(v2(record(location=same_twice)))).geometry
    assert (point.kind, point.positions) == ("point", ((0.1, 48.1),))

    by_coordinates = (
        "<groupOfLocations xsi:type='Point'><pointByCoordinates><pointCoordinates><latitude>48.5</latitude>"
        "<longitude>-0.4</longitude></pointCoordinates></pointByCoordinates></groupOfLocations>"
    )
    assert only(parse_feed(v2(record(location=by_coordinates)))).geometry.positions == ((-0.4, 48.5),)


def test_a_v3_situation_publication_element_and_messy_namespaces() -> None:
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<ex:messageContainer xmlns:ex="http://datex2.eu/schema/3/messageContainer"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <ex:payload xmlns:s="http://datex2.eu/schema/3/situation" xmlns:c="http://datex2.eu/schema/3/common"
  xmlns:l="http://datex2.eu/schema/3/locationReferencing" xsi:type="s:SituationPublication" lang="fr">
  <s:situation id="X">
   <s:situationRecord xsi:type="s:AbnormalTraffic" id="X1" version="2">
    <s:severity>low</s:severity>
    <s:validity><c:validityStatus>active</c:validityStatus>
     <c:validityTimeSpecification><c:overallStartTime>2026-12-02T07:00:00Z</c:overallStartTime>
     </c:validityTimeSpecification></s:validity>
    <s:locationReference xsi:type="l:PointLocation"><l:pointByCoordinates><l:pointCoordinates>
     <l:latitude>48.6</l:latitude><l:longitude>0.2</l:longitude></l:pointCoordinates></l:pointByCoordinates>
    </s:locationReference>
    <s:abnormalTrafficType>queuingTraffic</s:abnormalTrafficType>
   </s:situationRecord>
  </s:situation>
 </ex:payload>
</ex:messageContainer>"""
    feed = parse_feed(data)

    event = only(feed)
    assert feed.datex_version == "3"
    assert (event.id, event.type, event.version) == ("X:X1", "congestion", "2")
    assert event.description == "Bouchon (circulation en accordéon)."
