"""Parse a CAP 1.2 alert (`parse_cap`) and Meteoalarm's Atom feed of alerts (`parse_atom`, `read_atom`).

**CAP 1.2** (OASIS Common Alerting Protocol, namespace `urn:oasis:names:tc:emergency:cap:1.2`): the root must be
that namespace's `<alert>`; below it, elements are matched by LOCAL NAME. One document is one alert, so anything
wrong in it refuses the whole document with `FeedFormatError` and a French reason (the connector rejects that
entry and goes on):

- required: identifier, sender, sent, status, msgType, scope; in each info: category, event, urgency, severity,
  certainty; in each area: areaDesc. A single-valued element written twice is refused;
- identifier and sender through `poche_common.bounds.check_id`, without spaces, commas, `<` or `&` (CAP 1.2 §3.2.1:
  they would break `<references>`);
- every time with its offset (`Z` accepted), between 2000 and 2100 (`poche_common.bounds.parse_moment`), kept in
  UTC; a time without offset is refused (CAP requires one);
- enumerations as CAP 1.2 spells them (status, msgType Alert|Update|Cancel — Ack and Error carry no public
  alert —, scope, category, responseType, urgency, severity, certainty);
- texts are plain text (`poche_common.plaintext.plain`), cut with "…": headline `MAX_HEADLINE`, description and
  instruction `MAX_LONG_TEXT`, other short texts `MAX_SHORT_TEXT`. Runs of spaces and tabs become one space;
  nothing else is changed: Météo-France's French texts arrive without accents and with `?` for apostrophes
  ("orage d?ete") and are kept as they are;
- polygons: "lat,lon" pairs separated by whitespace, at least 4 points, the last equal to the first, every
  coordinate a finite WGS84 value, at most `MAX_POLYGON_POINTS` points (and `MAX_TOTAL_POINTS` in the whole
  alert); circles "lat,lon radius_km" with 0 ≤ radius ≤ `MAX_RADIUS_KM`;
- at most `MAX_INFOS` infos, `MAX_AREAS` areas per info, `MAX_GEOCODES` geocodes per area, `MAX_PARAMETERS`
  parameters per info, `MAX_REFERENCES` references;
- DOCTYPE, entity declarations and external entities are refused by `poche_common.safexml.parse_xml`.

Meteoalarm's `awareness_level` ("2; yellow; Moderate") and `awareness_type` ("9; avalanches") parameters are read
into `AwarenessLevel` / `AwarenessType` when well-formed (None otherwise: they are an extension, not CAP); every
parameter also stays in `AlertInfo.parameters`.

**Meteoalarm Atom** (`feeds.meteoalarm.org/feeds/meteoalarm-legacy-atom-<country>`): one `<entry>` per
(info, area) of each CAP document, with `cap:*` summary elements. Each entry needs an id, an `updated` time and the
link to its CAP document: the `<link>` whose `type` is `application/cap+xml`, else a `rel="related"` link with an
XML type (Meteoalarm's own `rel="related"` link, without type, is the country's web page, not the CAP document).
An entry missing one of these is rejected with its reason; the summary fields are optional and a summary value
that does not read (unknown severity, time without offset...) is left out (None): the CAP document decides.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET

from poche_common.bounds import check_id, excerpt, parse_moment, web_url
from poche_common.errors import FeedFormatError
from poche_common.plaintext import plain
from poche_common.safexml import parse_xml

from .model import (
    CAP_NAMESPACE,
    CATEGORIES,
    CERTAINTIES,
    MSG_TYPES,
    RESPONSE_TYPES,
    SCOPES,
    SEVERITIES,
    STATUSES,
    URGENCIES,
    Alert,
    AlertInfo,
    Area,
    AtomFeed,
    AwarenessLevel,
    AwarenessType,
    Circle,
    FeedEntry,
    Geocode,
    LatLon,
    Reference,
    RejectedEntry,
)

__all__ = ["parse_atom", "parse_cap", "read_atom"]

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"

MAX_HEADLINE = 200
MAX_LONG_TEXT = 2000  # description, instruction, note
MAX_SHORT_TEXT = 200  # event, areaDesc, senderName, contact, Atom title
MAX_INFOS = 20
MAX_AREAS = 50  # per info
MAX_GEOCODES = 500  # per area
MAX_POLYGONS = 50  # per area
MAX_CIRCLES = 50  # per area
MAX_POLYGON_POINTS = 2000
MAX_TOTAL_POINTS = 20_000  # every polygon of the alert together
MAX_RADIUS_KM = 20_000.0  # half the Earth's circumference: a wider circle is a producer bug
MAX_PARAMETERS = 50  # per info
MAX_PARAMETER_VALUE = 500
MAX_REFERENCES = 100
MAX_CODE = 64  # language, geocode valueName/value, parameter valueName
MAX_ENTRIES = 5000  # entries of one Atom feed (Meteoalarm's France feed has a few hundred)
MAX_ENTRY_ID = 300  # Meteoalarm entry ids are URLs of about 140 characters

_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*\Z")
_FORBIDDEN_IN_ID = re.compile(r"[\s,<&]")
_HORIZONTAL_SPACE = re.compile(r"[ \t\u00a0]+")
_XML_TYPES = frozenset({"application/cap+xml", "application/xml", "text/xml"})
_AWARENESS_COLOURS = {1: "green", 2: "yellow", 3: "orange", 4: "red"}


# --- CAP ---------------------------------------------------------------------------------------------------------


def parse_cap(data: bytes) -> Alert:
    """The CAP 1.2 alert in `data`; `FeedFormatError` with a French reason if it is not one, or not a usable one."""
    root = parse_xml(data)
    if root.tag != f"{{{CAP_NAMESPACE}}}alert":
        raise FeedFormatError(
            f"Le document n'est pas une alerte CAP 1.2 : élément racine {excerpt(root.tag)!r}, attendu <alert> "
            f"dans l'espace de noms {CAP_NAMESPACE}."
        )
    identifier = _text(root, "identifier", strict=False)
    try:
        return _alert(root)
    except ValueError as exc:
        named = f" {excerpt(identifier.strip(), 80)!r}" if identifier else ""
        raise FeedFormatError(f"Alerte CAP{named} refusée : {exc}.") from None


def _alert(root: ET.Element) -> Alert:
    identifier = _cap_id(_required(root, "identifier"), "identifiant (identifier)")
    sender = _cap_id(_required(root, "sender"), "émetteur (sender)")
    sent = parse_moment(_required(root, "sent"), "heure d'envoi (sent)")
    status = _enum(_required(root, "status"), STATUSES, "statut (status)")
    msg_type = _required(root, "msgType").strip()
    if msg_type in ("Ack", "Error"):
        raise ValueError(f"message de type {msg_type} (acquittement ou erreur) : il ne porte aucune alerte publique")
    msg_type = _enum(msg_type, MSG_TYPES, "type de message (msgType)")
    scope = _enum(_required(root, "scope"), SCOPES, "portée (scope)")
    references_text = _text(root, "references")
    references = _references(references_text) if references_text else ()
    note = _plain(_text(root, "note"), MAX_LONG_TEXT)
    info_elements = _children(root, "info")
    if len(info_elements) > MAX_INFOS:
        raise ValueError(f"trop de blocs <info> ({len(info_elements)}, au plus {MAX_INFOS})")
    budget = _PointBudget()
    infos = tuple(_info(element, position, budget) for position, element in enumerate(info_elements, 1))
    return Alert(
        identifier=identifier,
        sender=sender,
        sent=sent,
        status=status,
        msg_type=msg_type,
        scope=scope,
        references=references,
        infos=infos,
        note=note,
    )


def _references(text: str) -> tuple[Reference, ...]:
    triples = text.split()
    if len(triples) > MAX_REFERENCES:
        raise ValueError(f"trop de références ({len(triples)}, au plus {MAX_REFERENCES})")
    references: list[Reference] = []
    for triple in triples:
        parts = triple.split(",")
        if len(parts) != 3:
            raise ValueError(f"référence illisible (attendu « émetteur,identifiant,envoi ») : {excerpt(triple)!r}")
        sender = _cap_id(parts[0], "émetteur d'une référence")
        identifier = _cap_id(parts[1], "identifiant d'une référence")
        sent = parse_moment(parts[2], "heure d'envoi d'une référence")
        references.append(Reference(sender, identifier, sent))
    return tuple(references)


class _PointBudget:
    """Counts the polygon points of one alert against `MAX_TOTAL_POINTS`."""

    def __init__(self) -> None:
        self.used = 0

    def take(self, count: int) -> None:
        self.used += count
        if self.used > MAX_TOTAL_POINTS:
            raise ValueError(f"trop de points de polygone dans l'alerte (plus de {MAX_TOTAL_POINTS})")


def _info(element: ET.Element, position: int, budget: _PointBudget) -> AlertInfo:
    try:
        return _info_content(element, budget)
    except ValueError as exc:
        raise ValueError(f"bloc <info> n° {position} : {exc}") from None


def _info_content(element: ET.Element, budget: _PointBudget) -> AlertInfo:
    language = (_text(element, "language") or "en-US").strip()
    if len(language) > MAX_CODE or not _LANGUAGE.match(language):
        raise ValueError(f"langue illisible : {excerpt(language)!r}")
    categories = tuple(
        _enum(child.text or "", CATEGORIES, "catégorie (category)") for child in _children(element, "category")
    )
    if not categories:
        raise ValueError("élément <category> manquant")
    event = _plain(_required(element, "event"), MAX_SHORT_TEXT)
    if not event:
        raise ValueError("élément <event> vide")
    response_types = tuple(
        _enum(child.text or "", RESPONSE_TYPES, "type de réponse (responseType)")
        for child in _children(element, "responseType")
    )
    parameters = _parameters(element)
    level_text = next((value for name, value in parameters if name == "awareness_level"), None)
    type_text = next((value for name, value in parameters if name == "awareness_type"), None)
    areas_elements = _children(element, "area")
    if len(areas_elements) > MAX_AREAS:
        raise ValueError(f"trop de zones <area> ({len(areas_elements)}, au plus {MAX_AREAS})")
    return AlertInfo(
        language=language,
        categories=categories,
        event=event,
        urgency=_enum(_required(element, "urgency"), URGENCIES, "urgence (urgency)"),
        severity=_enum(_required(element, "severity"), SEVERITIES, "gravité (severity)"),
        certainty=_enum(_required(element, "certainty"), CERTAINTIES, "certitude (certainty)"),
        response_types=response_types,
        effective=_optional_time(element, "effective", "début de validité (effective)"),
        onset=_optional_time(element, "onset", "début du phénomène (onset)"),
        expires=_optional_time(element, "expires", "fin de validité (expires)"),
        sender_name=_plain(_text(element, "senderName"), MAX_SHORT_TEXT),
        headline=_plain(_text(element, "headline"), MAX_HEADLINE),
        description=_plain(_text(element, "description"), MAX_LONG_TEXT),
        instruction=_plain(_text(element, "instruction"), MAX_LONG_TEXT),
        web=web_url(_text(element, "web") or ""),
        contact=_plain(_text(element, "contact"), MAX_SHORT_TEXT),
        awareness_level=_awareness_level(level_text) if level_text else None,
        awareness_type=_awareness_type(type_text) if type_text else None,
        parameters=parameters,
        areas=tuple(_area(area, position, budget) for position, area in enumerate(areas_elements, 1)),
    )


def _parameters(element: ET.Element) -> tuple[tuple[str, str], ...]:
    found = _children(element, "parameter")
    if len(found) > MAX_PARAMETERS:
        raise ValueError(f"trop de paramètres ({len(found)}, au plus {MAX_PARAMETERS})")
    return tuple(_pair(parameter, "paramètre", MAX_PARAMETER_VALUE) for parameter in found)


def _pair(element: ET.Element, what: str, max_value: int) -> tuple[str, str]:
    name = (_text(element, "valueName") or "").strip()
    value = (_text(element, "value") or "").strip()
    if not name:
        raise ValueError(f"{what} sans <valueName>")
    if len(name) > MAX_CODE:
        raise ValueError(f"nom de {what} trop long ({len(name)} caractères, au plus {MAX_CODE})")
    if len(value) > max_value:
        raise ValueError(f"valeur de {what} trop longue ({len(value)} caractères, au plus {max_value})")
    return plain(name, MAX_CODE), plain(value, max_value)


def _awareness_level(text: str) -> AwarenessLevel | None:
    parts = [part.strip() for part in text.split(";")]
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    level, colour = int(parts[0]), parts[1].lower()
    if _AWARENESS_COLOURS.get(level) != colour:
        return None
    return AwarenessLevel(level, colour, parts[2])


def _awareness_type(text: str) -> AwarenessType | None:
    parts = [part.strip() for part in text.split(";")]
    if len(parts) != 2 or not parts[0].isdigit() or not parts[1] or len(parts[0]) > 3:
        return None
    return AwarenessType(int(parts[0]), parts[1])


def _area(element: ET.Element, position: int, budget: _PointBudget) -> Area:
    try:
        area_desc = _plain(_required(element, "areaDesc"), MAX_SHORT_TEXT)
        if not area_desc:
            raise ValueError("élément <areaDesc> vide")
        geocodes = _children(element, "geocode")
        if len(geocodes) > MAX_GEOCODES:
            raise ValueError(f"trop de géocodes ({len(geocodes)}, au plus {MAX_GEOCODES})")
        polygons = _children(element, "polygon")
        if len(polygons) > MAX_POLYGONS:
            raise ValueError(f"trop de polygones ({len(polygons)}, au plus {MAX_POLYGONS})")
        circles = _children(element, "circle")
        if len(circles) > MAX_CIRCLES:
            raise ValueError(f"trop de cercles ({len(circles)}, au plus {MAX_CIRCLES})")
        return Area(
            area_desc=area_desc,
            geocodes=tuple(_geocode(geocode) for geocode in geocodes),
            polygons=tuple(parse_polygon(polygon.text or "", budget) for polygon in polygons),
            circles=tuple(parse_circle(circle.text or "") for circle in circles),
        )
    except ValueError as exc:
        raise ValueError(f"zone <area> n° {position} : {exc}") from None


def _geocode(element: ET.Element) -> Geocode:
    name, value = _pair(element, "géocode", MAX_CODE)
    if not value:
        raise ValueError(f"géocode {name} sans valeur")
    return name, value


def parse_polygon(text: str, budget: _PointBudget | None = None) -> tuple[LatLon, ...]:
    """A CAP polygon ("lat,lon lat,lon …", closed, 4 to `MAX_POLYGON_POINTS` points); else `ValueError`."""
    if len(text) > MAX_POLYGON_POINTS * 48:  # far more characters than the points allowed can take
        raise ValueError(f"polygone trop long (plus de {MAX_POLYGON_POINTS} points)")
    pairs = text.split()
    if len(pairs) > MAX_POLYGON_POINTS:
        raise ValueError(f"polygone de {len(pairs)} points (au plus {MAX_POLYGON_POINTS})")
    if len(pairs) < 4:
        raise ValueError(f"polygone de {len(pairs)} point(s) (au moins 4, le dernier égal au premier)")
    if budget is not None:
        budget.take(len(pairs))
    points = tuple(_point(pair, "point de polygone") for pair in pairs)
    if points[0] != points[-1]:
        raise ValueError("polygone non fermé (le dernier point doit être égal au premier)")
    return points


def parse_circle(text: str) -> Circle:
    """A CAP circle ("lat,lon radius_km"); else `ValueError`."""
    parts = text.split()
    if len(parts) != 2:
        raise ValueError(f"cercle illisible (attendu « lat,lon rayon ») : {excerpt(text.strip())!r}")
    centre = _point(parts[0], "centre de cercle")
    radius = _number(parts[1], "rayon de cercle")
    if not 0 <= radius <= MAX_RADIUS_KM:
        raise ValueError(f"rayon de cercle hors des bornes (0 à {MAX_RADIUS_KM:g} km) : {excerpt(parts[1])!r}")
    return Circle(centre, radius)


def _point(pair: str, what: str) -> LatLon:
    parts = pair.split(",")
    if len(parts) != 2:
        raise ValueError(f"{what} illisible (attendu « lat,lon ») : {excerpt(pair)!r}")
    lat, lon = _number(parts[0], what), _number(parts[1], what)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"{what} hors des coordonnées WGS84 : {excerpt(pair)!r}")
    return lat, lon


def _number(text: str, what: str) -> float:
    if len(text) > 32:
        raise ValueError(f"{what} illisible : {excerpt(text)!r}")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what} illisible : {excerpt(text)!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} illisible : {excerpt(text)!r}")
    return value


# --- Atom --------------------------------------------------------------------------------------------------------


def parse_atom(data: bytes) -> list[FeedEntry]:
    """The usable entries of a Meteoalarm Atom feed (see `read_atom` for the rejected ones)."""
    return list(read_atom(data).entries)


def read_atom(data: bytes) -> AtomFeed:
    """A Meteoalarm Atom feed: its usable entries, the rejected ones with their reason, the feed's `updated`.
    `FeedFormatError` when the document is not an Atom feed."""
    root = parse_xml(data)
    if root.tag != f"{{{ATOM_NAMESPACE}}}feed":
        raise FeedFormatError(
            f"Le document n'est pas un flux Atom : élément racine {excerpt(root.tag)!r}, attendu <feed> dans "
            f"l'espace de noms {ATOM_NAMESPACE}."
        )
    elements = _children(root, "entry")
    if len(elements) > MAX_ENTRIES:
        raise FeedFormatError(f"Le flux Atom a trop d'entrées ({len(elements)}, au plus {MAX_ENTRIES}).")
    entries: list[FeedEntry] = []
    rejected: list[RejectedEntry] = []
    for element in elements:
        raw_id = _text(element, "id", strict=False)
        try:
            entries.append(_entry(element))
        except ValueError as exc:
            rejected.append(RejectedEntry(excerpt(raw_id.strip(), 120) if raw_id else None, str(exc)))
    return AtomFeed(
        updated=_lenient_time(_text(root, "updated", strict=False)),
        entries=tuple(entries),
        rejected=tuple(rejected),
        entries_read=len(elements),
    )


def _entry(element: ET.Element) -> FeedEntry:
    entry_id = check_id(
        _required(element, "id"), "identifiant d'entrée Atom (id)", max_length=MAX_ENTRY_ID, max_bytes=2 * MAX_ENTRY_ID
    )
    updated = parse_moment(_required(element, "updated"), "date de mise à jour de l'entrée (updated)")
    cap_url = _cap_link(element)
    if cap_url is None:
        raise ValueError('entrée sans lien vers son document CAP (link type="application/cap+xml")')
    geocodes: list[Geocode] = []
    for geocode in _children(element, "geocode")[:MAX_GEOCODES]:
        try:
            geocodes.append(_geocode(geocode))
        except ValueError:
            continue  # a summary: the CAP document has the areas
    msg_type = _text(element, "msgType", strict=False) or _text(element, "message_type", strict=False)
    return FeedEntry(
        id=entry_id,
        updated=updated,
        cap_url=cap_url,
        title=_plain(_text(element, "title", strict=False), MAX_SHORT_TEXT),
        identifier=_lenient_id(_text(element, "identifier", strict=False)),
        geocodes=tuple(geocodes),
        area_desc=_plain(_text(element, "areaDesc", strict=False), MAX_SHORT_TEXT),
        event=_plain(_text(element, "event", strict=False), MAX_SHORT_TEXT),
        severity=_lenient_enum(_text(element, "severity", strict=False), SEVERITIES),
        urgency=_lenient_enum(_text(element, "urgency", strict=False), URGENCIES),
        certainty=_lenient_enum(_text(element, "certainty", strict=False), CERTAINTIES),
        status=_lenient_enum(_text(element, "status", strict=False), STATUSES),
        msg_type=_lenient_enum(msg_type, MSG_TYPES),
        sent=_lenient_time(_text(element, "sent", strict=False)),
        onset=_lenient_time(_text(element, "onset", strict=False)),
        expires=_lenient_time(_text(element, "expires", strict=False)),
    )


def _cap_link(element: ET.Element) -> str | None:
    related: str | None = None
    for link in _children(element, "link"):
        kind = (link.get("type") or "").strip().lower()
        href = web_url(link.get("href") or "")
        if href is None:
            continue
        if kind == "application/cap+xml":
            return href
        if related is None and (link.get("rel") or "").strip() == "related" and kind in _XML_TYPES:
            related = href
    return related


def _lenient_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return parse_moment(text)
    except ValueError:
        return None


def _lenient_enum(text: str | None, allowed: frozenset[str]) -> str | None:
    value = (text or "").strip()
    return value if value in allowed else None


def _lenient_id(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return _cap_id(text, "identifiant")
    except ValueError:
        return None


# --- shared helpers ----------------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _text(element: ET.Element, name: str, *, strict: bool = True) -> str | None:
    """The text of the child `name` (None when absent or blank); with `strict`, a repeated child is refused."""
    found = _children(element, name)
    if not found:
        return None
    if strict and len(found) > 1:
        raise ValueError(f"élément <{name}> répété ({len(found)} fois)")
    text = found[0].text or ""
    return text if text.strip() else None


def _required(element: ET.Element, name: str) -> str:
    text = _text(element, name)
    if text is None:
        raise ValueError(f"élément <{name}> manquant ou vide")
    return text


def _optional_time(element: ET.Element, name: str, what: str) -> dt.datetime | None:
    text = _text(element, name)
    return parse_moment(text, what) if text is not None else None


def _cap_id(value: str, what: str) -> str:
    cleaned = check_id(value, what)
    if _FORBIDDEN_IN_ID.search(cleaned):
        raise ValueError(f"{what} contient une espace, une virgule, « < » ou « & » : {excerpt(cleaned)!r}")
    return cleaned


def _enum(value: str, allowed: frozenset[str], what: str) -> str:
    cleaned = value.strip()
    if cleaned not in allowed:
        raise ValueError(f"{what} inconnu(e) : {excerpt(cleaned)!r} (valeurs CAP : {', '.join(sorted(allowed))})")
    return cleaned


def _plain(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    cleaned = plain(_HORIZONTAL_SPACE.sub(" ", text).strip(), limit).strip()
    return cleaned or None
