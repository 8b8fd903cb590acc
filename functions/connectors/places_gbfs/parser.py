"""Parse GBFS files (General Bikeshare Feed Specification) into `model` objects.

A GBFS system is a set of JSON files found from one URL, `gbfs.json` (auto-discovery). Each file is
`{"last_updated", "ttl", "version", "data": {...}}`. What differs between versions, and how it is read:

| | v1.x / v2.x | v3.x |
| --- | --- | --- |
| `gbfs.json` | `data.<language>.feeds[]` (one list per language) | `data.feeds[]` |
| times (`last_updated`, `last_reported`) | POSIX seconds (integer) | RFC 3339 text |
| station names | text | localized `[{"text", "language"}]` |
| vehicles available at a station | `num_bikes_available` | `num_vehicles_available` |
| vehicles (free-floating) | `free_bike_status`: `bikes[]`, `bike_id` | `vehicle_status`: `vehicles[]`, `vehicle_id` |

The version (the file's own `version` when it is a GBFS version, else the caller's, from discovery) chooses the
field names read first; the other version's spelling is read when the first is absent, and a time or a name is
read in either form (each is unambiguous): producers migrating from v2 to v3 mix them.

Bounds (`poche_common.bounds`): ids through `check_id`; coordinates finite, within the Earth (not 0,0) and, when
given, within a `BBox`; counts non-negative integers ≤ 10,000; times between 2000 and 2100; names plain text
(`poche_common.plaintext.plain`) ≤ 200 characters; at most 20,000 items a file. A file that is not GBFS (not
JSON, not an object, no `data`, no list where one is required, a header without a usable `last_updated`, more
than 20,000 items) raises `FeedFormatError` with a French reason; a bad item is rejected with its index and a
French reason, and the rest is kept.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any, TypeVar

from poche_common import safejson
from poche_common.bounds import EARLIEST, LATEST, check_id, excerpt, parse_moment, web_url
from poche_common.errors import FeedFormatError
from poche_common.plaintext import plain

from .model import BBox, Discovery, Feed, Parsed, Rejection, Station, StationStatus, Vehicle

__all__ = [
    "MAX_COUNT",
    "MAX_ITEMS",
    "parse_discovery",
    "parse_station_information",
    "parse_station_status",
    "parse_vehicles",
    "pick_language",
]

MAX_ITEMS = 20_000  # stations or vehicles in one file: far above any real system (Paris: ~1,500 stations)
MAX_COUNT = 10_000  # vehicles or docks at one station
MAX_FEEDS = 100  # entries of gbfs.json's list
MAX_NAME = 200  # characters of a station name
MAX_ADDRESS = 300
MAX_RANGE_METERS = 1_000_000  # 1,000 km: beyond, a unit error (cm, mm)
MAX_TTL = 31_536_000  # one year
PREFERRED_LANGUAGES = ("fr", "en")
_VERSION = re.compile(r"^([1-3])\.(\d{1,2})(?:-rc\d{0,2})?\Z", re.IGNORECASE)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}\Z")
_FEED_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}\Z")

T = TypeVar("T")


class _ItemError(ValueError):
    """An item cannot be used; the message is the French reason."""


# ---------------------------------------------------------------- the document


def _load(data: bytes, what: str) -> dict[str, Any]:
    """The top-level object of a GBFS file; `FeedFormatError` when it is not one."""
    try:
        document = safejson.loads(data, max_depth=safejson.MAX_FEED_DEPTH)
    except ValueError as exc:  # also UnicodeDecodeError, JSONDepthError
        raise FeedFormatError(f"{what} : JSON illisible ({excerpt(str(exc), 80)}).") from None
    if not isinstance(document, dict):
        raise FeedFormatError(f"{what} : un objet JSON est attendu, pas {_kind(document)} ; ce n'est pas du GBFS.")
    if "data" not in document:
        raise FeedFormatError(f"{what} : pas de champ « data » ; ce n'est pas un fichier GBFS.")
    return document


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "un objet"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, str):
        return "un texte"
    if isinstance(value, bool):
        return "un booléen"
    if isinstance(value, int | float):
        return "un nombre"
    return "null"


def _version(value: Any) -> str | None:
    """A GBFS version string ("2.3", "3.0", "3.1-RC2"), else None."""
    if isinstance(value, str) and _VERSION.match(value.strip()):
        return value.strip()
    return None


def _major(version: str) -> int:
    return int(version.split(".", 1)[0])


def _header(document: dict[str, Any], version: str, what: str) -> Feed:
    """The file's `Feed`; `FeedFormatError` when `last_updated` or `ttl` is unusable."""
    chosen = _version(document.get("version"))
    if chosen is None:
        chosen = _version(version)
        if chosen is None:
            raise FeedFormatError(f"{what} : version GBFS non prise en charge : « {excerpt(version, 20)} ».")
    try:
        last_updated = _moment(document.get("last_updated"), "last_updated")
    except _ItemError as exc:
        raise FeedFormatError(f"{what} : {exc}") from None
    if last_updated is None:
        raise FeedFormatError(f"{what} : pas de last_updated ; ce n'est pas un fichier GBFS.")
    ttl = document.get("ttl", 0)
    if ttl is None:
        ttl = 0
    if isinstance(ttl, float) and ttl.is_integer():
        ttl = int(ttl)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= MAX_TTL:
        raise FeedFormatError(f"{what} : ttl « {excerpt(ttl, 20)} » n'est pas un nombre de secondes (0 à 1 an).")
    return Feed(last_updated=last_updated, ttl=ttl, version=chosen)


def _data(document: dict[str, Any], what: str) -> dict[str, Any]:
    data = document["data"]
    if not isinstance(data, dict):
        raise FeedFormatError(f"{what} : « data » devrait être un objet, c'est {_kind(data)}.")
    return data


def _list(data: dict[str, Any], names: tuple[str, ...], what: str) -> tuple[str, list[Any]]:
    """The first of `data[name]` present, which must be a list of at most `MAX_ITEMS`."""
    for name in names:
        if name in data:
            items = data[name]
            if not isinstance(items, list):
                raise FeedFormatError(f"{what} : « data.{name} » devrait être une liste, c'est {_kind(items)}.")
            if len(items) > MAX_ITEMS:
                raise FeedFormatError(
                    f"{what} : {_thousands(len(items))} éléments dans data.{name}, au plus {_thousands(MAX_ITEMS)}."
                )
            return name, items
    raise FeedFormatError(f"{what} : pas de liste « data.{names[0]} » ; ce n'est pas ce fichier GBFS.")


def _items(
    items: list[Any], build: Callable[[dict[str, Any]], T], id_of: Callable[[T], str], id_field: str
) -> tuple[list[T], list[Rejection]]:
    """Each item built, or rejected with its index and reason; a repeated id is rejected (the first is kept)."""
    kept: list[T] = []
    rejected: list[Rejection] = []
    seen: set[str] = set()
    for index, raw in enumerate(items):
        if not isinstance(raw, dict):
            rejected.append(Rejection(index, f"un objet est attendu, pas {_kind(raw)}."))
            continue
        try:
            item = build(raw)
        except _ItemError as exc:
            rejected.append(Rejection(index, str(exc), _raw_id(raw.get(id_field))))
            continue
        key = id_of(item)
        if key in seen:
            rejected.append(Rejection(index, f"{id_field} « {excerpt(key, 60)} » en double.", key))
            continue
        seen.add(key)
        kept.append(item)
    return kept, rejected


def _raw_id(value: Any) -> str | None:
    try:
        return _ident(value, "id")
    except _ItemError:
        return None


# ---------------------------------------------------------------- values


def _ident(value: Any, what: str) -> str:
    """A checked id (GBFS says text; some v1 producers write numbers)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**18:
        value = str(value)
    if not isinstance(value, str):
        raise _ItemError(f"{what} manquant." if value is None else f"{what} devrait être un texte.")
    try:
        return check_id(value, what)
    except ValueError as exc:
        raise _ItemError(f"{exc}.") from None


def _optional_ident(value: Any, what: str) -> str | None:
    if value is None or value == "":
        return None
    return _ident(value, what)


def _moment(value: Any, what: str) -> dt.datetime | None:
    """POSIX seconds (v1/v2) or RFC 3339 text (v3), in UTC within 2000..2100; None when absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _ItemError(f"{what} devrait être une date, pas un booléen.")
    if isinstance(value, int | float):
        if not math.isfinite(value) or not EARLIEST.timestamp() <= value < LATEST.timestamp():
            raise _ItemError(f"{what} hors des bornes (2000 à 2100) : {excerpt(value, 24)}.")
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    if isinstance(value, str):
        try:
            return parse_moment(value, what)
        except ValueError as exc:
            raise _ItemError(f"{exc}.") from None
    raise _ItemError(f"{what} devrait être une date, c'est {_kind(value)}.")


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _ItemError(f"{what} manquant." if value is None else f"{what} devrait être un nombre.")
    try:
        number = float(value)
    except OverflowError:  # an integer of 400 digits
        raise _ItemError(f"{what} hors des bornes.") from None
    if not math.isfinite(number):
        raise _ItemError(f"{what} n'est pas un nombre fini.")
    return number


def _coordinates(lat_value: Any, lon_value: Any, bbox: BBox | None) -> tuple[float, float]:
    lat, lon = _number(lat_value, "lat"), _number(lon_value, "lon")
    if not -90 <= lat <= 90:
        raise _ItemError(f"lat hors des bornes (-90 à 90) : {excerpt(lat_value, 24)}.")
    if not -180 <= lon <= 180:
        raise _ItemError(f"lon hors des bornes (-180 à 180) : {excerpt(lon_value, 24)}.")
    if lat == 0 and lon == 0:
        raise _ItemError("coordonnées nulles (0, 0) : position inconnue.")
    if bbox is not None and not bbox.contains(lat, lon):
        raise _ItemError(f"position ({lat:.6f}, {lon:.6f}) hors de la zone couverte.")
    return lat, lon


def _count(value: Any, what: str) -> int:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _ItemError(f"{what} manquant." if value is None else f"{what} devrait être un nombre entier.")
    if not 0 <= value <= MAX_COUNT:
        raise _ItemError(f"{what} hors des bornes (0 à {_thousands(MAX_COUNT)}) : {excerpt(value, 24)}.")
    return value


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")  # French: 10 000


def _optional_count(value: Any, what: str) -> int | None:
    return None if value is None else _count(value, what)


def _flag(value: Any, what: str, default: bool | None = None) -> bool:
    """A boolean; v1 wrote 0 / 1."""
    if value is None and default is not None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    raise _ItemError(f"{what} manquant." if value is None else f"{what} devrait être vrai ou faux.")


def _one_line(value: str, limit: int) -> str:
    """`value` as plain text (`plain`) on one line, at most `limit` characters."""
    return " ".join(plain(" ".join(value.split()), limit).split())


def pick_language(languages: list[str]) -> str | None:
    """The language to read among `languages` (tags as GBFS writes them: "fr", "fr-FR", "en"): French first,
    then English, then the first one."""
    if not languages:
        return None
    lowered = [language.lower() for language in languages]
    for wanted in PREFERRED_LANGUAGES:
        for position, tag in enumerate(lowered):
            if tag == wanted or tag.startswith(wanted + "-"):
                return languages[position]
    return languages[0]


def _localized(value: Any, what: str, limit: int) -> str | None:
    """A text (v2) or localized texts `[{"text", "language"}]` (v3, French preferred) as one plain line; None
    when absent or empty."""
    if value is None:
        return None
    if isinstance(value, str):
        text = _one_line(value, limit)
        return text or None
    if not isinstance(value, list):
        raise _ItemError(f"{what} devrait être un texte ou une liste de textes localisés.")
    texts: dict[str, str] = {}
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            continue
        language = entry.get("language")
        tag = language.strip() if isinstance(language, str) else ""
        text = _one_line(entry["text"], limit)
        if text and tag not in texts:
            texts[tag] = text
    if not texts:
        raise _ItemError(f"{what} : aucun texte localisé utilisable.")
    chosen = pick_language([tag for tag in texts if tag]) or ""
    return texts.get(chosen) or next(iter(texts.values()))


# ---------------------------------------------------------------- gbfs.json


def parse_discovery(data: bytes) -> Discovery:
    """`gbfs.json`: the version and the URL of each file (v2: the French list when there is one)."""
    what = "gbfs.json"
    document = _load(data, what)
    body = _data(document, what)
    language: str | None = None
    languages: tuple[str, ...] = ()
    if "feeds" in body:  # v3: one list
        entries = body["feeds"]
        fallback = "3.0"
    else:  # v1, v2: one list per language
        languages = tuple(tag for tag, value in body.items() if isinstance(value, dict) and _LANGUAGE.match(tag))
        language = pick_language(list(languages))
        if language is None:
            raise FeedFormatError(f"{what} : ni « data.feeds » ni liste par langue (« data.fr.feeds »).")
        entries = body[language].get("feeds")
        fallback = "1.0"  # GBFS 1.0 had no version field
    if not isinstance(entries, list):
        raise FeedFormatError(f"{what} : la liste des fichiers devrait être une liste, c'est {_kind(entries)}.")
    if len(entries) > MAX_FEEDS:
        raise FeedFormatError(f"{what} : {len(entries)} fichiers annoncés, au plus {MAX_FEEDS}.")
    version = _version(document.get("version"))
    if version is None and document.get("version") is not None:
        raise FeedFormatError(f"{what} : version GBFS non prise en charge : « {excerpt(document['version'], 20)} ».")
    feed = _header(document, version or fallback, what)
    feeds: dict[str, str] = {}
    rejected: list[Rejection] = []
    for index, entry in enumerate(entries):
        reason = _feed_entry(entry, feeds)
        if reason is not None:
            name = entry.get("name") if isinstance(entry, dict) else None
            rejected.append(Rejection(index, reason, name if isinstance(name, str) and len(name) <= 64 else None))
    if not feeds:
        raise FeedFormatError(f"{what} : aucun fichier utilisable n'est annoncé.")
    return Discovery(
        feed=feed,
        version=feed.version,
        feeds=feeds,
        language=language,
        languages=languages,
        rejected=tuple(rejected),
    )


def _feed_entry(entry: Any, feeds: dict[str, str]) -> str | None:
    """Adds one `{"name", "url"}` to `feeds`; the French reason when it cannot be used."""
    if not isinstance(entry, dict):
        return f"un objet est attendu, pas {_kind(entry)}."
    name, url = entry.get("name"), entry.get("url")
    if not isinstance(name, str) or not _FEED_NAME.match(name.strip()):
        return f"nom de fichier illisible : « {excerpt(name, 40)} »."
    name = name.strip()
    checked = web_url(url) if isinstance(url, str) else None
    if checked is None:
        return f"{name} : URL illisible ou non http(s) : « {excerpt(url, 60)} »."
    if name in feeds:
        return f"{name} annoncé deux fois."
    feeds[name] = checked
    return None


# ---------------------------------------------------------------- station_information


def parse_station_information(data: bytes, version: str, *, bbox: BBox | None = None) -> Parsed[Station]:
    """`station_information.json`: the stations (static places); outside `bbox`, rejected."""
    what = "station_information"
    document = _load(data, what)
    feed = _header(document, version, what)
    _, items = _list(_data(document, what), ("stations",), what)

    def build(raw: dict[str, Any]) -> Station:
        station_id = _ident(raw.get("station_id"), "station_id")
        name = _localized(raw.get("name"), "name", MAX_NAME)
        if name is None:
            raise _ItemError(f"station « {excerpt(station_id, 40)} » sans nom.")
        lat, lon = _coordinates(raw.get("lat"), raw.get("lon"), bbox)
        address_value = raw.get("address")
        address = (_one_line(address_value, MAX_ADDRESS) or None) if isinstance(address_value, str) else None
        return Station(
            station_id=station_id,
            name=name,
            lat=lat,
            lon=lon,
            address=address,
            capacity=_optional_count(raw.get("capacity"), "capacity"),
            is_virtual=_flag(raw.get("is_virtual_station"), "is_virtual_station", default=False),
        )

    stations, rejected = _items(items, build, lambda station: station.station_id, "station_id")
    return Parsed(feed, stations, rejected)


# ---------------------------------------------------------------- station_status


def parse_station_status(data: bytes, version: str) -> Parsed[StationStatus]:
    """`station_status.json`: vehicles and docks available at each station now."""
    what = "station_status"
    document = _load(data, what)
    feed = _header(document, version, what)
    _, items = _list(_data(document, what), ("stations",), what)
    counts = ("num_vehicles_available", "num_bikes_available")
    if _major(feed.version) < 3:
        counts = counts[::-1]

    def build(raw: dict[str, Any]) -> StationStatus:
        station_id = _ident(raw.get("station_id"), "station_id")
        field = next((name for name in counts if name in raw), counts[0])
        return StationStatus(
            station_id=station_id,
            num_vehicles_available=_count(raw.get(field), field),
            num_docks_available=_optional_count(raw.get("num_docks_available"), "num_docks_available"),
            is_installed=_flag(raw.get("is_installed"), "is_installed"),
            is_renting=_flag(raw.get("is_renting"), "is_renting"),
            is_returning=_flag(raw.get("is_returning"), "is_returning"),
            last_reported=_moment(raw.get("last_reported"), "last_reported"),
        )

    statuses, rejected = _items(items, build, lambda status: status.station_id, "station_id")
    return Parsed(feed, statuses, rejected)


# ---------------------------------------------------------------- free_bike_status / vehicle_status


def parse_vehicles(data: bytes, version: str, *, bbox: BBox | None = None) -> Parsed[Vehicle]:
    """`free_bike_status.json` (v1/v2: `data.bikes[]`, `bike_id`) or `vehicle_status.json` (v3:
    `data.vehicles[]`, `vehicle_id`): vehicles where they stand now; outside `bbox`, rejected. A vehicle without
    coordinates is kept only when it is docked at a station (`station_id`)."""
    given = _version(version)
    what = "vehicle_status" if given is not None and _major(given) >= 3 else "free_bike_status"
    document = _load(data, what)
    feed = _header(document, version, what)
    lists = ("vehicles", "bikes") if _major(feed.version) >= 3 else ("bikes", "vehicles")
    name, items = _list(_data(document, what), lists, what)
    id_field = "bike_id" if name == "bikes" else "vehicle_id"
    other_id = "vehicle_id" if name == "bikes" else "bike_id"

    def build(raw: dict[str, Any]) -> Vehicle:
        field = id_field if id_field in raw else other_id if other_id in raw else id_field
        vehicle_id = _ident(raw.get(field), field)
        station_id = _optional_ident(raw.get("station_id"), "station_id")
        lat: float | None
        lon: float | None
        if raw.get("lat") is None and raw.get("lon") is None and station_id is not None:
            lat = lon = None
        else:
            lat, lon = _coordinates(raw.get("lat"), raw.get("lon"), bbox)
        range_value = raw.get("current_range_meters")
        current_range: float | None = None
        if range_value is not None:
            current_range = _number(range_value, "current_range_meters")
            if not 0 <= current_range <= MAX_RANGE_METERS:
                raise _ItemError(f"current_range_meters hors des bornes (0 à 1 000 km) : {excerpt(range_value, 24)}.")
        return Vehicle(
            vehicle_id=vehicle_id,
            lat=lat,
            lon=lon,
            is_reserved=_flag(raw.get("is_reserved"), "is_reserved"),
            is_disabled=_flag(raw.get("is_disabled"), "is_disabled"),
            vehicle_type_id=_optional_ident(raw.get("vehicle_type_id"), "vehicle_type_id"),
            current_range_meters=current_range,
            last_reported=_moment(raw.get("last_reported"), "last_reported"),
            station_id=station_id,
        )

    vehicles, rejected = _items(items, build, lambda vehicle: vehicle.vehicle_id, id_field)
    return Parsed(feed, vehicles, rejected)
