"""Parse a DATEX II SituationPublication, v2.x or v3.x, into a `ParsedFeed`.

Elements are matched by LOCAL NAME, whatever their namespace: v2 puts everything in
`http://datex2.eu/schema/2/2_0`, v3 splits it (`.../3/situation`, `.../3/common`,
`.../3/locationReferencing`...), and `xsi:type` values may carry a prefix (`sit:Accident`).
Shapes read:

- v2: `d2LogicalModel / payloadPublication[xsi:type=SituationPublication] / situation / situationRecord`,
  location in `groupOfLocations` (`pointByCoordinates`, `locationForDisplay`, `linearByCoordinatesExtension`,
  TPEG points, `alertC...` without coordinates);
- v3: `payload[xsi:type=sit:SituationPublication]` (or a `situationPublication` element) `/ situation /
  situationRecord`, location in `locationReference` (`pointByCoordinates`, `coordinatesForDisplay`,
  `gmlLineString/posList` in "lat lon" order, TPEG points).

Safe XML with the standard library only: the document is parsed by expat with every DOCTYPE, entity
declaration and external entity refused as soon as it is seen, so a billion-laughs feed or an XXE attempt
(`<!ENTITY x SYSTEM "file:///etc/passwd">`) fails fast with `FeedFormatError` before anything is expanded
or read. (`xml.etree.ElementTree.XMLParser` is the C accelerator here and does not expose its expat
parser, so the same tree is built with `pyexpat` + `ElementTree.TreeBuilder`.)

Whole-feed problems raise `FeedFormatError` (a document nested deeper than `poche_common.safexml.MAX_DEPTH`
among them); a bad record is skipped and recorded as a `RejectedRecord` with its reason: among others a time
outside 2000..2100 or a situation/record id that cannot be a key (`poche_common.bounds`: too long, control
characters). Texts are plain text (`poche_common.plaintext.plain`: a comment holding escaped markup such as
`&lt;img …&gt;` keeps its words only) cut with "…": description `MAX_DESCRIPTION`, road name
`MAX_ROAD_NAME`; place names longer than `MAX_PLACE` are left out, at most `MAX_PLACES` kept; codes read from
the feed (xsi:type, sub-type, version) longer than `MAX_CODE` are not kept. A record without coordinates of its
own takes those of the first located record of its situation (operators often locate only the first record).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from poche_common.bounds import check_id, check_moment, excerpt
from poche_common.errors import FeedFormatError
from poche_common.plaintext import plain
from poche_common.safexml import parse_xml

from .model import SEVERITIES, STATUSES, TYPES, Geometry, ParsedFeed, Position, RejectedRecord, TrafficEvent

__all__ = ["parse_feed", "parse_xml"]

PARIS = ZoneInfo("Europe/Paris")
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
MAX_DESCRIPTION = 2000
MAX_ROAD_NAME = 200
MAX_PLACE = 120
MAX_PLACES = 10
MAX_CODE = 100
MAX_REASONS_IN_ERROR = 3

# xsi:type local name -> type code (anything else: "other")
_TYPE_BY_DATEX: dict[str, str] = {
    "MaintenanceWorks": "roadworks",
    "ConstructionWorks": "roadworks",
    "Roadworks": "roadworks",
    "Accident": "accident",
    "PoorEnvironmentConditions": "weather",
    "WeatherRelatedRoadConditions": "weather",
    "AbnormalTraffic": "congestion",
    "GeneralObstruction": "obstruction",
    "AnimalPresenceObstruction": "obstruction",
    "VehicleObstruction": "obstruction",
    "EnvironmentalObstruction": "obstruction",
    "InfrastructureDamageObstruction": "obstruction",
    "NonWeatherRelatedRoadConditions": "obstruction",
    "PublicEvent": "event",
    "RoadOrCarriagewayOrLaneManagement": "restriction",
    "GeneralNetworkManagement": "restriction",
    "NetworkManagement": "restriction",
    "ReroutingManagement": "restriction",
    "SpeedManagement": "restriction",
    "WinterDrivingManagement": "restriction",
}
# management types that close the road (or a whole carriageway) rather than restrict it
CLOSURE_TYPES = frozenset(
    {
        "roadClosed",
        "carriagewayClosures",
        "closedPermanentlyForTheWinter",
        "intermittentShortTermClosures",
        "overnightClosures",
    }
)
# impact that means the road is closed whatever the record type says
_CLOSED_CONSTRICTIONS = frozenset({"roadBlocked", "carriagewayBlocked"})
_MANAGEMENT = frozenset({k for k, v in _TYPE_BY_DATEX.items() if v == "restriction"})

# elements holding the record's sub-type, in order of preference
_DETAIL_TAGS = (
    "roadOrCarriagewayOrLaneManagementType",
    "generalNetworkManagementType",
    "roadMaintenanceType",
    "constructionWorkType",
    "accidentType",
    "poorEnvironmentType",
    "weatherRelatedRoadConditionType",
    "abnormalTrafficType",
    "environmentalObstructionType",
    "vehicleObstructionType",
    "animalPresenceType",
    "obstructionType",
    "infrastructureDamageType",
    "nonWeatherRelatedRoadConditionType",
    "publicEventType",
    "reroutingManagementType",
    "speedManagementType",
    "winterEquipmentManagementType",
)

# DATEX sub-type -> French words for a generated description
DETAIL_LABELS: dict[str, str] = {
    "resurfacingWork": "réfection de la chaussée",
    "maintenanceWork": "entretien",
    "repairWork": "réparations",
    "roadMarkingWork": "marquage au sol",
    "installationWork": "pose d'équipements",
    "grassCuttingWork": "fauchage",
    "treeAndVegetationCuttingWork": "élagage",
    "salting": "salage",
    "snowploughsInUse": "déneigement",
    "constructionWork": "chantier de construction",
    "demolitionWork": "démolition",
    "roadWideningWork": "élargissement de la route",
    "seriousAccident": "accident grave",
    "multivehicleAccident": "accident impliquant plusieurs véhicules",
    "accidentInvolvingHeavyLorries": "accident impliquant un poids lourd",
    "snowfall": "chutes de neige",
    "heavySnowfall": "fortes chutes de neige",
    "blizzard": "tempête de neige",
    "fog": "brouillard",
    "denseFog": "brouillard dense",
    "heavyRain": "fortes pluies",
    "strongWinds": "vents forts",
    "galeForceWinds": "vents violents",
    "blackIce": "verglas",
    "ice": "verglas",
    "freezingRain": "pluie verglaçante",
    "snowOnTheRoad": "neige sur la chaussée",
    "snowDrifts": "congères",
    "flooding": "inondation",
    "fallenTrees": "chute d'arbres",
    "rockfalls": "chute de pierres",
    "objectOnTheRoad": "objet sur la chaussée",
    "brokenDownVehicle": "véhicule en panne",
    "animalsOnTheRoad": "animaux sur la chaussée",
    "stationaryTraffic": "circulation arrêtée",
    "queuingTraffic": "circulation en accordéon",
    "slowTraffic": "ralentissements",
    "heavyTraffic": "trafic dense",
    "roadClosed": "route fermée",
    "carriagewayClosures": "chaussée fermée",
    "laneClosures": "voie fermée",
    "intermittentShortTermClosures": "coupures ponctuelles",
    "overnightClosures": "fermeture de nuit",
    "singleAlternateLineTraffic": "circulation alternée",
    "contraflow": "basculement de circulation",
    "narrowLanes": "voies rétrécies",
    "market": "marché",
    "fair": "foire",
    "cycleRace": "course cycliste",
    "parade": "défilé",
    "sportsMeeting": "manifestation sportive",
}

_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


# --- tree helpers (by local name) -----------------------------------------------------------------------------


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xsi_type(element: ET.Element) -> str | None:
    value = element.get(XSI_TYPE)
    return value.rsplit(":", 1)[-1].strip() if value else None


def children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if local(child.tag) == name]


def child(element: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in element if local(c.tag) == name), None)


def descendants(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (e for e in element.iter() if local(e.tag) == name)


def first(element: ET.Element, name: str) -> ET.Element | None:
    return next(descendants(element, name), None)


def text(element: ET.Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    value = element.text.strip()
    return value or None


def _clean(value: str) -> str:
    """Whitespace of a text wrapped in the XML: lines of a paragraph joined, paragraphs kept apart; markup and
    control characters removed (`poche_common.plaintext.plain`)."""
    paragraphs = _BLANK_LINES.split(plain(value, MAX_DESCRIPTION * 2).strip())
    return "\n\n".join(_SPACES.sub(" ", " ".join(p.split("\n"))).strip() for p in paragraphs if p.strip())


def _lang_of(value: ET.Element) -> str | None:
    lang = value.get("lang") or value.get("{http://www.w3.org/XML/1998/namespace}lang")
    return lang.strip().lower() if lang else None


def multilingual(element: ET.Element | None, default_lang: str | None) -> str | None:
    """The French text of a MultilingualString (`values/value[@lang]`), or of a plain string element."""
    if element is None:
        return None
    values = list(descendants(element, "value"))
    if not values:
        raw = text(element)
        return _clean(raw) or None if raw else None
    for value in values:
        lang = _lang_of(value) or default_lang
        if lang and lang.split("-")[0] == "fr" and text(value):
            return _clean(value.text or "")
    return None


def multilingual_any(element: ET.Element | None) -> str | None:
    """A MultilingualString in whatever language (place names are the same in every language)."""
    if element is None:
        return None
    value = next((v for v in descendants(element, "value") if text(v)), None)
    raw = value.text if value is not None else text(element)
    return _clean(raw) or None if raw else None


# --- values ---------------------------------------------------------------------------------------------------


class _Bad(Exception):
    """A record that cannot be used; the message (French) says why."""


def _time(element: ET.Element | None, what: str) -> dt.datetime | None:
    raw = text(element)
    if raw is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise _Bad(f"{what} « {excerpt(raw, 40)} » n'est pas une date-heure ISO 8601") from None
    try:  # without offset (DATEX allows it), French operators mean legal time in France
        return check_moment(moment, what, zone=PARIS)
    except ValueError as exc:
        raise _Bad(str(exc)) from None


def _metadata_time(element: ET.Element | None) -> dt.datetime | None:
    """A bookkeeping time (creation, version): a malformed one is ignored, not a reason to drop the record."""
    try:
        return _time(element, "time")
    except _Bad:
        return None


def _coordinate(element: ET.Element | None, what: str, low: float, high: float) -> float | None:
    raw = text(element)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise _Bad(f"{what} « {excerpt(raw, 40)} » n'est pas un nombre") from None
    if not low <= value <= high or value != value:
        raise _Bad(f"{what} {excerpt(raw, 40)} est hors des bornes WGS84 ({low:g} à {high:g})")
    return round(value, 6)


def _point(element: ET.Element) -> Position | None:
    """(lon, lat) of an element holding `latitude` and `longitude` children (pointCoordinates & co)."""
    lat = _coordinate(child(element, "latitude"), "latitude", -90.0, 90.0)
    lon = _coordinate(child(element, "longitude"), "longitude", -180.0, 180.0)
    if lat is None or lon is None:
        if lat is not None or lon is not None:
            raise _Bad("une position n'a que sa latitude ou que sa longitude")
        return None
    return (lon, lat)


def _pos_list(element: ET.Element) -> list[Position]:
    """GML `posList`: "lat lon lat lon ..." (EPSG:4326 axis order, as DATEX II v3 writes it)."""
    raw = text(element) or ""
    numbers = raw.split()
    if len(numbers) % 2 or not numbers:
        raise _Bad(f"posList « {excerpt(raw, 60)} » n'a pas un nombre pair de valeurs")
    positions: list[Position] = []
    for index in range(0, len(numbers), 2):
        lat_raw, lon_raw = numbers[index], numbers[index + 1]
        if not (_NUMBER.fullmatch(lat_raw) and _NUMBER.fullmatch(lon_raw)):
            raise _Bad(f"posList « {excerpt(raw, 60)} » contient autre chose que des nombres")
        lat, lon = float(lat_raw), float(lon_raw)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _Bad(f"posList : la position {excerpt(lat_raw, 30)} {excerpt(lon_raw, 30)} est hors des bornes WGS84")
        positions.append((round(lon, 6), round(lat, 6)))
    return positions


_DISPLAY = ("locationForDisplay", "coordinatesForDisplay")


def _geometry(location: ET.Element) -> Geometry | None:
    """Point or line of a `groupOfLocations` (v2) / `locationReference` (v3); None without coordinates."""
    display: Position | None = None
    for name in _DISPLAY:
        holder = first(location, name)
        if holder is not None:
            display = _point(holder) or display
    positions: list[Position] = []
    for pos_list in descendants(location, "posList"):
        positions += _pos_list(pos_list)
    if not positions:
        skip = {id(e) for name in _DISPLAY for holder in descendants(location, name) for e in holder.iter()}
        for element in location.iter():
            if id(element) in skip or local(element.tag) != "pointCoordinates":
                continue
            found = _point(element)
            if found is not None:
                positions.append(found)
    unique: list[Position] = []
    for position in positions:
        if not unique or unique[-1] != position:
            unique.append(position)
    if not unique:
        if display is None:
            return None
        return Geometry("point", (display,), display)
    if len(set(unique)) == 1:
        return Geometry("point", (unique[0],), display or unique[0])
    return Geometry("line", tuple(unique), display or unique[len(unique) // 2])


def _road(record: ET.Element, location: ET.Element | None) -> tuple[str | None, str | None]:
    number: str | None = None
    name: str | None = None
    for scope in (location, record):
        if scope is None:
            continue
        number = number or text(first(scope, "roadNumber"))
        name = name or multilingual_any(first(scope, "roadName"))
    if number:
        number = re.sub(r"\s+", "", plain(number, MAX_CODE * 2)).upper()
        number = re.sub(r"^R([NDM])(?=\d)", r"\1", number)  # "RN12" -> "N12", "RD438" -> "D438"
        number = number if 0 < len(number) <= MAX_CODE and "<" not in number else None
    return number, plain(name, MAX_ROAD_NAME) if name else name


def _places(location: ET.Element | None) -> tuple[str, ...]:
    if location is None:
        return ()
    found: list[str] = []
    for name in ("descriptor", "locationDescription", "areaName", "name"):
        for element in descendants(location, name):
            value = multilingual_any(element)
            if value and value not in found and len(value) <= MAX_PLACE:
                found.append(value)
    return tuple(found[:MAX_PLACES])


def _article(road: str) -> str:
    if road[:1] == "A" and road[1:2].isdigit():
        return f"l'{road}"
    if road[:1] in "NDMC" and road[1:2].isdigit():
        return f"la {road}"
    return f"la route {road}"


def describe(
    type_code: str, detail: str | None, road: str | None, road_name: str | None, places: tuple[str, ...]
) -> str:
    """A French sentence when the feed has no French comment: "Travaux (réfection de la chaussée) sur la N12 ..."."""
    sentence = TYPES[type_code]
    words = DETAIL_LABELS.get(detail or "")
    if words and words.lower() != sentence.lower():
        sentence += f" ({words})"
    if road:
        sentence += f" sur {_article(road)}"
    elif road_name:
        sentence += f" sur {road_name}"
    if len(places) == 1:
        sentence += f" à {places[0]}"
    elif len(places) > 1:
        sentence += f" entre {places[0]} et {places[-1]}"
    return sentence + "."


# --- records --------------------------------------------------------------------------------------------------


class _Context:
    """What the records of one situation share."""

    def __init__(self, situation_id: str, default_lang: str | None, overall_severity: str | None) -> None:
        self.situation_id = situation_id
        self.default_lang = default_lang
        self.overall_severity = overall_severity
        self.datex_version = "2"
        # the first located record's geometry, road number, road name and places
        self.inherited: tuple[Geometry, str | None, str | None, tuple[str, ...]] | None = None


def _type_of(datex_type: str, detail: str | None, record: ET.Element) -> str:
    code = _TYPE_BY_DATEX.get(datex_type, "other")
    constrictions = {text(e) for e in descendants(record, "trafficConstrictionType")}
    if datex_type in _MANAGEMENT and (detail in CLOSURE_TYPES or constrictions & _CLOSED_CONSTRICTIONS):
        return "closure"
    return code


def _severity(record: ET.Element, context: _Context) -> str:
    value = text(child(record, "severity")) or context.overall_severity
    return value if value in SEVERITIES else "unknown"


def _description(record: ET.Element, default_lang: str | None) -> str | None:
    parts: list[str] = []
    for comment in children(record, "generalPublicComment"):
        holder = child(comment, "comment")
        value = multilingual(comment if holder is None else holder, default_lang)
        if value and value not in parts:
            parts.append(value)
    if not parts:
        return None
    return plain("\n\n".join(parts), MAX_DESCRIPTION)


def _record(record: ET.Element, context: _Context) -> TrafficEvent:
    record_id = (record.get("id") or "").strip()
    if not record_id:
        raise _Bad("situationRecord sans attribut id")
    try:
        record_id = check_id(record_id, "l'attribut id du situationRecord")
    except ValueError as exc:
        raise _Bad(str(exc)) from None
    datex_type = xsi_type(record)
    if not datex_type:
        raise _Bad("situationRecord sans xsi:type : impossible de savoir de quel événement il s'agit")
    if len(datex_type) > MAX_CODE:
        raise _Bad(f"xsi:type « {excerpt(datex_type, 40)} » inconnu")
    detail = next((text(e) for tag in _DETAIL_TAGS for e in descendants(record, tag) if text(e)), None)
    detail = detail if detail is None or len(detail) <= MAX_CODE else None
    validity = child(record, "validity")
    if validity is None:
        raise _Bad("situationRecord sans validity")
    raw_status = text(first(validity, "validityStatus"))
    if raw_status not in STATUSES:
        raise _Bad(f"validityStatus « {excerpt(raw_status, 40)} » inconnu (attendu : {', '.join(STATUSES)})")
    start = _time(first(validity, "overallStartTime"), "overallStartTime")
    if start is None:
        raise _Bad("validity sans overallStartTime")
    end = _time(first(validity, "overallEndTime"), "overallEndTime")
    if end is not None and end < start:
        raise _Bad(f"overallEndTime {end.isoformat()} précède overallStartTime {start.isoformat()}")
    location = _location(record)
    own = _geometry(location) if location is not None else None
    road, road_name = _road(record, location)
    places = _places(location)
    if own is not None:
        geometry = own
    elif context.inherited is not None:
        geometry, inherited_road, inherited_name, inherited_places = context.inherited
        road, road_name = road or inherited_road, road_name or inherited_name
        places = places or inherited_places
    else:
        raise _Bad("aucune position WGS84 (ni point, ni ligne, ni locationForDisplay) dans sa localisation")
    type_code = _type_of(datex_type, detail, record)
    description = _description(record, context.default_lang)
    if own is not None and context.inherited is None:
        context.inherited = (own, road, road_name, places)
    return TrafficEvent(
        situation_id=context.situation_id,
        record_id=record_id,
        version=(record.get("version") or "").strip()[:MAX_CODE] or None,
        type=type_code,
        datex_type=datex_type,
        detail=detail,
        severity=_severity(record, context),
        status=STATUSES[raw_status],
        start=start,
        end=end,
        geometry=geometry,
        description=description or describe(type_code, detail, road, road_name, places),
        description_generated=description is None,
        road=road,
        road_name=road_name,
        places=places,
        created_at=_metadata_time(child(record, "situationRecordCreationTime")),
        updated_at=_metadata_time(child(record, "situationRecordVersionTime")),
        datex_version=context.datex_version,
    )


# --- publication ----------------------------------------------------------------------------------------------


def _publications(root: ET.Element) -> list[ET.Element]:
    found = [e for e in root.iter() if xsi_type(e) == "SituationPublication" or local(e.tag) == "situationPublication"]
    if found:
        return found
    other = next((xsi_type(e) for e in root.iter() if (xsi_type(e) or "").endswith("Publication")), None)
    if other:
        raise FeedFormatError(
            f"Le flux DATEX II est une {excerpt(other, 60)} et non une SituationPublication (événements de "
            "circulation)."
        )
    raise FeedFormatError(
        f"Le fichier XML reçu (élément racine « {excerpt(local(root.tag), 60)} ») n'est pas une publication DATEX II "
        "SituationPublication."
    )


def _version(element: ET.Element, root: ET.Element) -> str:
    namespace = element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""
    match = re.search(r"datex2\.eu/schema/(\d+)/", namespace)
    if match:
        return match.group(1)
    return (root.get("modelBaseVersion") or "2").strip()[:1] or "2"


def parse_feed(data: bytes) -> ParsedFeed:
    """bytes of a SituationPublication -> events and rejected records (see module docstring)."""
    if not data.strip():
        raise FeedFormatError("Le fichier reçu est vide : une publication DATEX II (XML) est attendue.")
    head = data.lstrip()[:1]
    if head not in (b"<", b"\xef", b"\xfe", b"\xff"):
        raise FeedFormatError("Le fichier reçu n'est pas du XML : une publication DATEX II est attendue.")
    lowered = data.lstrip()[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        raise FeedFormatError(
            "Le fichier reçu est une page HTML et non une publication DATEX II : l'adresse du flux renvoie "
            "peut-être vers une page d'erreur ou de présentation."
        )
    root = parse_xml(data)
    feed = ParsedFeed()
    for publication in _publications(root):
        feed.datex_version = _version(publication, root)
        lang = (publication.get("lang") or root.get("lang") or "").strip().lower() or None
        feed.published_at = _metadata_time(child(publication, "publicationTime")) or feed.published_at
        for situation in children(publication, "situation"):
            _situation(situation, feed, lang)
    if feed.records_read and not feed.events:
        reasons = "; ".join(f"{r.ref} : {r.reason}" for r in feed.rejected[:MAX_REASONS_IN_ERROR])
        raise FeedFormatError(
            f"Aucun des {feed.records_read} enregistrements de situation n'est exploitable. Premières erreurs : "
            f"{reasons}."
        )
    return feed


def _situation(situation: ET.Element, feed: ParsedFeed, lang: str | None) -> None:
    situation_id = (situation.get("id") or "").strip() or None
    records = children(situation, "situationRecord")
    reason = "situation sans attribut id"
    if situation_id is not None:
        try:
            situation_id = check_id(situation_id, "l'attribut id de la situation")
        except ValueError as exc:
            situation_id, reason = None, str(exc)
    if situation_id is None:
        feed.records_read += len(records)
        feed.rejected += [RejectedRecord(None, _record_id(r), reason) for r in records]
        return
    context = _Context(situation_id, lang, text(child(situation, "overallSeverity")))
    context.datex_version = _version(situation, situation)
    # located records first, so that a record without coordinates can take its situation's location
    ordered = sorted(records, key=lambda r: 0 if _has_coordinates(r) else 1)
    for record in ordered:
        feed.records_read += 1
        try:
            feed.events.append(_record(record, context))
        except _Bad as exc:
            feed.rejected.append(RejectedRecord(situation_id, _record_id(record), str(exc)))


def _record_id(record: ET.Element) -> str | None:
    """A rejected record's id, when it is a usable one (the store keeps that record's last good version)."""
    try:
        return check_id(record.get("id") or "", "id")
    except ValueError:
        return None


def _location(record: ET.Element) -> ET.Element | None:
    """`groupOfLocations` (v2) or `locationReference` (v3)."""
    location = child(record, "groupOfLocations")
    return location if location is not None else child(record, "locationReference")


def _has_coordinates(record: ET.Element) -> bool:
    location = _location(record)
    if location is None:
        return False
    return any(local(e.tag) in ("latitude", "posList") for e in location.iter())
