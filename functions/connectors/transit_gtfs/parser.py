"""Parse a GTFS zip (agency, stops, routes, trips, stop_times, calendar, calendar_dates) into a `ParsedFeed`.

Standard library only (`zipfile` + `csv`), imported lazily where it costs (cold start).
- Whole-feed problems raise `FeedFormatError`, so nothing stored changes: not a zip, a required
  file or column missing, neither calendar.txt nor calendar_dates.txt, no valid agency time zone,
  no usable stop or trip at all, an archive that would inflate beyond the limit.
- A bad row is skipped and recorded (`Rejection`: file, physical line, reason in French); what
  depended on it goes too (the trips of a rejected route, the stop_times of a rejected stop or trip).
- Files are UTF-8 with or without BOM (Windows-1252 accepted as a fallback), CRLF or LF.
- `frequencies.txt` is not read: trips it lists are timed by headway rather than by their
  stop_times, so they are left out of the timetable (and said so in `notes`) rather than shown at
  a wrong time. Other optional files (shapes, fares, transfers...) are not needed and not read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from poche_common.errors import FeedFormatError

from .model import ParsedFeed, Rejection, Route, ServiceRule, Stop, StopTime, Trip, route_type_code

__all__ = ["parse_feed", "parse_time"]

REQUIRED_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
CALENDAR_FILES = ("calendar.txt", "calendar_dates.txt")
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024  # a zip bomb or a whole country's feed: refuse before inflating
COLUMNS: dict[str, tuple[str, ...]] = {  # required columns of each file
    "agency.txt": ("agency_name", "agency_timezone"),
    "stops.txt": ("stop_id",),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_id", "stop_sequence"),
    "calendar.txt": (
        "service_id",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "start_date",
        "end_date",
    ),
    "calendar_dates.txt": ("service_id", "date", "exception_type"),
    "frequencies.txt": ("trip_id",),
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_TIME_RE = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")
_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_COLOR_RE = re.compile(r"^[0-9A-Fa-f]{6}$")
_SPACES_RE = re.compile(r"\s+")


class _RowError(ValueError):
    """A row cannot be used; the message is the French reason."""


Row = dict[str, str]


# ---------------------------------------------------------------- field parsers


def parse_time(value: str) -> int:
    """`H:MM:SS` or `HH:MM:SS` (hours may exceed 23: `25:10:00`) -> seconds from noon minus 12 h."""
    match = _TIME_RE.match(value.strip())
    if not match:
        raise _RowError(f"« {value} » n'est pas une heure HH:MM:SS")
    return int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3])


def _date(value: str, column: str) -> dt.date:
    match = _DATE_RE.match(value.strip())
    if not match:
        raise _RowError(f"{column} « {value} » n'est pas une date AAAAMMJJ")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _RowError(f"{column} « {value} » n'est pas une date valide : ce jour n'existe pas") from None


def _int(value: str, column: str, *, default: int | None = None, minimum: int = 0) -> int:
    value = value.strip()
    if not value:
        if default is None:
            raise _RowError(f"{column} est vide")
        return default
    if not re.fullmatch(r"-?\d{1,9}", value) or int(value) < minimum:
        raise _RowError(f"{column} « {value} » n'est pas un entier valide")
    return int(value)


def _float(value: str, column: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise _RowError(f"{column} « {value} » n'est pas un nombre") from None
    if not low <= number <= high:
        raise _RowError(f"{column} « {value} » est hors des bornes [{low}, {high}]")
    return number


def _text(value: str) -> str:
    return _SPACES_RE.sub(" ", value).strip()


def _required(row: Row, column: str) -> str:
    value = _text(row.get(column, ""))
    if not value:
        raise _RowError(f"{column} est vide")
    return value


def _optional(row: Row, column: str) -> str | None:
    return _text(row.get(column, "")) or None


def _color(value: str | None) -> str | None:
    return value.upper() if value and _COLOR_RE.match(value) else None


# ---------------------------------------------------------------- archive and CSV


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FeedFormatError(f"{name} n'est pas un fichier texte lisible (ni UTF-8 ni Windows-1252).") from exc


def _members(data: bytes) -> dict[str, Any]:
    """File name (lower case, folders dropped) -> ZipInfo; the shallowest wins when a name repeats."""
    import zipfile  # lazily: zipfile pulls bz2 and lzma, a few ms of cold start the service never pays

    if data.lstrip()[:1] == b"<":
        raise FeedFormatError(
            "Le fichier reçu est une page HTML (ou du XML) et non une archive GTFS : l'adresse du jeu de "
            "données renvoie peut-être vers une page d'erreur ou de présentation."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FeedFormatError(
            "Le fichier reçu n'est pas une archive zip : un GTFS est un zip de fichiers .txt."
        ) from None
    members: dict[str, Any] = {}
    for info in archive.infolist():
        if info.is_dir() or "__MACOSX" in info.filename:
            continue
        name = info.filename.rsplit("/", 1)[-1].lower()
        depth = info.filename.count("/")
        if name not in members or depth < members[name].filename.count("/"):
            members[name] = info
    total = sum(info.file_size for name, info in members.items() if name in COLUMNS)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FeedFormatError(
            f"L'archive GTFS ferait {total // (1024 * 1024)} Mio une fois décompressée, "
            f"au-delà de la limite de {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} Mio."
        )
    missing = [name for name in REQUIRED_FILES if name not in members]
    if missing:
        raise FeedFormatError(f"Fichiers obligatoires absents de l'archive GTFS : {', '.join(missing)}.")
    if not any(name in members for name in CALENDAR_FILES):
        raise FeedFormatError("L'archive GTFS n'a ni calendar.txt ni calendar_dates.txt : aucun jour de service.")
    members["__archive__"] = archive
    return members


def _rows(members: dict[str, Any], name: str) -> Iterator[tuple[int, Row]]:
    """(physical line, row by lower-case column name) of every non-blank data row of a file."""
    info = members.get(name)
    if info is None:
        return
    try:
        raw = members["__archive__"].read(info)
    except Exception as exc:  # zlib.error, BadZipFile, NotImplementedError (unsupported compression)
        raise FeedFormatError(f"{name} ne peut pas être extrait de l'archive ({exc}).") from None
    text = _decode(raw, name)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise FeedFormatError(f"{name} est vide : son en-tête manque.")
        columns = [column.strip().lstrip("\ufeff").strip().lower() for column in header]
        missing = [column for column in COLUMNS[name] if column not in columns]
        if missing:
            raise FeedFormatError(f"Colonnes obligatoires absentes de {name} : {', '.join(missing)}.")
        previous_end = reader.line_num
        for fields in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(value.strip() for value in fields):
                continue
            yield start, {column: (fields[i] if i < len(fields) else "") for i, column in enumerate(columns)}
    except csv.Error as exc:
        raise FeedFormatError(f"{name} est mal formé vers la ligne {reader.line_num} ({exc}).") from exc


# ---------------------------------------------------------------- files


class _Reader:
    def __init__(self, members: dict[str, Any]) -> None:
        self.members = members
        self.feed = ParsedFeed()

    def each(self, name: str, parse: Callable[[Row], None]) -> None:
        for line, row in _rows(self.members, name):
            self.feed.rows_read += 1
            try:
                parse(row)
            except _RowError as exc:
                self.feed.rejected.append(Rejection(name, line, str(exc)))
                self.rejected_row(name, row)

    def first_error(self, name: str) -> str:
        """` (ligne 2 : stop_lat est vide).` for the first rejected row of a file, or `.`."""
        first = next((r for r in self.feed.rejected if r.file == name), None)
        return f" (ligne {first.line} : {first.reason})." if first else "."

    def rejected_row(self, name: str, row: Row) -> None:
        if name == "stops.txt" and row.get("stop_id", "").strip():
            self.feed.rejected_stop_ids.add(row["stop_id"].strip())
        if name == "routes.txt" and row.get("route_id", "").strip():
            self.feed.rejected_route_ids.add(row["route_id"].strip())
        if name in ("trips.txt", "stop_times.txt") and row.get("trip_id", "").strip():
            self.feed.rejected_trip_ids.add(row["trip_id"].strip())

    # agency.txt ----------------------------------------------------------
    def agencies(self) -> dict[str, str]:
        """agency_id -> name; sets the feed's time zone (the first valid one: GTFS requires one for all)."""
        names: dict[str, str] = {}
        zones: list[str] = []

        def parse(row: Row) -> None:
            name = _required(row, "agency_name")
            zone = _required(row, "agency_timezone")
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise _RowError(f"agency_timezone « {zone} » n'est pas un fuseau horaire connu") from None
            names[_text(row.get("agency_id", ""))] = name
            zones.append(zone)

        self.each("agency.txt", parse)
        if not zones:
            raise FeedFormatError("agency.txt ne contient aucune agence avec un fuseau horaire valide.")
        self.feed.timezone = zones[0]
        return names

    # stops.txt -----------------------------------------------------------
    def stops(self) -> None:
        stops = self.feed.stops
        ignored = 0

        def parse(row: Row) -> None:
            nonlocal ignored
            stop_id = _required(row, "stop_id")
            if stop_id in stops:
                raise _RowError(f"stop_id « {stop_id} » apparaît deux fois")
            kind = _int(row.get("location_type", ""), "location_type", default=0)
            if kind > 1:  # entrance, generic node, boarding area: not where a timetable applies
                ignored += 1
                return
            lat = _float(_required(row, "stop_lat"), "stop_lat", -90, 90)
            lon = _float(_required(row, "stop_lon"), "stop_lon", -180, 180)
            if lat == 0 and lon == 0:
                raise _RowError("stop_lat et stop_lon valent 0 : coordonnées absentes")
            wheelchair = _int(row.get("wheelchair_boarding", ""), "wheelchair_boarding", default=0)
            stops[stop_id] = Stop(
                stop_id=stop_id,
                name=_required(row, "stop_name"),
                lat=lat,
                lon=lon,
                location_type="station" if kind == 1 else "stop",
                code=_optional(row, "stop_code"),
                parent_station=_optional(row, "parent_station"),
                wheelchair_boarding={1: "accessible", 2: "not_accessible"}.get(wheelchair),
                platform_code=_optional(row, "platform_code"),
            )

        self.each("stops.txt", parse)
        if ignored:
            self.feed.notes.append(f"stops.txt : {ignored} entrées, nœuds ou zones d'embarquement ignorés")
        # A platform whose accessibility is unknown inherits its station's (GTFS wheelchair_boarding rule).
        for stop_id, stop in list(stops.items()):
            parent = stops.get(stop.parent_station or "")
            if parent is None:
                if stop.parent_station:
                    stops[stop_id] = replace(stop, parent_station=None)
                continue
            if stop.wheelchair_boarding is None and parent.wheelchair_boarding is not None:
                stops[stop_id] = replace(stop, wheelchair_boarding=parent.wheelchair_boarding)
        if not stops:
            raise FeedFormatError("stops.txt ne contient aucun arrêt valide" + self.first_error("stops.txt"))

    # routes.txt ----------------------------------------------------------
    def routes(self, agencies: dict[str, str]) -> None:
        routes = self.feed.routes
        single_agency = next(iter(agencies.values())) if len(agencies) == 1 else ""

        def parse(row: Row) -> None:
            route_id = _required(row, "route_id")
            if route_id in routes:
                raise _RowError(f"route_id « {route_id} » apparaît deux fois")
            short_name = _text(row.get("route_short_name", ""))
            long_name = _text(row.get("route_long_name", ""))
            if not short_name and not long_name:
                raise _RowError("route_short_name et route_long_name sont vides")
            raw_type = _int(row.get("route_type", ""), "route_type")
            kind = route_type_code(raw_type)
            if kind is None:
                raise _RowError(f"route_type « {raw_type} » n'est pas un mode de transport connu")
            agency_id = _text(row.get("agency_id", ""))
            sort_order = row.get("route_sort_order", "").strip()
            routes[route_id] = Route(
                route_id=route_id,
                short_name=short_name,
                long_name=long_name,
                type=kind,
                agency_name=agencies.get(agency_id, single_agency),
                color=_color(_optional(row, "route_color")),
                text_color=_color(_optional(row, "route_text_color")),
                sort_order=_int(sort_order, "route_sort_order") if sort_order else None,
            )

        self.each("routes.txt", parse)

    # trips.txt -----------------------------------------------------------
    def trips(self) -> None:
        trips, routes = self.feed.trips, self.feed.routes

        def parse(row: Row) -> None:
            trip_id = _required(row, "trip_id")
            if trip_id in trips:
                raise _RowError(f"trip_id « {trip_id} » apparaît deux fois")
            route_id = _required(row, "route_id")
            if route_id not in routes:
                raise _RowError(f"route_id « {route_id} » inconnu (absent de routes.txt ou rejeté)")
            direction = row.get("direction_id", "").strip()
            trips[trip_id] = Trip(
                trip_id=trip_id,
                route_id=route_id,
                service_id=_required(row, "service_id"),
                headsign=_optional(row, "trip_headsign"),
                direction_id=_int(direction, "direction_id") if direction else None,
            )

        self.each("trips.txt", parse)
        if not trips:
            raise FeedFormatError("trips.txt ne contient aucun trajet valide" + self.first_error("trips.txt"))

    # stop_times.txt ------------------------------------------------------
    def stop_times(self) -> None:
        trips, stops, by_trip = self.feed.trips, self.feed.stops, self.feed.stop_times
        seen: set[tuple[str, int]] = set()

        def parse(row: Row) -> None:
            trip_id = _required(row, "trip_id")
            if trip_id not in trips:
                raise _RowError(f"trip_id « {trip_id} » inconnu (absent de trips.txt ou rejeté)")
            stop_id = _required(row, "stop_id")
            stop = stops.get(stop_id)
            if stop is None:
                raise _RowError(f"stop_id « {stop_id} » inconnu (absent de stops.txt ou rejeté)")
            if stop.location_type == "station":
                raise _RowError(f"stop_id « {stop_id} » est une gare (location_type 1) et non un point d'arrêt")
            sequence = _int(row.get("stop_sequence", ""), "stop_sequence")
            if (trip_id, sequence) in seen:
                raise _RowError(f"stop_sequence {sequence} apparaît deux fois pour le trajet « {trip_id} »")
            departure = row.get("departure_time", "").strip() or row.get("arrival_time", "").strip()
            try:
                seconds = parse_time(departure) if departure else None
            except _RowError as exc:
                raise _RowError(f"departure_time {exc}") from None
            seen.add((trip_id, sequence))
            by_trip.setdefault(trip_id, []).append(
                StopTime(
                    stop_id=stop_id,
                    stop_sequence=sequence,
                    departure=seconds,
                    pickup_type=_int(row.get("pickup_type", ""), "pickup_type", default=0),
                    headsign=_optional(row, "stop_headsign"),
                )
            )

        self.each("stop_times.txt", parse)
        for times in by_trip.values():
            times.sort(key=lambda st: st.stop_sequence)

    # calendar.txt, calendar_dates.txt -----------------------------------------
    def calendars(self) -> None:
        rules, exceptions = self.feed.rules, self.feed.exceptions

        def rule(row: Row) -> None:
            service_id = _required(row, "service_id")
            flags = []
            for day in WEEKDAYS:
                value = row.get(day, "").strip()
                if value not in ("0", "1"):
                    raise _RowError(f"{day} « {value} » doit valoir 0 ou 1")
                flags.append(value == "1")
            start = _date(row.get("start_date", ""), "start_date")
            end = _date(row.get("end_date", ""), "end_date")
            if end < start:
                raise _RowError(f"end_date {end:%Y%m%d} précède start_date {start:%Y%m%d}")
            if service_id in rules:
                raise _RowError(f"service_id « {service_id} » apparaît deux fois")
            weekdays = cast("tuple[bool, bool, bool, bool, bool, bool, bool]", tuple(flags))
            rules[service_id] = ServiceRule(service_id, weekdays, start, end)

        def exception(row: Row) -> None:
            service_id = _required(row, "service_id")
            day = _date(row.get("date", ""), "date")
            kind = row.get("exception_type", "").strip()
            if kind not in ("1", "2"):
                raise _RowError(f"exception_type « {kind} » doit valoir 1 (ajout) ou 2 (suppression)")
            exceptions.setdefault(service_id, {})[day] = kind == "1"

        self.each("calendar.txt", rule)
        self.each("calendar_dates.txt", exception)

    def frequencies(self) -> None:
        """Trips timed by headway are left out (see module docstring)."""
        timed = {row.get("trip_id", "").strip() for _, row in _rows(self.members, "frequencies.txt")}
        dropped = sorted(timed & set(self.feed.trips))
        for trip_id in dropped:
            del self.feed.trips[trip_id]
            self.feed.stop_times.pop(trip_id, None)
        if dropped:
            self.feed.notes.append(f"frequencies.txt non pris en charge : {len(dropped)} trajets à fréquence ignorés")


def parse_feed(data: bytes) -> ParsedFeed:
    """Everything the connector needs from one GTFS zip; see the module docstring for what fails how."""
    members = _members(data)
    reader = _Reader(members)
    agencies = reader.agencies()
    reader.stops()
    reader.routes(agencies)
    reader.trips()
    reader.stop_times()
    reader.calendars()
    reader.frequencies()
    feed = reader.feed
    for trip_id in [t for t in feed.trips if t not in feed.stop_times]:
        del feed.trips[trip_id]  # a trip without any valid stop time has nothing to show
    if not feed.trips:
        raise FeedFormatError("stop_times.txt ne contient aucun horaire valide" + reader.first_error("stop_times.txt"))
    return feed
