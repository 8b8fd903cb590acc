"""What the connector reads out of a GTFS feed (docs/transit-model.md).

Plain dataclasses: no Lambda, no AWS, no pydantic (cold start). Times of day are kept as GTFS
gives them, in seconds counted from "noon minus 12 h" of the service date (so `25:10:00` is
90600); `timetable.py` turns them into instants. Machine values are stable lowercase codes.
The entities a feed has by the million (stop times, trips) have `__slots__`: no `__dict__` per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Stop:
    stop_id: str
    name: str
    lat: float
    lon: float
    location_type: str  # "stop" (GTFS 0 or empty) | "station" (GTFS 1); entrances, nodes and boarding areas are ignored
    code: str | None = None  # stop_code, what riders read on the pole
    parent_station: str | None = None
    wheelchair_boarding: str | None = None  # "accessible" | "not_accessible"; None when unknown
    platform_code: str | None = None


@dataclass(frozen=True, slots=True)
class Route:
    route_id: str
    short_name: str
    long_name: str
    type: str  # code from ROUTE_TYPES
    agency_name: str
    color: str | None = None  # RRGGBB, upper case, without '#'
    text_color: str | None = None
    sort_order: int | None = None  # route_sort_order


@dataclass(frozen=True, slots=True)
class Trip:
    trip_id: str
    route_id: str
    service_id: str
    headsign: str | None = None
    direction_id: int | None = None


@dataclass(frozen=True, slots=True)
class StopTime:
    stop_id: str
    stop_sequence: int
    departure: int | None  # seconds from noon minus 12 h; None for a stop whose times are interpolated
    pickup_type: int = 0  # 1 = no pickup: passengers may not board here
    headsign: str | None = None  # stop_headsign: overrides the trip's headsign from this stop on


@dataclass(frozen=True, slots=True)
class ServiceRule:
    """A calendar.txt row: the weekdays a service runs between two dates (inclusive)."""

    service_id: str
    weekdays: tuple[bool, bool, bool, bool, bool, bool, bool]  # Monday .. Sunday
    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class Rejection:
    file: str  # "stop_times.txt"
    line: int  # physical line number in that file (header is line 1)
    reason: str  # in French, for a person

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "reason": self.reason}


@dataclass
class ParsedFeed:
    timezone: str = "Europe/Paris"  # agency_timezone: every GTFS time of the feed is in it
    stops: dict[str, Stop] = field(default_factory=dict)
    routes: dict[str, Route] = field(default_factory=dict)
    trips: dict[str, Trip] = field(default_factory=dict)
    stop_times: dict[str, list[StopTime]] = field(default_factory=dict)  # trip_id -> by stop_sequence
    rules: dict[str, ServiceRule] = field(default_factory=dict)  # calendar.txt
    exceptions: dict[str, dict[dt.date, bool]] = field(default_factory=dict)  # calendar_dates: True = added
    rejected: list[Rejection] = field(default_factory=list)  # the first parser.MAX_REJECTIONS_KEPT rejected rows
    rejected_count: int = 0  # every rejected row (`rejected` keeps the first ones only: bounded memory)
    rows_read: int = 0  # data rows seen in the files read, good or bad
    # Identifiers whose row was rejected: a stop or route already stored under such an id is kept
    # (a broken row must not erase what was good yesterday).
    rejected_stop_ids: set[str] = field(default_factory=set)
    rejected_route_ids: set[str] = field(default_factory=set)
    # trips.txt rows rejected, and trips with a rejected stop_times row (its other stops shift: a
    # stop may become the last one, where nobody boards, so none of its departures is deleted)
    rejected_trip_ids: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)  # what was ignored on purpose (frequencies.txt, ...)


# GTFS route_type -> code. Extended types (Google's Hierarchical Vehicle Type) map by range below.
BASIC_ROUTE_TYPES: dict[int, str] = {
    0: "tram",
    1: "metro",
    2: "rail",
    3: "bus",
    4: "ferry",
    5: "cable_tram",
    6: "aerial_lift",
    7: "funicular",
    11: "trolleybus",
    12: "monorail",
}
EXTENDED_ROUTE_TYPES: tuple[tuple[int, int, str], ...] = (
    (100, 199, "rail"),
    (200, 299, "coach"),
    (401, 402, "metro"),
    (405, 405, "monorail"),
    (400, 499, "metro"),
    (700, 799, "bus"),
    (800, 899, "trolleybus"),
    (900, 999, "tram"),
    (1000, 1099, "ferry"),
    (1200, 1299, "ferry"),
    (1300, 1399, "aerial_lift"),
    (1400, 1499, "funicular"),
)
ROUTE_TYPES = (
    "tram",
    "metro",
    "rail",
    "bus",
    "ferry",
    "cable_tram",
    "aerial_lift",
    "funicular",
    "trolleybus",
    "monorail",
    "coach",
)


def route_type_code(value: int) -> str | None:
    if value in BASIC_ROUTE_TYPES:
        return BASIC_ROUTE_TYPES[value]
    for low, high, code in EXTENDED_ROUTE_TYPES:
        if low <= value <= high:
            return code
    return None
