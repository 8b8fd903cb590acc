"""What the connector reads out of a GBFS system (General Bikeshare Feed Specification, v1.x, v2.x and v3.x).

Plain frozen dataclasses: no Lambda, no AWS, no pydantic (cold start). Times are aware and in UTC; texts for
people are plain text (`poche_common.plaintext.plain`), in French when the feed offers French.

What is static and what is live:

- `Station` (`station_information`) is a place: it changes when the operator opens, moves or renames a station
  (its `ttl` is typically a day);
- `StationStatus` (`station_status`) and `Vehicle` (`free_bike_status` in v2, `vehicle_status` in v3) are the
  availability *now*: they change every minute and are worth nothing after a few minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, TypeVar

__all__ = [
    "BBox",
    "Discovery",
    "Feed",
    "Parsed",
    "Rejection",
    "Station",
    "StationStatus",
    "Vehicle",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Feed:
    """The header every GBFS file carries."""

    last_updated: dt.datetime  # when the producer last wrote the data, UTC (v2 POSIX seconds, v3 RFC 3339)
    ttl: int  # seconds the data may be reused before fetching the file again (0: fetch every time)
    version: str  # the file's own `version` ("2.3", "3.0"), else the version the caller gave (from discovery)

    @property
    def expires_at(self) -> dt.datetime:
        """When the file should be fetched again (`last_updated + ttl`)."""
        return self.last_updated + dt.timedelta(seconds=self.ttl)


@dataclass(frozen=True, slots=True)
class Rejection:
    """One item of a list the parser could not use; the rest of the file is kept."""

    index: int  # 0-based position in the file's list (`data.stations[index]`, `data.bikes[index]`...)
    reason: str  # French, for the run's rejection report: "station_id vide", "lat hors des bornes (…)"
    item_id: str | None = None  # the item's id when it could be read: its last good stored version is kept

    def as_dict(self) -> dict[str, str | int]:
        return {"index": self.index, "reason": self.reason}


class Parsed(NamedTuple, Generic[T]):
    """What `parse_station_information`, `parse_station_status` and `parse_vehicles` return (also unpacks as
    `feed, items, rejected = parse_…(…)`)."""

    feed: Feed
    items: list[T]
    rejected: list[Rejection]


class BBox(NamedTuple):
    """A box in WGS 84 degrees: items outside it are rejected (e.g. the Orne and its neighbours)."""

    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


@dataclass(frozen=True, slots=True)
class Station:
    """A station of `station_information`: the static place."""

    station_id: str  # `poche_common.bounds.check_id`
    name: str  # plain text ≤ 200 characters; v3 localized names: French preferred
    lat: float  # WGS 84
    lon: float
    address: str | None = None  # plain text ≤ 300 characters
    capacity: int | None = None  # docks (or parking places of a virtual station), 0..10,000
    is_virtual: bool = False  # `is_virtual_station`: no physical dock, a marked area (v2.1+)


@dataclass(frozen=True, slots=True)
class StationStatus:
    """A station of `station_status`: what is available there now."""

    station_id: str
    num_vehicles_available: int  # v2 `num_bikes_available`, v3 `num_vehicles_available`: 0..10,000
    num_docks_available: int | None  # None: not given (virtual stations, unlimited docking)
    is_installed: bool
    is_renting: bool
    is_returning: bool
    last_reported: dt.datetime | None  # UTC; None when the producer did not say

    @property
    def num_bikes_available(self) -> int:
        """The v2 name of `num_vehicles_available`."""
        return self.num_vehicles_available

    @property
    def in_service(self) -> bool:
        """Whether a vehicle can be taken or returned here now."""
        return self.is_installed and (self.is_renting or self.is_returning)


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A vehicle of `free_bike_status` (v2, `bike_id`) or `vehicle_status` (v3, `vehicle_id`)."""

    vehicle_id: str  # v2 `bike_id` (often rotated after each trip, for privacy), v3 `vehicle_id`
    lat: float | None  # None only for a vehicle docked at a station (`station_id` given)
    lon: float | None
    is_reserved: bool
    is_disabled: bool
    vehicle_type_id: str | None = None
    current_range_meters: float | None = None  # motorized vehicles: how far it can go on its charge
    last_reported: dt.datetime | None = None  # UTC
    station_id: str | None = None  # docked at this station (v2.1+), not free-floating

    @property
    def free_floating(self) -> bool:
        return self.station_id is None

    @property
    def available(self) -> bool:
        """Whether someone can take it now."""
        return not (self.is_reserved or self.is_disabled)


@dataclass(frozen=True, slots=True)
class Discovery:
    """`gbfs.json`: which files the system publishes, and where."""

    feed: Feed
    version: str  # "2.3", "3.0"; "1.0" when a v1 file does not say
    feeds: dict[str, str] = field(default_factory=dict)  # name ("station_status") -> absolute http(s) URL
    language: str | None = None  # v2: the language whose list was chosen ("fr" preferred); v3: None
    languages: tuple[str, ...] = ()  # v2: every language the file lists
    rejected: tuple[Rejection, ...] = ()  # feed entries that could not be used (index in the chosen list)

    @property
    def major(self) -> int:
        return int(self.version.split(".", 1)[0])

    def url(self, name: str) -> str | None:
        return self.feeds.get(name)

    @property
    def vehicles_feed(self) -> str | None:
        """The name of the free-floating vehicles file this system publishes, if any."""
        for name in ("vehicle_status", "free_bike_status"):
            if name in self.feeds:
                return name
        return None
