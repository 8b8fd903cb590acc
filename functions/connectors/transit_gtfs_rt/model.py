"""What the connector reads out of a GTFS-Realtime feed, already in the shape of `docs/transit-model.md`.

Plain dataclasses: no Lambda, no AWS, no protobuf (the parser converts the bindings' messages).
Times are UTC ISO 8601 strings (`2026-11-30T07:30:00+00:00`), machine values lowercase codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

SOURCE = "gtfs-rt"

# One stop_time_update as stored: {stop_sequence?, stop_id?, arrival_delay?, departure_delay?,
# arrival_time?, departure_time?, skipped}; delays in seconds, times UTC ISO.
Update = dict[str, Any]


class TripRealtime(NamedTuple):
    """A TripUpdate: `TRIP#<trip_id> / RT#<service_date>`."""

    entity_id: str
    trip_id: str
    service_date: str  # YYYY-MM-DD: start_date; else resolved with the static trip starts (store.py)
    cancelled: bool  # trip CANCELED or DELETED
    vehicle_id: str | None
    updates: list[Update]  # ordered by stop_sequence when every update has one
    feed_timestamp: str  # header timestamp of the feed it came from
    dated: bool = True  # service_date from start_date; False: guessed, see `reference_time`
    reference_time: int | None = None  # without start_date: the POSIX time the service date was guessed from


class VehicleRealtime(NamedTuple):
    """A VehiclePosition: `ROUTE#<route_id> / VEH#<vehicle_id>` (the route may come from the static trips)."""

    entity_id: str
    vehicle_id: str  # VehicleDescriptor.id, else the entity id
    route_id: str | None  # TripDescriptor.route_id; None: look the trip up in the static feed
    trip_id: str | None
    label: str | None
    lat: Decimal  # WGS84, 6 decimals
    lon: Decimal
    bearing: Decimal | None  # degrees clockwise from north, [0, 360)
    speed: Decimal | None  # metres per second
    current_status: str | None  # incoming_at | stopped_at | in_transit_to
    stop_id: str | None
    occupancy_status: str | None  # empty | many_seats_available | ... | not_boardable
    timestamp: str  # the vehicle's own timestamp, else the feed's


class AlertRealtime(NamedTuple):
    """A service alert: `ALERTS / ALERT#gtfs-rt#<entity id>`."""

    alert_id: str
    cause: str  # lowercase code of Alert.Cause (unknown_cause when absent)
    effect: str  # lowercase code of Alert.Effect (unknown_effect when absent)
    header: str  # French when the feed has it
    description: str
    url: str | None
    active_periods: list[dict[str, str]]  # [{start?, end?}] UTC ISO
    informed: list[dict[str, str]]  # [{route_id?, stop_id?, trip_id?, agency_id?}]


class Rejection(NamedTuple):
    """An entity that cannot be used. `kind`/`ident` name what it was about when known (trip id,
    vehicle id, alert id), so that the stored last good version of that object is kept."""

    entity: str  # entity id, or `#<position>` when it has none
    reason: str  # in French, for a person
    kind: str | None = None  # "trip" | "vehicle" | "alert"
    ident: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {"entity": self.entity, "reason": self.reason}


@dataclass
class ParsedFeed:
    version: str  # header.gtfs_realtime_version
    timestamp: str | None  # header timestamp (UTC ISO), None when the producer left it out
    entities: int = 0  # entities read (deleted ones included)
    trips: list[TripRealtime] = field(default_factory=list)
    vehicles: list[VehicleRealtime] = field(default_factory=list)
    alerts: list[AlertRealtime] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    deleted: int = 0  # entities flagged is_deleted (ignored)
