"""Write side of the real-time part of the transit table (docs/transit-model.md).

Items written:
- `TRIP#<trip_id> / RT#<service_date>`: a trip's predictions, `expires_at` = now + 10 min;
- `ROUTE#<route_id> / VEH#<vehicle_id>`: a vehicle's position, now + 5 min;
- `ALERTS / ALERT#gtfs-rt#<id>`: a service alert, now + 30 min;
- `FEED#transit-gtfs-rt / DIGESTS#<n>`: this connector's ledger (`poche_common.ledger`); `STATE` gets
  `payload_digest` and `feed_timestamp` (the RunLog writes the rest of it). Both are written by
  `commit`, after the items and the run's event: a run that stops halfway is redone whole.

How a run stays cheap (5,000 entities, a run a minute):
- the handler compares the digest of the payloads with `STATE.payload_digest` first: an unchanged
  feed is not even parsed, and nothing is written;
- otherwise the ledger, the digest and expiry of every item written by the previous run, zlib-packed
  into a few `DIGESTS#<n>` items, is read in one Query instead of reading 5,000 items back;
- an item is put when its content digest changed, or when its stored expiry is within half its TTL
  (a live feed keeps its predictions alive, a stopped one lets them expire); an object that left
  the feed is deleted (unless an entity about it was rejected this run: its last good version stays
  until it expires);
- items go out through BatchWriteItem (25 per call), on a few threads: in AWS each call is a round
  trip, and a first run of 5,000 items is 200 calls;
- items are built directly in DynamoDB's wire format (boto3's TypeSerializer takes four times as
  long on the 300,000 values of 5,000 entities).

The static connector's trip chunks (`FEED#transit-gtfs / TRIPS#<n>`, see `StaticTrips`) give the
route of a vehicle whose trip descriptor has none, and the service date of a TripUpdate without
`start_date` (the day whose scheduled start of the trip is nearest to the times it gives).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from poche_common.dynamo import batch_write, query_all
from poche_common.feeds import state_pk
from poche_common.ledger import (
    Key,
    diff_ledger,
    digest_and_size,
    wire_item,
)
from poche_common.realtime import LedgerWriter

from .model import SOURCE, AlertRealtime, ParsedFeed, Rejection, TripRealtime, VehicleRealtime

CONNECTOR = "transit-gtfs-rt"
STATIC_PK = state_pk("transit-gtfs")
TRIPS_PREFIX = "TRIPS#"
TTL_S = {"trip": 600, "vehicle": 300, "alert": 1800}
BATCH = 25
MAX_ITEM_BYTES = 350_000  # DynamoDB refuses items over 400 KB, and a refused item fails its whole batch
DEFAULT_WRITE_THREADS = 4


# ---------------------------------------------------------------- wire format


def _wire_updates(updates: list[dict[str, Any]]) -> dict[str, Any]:
    """`updates` (flat maps of str, int and bool) in wire format: the bulk of a first run's items."""
    wired = []
    for update in updates:
        fields: dict[str, Any] = {}
        for name, value in update.items():
            kind = type(value)
            fields[name] = {"S": value} if kind is str else {"BOOL": value} if kind is bool else {"N": str(value)}
        wired.append({"M": fields})
    return {"L": wired}


# ---------------------------------------------------------------- planned items


@dataclass(slots=True)
class Planned:
    """An item the feed asks for, before its expiry is set."""

    kind: str  # trip | vehicle | alert
    pk: str
    sk: str
    digest: str
    attributes: dict[str, Any]  # without pk, sk, expires_at
    size: int = 0  # approximate item size in bytes

    @property
    def key(self) -> Key:
        return (self.pk, self.sk)

    def item(self, expires_at: int) -> dict[str, Any]:
        item: dict[str, Any] = {"pk": self.pk, "sk": self.sk, **self.attributes, "expires_at": expires_at}
        updates = item.pop("updates", None)
        wired = wire_item(item)
        if updates is not None:  # the big attribute last: cheaper for emulators that re-measure the item
            wired["updates"] = _wire_updates(updates)
        return wired


def plan_trip(trip: TripRealtime) -> Planned:
    content = {"source": SOURCE, "cancelled": trip.cancelled, "vehicle_id": trip.vehicle_id, "updates": trip.updates}
    digest, size = digest_and_size(content)
    attributes = {
        "source": SOURCE,
        "feed_timestamp": trip.feed_timestamp,  # of the feed that last wrote (changed or refreshed) it; not digested
        "cancelled": trip.cancelled,
        "vehicle_id": trip.vehicle_id,
        "digest": digest,
        "updates": trip.updates,
    }
    return Planned("trip", f"TRIP#{trip.trip_id}", f"RT#{trip.service_date}", digest, attributes, size)


def plan_vehicle(vehicle: VehicleRealtime, route_id: str) -> Planned:
    attributes: dict[str, Any] = {
        "vehicle_id": vehicle.vehicle_id,
        "label": vehicle.label,
        "trip_id": vehicle.trip_id,
        "lat": vehicle.lat,
        "lon": vehicle.lon,
        "bearing": vehicle.bearing,
        "speed": vehicle.speed,
        "current_status": vehicle.current_status,
        "stop_id": vehicle.stop_id,
        "occupancy_status": vehicle.occupancy_status,
        "timestamp": vehicle.timestamp,
    }
    attributes = {k: v for k, v in attributes.items() if v is not None}
    digest, size = digest_and_size(attributes)
    return Planned("vehicle", f"ROUTE#{route_id}", f"VEH#{vehicle.vehicle_id}", digest, attributes, size)


def plan_alert(alert: AlertRealtime) -> Planned:
    attributes: dict[str, Any] = {
        "cause": alert.cause,
        "effect": alert.effect,
        "header": alert.header,
        "description": alert.description,
        "url": alert.url,
        "active_periods": alert.active_periods,
        "informed": alert.informed,
    }
    attributes = {k: v for k, v in attributes.items() if v is not None}
    digest, size = digest_and_size(attributes)
    return Planned("alert", "ALERTS", f"ALERT#{SOURCE}#{alert.alert_id}", digest, attributes, size)


def kind_of(key: Key) -> str:
    if key[0].startswith("TRIP#"):
        return "trip"
    if key[0].startswith("ROUTE#"):
        return "vehicle"
    return "alert"


# ---------------------------------------------------------------- static trips


@dataclass(frozen=True)
class StaticIndex:
    """What the static connector publishes for the real-time ones (`FEED#transit-gtfs / TRIPS#<n>`)."""

    routes: dict[str, str] = field(default_factory=dict)  # trip_id -> route_id
    starts: dict[str, int] = field(default_factory=dict)  # trip_id -> first departure, s from noon minus 12 h
    timezone: str = "Europe/Paris"

    def service_date(self, trip_id: str, reference_time: int) -> str | None:
        """The service date whose scheduled start of the trip is nearest to `reference_time` (a time of
        the running trip), or None when the trip is unknown."""
        start = self.starts.get(trip_id)
        if start is None:
            return None
        zone = ZoneInfo(self.timezone)
        around = dt.datetime.fromtimestamp(reference_time, zone).date()

        def distance(day: dt.date) -> float:  # GTFS times count from noon minus 12 h of their service date
            origin = dt.datetime.combine(day, dt.time(12), zone).astimezone(dt.UTC) - dt.timedelta(hours=12)
            return abs(origin.timestamp() + start - reference_time)

        days = [around + dt.timedelta(days=offset) for offset in (-1, 0, 1)]
        return min(days, key=distance).isoformat()


class StaticTrips:
    """The static connector's `FEED#transit-gtfs / TRIPS#<n>` chunks, as a `StaticIndex`.

    Read at most once per run, and only when needed (a vehicle without route_id, a trip without
    start_date). The index is kept in the warm container: a run first queries the chunks' `sk` and
    `digest` only, and reuses the index while they are unchanged (chunks without a `digest` are
    always read again).
    """

    _cached: tuple[tuple[tuple[str, str], ...], StaticIndex] = ((), StaticIndex())

    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table
        self._run: StaticIndex | None = None
        self.reads = 0  # queries made this run (each of one or more pages)

    def start_run(self) -> None:
        self._run = None
        self.reads = 0

    def _query(self, projection: bool) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": STATIC_PK}, ":prefix": {"S": TRIPS_PREFIX}},
        }
        if projection:
            kwargs["ProjectionExpression"] = "#sk, #digest"
            kwargs["ExpressionAttributeNames"] = {"#sk": "sk", "#digest": "digest"}
        self.reads += 1
        return list(query_all(self.client, **kwargs))

    def index(self) -> StaticIndex:
        if self._run is not None:
            return self._run
        heads = self._query(projection=True)
        fingerprint = tuple(sorted((i["sk"]["S"], i.get("digest", {}).get("S", "")) for i in heads))
        cached_fingerprint, cached = StaticTrips._cached
        if fingerprint and fingerprint == cached_fingerprint and all(d for _, d in fingerprint):
            self._run = cached
            return cached
        index = StaticIndex()
        for item in self._query(projection=False) if heads else []:
            index.routes.update(_map_of(item.get("trips"), str))
            index.starts.update(_map_of(item.get("starts"), int))
            if "S" in item.get("timezone", {}):
                index = StaticIndex(index.routes, index.starts, item["timezone"]["S"])
        StaticTrips._cached = (fingerprint, index)
        self._run = index
        return index


def _map_of(value: dict[str, Any] | None, kind: type) -> dict[str, Any]:
    """A DynamoDB map of strings or numbers (or, tolerated, the same map as a JSON string)."""
    if not value:
        return {}
    if "M" in value:
        return {key: kind(next(iter(v.values()))) for key, v in value["M"].items() if "S" in v or "N" in v}
    if "S" in value:
        decoded = json.loads(value["S"])
        return {str(k): kind(v) for k, v in decoded.items()} if isinstance(decoded, dict) else {}
    return {}


# ---------------------------------------------------------------- one run


class Change(NamedTuple):
    kind: str  # trip | vehicle | alert
    key: Key
    change: str  # created | updated | deleted


@dataclass
class SyncResult:
    changes: list[Change] = field(default_factory=list)
    refreshed: int = 0  # unchanged items put again to push their expiry
    rejected: list[Rejection] = field(default_factory=list)  # found while writing (vehicle without a route...)
    cancelled_trips: list[str] = field(default_factory=list)  # trip ids written as cancelled this run
    items_written: int = 0  # items put or deleted
    ledger: list[dict[str, Any]] = field(default_factory=list)  # ledger chunk requests, written by `commit`

    def count(self, kind: str, change: str | None = None) -> int:
        return sum(1 for c in self.changes if c.kind == kind and (change is None or c.change == change))


class RealtimeWriter(LedgerWriter):
    def __init__(self, client: Any, table: str, *, write_threads: int = DEFAULT_WRITE_THREADS) -> None:
        super().__init__(client, table, CONNECTOR)
        self.static_trips = StaticTrips(client, table)
        self.write_threads = write_threads

    def plan(self, feeds: Iterable[ParsedFeed]) -> tuple[dict[Key, Planned], list[Rejection]]:
        """The items the feeds ask for, first come first served on a key; rejections found on the way."""
        planned: dict[Key, Planned] = {}
        rejected: list[Rejection] = []

        def add(entity: str, plan: Planned, ident: str) -> None:
            if plan.size > MAX_ITEM_BYTES:
                reason = (
                    f"{plan.kind} : trop volumineux pour être stocké ({plan.size} octets, au plus {MAX_ITEM_BYTES})."
                )
                rejected.append(Rejection(entity, reason, plan.kind, ident))
            elif plan.key in planned:
                rejected.append(Rejection(entity, f"doublon de {plan.pk} / {plan.sk} : ignoré.", plan.kind, ident))
            else:
                planned[plan.key] = plan

        for feed in feeds:
            for trip in feed.trips:
                if not trip.dated and trip.reference_time is not None:
                    resolved = self.static_trips.index().service_date(trip.trip_id, trip.reference_time)
                    if resolved is not None and resolved != trip.service_date:
                        trip = trip._replace(service_date=resolved)
                add(trip.entity_id, plan_trip(trip), trip.trip_id)
            for vehicle in feed.vehicles:
                route_id = vehicle.route_id
                if route_id is None and vehicle.trip_id is not None:
                    route_id = self.static_trips.index().routes.get(vehicle.trip_id)
                if route_id is None:
                    reason = (
                        f"vehicle : ligne inconnue (trip_id « {vehicle.trip_id} » absent des horaires théoriques)."
                        if vehicle.trip_id
                        else "vehicle : ni route_id ni trip_id, la ligne du véhicule est inconnue."
                    )
                    rejected.append(Rejection(vehicle.entity_id, reason, "vehicle", vehicle.vehicle_id))
                    continue
                add(vehicle.entity_id, plan_vehicle(vehicle, route_id), vehicle.vehicle_id)
            for alert in feed.alerts:
                add(alert.alert_id, plan_alert(alert), alert.alert_id)
        return planned, rejected

    def sync(
        self,
        feeds: Sequence[ParsedFeed],
        *,
        now_s: int,
        now_iso: str,
    ) -> SyncResult:
        """Write what the feeds change; `rejections` of the parser protect the last good version of their objects."""
        self.static_trips.start_run()
        planned, store_rejected = self.plan(feeds)
        result = SyncResult(rejected=store_rejected)
        rejections = [r for feed in feeds for r in feed.rejected] + store_rejected
        previous = self.ledger.read()

        found = diff_ledger(
            previous,
            {key: (plan.digest, TTL_S[plan.kind]) for key, plan in planned.items()},
            now_s,
            _Protection(rejections).covers,
        )
        requests = [{"PutRequest": {"Item": planned[key].item(expires_at)}} for key, expires_at in found.puts]
        requests += [{"DeleteRequest": {"Key": wire_item({"pk": key[0], "sk": key[1]})}} for key in found.deletes]
        for key, change in found.changes:
            result.changes.append(Change(kind_of(key), key, change))
            if change != "deleted" and key[0].startswith("TRIP#") and planned[key].attributes["cancelled"]:
                result.cancelled_trips.append(key[0].removeprefix("TRIP#"))
        result.refreshed = found.refreshed

        self.write(requests)
        result.items_written = len(requests)
        result.ledger = self.ledger.requests(found.entries, now_iso=now_iso) if found.entries != previous else []
        return result

    def write(self, requests: list[dict[str, Any]]) -> None:
        """The items and the ledger, on a few threads (module docstring)."""
        if not requests:
            return
        batches = [requests[i : i + BATCH] for i in range(0, len(requests), BATCH)]
        threads = min(self.write_threads, len(batches))
        if threads <= 1:
            batch_write(self.client, self.table, requests)
            return
        from concurrent.futures import ThreadPoolExecutor  # only for runs with several batches

        groups = [[r for batch in batches[n::threads] for r in batch] for n in range(threads)]
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="batch-write") as pool:
            for future in [pool.submit(batch_write, self.client, self.table, group) for group in groups]:
                future.result()


class _Protection:
    """Keys whose last good version must stay: an entity about them was rejected this run.

    A rejected entity that says nothing about what it was (no id, no trip) could be any object:
    then nothing is deleted this run.
    """

    def __init__(self, rejections: Iterable[Rejection]) -> None:
        self.everything = False
        self.trips: set[str] = set()
        self.vehicles: set[str] = set()
        self.alerts: set[str] = set()
        for rejection in rejections:
            if rejection.kind is None or rejection.ident is None:
                self.everything = True
            elif rejection.kind == "trip":
                self.trips.add(f"TRIP#{rejection.ident}")
            elif rejection.kind == "vehicle":
                self.vehicles.add(f"VEH#{rejection.ident}")
            else:
                self.alerts.add(f"ALERT#{SOURCE}#{rejection.ident}")

    def covers(self, key: Key) -> bool:
        if self.everything:
            return True
        pk, sk = key
        return pk in self.trips or sk in self.vehicles or sk in self.alerts
