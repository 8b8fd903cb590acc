"""Write side of the transit table for the static timetable: diff a parsed feed against what is stored.

Layout: docs/transit-model.md (owned by the transit domain; `functions/transit` reads it).
- `STOP#<id> / PROFILE`: the stop; `gsi1pk=CELL#<geohash 6>` (by_cell), `gsi2pk=STOPS`,
  `gsi2sk=<name key>#<id>` (by_list). Also `route_ids`, the routes boarding there.
- `ROUTE#<id> / PROFILE`: the route; `gsi2pk=ROUTES`, `gsi2sk=<sort key>#<id>`.
- `STOP#<id> / DEP#<scheduled UTC>#<trip_id>`: one departure, for service dates yesterday ..
  today + 2 (Europe/Paris); expires a day after it leaves. A departure from a platform is also
  written under its parent station, so that a station lists the departures of all its platforms.
- `TILE#departures#<stop_id>#<route_id> / CONTENT`: the home screen's `departures` tile (docs/tiles.md): the
  materialised departures of that route at that stop (listed as for the stop itself), rewritten for the
  stops whose departures changed; every (stop, route) served gets one, empty when nothing is materialised.
- `FEED#transit-gtfs / TRIPS#<nnnn>`: `trips` {trip_id: route_id} and `starts` {trip_id: seconds
  of its first departure from noon minus 12 h}, in chunks of at most CHUNK_BYTES, with `timezone`:
  what the real-time connectors need to resolve a trip's route and service date.

Each item carries a `digest` of its content: only what differs is written. The feed is the whole
network: a stop or route it no longer has is deleted, and so are the departures of the
materialised dates that it no longer has (older dates are left to the TTL). What a rejected row
would have replaced (same stop, route or trip id) is kept: a broken row never erases good data.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from poche_common import geo
from poche_common.changes import CREATED, DELETED, Diff, diff, everything
from poche_common.clock import PARIS, to_utc_iso
from poche_common.dynamo import batch_write, content_digest, query_all, to_item
from poche_common.tiles import Entry, Projection, tile_key, write_projections

from .model import ParsedFeed, Route, Stop
from .timetable import Departure, departures, service_origin, window_dates

CONNECTOR = "transit-gtfs"
CELL_PRECISION = 6
CHUNK_BYTES = 350_000
DEPARTURE_RETENTION = dt.timedelta(days=1)
QUERY_THREADS = 8
TILE = "departures"
TILE_LOOKBACK = dt.timedelta(minutes=15)  # as the service: a departure this late may still be coming


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.deleted

    def add(self, found: Diff[Any]) -> None:
        for _, change in found.changes:
            if change == CREATED:
                self.created += 1
            elif change == DELETED:
                self.deleted += 1
            else:
                self.updated += 1

    def as_fact(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "deleted": self.deleted}


@dataclass
class SyncResult:
    stops: Counts = field(default_factory=Counts)
    routes: Counts = field(default_factory=Counts)
    departures: Counts = field(default_factory=Counts)
    trips: Counts = field(default_factory=Counts)  # chunks of the trip -> route map
    dates: set[str] = field(default_factory=set)  # service dates whose departures changed
    stop_ids: set[str] = field(default_factory=set)  # stops whose profile or departures changed
    route_ids: set[str] = field(default_factory=set)  # routes whose profile changed
    window: list[str] = field(default_factory=list)  # the service dates materialised
    tiles: int = 0  # tile projections written

    @property
    def changed(self) -> int:
        return self.stops.total + self.routes.total + self.departures.total + self.trips.total


def name_key(name: str) -> str:
    """Accent-, case- and punctuation-insensitive key: `Sées - Cathédrale` -> `sees cathedrale`.

    The service folds the `q` of a search the same way (functions/transit/views.py `fold`)."""
    name = name.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    bare = "".join(char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", " ", bare.lower()).strip()


def _coordinate(value: float) -> Decimal:
    return Decimal(str(round(value, 7)))


def stop_item(stop: Stop, route_ids: Iterable[str]) -> dict[str, Any]:
    key = name_key(stop.name)
    content: dict[str, Any] = {
        "stop_id": stop.stop_id,
        "name": stop.name,
        "name_key": key,
        "lat": str(_coordinate(stop.lat)),
        "lon": str(_coordinate(stop.lon)),
        "code": stop.code,
        "parent_station": stop.parent_station,
        "location_type": stop.location_type,
        "wheelchair_boarding": stop.wheelchair_boarding,
        "platform_code": stop.platform_code,
        "route_ids": sorted(set(route_ids)),
    }
    item = {"pk": f"STOP#{stop.stop_id}", "sk": "PROFILE", **content, "digest": content_digest(content)}
    item.update(lat=_coordinate(stop.lat), lon=_coordinate(stop.lon))
    item.update(
        gsi1pk=f"CELL#{geo.encode(stop.lat, stop.lon, CELL_PRECISION)}",
        gsi1sk=stop.stop_id,
        gsi2pk="STOPS",
        gsi2sk=f"{key}#{stop.stop_id}",
    )
    return item


def route_sort_key(route: Route) -> str:
    """route_sort_order first, then the name with its numbers in numeric order (2 before 10)."""
    order = f"{route.sort_order:09d}" if route.sort_order is not None else "999999999"
    natural = re.sub(r"\d+", lambda m: m[0].zfill(9), name_key(route.short_name or route.long_name))
    return f"{order}#{natural}"


def route_item(route: Route) -> dict[str, Any]:
    content: dict[str, Any] = {
        "route_id": route.route_id,
        "short_name": route.short_name,
        "long_name": route.long_name,
        "type": route.type,
        "color": route.color,
        "text_color": route.text_color,
        "agency_name": route.agency_name,
        "sort_order": route.sort_order,
    }
    item = {"pk": f"ROUTE#{route.route_id}", "sk": "PROFILE", **content, "digest": content_digest(content)}
    item.update(gsi2pk="ROUTES", gsi2sk=f"{route_sort_key(route)}#{route.route_id}")
    return item


def departure_item(departure: Departure, under: str) -> dict[str, Any]:
    scheduled = to_utc_iso(departure.scheduled)
    content: dict[str, Any] = {
        "stop_id": departure.stop_id,
        "trip_id": departure.trip_id,
        "route_id": departure.route_id,
        "route_short_name": departure.route_short_name,
        "headsign": departure.headsign,
        "service_date": departure.service_date.isoformat(),
        "stop_sequence": departure.stop_sequence,
        "scheduled": scheduled,
    }
    return {
        "pk": f"STOP#{under}",
        "sk": f"DEP#{scheduled}#{departure.trip_id}",
        **content,
        "digest": content_digest(content),
        "expires_at": int((departure.scheduled + DEPARTURE_RETENTION).timestamp()),
    }


def trip_chunks(feed: ParsedFeed) -> list[dict[str, Any]]:
    """The trip -> route map (and first departure of each trip) in items of at most CHUNK_BYTES."""
    chunks: list[dict[str, Any]] = []
    trips: dict[str, str] = {}
    starts: dict[str, int] = {}
    size = 0

    def close() -> None:
        content = {"trips": dict(trips), "starts": dict(starts), "timezone": feed.timezone}
        chunks.append(
            {"pk": f"FEED#{CONNECTOR}", "sk": f"TRIPS#{len(chunks):04d}", **content, "digest": content_digest(content)}
        )

    for trip_id in sorted(feed.trips):
        trip = feed.trips[trip_id]
        times = [st.departure for st in feed.stop_times.get(trip_id, []) if st.departure is not None]
        entry = len(trip_id.encode()) * 2 + len(trip.route_id.encode()) + 24  # both maps, with overhead
        if trips and size + entry > CHUNK_BYTES:
            close()
            trips, starts, size = {}, {}, 0
        trips[trip_id] = trip.route_id
        if times:
            starts[trip_id] = min(times)
        size += entry
    if trips or not chunks:
        close()
    return chunks


def _protected(stored: dict[str, str], feed: ParsedFeed) -> bool:
    """A stored departure of a trip or route whose row was rejected today is not deleted."""
    return stored.get("trip_id") in feed.rejected_trip_ids or stored.get("route_id") in feed.rejected_route_ids


def _all_but(kept: set[str]) -> Callable[[str], bool]:
    """The scope of a list of profiles: every stored one but those of rejected rows."""
    return lambda key: key not in kept


def _deletable(on_disk: dict[str, dict[str, str]], window: set[str], feed: ParsedFeed) -> Callable[[str], bool]:
    """The scope of a stop's departures: those of the materialised dates, but not of a rejected trip or route."""
    return lambda sk: on_disk[sk].get("service_date") in window and not _protected(on_disk[sk], feed)


def departure_entry(item: dict[str, Any]) -> Entry:
    """A departure as the tile keeps it: the stored departure, merged with real time when read."""
    scheduled = dt.datetime.fromisoformat(str(item["scheduled"]))
    fields = ("stop_id", "trip_id", "route_id", "route_short_name", "headsign", "service_date", "stop_sequence")
    view = {name: item[name] for name in fields if item.get(name) not in (None, "")}
    view["stop_sequence"] = int(item["stop_sequence"])
    view["scheduled"] = item["scheduled"]
    return Entry(
        id=str(item["sk"]).removeprefix("DEP#"),
        order=str(item["scheduled"]),
        view=view,
        until=to_utc_iso(scheduled + TILE_LOOKBACK),
    )


def departure_projections(
    feed: ParsedFeed,
    served: dict[str, set[str]],
    wanted: dict[str, dict[str, dict[str, Any]]],
    stored: dict[str, dict[str, dict[str, str]]],
    stop_ids: set[str],
) -> dict[str, Projection]:
    """The `departures` tile of every (stop, route) served at `stop_ids`: the departures now materialised,
    and those of a rejected trip or route kept from before (with what the store had of them)."""
    projections: dict[str, Projection] = {}
    for stop_id in sorted(stop_ids):
        stop = feed.stops.get(stop_id)
        if stop is None:
            continue
        items = list(wanted.get(stop_id, {}).values())
        kept = [dict(v, sk=sk) for sk, v in stored.get(stop_id, {}).items() if sk not in wanted.get(stop_id, {})]
        items += [k for k in kept if _protected(k, feed) and "scheduled" in k]
        for route_id in sorted(served.get(stop_id, set())):
            route = feed.routes.get(route_id)
            if route is None:
                continue
            head = {
                "stop": {"stop_id": stop_id, "name": stop.name},
                "route": {
                    "route_id": route_id,
                    "short_name": route.short_name or route.long_name,
                    "color": f"#{route.color}" if route.color else None,
                    "text_color": f"#{route.text_color}" if route.text_color else None,
                },
            }
            entries = [departure_entry(item) for item in items if item.get("route_id") == route_id]
            key = tile_key([stop_id, route_id])
            projections[key] = Projection({"stop_id": stop_id, "route_id": route_id}, head, entries)
    return projections


class TimetableWriter:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    # ------------------------------------------------------------ reading what is stored
    def _query_all(self, **kwargs: Any) -> list[dict[str, Any]]:
        return list(query_all(self.client, TableName=self.table, **kwargs))

    def _listed(self, list_key: str, id_attribute: str) -> dict[str, str]:
        """id -> digest of every stored profile on the by_list index (STOPS or ROUTES)."""
        items = self._query_all(
            IndexName="by_list",
            KeyConditionExpression="gsi2pk = :p",
            ExpressionAttributeValues={":p": {"S": list_key}},
            ProjectionExpression="#i, digest",
            ExpressionAttributeNames={"#i": id_attribute},
        )
        return {item[id_attribute]["S"]: item.get("digest", {}).get("S", "") for item in items if id_attribute in item}

    def _stored_departures(self, stop_ids: Iterable[str], first_sk: str) -> dict[str, dict[str, dict[str, str]]]:
        """stop_id -> sk -> {digest, and the departure's fields as strings} of its departures from `first_sk` on."""

        def one(stop_id: str) -> tuple[str, dict[str, dict[str, str]]]:
            items = self._query_all(
                KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
                ExpressionAttributeValues={
                    ":pk": {"S": f"STOP#{stop_id}"},
                    ":from": {"S": first_sk},
                    ":to": {"S": "DEP#~"},
                },
                ProjectionExpression="sk, digest, service_date, trip_id, route_id, stop_id, route_short_name, "
                "headsign, stop_sequence, scheduled",
            )
            return stop_id, {
                item["sk"]["S"]: {
                    name: value.get("S", value.get("N", "")) for name, value in item.items() if name != "sk"
                }
                for item in items
            }

        ids = sorted(set(stop_ids))
        if len(ids) <= 1:
            return dict(one(stop_id) for stop_id in ids)
        from concurrent.futures import ThreadPoolExecutor  # lazily: only a sync needs threads

        with ThreadPoolExecutor(max_workers=QUERY_THREADS) as pool:
            return dict(pool.map(one, ids))

    def _stored_chunks(self) -> dict[str, str]:
        items = self._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :t)",
            ExpressionAttributeValues={":pk": {"S": f"FEED#{CONNECTOR}"}, ":t": {"S": "TRIPS#"}},
            ProjectionExpression="sk, digest",
        )
        return {item["sk"]["S"]: item.get("digest", {}).get("S", "") for item in items}

    # ------------------------------------------------------------ the diff
    def sync(
        self, feed: ParsedFeed, now: dt.datetime, before_write: Callable[[SyncResult], None] | None = None
    ) -> SyncResult:
        """Write what differs from the store; `now` decides which service dates are materialised.
        `before_write(result)` is called once the changes are known, before anything is written (the run stages
        its event there)."""
        result = SyncResult()
        dates = window_dates(now.astimezone(PARIS).date())
        result.window = [day.isoformat() for day in dates]
        window = set(result.window)
        requests: list[dict[str, Any]] = []

        # Departures, grouped by the stop they are listed under (the stop, and its parent station).
        wanted: dict[str, dict[str, dict[str, Any]]] = {}
        served: dict[str, set[str]] = {stop_id: set() for stop_id in feed.stops}
        for trip_id, times in feed.stop_times.items():
            for stop_time in times:
                served.setdefault(stop_time.stop_id, set()).add(feed.trips[trip_id].route_id)
        for departure in departures(feed, dates):
            stop = feed.stops[departure.stop_id]
            for under in filter(None, (departure.stop_id, stop.parent_station)):
                item = departure_item(departure, under)
                wanted.setdefault(under, {}).setdefault(item["sk"], item)
        for stop in feed.stops.values():
            if stop.parent_station:
                served.setdefault(stop.parent_station, set()).update(served.get(stop.stop_id, set()))

        # Profiles.
        stored_stops = self._listed("STOPS", "stop_id")
        stored_routes = self._listed("ROUTES", "route_id")
        stops = {s.stop_id: stop_item(s, served.get(s.stop_id, ())) for s in feed.stops.values()}
        routes = {r.route_id: route_item(r) for r in feed.routes.values()}
        kept_stops = feed.rejected_stop_ids - set(feed.stops)
        for counts, ids, stored, items, kept, pk in (
            (result.stops, result.stop_ids, stored_stops, stops, kept_stops, "STOP#"),
            (result.routes, result.route_ids, stored_routes, routes, feed.rejected_route_ids, "ROUTE#"),
        ):
            found = diff(stored, {i: item["digest"] for i, item in items.items()}, _all_but(kept))
            requests += [{"PutRequest": {"Item": to_item(items[i])}} for i in found.puts]
            requests += [
                {"DeleteRequest": {"Key": to_item({"pk": f"{pk}{i}", "sk": "PROFILE"})}} for i in found.deletes
            ]
            counts.add(found)
            ids.update(i for i, _ in found.changes)

        # Departures of the materialised dates (a stored one of a rejected trip or route is kept).
        first_sk = "DEP#" + to_utc_iso(service_origin(dates[0], ZoneInfo(feed.timezone)))
        stop_ids = (set(feed.stops) | set(stored_stops) | set(wanted)) - kept_stops
        stored_departures = self._stored_departures(stop_ids, first_sk)
        for stop_id in sorted(stop_ids):
            on_disk = stored_departures.get(stop_id, {})
            desired = dict(sorted(wanted.get(stop_id, {}).items()))
            found = diff(
                {sk: before.get("digest") for sk, before in on_disk.items()},
                {sk: item["digest"] for sk, item in desired.items()},
                _deletable(on_disk, window, feed),
            )
            requests += [{"PutRequest": {"Item": to_item(desired[sk])}} for sk in found.puts]
            requests += [
                {"DeleteRequest": {"Key": to_item({"pk": f"STOP#{stop_id}", "sk": sk})}} for sk in found.deletes
            ]
            result.departures.add(found)
            result.dates.update(desired[sk]["service_date"] for sk in found.puts)
            result.dates.update(on_disk[sk]["service_date"] for sk in found.deletes)
            if found:
                result.stop_ids.add(stop_id)

        # The home screen's tiles of the stops whose departures changed.
        projections = departure_projections(feed, served, wanted, stored_departures, result.stop_ids - kept_stops)

        # The trip -> route map for the real-time connectors.
        chunks = {chunk["sk"]: chunk for chunk in trip_chunks(feed)}
        found = diff(self._stored_chunks(), {sk: chunk["digest"] for sk, chunk in chunks.items()}, everything)
        requests += [{"PutRequest": {"Item": to_item(chunks[sk])}} for sk in found.puts]
        requests += [{"DeleteRequest": {"Key": to_item({"pk": f"FEED#{CONNECTOR}", "sk": sk})}} for sk in found.deletes]
        result.trips.add(found)

        if before_write is not None:
            before_write(result)
        batch_write(self.client, self.table, requests)
        result.tiles = write_projections(self.client, self.table, TILE, projections, now_iso=to_utc_iso(now))
        return result
