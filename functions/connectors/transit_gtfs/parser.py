"""Parse a GTFS zip (agency, stops, routes, trips, stop_times, calendar, calendar_dates) into a `ParsedFeed`.

Standard library only (`zipfile` + `csv`), imported lazily where it costs (cold start).
- Whole-feed problems raise `FeedFormatError`, so nothing stored changes: not a zip, a required
  file or column missing, neither calendar.txt nor calendar_dates.txt, no valid agency time zone,
  no usable stop or trip at all, an archive beyond its limits (below, and `archive.py`).
- A bad row is skipped and recorded (`Rejection`: file, physical line, reason in French); what
  depended on it goes too (the trips of a rejected route, the stop_times of a rejected stop or trip).
- Identifiers used in keys (agency, stop, route, trip and service ids) must pass
  `poche_common.bounds.check_id` (at most 200 characters, no control character), else their row is
  rejected like any bad row: a 1,500-character stop_id would fail DynamoDB's writes halfway through
  a run. A row referring to such an id is rejected too, for the same reason.
- Files are UTF-8 with or without BOM (Windows-1252 accepted as a fallback), CRLF or LF.
- `frequencies.txt` is not read: trips it lists are timed by headway rather than by their
  stop_times, so they are left out of the timetable (and said so in `notes`) rather than shown at
  a wrong time. Other optional files (shapes, fares, transfers...) are not needed and not read.

Memory is bounded whatever the zip holds (issue 9): files are streamed row by row (`archive.py`),
never read whole; each file read has a cap on its inflated size (MEMBER_LIMITS), all of them together
another (MAX_UNCOMPRESSED_BYTES), and a file inflating more than 100 times is a decompression bomb.
Per row only what the timetable needs is kept, repeated values shared (a stop's id, a time, a
headsign); a name or headsign is cut at MAX_TEXT_CHARS (and `notes` says how many were). A rejected
row keeps its reason only (at most MAX_REASON_CHARS, a value quoted in it at most MAX_EXCERPT_CHARS),
and only the first MAX_REJECTIONS_KEPT of them are kept: `rejected_count` counts them all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from poche_common.bounds import EARLIEST_DATE, LATEST_DATE, check_id, is_id
from poche_common.errors import FeedFormatError

from .archive import Archive, Row
from .model import ParsedFeed, Rejection, Route, ServiceRule, Stop, StopTime, Trip, route_type_code

__all__ = ["parse_feed", "parse_time"]

MIB = 1024 * 1024
REQUIRED_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
CALENDAR_FILES = ("calendar.txt", "calendar_dates.txt")
# Inflated size of each file read. A regional network's stop_times.txt is tens of MiB; each row
# kept costs about twice its text, and the store then needs room for the departures it builds.
MEMBER_LIMITS: dict[str, int] = {
    "agency.txt": 1 * MIB,
    "stops.txt": 32 * MIB,
    "routes.txt": 4 * MIB,
    "trips.txt": 32 * MIB,
    "stop_times.txt": 96 * MIB,
    "calendar.txt": 4 * MIB,
    "calendar_dates.txt": 16 * MIB,
    "frequencies.txt": 4 * MIB,
}
MAX_UNCOMPRESSED_BYTES = 128 * MIB  # all the files read, together
MAX_REJECTIONS_KEPT = 1000  # in detail (the run record keeps the first 50); rejected_count counts them all
MAX_REASON_CHARS = 300
MAX_EXCERPT_CHARS = 60  # a value quoted in a reason
MAX_TEXT_CHARS = 200  # a name or a headsign
MAX_SHARED_SECONDS = 48 * 3600  # times below this share one int object per value
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

_TIME_RE = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)\Z")
_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})\Z")
_COLOR_RE = re.compile(r"^[0-9A-Fa-f]{6}\Z")
_SPACES_RE = re.compile(r"\s+")
_INT_RE = re.compile(r"-?\d{1,9}")


class _RowError(ValueError):
    """A row cannot be used; the message is the French reason."""


# ---------------------------------------------------------------- field parsers


def _shown(value: str) -> str:
    """A value as quoted in a reason: at most MAX_EXCERPT_CHARS characters."""
    value = value.strip()
    return value if len(value) <= MAX_EXCERPT_CHARS else value[: MAX_EXCERPT_CHARS - 1] + "…"


def parse_time(value: str) -> int:
    """`H:MM:SS` or `HH:MM:SS` (hours may exceed 23: `25:10:00`) -> seconds from noon minus 12 h."""
    match = _TIME_RE.match(value.strip())
    if not match:
        raise _RowError(f"« {_shown(value)} » n'est pas une heure HH:MM:SS")
    return int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3])


def _date(value: str, column: str) -> dt.date:
    match = _DATE_RE.match(value.strip())
    if not match:
        raise _RowError(f"{column} « {_shown(value)} » n'est pas une date AAAAMMJJ")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _RowError(f"{column} « {_shown(value)} » n'est pas une date valide : ce jour n'existe pas") from None


def _int(value: str, column: str, *, default: int | None = None, minimum: int = 0) -> int:
    value = value.strip()
    if not value:
        if default is None:
            raise _RowError(f"{column} est vide")
        return default
    if not _INT_RE.fullmatch(value) or int(value) < minimum:
        raise _RowError(f"{column} « {_shown(value)} » n'est pas un entier valide")
    return int(value)


def _float(value: str, column: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise _RowError(f"{column} « {_shown(value)} » n'est pas un nombre") from None
    if not low <= number <= high:
        raise _RowError(f"{column} « {_shown(value)} » est hors des bornes [{low}, {high}]")
    return number


def _text(value: str) -> str:
    return _SPACES_RE.sub(" ", value).strip()


def _value(row: Row, column: str) -> str:
    """A required value (a number...): stripped, not empty."""
    value = row.get(column, "").strip()
    if not value:
        raise _RowError(f"{column} est vide")
    return value


def _id(row: Row, column: str) -> str:
    """An identifier used in a key (poche_common.bounds.check_id), spaces folded as in any text."""
    raw = row.get(column, "")
    if not raw.strip():
        raise _RowError(f"{column} est vide")
    try:
        check_id(raw, column)
    except ValueError as exc:
        raise _RowError(str(exc)) from None
    return _text(raw)


def _row_id(row: Row, column: str) -> str | None:
    """The identifier of a row when it is a usable one, else None (for a rejected row: see `rejected_row`)."""
    raw = row.get(column, "")
    return _text(raw) if is_id(raw) else None


def _color(value: str | None) -> str | None:
    return value.upper() if value and _COLOR_RE.match(value) else None


# ---------------------------------------------------------------- files


class _Reader:
    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.feed = ParsedFeed()
        self.first_rejections: dict[str, Rejection] = {}
        self.cut_texts = 0
        # one object per distinct value, shared by every row that has it
        self.shared_texts: dict[str, str] = {}
        self.shared_seconds: dict[int, int] = {}
        self.shared_dates: dict[str, dt.date] = {}

    def each(self, name: str, parse: Callable[[Row], None]) -> None:
        feed = self.feed
        for line, row in self.archive.rows(name, COLUMNS[name]):
            feed.rows_read += 1
            try:
                parse(row)
            except _RowError as exc:
                self.reject(name, line, str(exc))
                self.rejected_row(name, row)

    def reject(self, name: str, line: int, reason: str) -> None:
        feed = self.feed
        feed.rejected_count += 1
        if len(reason) > MAX_REASON_CHARS:
            reason = reason[: MAX_REASON_CHARS - 1] + "…"
        if name not in self.first_rejections:
            self.first_rejections[name] = Rejection(name, line, reason)
        if len(feed.rejected) < MAX_REJECTIONS_KEPT:
            feed.rejected.append(Rejection(name, line, reason))

    def first_error(self, name: str) -> str:
        """` (ligne 2 : stop_lat est vide).` for the first rejected row of a file, or `.`."""
        first = self.first_rejections.get(name)
        return f" (ligne {first.line} : {first.reason})." if first else "."

    def rejected_row(self, name: str, row: Row) -> None:
        """What a rejected row protects: the stop, route or trip stored under its id is kept (store.py).
        Only usable ids (nothing else can be stored), and for stop_times.txt only the trips of the feed
        (a trip absent from trips.txt and not rejected there is gone: its departures go)."""
        feed = self.feed
        if name == "stops.txt" and (stop_id := _row_id(row, "stop_id")):
            feed.rejected_stop_ids.add(stop_id)
        elif name == "routes.txt" and (route_id := _row_id(row, "route_id")):
            feed.rejected_route_ids.add(route_id)
        elif name == "trips.txt" and (trip_id := _row_id(row, "trip_id")):
            feed.rejected_trip_ids.add(trip_id)
        elif name == "stop_times.txt":
            raw = row.get("trip_id", "")
            trip = feed.trips.get(raw) or feed.trips.get(_text(raw))  # the feed's ids are all usable ones
            if trip is not None:
                feed.rejected_trip_ids.add(trip.trip_id)

    # shared values ------------------------------------------------------
    def text(self, row: Row, column: str) -> str:
        """A name or headsign: spaces folded, at most MAX_TEXT_CHARS characters ("" when absent)."""
        value = row.get(column, "")
        if not value:
            return ""
        value = _text(value)
        if len(value) > MAX_TEXT_CHARS:
            value = value[: MAX_TEXT_CHARS - 1] + "…"
            self.cut_texts += 1
        return value

    def required(self, row: Row, column: str) -> str:
        value = self.text(row, column)
        if not value:
            raise _RowError(f"{column} est vide")
        return value

    def optional(self, row: Row, column: str) -> str | None:
        return self.text(row, column) or None

    def shared(self, value: str | None) -> str | None:
        return None if value is None else self.shared_texts.setdefault(value, value)

    def seconds(self, value: str) -> int:
        seconds = parse_time(value)
        return self.shared_seconds.setdefault(seconds, seconds) if seconds < MAX_SHARED_SECONDS else seconds

    def date(self, row: Row, column: str) -> dt.date:
        raw = row.get(column, "").strip()
        day = self.shared_dates.get(raw)
        if day is None:
            day = _date(raw, column)
            if not EARLIEST_DATE <= day < LATEST_DATE:  # a producer's bug: kept out, so at most 36,525 shared dates
                raise _RowError(f"{column} « {_shown(raw)} » hors des bornes (2000 à 2100)")
            self.shared_dates[raw] = day
        return day

    # agency.txt ----------------------------------------------------------
    def agencies(self) -> dict[str, str]:
        """agency_id -> name; sets the feed's time zone (the first valid one: GTFS requires one for all)."""
        names: dict[str, str] = {}
        zones: list[str] = []

        def parse(row: Row) -> None:
            agency_id = _id(row, "agency_id") if row.get("agency_id", "").strip() else ""
            name = self.required(row, "agency_name")
            zone = _text(row.get("agency_timezone", ""))
            if not zone:
                raise _RowError("agency_timezone est vide")
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                raise _RowError(f"agency_timezone « {_shown(zone)} » n'est pas un fuseau horaire connu") from None
            names[agency_id] = name
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
            stop_id = _id(row, "stop_id")
            if stop_id in stops:
                raise _RowError(f"stop_id « {stop_id} » apparaît deux fois")
            kind = _int(row.get("location_type", ""), "location_type", default=0)
            if kind > 1:  # entrance, generic node, boarding area: not where a timetable applies
                ignored += 1
                return
            lat = _float(_value(row, "stop_lat"), "stop_lat", -90, 90)
            lon = _float(_value(row, "stop_lon"), "stop_lon", -180, 180)
            if lat == 0 and lon == 0:
                raise _RowError("stop_lat et stop_lon valent 0 : coordonnées absentes")
            wheelchair = _int(row.get("wheelchair_boarding", ""), "wheelchair_boarding", default=0)
            parent = _row_id(row, "parent_station")  # an unusable one is no station of this feed: see below
            stops[stop_id] = Stop(
                stop_id=stop_id,
                name=self.required(row, "stop_name"),
                lat=lat,
                lon=lon,
                location_type="station" if kind == 1 else "stop",
                code=self.optional(row, "stop_code"),
                parent_station=parent or None,
                wheelchair_boarding={1: "accessible", 2: "not_accessible"}.get(wheelchair),
                platform_code=self.optional(row, "platform_code"),
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
            shared = replace(stop, parent_station=parent.stop_id)  # one string for the station's id
            if stop.wheelchair_boarding is None and parent.wheelchair_boarding is not None:
                shared = replace(shared, wheelchair_boarding=parent.wheelchair_boarding)
            stops[stop_id] = shared
        if not stops:
            raise FeedFormatError("stops.txt ne contient aucun arrêt valide" + self.first_error("stops.txt"))

    # routes.txt ----------------------------------------------------------
    def routes(self, agencies: dict[str, str]) -> None:
        routes = self.feed.routes
        single_agency = next(iter(agencies.values())) if len(agencies) == 1 else ""

        def parse(row: Row) -> None:
            route_id = _id(row, "route_id")
            if route_id in routes:
                raise _RowError(f"route_id « {route_id} » apparaît deux fois")
            short_name = self.text(row, "route_short_name")
            long_name = self.text(row, "route_long_name")
            if not short_name and not long_name:
                raise _RowError("route_short_name et route_long_name sont vides")
            raw_type = _int(row.get("route_type", ""), "route_type")
            kind = route_type_code(raw_type)
            if kind is None:
                raise _RowError(f"route_type « {raw_type} » n'est pas un mode de transport connu")
            agency_id = _id(row, "agency_id") if row.get("agency_id", "").strip() else ""
            sort_order = row.get("route_sort_order", "").strip()
            routes[route_id] = Route(
                route_id=route_id,
                short_name=short_name,
                long_name=long_name,
                type=kind,
                agency_name=agencies.get(agency_id, single_agency),
                color=_color(_text(row.get("route_color", ""))),
                text_color=_color(_text(row.get("route_text_color", ""))),
                sort_order=_int(sort_order, "route_sort_order") if sort_order else None,
            )

        self.each("routes.txt", parse)

    # trips.txt -----------------------------------------------------------
    def trips(self) -> None:
        trips, routes = self.feed.trips, self.feed.routes

        def parse(row: Row) -> None:
            trip_id = _id(row, "trip_id")
            if trip_id in trips:
                raise _RowError(f"trip_id « {trip_id} » apparaît deux fois")
            route_id = _id(row, "route_id")
            route = routes.get(route_id)
            if route is None:
                raise _RowError(f"route_id « {route_id} » inconnu (absent de routes.txt ou rejeté)")
            service_id = _id(row, "service_id")
            direction = row.get("direction_id", "").strip()
            trips[trip_id] = Trip(
                trip_id=trip_id,
                route_id=route.route_id,
                service_id=cast("str", self.shared(service_id)),
                headsign=self.shared(self.optional(row, "trip_headsign")),
                direction_id=_int(direction, "direction_id") if direction else None,
            )

        self.each("trips.txt", parse)
        if not trips:
            raise FeedFormatError("trips.txt ne contient aucun trajet valide" + self.first_error("trips.txt"))

    # stop_times.txt ------------------------------------------------------
    def stop_times(self) -> None:
        trips, stops, by_trip = self.feed.trips, self.feed.stops, self.feed.stop_times
        # Duplicate stop_sequence check without a (trip, sequence) key per row: feeds list a trip's stops
        # in order, so the highest sequence of each trip says a row is new; a trip whose rows come out of
        # order gets a set of its sequences, built once.
        highest: dict[str, int] = {}
        unordered: dict[str, set[int]] = {}

        def seen(trip_id: str, sequence: int) -> bool:
            top = highest.get(trip_id)
            if top is None or sequence > top:
                return False
            if trip_id not in unordered:
                unordered[trip_id] = {st.stop_sequence for st in by_trip.get(trip_id, ())}
            return sequence in unordered[trip_id]

        def register(trip_id: str, sequence: int) -> None:
            if sequence > highest.get(trip_id, -1):
                highest[trip_id] = sequence
            if trip_id in unordered:
                unordered[trip_id].add(sequence)

        def parse(row: Row) -> None:
            # A reference that is exactly a known id is valid (the id was checked): validate the others only.
            trip_id = row.get("trip_id", "")
            trip = trips.get(trip_id)
            if trip is None:
                trip_id = _id(row, "trip_id")
                trip = trips.get(trip_id)
                if trip is None:
                    raise _RowError(f"trip_id « {trip_id} » inconnu (absent de trips.txt ou rejeté)")
            stop_id = row.get("stop_id", "")
            stop = stops.get(stop_id)
            if stop is None:
                stop_id = _id(row, "stop_id")
                stop = stops.get(stop_id)
                if stop is None:
                    raise _RowError(f"stop_id « {stop_id} » inconnu (absent de stops.txt ou rejeté)")
            if stop.location_type == "station":
                raise _RowError(f"stop_id « {stop_id} » est une gare (location_type 1) et non un point d'arrêt")
            sequence = _int(row.get("stop_sequence", ""), "stop_sequence")
            if seen(trip.trip_id, sequence):
                raise _RowError(f"stop_sequence {sequence} apparaît deux fois pour le trajet « {trip_id} »")
            departure = row.get("departure_time", "").strip() or row.get("arrival_time", "").strip()
            try:
                seconds = self.seconds(departure) if departure else None
            except _RowError as exc:
                raise _RowError(f"departure_time {exc}") from None
            pickup_type = _int(row.get("pickup_type", ""), "pickup_type", default=0)
            register(trip.trip_id, sequence)  # only a row kept: it is the one a later duplicate repeats
            by_trip.setdefault(trip.trip_id, []).append(
                StopTime(
                    stop_id=stop.stop_id,
                    stop_sequence=sequence,
                    departure=seconds,
                    pickup_type=pickup_type,
                    headsign=self.shared(self.optional(row, "stop_headsign")),
                )
            )

        self.each("stop_times.txt", parse)
        for times in by_trip.values():
            times.sort(key=lambda st: st.stop_sequence)

    # calendar.txt, calendar_dates.txt -----------------------------------------
    def calendars(self) -> None:
        rules, exceptions = self.feed.rules, self.feed.exceptions

        def rule(row: Row) -> None:
            service_id = _id(row, "service_id")
            flags = []
            for day in WEEKDAYS:
                value = row.get(day, "").strip()
                if value not in ("0", "1"):
                    raise _RowError(f"{day} « {_shown(value)} » doit valoir 0 ou 1")
                flags.append(value == "1")
            start = self.date(row, "start_date")
            end = self.date(row, "end_date")
            if end < start:
                raise _RowError(f"end_date {end:%Y%m%d} précède start_date {start:%Y%m%d}")
            if service_id in rules:
                raise _RowError(f"service_id « {service_id} » apparaît deux fois")
            weekdays = cast("tuple[bool, bool, bool, bool, bool, bool, bool]", tuple(flags))
            shared_id = cast("str", self.shared(service_id))
            rules[shared_id] = ServiceRule(shared_id, weekdays, start, end)

        def exception(row: Row) -> None:
            service_id = _id(row, "service_id")
            day = self.date(row, "date")
            kind = row.get("exception_type", "").strip()
            if kind not in ("1", "2"):
                raise _RowError(f"exception_type « {_shown(kind)} » doit valoir 1 (ajout) ou 2 (suppression)")
            exceptions.setdefault(cast("str", self.shared(service_id)), {})[day] = kind == "1"

        self.each("calendar.txt", rule)
        self.each("calendar_dates.txt", exception)

    def frequencies(self) -> None:
        """Trips timed by headway are left out (see module docstring)."""
        trips = self.feed.trips
        timed: set[str] = set()
        for _, row in self.archive.rows("frequencies.txt", COLUMNS["frequencies.txt"]):
            trip_id = _row_id(row, "trip_id")
            if trip_id in trips:  # only ids of the feed's trips: the set is bounded by trips.txt
                timed.add(trip_id)
        for trip_id in sorted(timed):
            del trips[trip_id]
            self.feed.stop_times.pop(trip_id, None)
        if timed:
            self.feed.notes.append(f"frequencies.txt non pris en charge : {len(timed)} trajets à fréquence ignorés")


def _open(data: bytes) -> Archive:
    archive = Archive(data, limits=MEMBER_LIMITS, total_limit=MAX_UNCOMPRESSED_BYTES)
    missing = [name for name in REQUIRED_FILES if not archive.has(name)]
    if missing:
        raise FeedFormatError(f"Fichiers obligatoires absents de l'archive GTFS : {', '.join(missing)}.")
    if not any(archive.has(name) for name in CALENDAR_FILES):
        raise FeedFormatError("L'archive GTFS n'a ni calendar.txt ni calendar_dates.txt : aucun jour de service.")
    return archive


def parse_feed(data: bytes) -> ParsedFeed:
    """Everything the connector needs from one GTFS zip; see the module docstring for what fails how."""
    reader = _Reader(_open(data))
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
    if reader.cut_texts:
        feed.notes.append(f"{reader.cut_texts} noms ou destinations coupés à {MAX_TEXT_CHARS} caractères")
    return feed
