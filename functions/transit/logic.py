"""The transit service's rules over a small reader port: what each list shows, how it pages, how fresh it is.

Pure: no boto3, no environment; the clock is the `now` given and the reader is any `TransitReader` (the DynamoDB
adapter is `store.DynamoTransitReader`, the unit tests pass an in-memory fake). Each function returns the JSON
payload of one route (the handler adds the HTTP answer). The departures window is `departures.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from poche_common import geo
from poche_common.clock import freshness, to_utc_iso
from poche_common.errors import InvalidRequestError, NotFoundError
from poche_common.pagination import decode_cursor, encode_cursor
from transit_shared.merge import is_live

from . import policy
from .params import BAD_CURSOR
from .views import alert_active, alert_concerns, alert_view, newest, route_view, stop_view, vehicle_view

Item = dict[str, Any]
Key = tuple[str, str]  # (pk, sk)
Page = tuple[list[Item], dict[str, Any] | None]  # items, and the key to continue from (None: the last page)


class TransitReader(Protocol):
    """The reads of the transit table the routes need (layout: docs/transit-model.md)."""

    def fetched_at(self, connector: str) -> str | None: ...
    def feed_states(self, connectors: Iterable[str]) -> dict[str, Item]: ...
    def stops(self, name_prefix: str | None, limit: int, start: dict[str, Any] | None) -> Page: ...
    def routes(self, limit: int, start: dict[str, Any] | None) -> Page: ...
    def stops_in_cells(self, cells: list[str]) -> list[Item]: ...
    def departures(self, stop_id: str, first_sk: str, last_sk: str, *, limit: int) -> tuple[list[Item], bool]: ...
    def get_many(self, keys: Iterable[Key]) -> dict[Key, Item]: ...
    def route_and_vehicles(self, route_id: str) -> tuple[Item | None, list[Item]]: ...
    def alerts(self) -> list[Item]: ...


@dataclass(frozen=True)
class Settings:
    """`stale` limits of the timetable and of real time, and the real-time connectors giving its `as_of`."""

    static_stale_after_s: int = policy.STATIC_STALE_AFTER_SECONDS
    realtime_stale_after_s: int = policy.REALTIME_STALE_AFTER_SECONDS
    realtime_connectors: tuple[str, ...] = policy.REALTIME_CONNECTORS


def static_freshness(reader: TransitReader, settings: Settings, now: dt.datetime) -> dict[str, Any]:
    """`as_of`: when the timetable was last read successfully."""
    return freshness(reader.fetched_at(policy.STATIC_CONNECTOR), settings.static_stale_after_s, now)


def realtime_freshness(reader: TransitReader, settings: Settings, now: dt.datetime) -> dict[str, Any]:
    """`as_of`: when a real-time source was last read successfully (the newest of them)."""
    connectors = settings.realtime_connectors
    states = reader.feed_states(connectors) if connectors else {}
    fetched = newest([state.get("fetched_at") for state in states.values()])
    return freshness(to_utc_iso(fetched) if fetched else None, settings.realtime_stale_after_s, now)


def cursor_after(scope: str, cursor: str | None) -> Any:
    """The key a list paged in memory resumes after, or None for the first page."""
    position = decode_cursor(scope, cursor)
    if position is None:
        return None
    if "after" not in position:
        raise InvalidRequestError(BAD_CURSOR, field="cursor")
    return position["after"]


# ---------------------------------------------------------------- stops and routes


def stops(
    reader: TransitReader, settings: Settings, now: dt.datetime, *, prefix: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    """Stops by name: all, or those whose folded name starts with `prefix`."""
    scope = f"stops|{prefix or ''}"
    items, last_key = reader.stops(prefix, limit, decode_cursor(scope, cursor))
    return {
        "items": [stop_view(item) for item in items],
        "next": encode_cursor(scope, last_key),
        **static_freshness(reader, settings, now),
    }


def _distance_key(after: Any) -> tuple[float, str]:
    """[distance, stop_id] as `stops_near` wrote it; anything else (a forged cursor) is a 400."""
    if not (
        isinstance(after, list)
        and len(after) == 2
        and isinstance(after[0], int | float)
        and not isinstance(after[0], bool)
        and isinstance(after[1], str)
    ):
        raise InvalidRequestError(BAD_CURSOR, field="cursor")
    return float(after[0]), str(after[1])


def stops_near(
    reader: TransitReader,
    settings: Settings,
    now: dt.datetime,
    *,
    lat: float,
    lon: float,
    radius: int,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """Stops within `radius` metres, nearest first (then by id), with their distance."""
    scope = f"stops-near|{lat}|{lon}|{radius}"
    after = cursor_after(scope, cursor)
    cells = geo.cells_covering(geo.box_around(lat, lon, radius), policy.CELL_PRECISION)
    found: list[tuple[float, str, Item]] = []
    for item in reader.stops_in_cells(cells):
        distance = geo.distance_m(lat, lon, float(item["lat"]), float(item["lon"]))
        if distance <= radius:
            found.append((distance, str(item["stop_id"]), item))
    found.sort(key=lambda entry: (entry[0], entry[1]))
    if after is not None:
        resume = _distance_key(after)
        found = [entry for entry in found if (entry[0], entry[1]) > resume]
    page = found[:limit]
    next_key = {"after": [page[-1][0], page[-1][1]]} if len(found) > limit else None
    return {
        "items": [stop_view(item, distance) for distance, _, item in page],
        "next": encode_cursor(scope, next_key),
        **static_freshness(reader, settings, now),
    }


def routes(
    reader: TransitReader, settings: Settings, now: dt.datetime, *, limit: int, cursor: str | None
) -> dict[str, Any]:
    scope = "routes"
    items, last_key = reader.routes(limit, decode_cursor(scope, cursor))
    return {
        "items": [route_view(item) for item in items],
        "next": encode_cursor(scope, last_key),
        **static_freshness(reader, settings, now),
    }


# ---------------------------------------------------------------- real time


def vehicles(
    reader: TransitReader, settings: Settings, now: dt.datetime, *, route_id: str, limit: int, cursor: str | None
) -> dict[str, Any]:
    """Where the route's vehicles are (those not expired and with a position), by id; 404 for an unknown route."""
    scope = f"vehicles|{route_id}"
    after = cursor_after(scope, cursor)
    profile, found = reader.route_and_vehicles(route_id)
    if profile is None:
        raise NotFoundError(f"Aucune ligne n'a l'identifiant « {route_id} ».")
    live = sorted(
        (v for v in found if is_live(v, now) and "lat" in v and "lon" in v), key=lambda v: str(v["vehicle_id"])
    )
    if after is not None:
        live = [v for v in live if str(v["vehicle_id"]) > str(after)]
    page = live[:limit]
    return {
        "route": route_view(profile),
        "items": [vehicle_view(v) for v in page],
        "next": encode_cursor(scope, {"after": page[-1]["vehicle_id"]} if len(live) > limit else None),
        **realtime_freshness(reader, settings, now),
    }


def alerts(
    reader: TransitReader,
    settings: Settings,
    now: dt.datetime,
    *,
    route_id: str | None,
    stop_id: str | None,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """The alerts in force now about that route and/or stop (or the whole network), by key."""
    scope = f"alerts|{route_id or ''}|{stop_id or ''}"
    after = cursor_after(scope, cursor)
    found = [
        a for a in reader.alerts() if is_live(a, now) and alert_active(a, now) and alert_concerns(a, route_id, stop_id)
    ]
    found.sort(key=lambda a: str(a["sk"]))
    if after is not None:
        found = [a for a in found if str(a["sk"]) > str(after)]
    page = found[:limit]
    return {
        "items": [alert_view(a) for a in page],
        "next": encode_cursor(scope, {"after": page[-1]["sk"]} if len(found) > limit else None),
        **realtime_freshness(reader, settings, now),
    }
