"""Unit tests of the CAP 1.2 / Meteoalarm Atom parser and of the area matching (offline, deterministic)."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest

from alerts_cap.area import (
    ORNE,
    Territory,
    alert_covers,
    circle_touches,
    covered_areas,
    covers,
    entry_may_cover,
    point_in_polygon,
)
from alerts_cap.model import Alert, Area, Circle, FeedEntry
from alerts_cap.parser import (
    MAX_POLYGON_POINTS,
    parse_atom,
    parse_cap,
    parse_circle,
    parse_polygon,
    read_atom,
)
from poche_common.errors import FeedFormatError

HERE = Path(__file__).resolve().parent
REAL = HERE / "cap_samples"
ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "functions/connectors/alerts_cap/sample"
UTC = dt.UTC

FRANCE_CAP = (REAL / "meteofrance-cap-alert-avalanches-2022-12-07.xml").read_bytes()
IRELAND_CAP = (REAL / "meteireann-cap-alert-polygons-2022-12-06.xml").read_bytes()
POLAND_ATOM = (REAL / "meteoalarm-atom-poland-2023-04-28.xml").read_bytes()

# Points (lat, lon)
ALENCON = (48.4326, 0.0913)
ARGENTAN = (48.7445, -0.0201)
FLERS = (48.7500, -0.5700)
CAEN = (49.1829, -0.3707)  # Calvados
LE_MANS = (48.0061, 0.1996)  # Sarthe
LAVAL = (48.0706, -0.7734)  # Mayenne

CALVADOS_OUTLINE = (  # rough, clockwise from the west; stays north of the Orne
    (49.05, -1.10), (49.40, -1.10), (49.40, 0.40), (49.05, 0.40), (48.98, -0.20), (49.05, -1.10),
)  # fmt: skip


def cap(info_body: str = "", *, head: str = "", msg_type: str = "Alert", sent: str = "2026-12-02T06:00:14+01:00",
        infos: str | None = None) -> bytes:  # fmt: skip
    """A minimal CAP 1.2 alert with one info (whose inner XML can be extended by `info_body`)."""
    if infos is None:
        infos = f"""<info>
    <language>fr-FR</language><category>Met</category><event>Vigilance jaune vent violent</event>
    <urgency>Future</urgency><severity>Moderate</severity><certainty>Likely</certainty>
    {info_body}
  </info>"""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>2.49.0.0.250.0.FR.20261202060014.1</identifier>
  <sender>vigilance@meteo.fr</sender>
  <sent>{sent}</sent>
  <status>Actual</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  {head}
  {infos}
</alert>""".encode()


def area_xml(inner: str, desc: str = "Zone") -> str:
    return f"<area><areaDesc>{desc}</areaDesc>{inner}</area>"


def polygon_text(points: tuple[tuple[float, float], ...]) -> str:
    return " ".join(f"{lat},{lon}" for lat, lon in points)


# --- the real samples --------------------------------------------------------------------------------------------


def test_meteo_france_update_parses_with_its_reference_and_all_clear():
    alert = parse_cap(FRANCE_CAP)
    assert alert.identifier == "2.49.0.0.250.0.FR.20221207060126.964028"
    assert alert.sender == "vigilance@meteo.fr"
    assert alert.sent == dt.datetime(2022, 12, 7, 5, 1, 26, tzinfo=UTC)
    assert alert.sent.utcoffset() == dt.timedelta(0)
    assert (alert.status, alert.msg_type, alert.scope) == ("Actual", "Update", "Public")
    assert alert.lifecycle == "updated"
    assert alert.is_public_actual
    assert alert.referenced_ids == ("2.49.0.0.250.0.FR.20221206160108.315028",)
    (reference,) = alert.references
    assert reference.sender == "vigilance@meteo.fr"
    assert reference.sent == dt.datetime(2022, 12, 6, 15, 1, 8, tzinfo=UTC)
    assert [info.language for info in alert.infos] == ["fr-FR", "en-GB"]
    french = alert.info_for("fr")
    assert french is alert.infos[0]
    assert alert.info_for("en") is alert.infos[1]
    assert alert.info_for("de") is alert.infos[0]
    assert french.category == "Met"
    assert french.event == "Vigilance jaune avalanches"
    assert french.response_types == ("AllClear",)
    assert french.all_clear
    assert (french.urgency, french.severity, french.certainty) == ("Future", "Moderate", "Likely")
    assert french.effective == dt.datetime(2022, 12, 7, 5, 1, tzinfo=UTC)
    assert french.onset == dt.datetime(2022, 12, 7, 5, 0, tzinfo=UTC)
    assert french.expires == dt.datetime(2022, 12, 7, 5, 1, tzinfo=UTC)
    assert french.sender_name == "METEO-FRANCE"
    assert french.headline == "Vigilance jaune avalanches"
    assert french.web == "http://vigilance.meteofrance.com/"
    assert french.awareness_level is not None
    assert (french.awareness_level.level, french.awareness_level.colour) == (2, "yellow")
    assert french.awareness_level.label == "Moderate"
    assert french.awareness_type is not None
    assert (french.awareness_type.code, french.awareness_type.name) == (9, "avalanches")
    assert ("awareness_level", "2; yellow; Moderate") in french.parameters
    assert [area.area_desc for area in french.areas] == [
        "Alpes de Haute Provence", "Hautes Alpes", "Alpes Maritimes", "Isere", "Savoie", "Haute Savoie",
    ]  # fmt: skip
    assert french.areas[0].geocodes == (("NUTS3", "FR821"),)
    assert all(not area.polygons and not area.circles for area in french.areas)


def test_meteo_france_lost_accents_and_question_marks_are_kept_as_they_are():
    french = parse_cap(FRANCE_CAP).infos[0]
    assert french.description is not None and french.instruction is not None
    assert "Des phenomenes habituels dans la region" in french.description
    assert "orage d?ete, montee des eaux" in french.description
    assert "tenez-vous au courant de l?evolution de la situation." in french.instruction
    assert "é" not in french.description
    # the tab run upstream becomes one space; nothing else changes
    assert "sont prevus , (ex. mistral" in french.description


def test_met_eireann_alert_with_polygons_and_fips_geocodes():
    alert = parse_cap(IRELAND_CAP)
    assert alert.identifier == "2.49.0.1.372.0.221206232741.M_LowTemp003"
    assert alert.msg_type == "Alert" and alert.lifecycle == "issued" and alert.references == ()
    assert alert.sent == dt.datetime(2022, 12, 6, 23, 27, 41, tzinfo=UTC)  # written "-00:00"
    (info,) = alert.infos
    assert info.sender_name == "Met Éireann"
    assert info.instruction is None  # <instruction/>
    assert info.expires == dt.datetime(2022, 12, 8, 11, 59, 59, tzinfo=UTC)
    assert info.awareness_type is not None and info.awareness_type.name == "low-temperature"
    (area,) = info.areas
    assert area.area_desc == "Ireland"
    assert len(area.polygons) == 6
    assert len(area.geocodes) == 26
    assert area.geocodes[0] == ("FIPS", "EI30")
    first = area.polygons[0]
    assert first[0] == (53.7762, -7.40536)
    assert first[0] == first[-1]
    assert all(51 < lat < 56 and -11 < lon < -5 for polygon in area.polygons for lat, lon in polygon)
    assert point_in_polygon((53.35, -7.5), first)  # the Midlands, inside the first ring
    assert not alert_covers(alert, ORNE)


def test_meteoalarm_poland_atom_feed():
    feed = read_atom(POLAND_ATOM)
    assert feed.updated == dt.datetime(2023, 4, 28, 12, 40, 46, 62249, tzinfo=UTC)
    assert feed.entries_read == 2 and feed.rejected == ()
    first = feed.entries[0]
    assert first.id.startswith("https://feeds.meteoalarm.org/api/v1/warnings/feeds-poland/3adfb5e8-")
    assert first.updated == dt.datetime(2023, 4, 27, 12, 22, 1, tzinfo=UTC)
    # the CAP link, not the rel="related" country page
    assert first.cap_url == (
        "https://feeds.meteoalarm.org/api/v1/warnings/feeds-poland/3adfb5e8-78f3-4240-bc8e-4b6a4da41c3b"
    )
    assert first.geocodes == (("EMMA_ID", "PL805"),)
    assert first.identifier == "2.49.0.0.616.0.PL.230427122201.PL805_00731"
    assert first.msg_type == "Alert"  # written cap:message_type
    assert (first.severity, first.status, first.event) == ("Moderate", "Actual", "Yellow Wind warning")
    assert first.expires == dt.datetime(2023, 4, 27, 20, 0, tzinfo=UTC)
    assert first.area_desc == "Eastern coastal zone"
    assert first.title == "Yellow Wind Warning issued for Poland - Eastern coastal zone"
    assert [entry.geocodes[0][1] for entry in parse_atom(POLAND_ATOM)] == ["PL805", "PL804"]


# --- the connector's own sample ----------------------------------------------------------------------------------


def test_sample_feed_and_its_cap_documents():
    feed = read_atom((SAMPLE / "meteoalarm-atom-france.xml").read_bytes())
    assert feed.entries_read == 3 and feed.rejected == ()
    about_orne = [entry for entry in feed.entries if entry_may_cover(entry, ORNE)]
    assert [entry.area_desc for entry in about_orne] == ["Orne"]
    documents = {entry.cap_url.rsplit("/", 1)[-1] for entry in feed.entries}
    assert len(documents) == 2
    covering = []
    for name in sorted(documents):
        alert = parse_cap((SAMPLE / "cap" / f"{name}.xml").read_bytes())
        assert alert.identifier in {entry.identifier for entry in feed.entries}
        if alert_covers(alert, ORNE):
            covering.append(alert)
    (wind,) = covering
    french = wind.info_for("fr")
    assert french is not None and french.event == "Vigilance jaune vent violent"
    assert [area.area_desc for area in covered_areas(french, ORNE)] == ["Orne"]
    assert french.onset == dt.datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


# --- Update / Cancel ---------------------------------------------------------------------------------------------


def test_update_and_cancel_carry_their_references():
    references = (
        "<references>vigilance@meteo.fr,2.49.0.0.250.0.FR.20261201160000.1,2026-12-01T16:00:00+01:00 "
        "vigilance@meteo.fr,2.49.0.0.250.0.FR.20261202060000.2,2026-12-02T06:00:00+01:00</references>"
    )
    update = parse_cap(cap(msg_type="Update", head=references))
    cancel = parse_cap(cap(msg_type="Cancel", head=references))
    assert update.lifecycle == "updated" and cancel.lifecycle == "cancelled"
    expected = ("2.49.0.0.250.0.FR.20261201160000.1", "2.49.0.0.250.0.FR.20261202060000.2")
    assert update.referenced_ids == cancel.referenced_ids == expected
    assert cancel.references[1].sent == dt.datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
    assert parse_cap(cap()).lifecycle == "issued"


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        ("<references>vigilance@meteo.fr,only-two</references>", "référence illisible"),
        ("<references>vigilance@meteo.fr,id,2026-12-01T16:00:00</references>", "sans fuseau horaire"),
        ("<references>a,b,c,d</references>", "référence illisible"),
    ],
)
def test_unreadable_references_are_refused(head, reason):
    with pytest.raises(FeedFormatError, match=reason):
        parse_cap(cap(msg_type="Update", head=head))


@pytest.mark.parametrize("msg_type", ["Ack", "Error"])
def test_ack_and_error_messages_are_refused(msg_type):
    with pytest.raises(FeedFormatError, match="aucune alerte publique"):
        parse_cap(cap(msg_type=msg_type))


# --- hostile and malformed documents -----------------------------------------------------------------------------


def test_doctype_and_entities_are_refused():
    billion = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&b;</identifier></alert>"""
    with pytest.raises(FeedFormatError, match="DOCTYPE"):
        parse_cap(billion)
    external = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&x;</title></feed>"""
    with pytest.raises(FeedFormatError, match="refusé par sécurité"):
        parse_atom(external)


def test_not_cap_or_not_atom_is_refused():
    with pytest.raises(FeedFormatError, match=r"pas une alerte CAP 1\.2"):
        parse_cap(FRANCE_CAP.replace(b"cap:1.2", b"cap:1.1"))
    with pytest.raises(FeedFormatError, match=r"pas une alerte CAP 1\.2"):
        parse_cap(POLAND_ATOM)
    with pytest.raises(FeedFormatError, match="pas un flux Atom"):
        parse_atom(FRANCE_CAP)
    with pytest.raises(FeedFormatError, match="pas un XML bien formé"):
        parse_cap(FRANCE_CAP[:500])


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        ("2026-12-02T06:00:14", "sans fuseau horaire"),
        ("2026-12-02", "sans fuseau horaire"),
        ("1999-12-31T23:00:00+00:00", "hors des bornes"),
        ("2100-01-01T00:00:00+00:00", "hors des bornes"),
        ("0001-01-01T00:00:00+01:00", "hors des bornes"),
        ("02/12/2026 06:00", "illisible"),
    ],
)
def test_bad_times_are_refused_with_their_reason(sent, reason):
    with pytest.raises(FeedFormatError, match=reason) as caught:
        parse_cap(cap(sent=sent))
    assert "heure d'envoi (sent)" in str(caught.value)
    assert "2.49.0.0.250.0.FR.20261202060014.1" in str(caught.value)


def test_a_bad_time_inside_an_info_names_the_info():
    with pytest.raises(FeedFormatError, match=r"bloc <info> n° 1 : fin de validité \(expires\) sans fuseau"):
        parse_cap(cap("<expires>2026-12-03T06:00:00</expires>"))


@pytest.mark.parametrize(
    ("polygon", "reason"),
    [
        ("48.5,0.1 48.6,0.2 48.5,0.1", "au moins 4"),
        ("48.5,0.1 48.6,0.2 48.7,0.1 48.5,0.3", "non fermé"),
        ("48.5,0.1 95.0,0.2 48.7,0.1 48.5,0.1", "hors des coordonnées WGS84"),
        ("48.5,0.1 48.6,190 48.7,0.1 48.5,0.1", "hors des coordonnées WGS84"),
        ("48.5,0.1 48.6,nan 48.7,0.1 48.5,0.1", "illisible"),
        ("48.5,0.1 48.6;0.2 48.7,0.1 48.5,0.1", "illisible"),
        ("48.5,0.1,0 48.6,0.2,0 48.7,0.1,0 48.5,0.1,0", "illisible"),
        ("0.1,48.5 x,y 0.1,48.7 0.1,48.5", "illisible"),
    ],
)
def test_bad_polygons_are_refused_with_their_reason(polygon, reason):
    with pytest.raises(FeedFormatError, match=reason) as caught:
        parse_cap(cap(area_xml(f"<polygon>{polygon}</polygon>")))
    assert "zone <area> n° 1" in str(caught.value)


def test_polygon_point_limit():
    ring = [(48.0 + i * 1e-4, 0.1) for i in range(MAX_POLYGON_POINTS - 1)]
    ring.append(ring[0])
    assert len(parse_polygon(polygon_text(tuple(ring)))) == MAX_POLYGON_POINTS
    too_long = [*ring[:-1], (49.0, 0.2), ring[0]]
    with pytest.raises(ValueError, match="au plus 2000"):
        parse_polygon(polygon_text(tuple(too_long)))


def test_circles_are_read_and_checked():
    assert parse_circle("48.6,0.1 25") == Circle((48.6, 0.1), 25.0)
    for text in ("48.6,0.1", "48.6,0.1 -1", "48.6,0.1 inf", "48.6 0.1 5"):
        with pytest.raises(ValueError):
            parse_circle(text)


@pytest.mark.parametrize(
    ("mutation", "reason"),
    [
        ((b"<severity>Moderate</severity>", b"<severity>Big</severity>"), "gravité"),
        ((b"<msgType>Update</msgType>", b"<msgType>Info</msgType>"), "type de message"),
        ((b"<status>Actual</status>", b"<status>Real</status>"), "statut"),
        ((b"<scope>Public</scope>", b""), "<scope> manquant"),
        ((b"<category>Met</category>", b""), "<category> manquant"),
        ((b"<urgency>Future</urgency>", b"<urgency>Soon</urgency>"), "urgence"),
        ((b"<certainty>Likely</certainty>", b"<certainty>Very Likely</certainty>"), "certitude"),
        ((b"<responseType>AllClear</responseType>", b"<responseType>Run</responseType>"), "type de réponse"),
        ((b"<areaDesc>Savoie</areaDesc>", b"<areaDesc> </areaDesc>"), "areaDesc"),
        ((b"<language>fr-FR</language>", b"<language>fr FR</language>"), "langue"),
        ((b"<sender>vigilance@meteo.fr</sender>", b"<sender>vigilance meteo</sender>"), "émetteur"),
        ((b"<status>Actual</status>", b"<status>Actual</status><status>Test</status>"), "répété"),
    ],
)
def test_invalid_values_are_refused_with_a_french_reason(mutation, reason):
    old, new = mutation
    assert old in FRANCE_CAP
    with pytest.raises(FeedFormatError, match=reason):
        parse_cap(FRANCE_CAP.replace(old, new, 1))


def test_too_many_infos_or_areas():
    info = FRANCE_CAP.split(b"<info>")[1].split(b"</info>")[0]
    many = FRANCE_CAP.replace(b"</alert>", (b"<info>" + info + b"</info>") * 19 + b"</alert>")
    with pytest.raises(FeedFormatError, match=r"trop de blocs <info> \(21, au plus 20\)"):
        parse_cap(many)
    areas = "".join(area_xml("<geocode><valueName>NUTS3</valueName><value>FRD13</value></geocode>")) * 51
    with pytest.raises(FeedFormatError, match=r"trop de zones <area> \(51, au plus 50\)"):
        parse_cap(cap(areas))


def test_texts_are_plain_and_bounded():
    long_text = "Rafales. " * 400
    alert = parse_cap(
        cap(
            f"<headline>{'Vent ' * 100}</headline><description>&lt;img src=x onerror=alert(1)&gt;{long_text}"
            f"</description><instruction>{long_text}</instruction><web>javascript:alert(1)</web>"
        )
    )
    info = alert.infos[0]
    assert info.headline is not None and len(info.headline) <= 200 and info.headline.endswith("…")
    assert info.description is not None and len(info.description) <= 2000
    assert "<img" not in info.description and "onerror" not in info.description
    assert info.instruction is not None and len(info.instruction) <= 2000
    assert info.web is None


def test_unusual_awareness_parameters_are_left_out_but_kept_raw():
    alert = parse_cap(
        cap(
            "<parameter><valueName>awareness_level</valueName><value>5; purple; Extreme</value></parameter>"
            "<parameter><valueName>awareness_type</valueName><value>wind</value></parameter>"
        )
    )
    info = alert.infos[0]
    assert info.awareness_level is None and info.awareness_type is None
    assert info.parameters == (("awareness_level", "5; purple; Extreme"), ("awareness_type", "wind"))


# --- Atom entries --------------------------------------------------------------------------------------------------


def atom(entries: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
  <id>tag:meteoalarm.org,2021-02-19:FR</id><updated>2026-12-02T05:07:31Z</updated>{entries}
</feed>""".encode()


def test_atom_entries_without_cap_link_or_time_are_rejected_with_their_reason():
    good = """<entry><id>urn:x:1</id><updated>2026-12-02T05:00:14Z</updated>
      <link href="https://example.org/cap/1" rel="related" type="application/cap+xml"/>
      <cap:msgType>Cancel</cap:msgType><cap:severity>Huge</cap:severity><cap:expires>2026-12-03</cap:expires>
    </entry>"""
    no_link = """<entry><id>urn:x:2</id><updated>2026-12-02T05:00:14Z</updated>
      <link href="https://meteoalarm.org?region=FR" rel="related" title="France"/></entry>"""
    bad_time = """<entry><id>urn:x:3</id><updated>2026-12-02T05:00:14</updated>
      <link href="https://example.org/cap/3" type="application/cap+xml"/></entry>"""
    unsafe_link = """<entry><id>urn:x:4</id><updated>2026-12-02T05:00:14Z</updated>
      <link href="javascript:alert(1)" type="application/cap+xml"/></entry>"""
    feed = read_atom(atom(good + no_link + bad_time + unsafe_link))
    assert feed.entries_read == 4
    (entry,) = feed.entries
    assert entry.cap_url == "https://example.org/cap/1"
    assert entry.msg_type == "Cancel"
    assert entry.severity is None and entry.expires is None  # unreadable summary values are left out
    assert [(rejected.id, rejected.reason.split(" (")[0]) for rejected in feed.rejected] == [
        ("urn:x:2", "entrée sans lien vers son document CAP"),
        ("urn:x:3", "date de mise à jour de l'entrée"),
        ("urn:x:4", "entrée sans lien vers son document CAP"),
    ]
    assert "sans fuseau horaire" in feed.rejected[1].reason


# --- area matching -----------------------------------------------------------------------------------------------


def geocoded(name: str, value: str) -> Area:
    return Area("Zone", geocodes=((name, value),))


@pytest.mark.parametrize(
    ("name", "value"),
    [("NUTS3", "FRD13"), ("NUTS3", "FR253"), ("nuts3", " frd13 "), ("NUTS2", "FRD1"), ("NUTS1", "FRD"),
     ("NUTS2", "FR25")],
)  # fmt: skip
def test_geocodes_of_the_orne_and_of_regions_containing_it(name, value):
    assert covers(geocoded(name, value), ORNE)


@pytest.mark.parametrize(
    ("name", "value"),
    [("NUTS3", "FRD11"), ("NUTS3", "FR251"), ("NUTS3", "FRD12"), ("NUTS3", "FRG02"), ("NUTS2", "FRD2"),
     ("NUTS3", "F"), ("EMMA_ID", "FRD13"), ("FIPS", "FR253")],
)  # fmt: skip
def test_geocodes_of_neighbours_or_other_kinds_do_not_cover_the_orne(name, value):
    assert not covers(geocoded(name, value), ORNE)


def test_territory_built_with_plain_dict_and_set():
    territory = Territory("Orne", {"NUTS3": {"FRD13", "FR253"}, "EMMA_ID": {"FR999"}}, ORNE.polygon)
    assert covers(geocoded("EMMA_ID", "FR999"), territory)
    assert not covers(geocoded("EMMA_ID", "FR998"), territory)


def test_orne_outline_is_closed_and_places_known_towns():
    assert ORNE.polygon[0] == ORNE.polygon[-1]
    assert 25 <= len(ORNE.polygon) <= 40
    for town in (ALENCON, ARGENTAN, FLERS):
        assert point_in_polygon(town, ORNE.polygon), town
    for town in (CAEN, LE_MANS, LAVAL):
        assert not point_in_polygon(town, ORNE.polygon), town


def test_polygon_inside_overlapping_containing_or_outside():
    around_argentan = ((48.70, -0.10), (48.80, -0.10), (48.80, 0.05), (48.70, 0.05), (48.70, -0.10))
    across_the_border = ((48.30, -0.30), (48.60, -0.30), (48.60, 0.10), (48.30, 0.10), (48.30, -0.30))
    whole_normandy = ((47.5, -2.0), (50.0, -2.0), (50.0, 2.0), (47.5, 2.0), (47.5, -2.0))
    for polygon in (around_argentan, across_the_border, whole_normandy):
        assert covers(Area("Zone", polygons=(polygon,)), ORNE)
    # edges crossing, no vertex of either inside the other: a thin band across the whole département
    band = ((48.60, -1.50), (48.62, -1.50), (48.62, 1.50), (48.60, 1.50), (48.60, -1.50))
    assert all(not point_in_polygon(point, ORNE.polygon) for point in band)
    assert covers(Area("Zone", polygons=(band,)), ORNE)
    assert not covers(Area("Calvados", polygons=(CALVADOS_OUTLINE,)), ORNE)
    assert not covers(Area("Ireland", polygons=parse_cap(IRELAND_CAP).infos[0].areas[0].polygons), ORNE)


def test_polygon_through_the_parser():
    alert = parse_cap(cap(area_xml("<polygon>48.70,-0.10 48.80,-0.10 48.80,0.05 48.70,0.05 48.70,-0.10</polygon>")))
    assert alert_covers(alert, ORNE)


def test_circles():
    assert covers(Area("Zone", circles=(Circle(ARGENTAN, 0.0),)), ORNE)  # centre inside
    # Le Mans is about 38 km from the (simplified) outline, Caen about 35 km
    assert covers(Area("Zone", circles=(Circle(LE_MANS, 45.0),)), ORNE)
    assert not covers(Area("Zone", circles=(Circle(LE_MANS, 30.0),)), ORNE)
    assert not covers(Area("Zone", circles=(Circle(CAEN, 25.0),)), ORNE)
    assert covers(Area("Zone", circles=(Circle(CAEN, 45.0),)), ORNE)
    assert circle_touches(Circle((45.0, 5.0), 2000.0), ORNE.polygon)  # a circle around the whole département
    alert = parse_cap(cap(area_xml("<circle>48.0061,0.1996 45</circle>")))
    assert alert_covers(alert, ORNE)


def test_neighbouring_departement_alert_not_covered():
    calvados = parse_cap(
        cap(
            area_xml("<geocode><valueName>NUTS3</valueName><value>FR251</value></geocode>", "Calvados")
            + area_xml(f"<polygon>{polygon_text(CALVADOS_OUTLINE)}</polygon>", "Calvados (contour)")
        )
    )
    assert not alert_covers(calvados, ORNE)
    assert not alert_covers(parse_cap(FRANCE_CAP), ORNE)
    orne = parse_cap(cap(area_xml("<geocode><valueName>NUTS3</valueName><value>FRD13</value></geocode>", "Orne")))
    assert alert_covers(orne, ORNE)


def test_entry_may_cover_decides_only_on_known_geocode_kinds():
    def entry(*geocodes: tuple[str, str]) -> FeedEntry:
        return FeedEntry(id="e", updated=dt.datetime(2026, 12, 2, tzinfo=UTC), cap_url="https://x/y", geocodes=geocodes)

    assert entry_may_cover(entry(("NUTS3", "FR253")), ORNE)
    assert entry_may_cover(entry(("NUTS3", "FRD13")), ORNE)
    assert not entry_may_cover(entry(("NUTS3", "FR251")), ORNE)
    assert entry_may_cover(entry(), ORNE)  # no summary: fetch and decide on the document
    assert entry_may_cover(entry(("EMMA_ID", "PL805")), ORNE)  # a kind the territory does not list
    assert not entry_may_cover(entry(("EMMA_ID", "FR001"), ("NUTS3", "FR825")), ORNE)


def test_alert_without_infos_covers_nothing():
    alert = Alert("id", "sender", dt.datetime(2026, 12, 2, tzinfo=UTC), "Actual", "Alert", "Public")
    assert not alert_covers(alert, ORNE)
    assert alert.info_for() is None


@pytest.mark.parametrize("document", [FRANCE_CAP, IRELAND_CAP], ids=["meteofrance", "meteireann"])
def test_damaged_documents_raise_only_feed_format_errors(document):
    """Every truncation point and a sweep of replaced characters: a CAP document either parses or is refused
    with `FeedFormatError`, never another exception."""
    step = max(1, len(document) // 300)
    damaged = [document[:cut] for cut in range(0, len(document), step)]
    for position in range(0, len(document), step):
        for replacement in (b"<", b"&", b",", b"-", b"9", b" "):
            damaged.append(document[:position] + replacement + document[position + 1 :])
    for data in damaged:
        with contextlib.suppress(FeedFormatError):
            parse_cap(data)
        with contextlib.suppress(FeedFormatError):
            read_atom(data)
