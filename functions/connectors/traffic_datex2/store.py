"""Write side of the traffic table: diff the feed's events against what is stored, write the changes.

Table layout (owned by the traffic domain, spelled in `traffic_shared.keys`; the service `functions/traffic` reads
it). Every item of an event shares its partition `EVENT#<situation id>#<record id>`:
- `PROFILE`: the whole event (type, severity, validity, description, road, geometry, communes, ...).
- `IX#ALL`: `gsi2pk=ALL` (index `by_area`): every event of the département, for the list without filter
  and for the connector's own diff (read with a Query, never a Scan). It also carries `shown_active`: whether
  the `traffic` tile projections last showed the event in force (see below).
- `IX#COMMUNE#<insee>`: `gsi2pk=COMMUNE#<insee>` (index `by_area`), one per commune the geometry touches.
- `IX#CELL#<geohash>`: `gsi1pk=CELL#<geohash>` (index `by_cell`), one per geohash cell the geometry
  crosses, at precisions 3, 4 and 5 (~110 x 150 km, ~26 x 20 km, ~3 x 5 km): a bounding box is answered
  from the coarsest precision that needs at most a few cells, so a 1-degree box costs <= 16 Queries.
Index items carry a summary (id, validity, geometry, bbox, communes) so that the service filters (in force
now? inside the box?), orders and pages on them, then reads only the page's profiles (BatchGetItem).
The GSI sort key is the event id. All items of an event expire (TTL `expires_at`) 7 days after its end.

The feed is authoritative: an event no longer in it is deleted, except one whose record was rejected
this run (a record that became malformed keeps its last good version). Events that ended more than
7 days ago, and events that touch no commune of the département, are not stored.

Tile projections (`TILE#traffic#<insee>` / `CONTENT`, layout in `layers/traffic/python/traffic_shared/tiles.py`):
after its writes, a run rewrites the projections of the communes `SyncResult.touched()` names: those of every
event created, changed or deleted (before and after), and those of every unchanged event whose `active` at this
run differs from its `shown_active` (it started, or ended, since); then it records the new `shown_active`
(`mark_shown`). An event written this run gets `shown_active` with its other items. A run that changes nothing
and sees no event start or end reads and writes no projection.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from poche_common import communes, geo
from poche_common.changes import DELETED, diff
from poche_common.clock import to_utc_iso
from poche_common.connector import partition_keys
from poche_common.dynamo import batch_write, content_digest, query_all, to_item
from traffic_shared.keys import (
    ALL,
    AREA_PK,
    AREA_SK,
    BY_AREA,
    CELL_PK,
    CELL_SK,
    PROFILE,
    cell_partition,
    commune_partition,
    event_pk,
    index_sk,
)
from traffic_shared.views import is_active

from .model import SEVERITIES, TYPES, Geometry, TrafficEvent

if TYPE_CHECKING:  # annotations only: the event registry is not compiled at this function's cold start
    from poche_common.eventtypes import Change as ChangeKind
    from poche_common.eventtypes import TrafficChange

KEEP_AFTER_END_DAYS = 7
CELL_PRECISIONS = (3, 4, 5)
SAMPLE_STEP_M = 100.0  # a line is followed every 100 m to find the cells and communes it crosses
BORDER_TOLERANCE_M = 100.0  # commune outlines are simplified (~70 m): a point in none is looked for around


class Change(NamedTuple):
    event_id: str
    change: ChangeKind
    type: str
    communes: tuple[str, ...]
    previous: tuple[str, ...] = ()  # an updated event's communes before the change
    title: str = ""  # what the event is, for people: its description (bounded in the event by `with_titles`)

    def as_fact(self) -> TrafficChange:
        """The change as `TrafficEventsUpdated` lists it."""
        return {
            "id": self.event_id,
            "change": self.change,
            "type": self.type,
            "communes": list(self.communes),
            "title": self.title,
        }


class Shown(NamedTuple):
    """An unchanged event whose `active` differs from what the tile projections last showed."""

    pk: str
    active: bool
    communes: tuple[str, ...]


@dataclass
class SyncResult:
    changes: list[Change] = field(default_factory=list)
    outside: int = 0  # events touching no commune of the département
    expired: int = 0  # events ended more than KEEP_AFTER_END_DAYS ago
    shown: list[Shown] = field(default_factory=list)

    def touched(self) -> set[str]:
        """The communes whose tile projection this run may have changed."""
        found = {code for c in self.changes for code in (*c.communes, *c.previous)}
        return found | {code for s in self.shown for code in s.communes}


class Footprint(NamedTuple):
    """Where an event's geometry lies, for the indexes."""

    cells: tuple[str, ...]  # geohashes at every precision of CELL_PRECISIONS
    communes: tuple[str, ...]  # INSEE codes, sorted


def partition(event: TrafficEvent) -> str:
    return event_pk(event.situation_id, event.record_id)


_digest = content_digest  # the name tests/unit/traffic/test_traffic_tile.py reaches for


# --- geography ------------------------------------------------------------------------------------------------


def sample(geometry: Geometry, step_m: float = SAMPLE_STEP_M) -> list[tuple[float, float]]:
    """(lon, lat) positions along the geometry, no further apart than `step_m`."""
    positions = list(geometry.positions)
    samples = [positions[0]]
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(positions):
        steps = max(1, math.ceil(geo.distance_m(lat1, lon1, lat2, lon2) / step_m))
        for index in range(1, steps + 1):
            ratio = index / steps
            samples.append((lon1 + (lon2 - lon1) * ratio, lat1 + (lat2 - lat1) * ratio))
    return samples


@functools.cache
def territory_bbox() -> tuple[float, float, float, float]:
    boxes = [c.bbox for c in communes.all_communes()]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _communes_near(lat: float, lon: float) -> set[str]:
    found = communes.commune_at(lat, lon)
    if found:
        return {found}
    d_lat = math.degrees(BORDER_TOLERANCE_M / geo.EARTH_RADIUS_M)
    d_lon = d_lat / max(math.cos(math.radians(lat)), 1e-6)
    around = (
        communes.commune_at(lat + d_lat, lon),
        communes.commune_at(lat - d_lat, lon),
        communes.commune_at(lat, lon + d_lon),
        communes.commune_at(lat, lon - d_lon),
    )
    return {code for code in around if code}


def footprint(geometry: Geometry) -> Footprint:
    """The cells and communes a geometry touches (no commune: outside the département)."""
    if not geo.boxes_intersect(geometry.bbox, territory_bbox()):
        return Footprint((), ())
    samples = sample(geometry)
    cells = sorted({geo.encode(lat, lon, precision) for lon, lat in samples for precision in CELL_PRECISIONS})
    touched: set[str] = set()
    for lon, lat in samples:
        touched |= _communes_near(lat, lon)
    return Footprint(tuple(cells), tuple(sorted(touched)))


# --- items ----------------------------------------------------------------------------------------------------


def geometry_json(geometry: Geometry) -> str:
    return json.dumps(
        {
            "kind": geometry.kind,
            "positions": [list(p) for p in geometry.positions],
            "display": list(geometry.display),
        },
        separators=(",", ":"),
    )


def content_of(event: TrafficEvent) -> dict[str, Any]:
    """What the feed says of an event: the digest is taken over it (and the communes data's date)."""
    return {
        "id": event.id,
        "situation_id": event.situation_id,
        "record_id": event.record_id,
        "version": event.version,
        "type": event.type,
        "type_label": TYPES[event.type],
        "datex_type": event.datex_type,
        "detail": event.detail,
        "severity": event.severity,
        "severity_label": SEVERITIES[event.severity],
        "status": event.status,
        "start": to_utc_iso(event.start),
        "end": to_utc_iso(event.end) if event.end else None,
        "description": event.description,
        "description_generated": event.description_generated,
        "road": event.road,
        "road_name": event.road_name,
        "places": list(event.places),
        "geometry": geometry_json(event.geometry),
        "created_at": to_utc_iso(event.created_at) if event.created_at else None,
        "updated_at": to_utc_iso(event.updated_at) if event.updated_at else None,
        "datex_version": event.datex_version,
    }


def expires_at(event: TrafficEvent) -> int | None:
    if event.end is None:
        return None
    return int((event.end + dt.timedelta(days=KEEP_AFTER_END_DAYS)).timestamp())


def items_of(
    event: TrafficEvent, content: dict[str, Any], digest: str, where: Footprint, shown_active: bool | None = None
) -> list[dict[str, Any]]:
    """The profile and every index item of one event (`shown_active` on `IX#ALL` when given)."""
    pk = partition(event)
    bbox = [round(v, 6) for v in event.geometry.bbox]
    expiry = expires_at(event)
    profile = {
        "pk": pk,
        "sk": PROFILE,
        **content,
        "bbox": json.dumps(bbox),
        "communes": list(where.communes),
        "cells": list(where.cells),
        "digest": digest,
        "expires_at": expiry,
    }
    summary = {
        "id": event.id,
        "type": event.type,
        "status": event.status,
        "start": content["start"],
        "end": content["end"],
        "geometry": content["geometry"],
        "bbox": json.dumps(bbox),
        "communes": list(where.communes),
        "digest": digest,
        "expires_at": expiry,
    }
    marker = {"shown_active": shown_active} if shown_active is not None else {}
    items = [profile, {"pk": pk, "sk": index_sk(ALL), AREA_PK: ALL, AREA_SK: event.id, **summary, **marker}]
    for insee in where.communes:
        area = commune_partition(insee)
        items.append({"pk": pk, "sk": index_sk(area), AREA_PK: area, AREA_SK: event.id, **summary})
    for cell in where.cells:
        crossed = cell_partition(cell)
        items.append({"pk": pk, "sk": index_sk(crossed), CELL_PK: crossed, CELL_SK: event.id, **summary})
    return items


# --- writer ---------------------------------------------------------------------------------------------------


class _Stored(NamedTuple):
    pk: str
    digest: str
    type: str
    communes: tuple[str, ...]
    status: str = "active"
    start: str = ""
    end: str | None = None
    shown_active: bool | None = None  # None: never projected


class EventWriter:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def stored(self) -> dict[str, _Stored]:
        """id -> digest, type, communes, validity and `shown_active` of every stored event (one Query of the `ALL`
        partition)."""
        found: dict[str, _Stored] = {}
        for item in query_all(
            self.client,
            TableName=self.table,
            IndexName=BY_AREA,
            KeyConditionExpression=f"{AREA_PK} = :all",
            ExpressionAttributeValues=to_item({":all": ALL}),
            ProjectionExpression="pk, id, digest, #t, communes, #st, #s, #e, shown_active",
            ExpressionAttributeNames={"#t": "type", "#st": "status", "#s": "start", "#e": "end"},
        ):
            found[item["id"]["S"]] = _Stored(
                pk=item["pk"]["S"],
                digest=item.get("digest", {}).get("S", ""),
                type=item.get("type", {}).get("S", "other"),
                communes=tuple(v["S"] for v in item.get("communes", {}).get("L", [])),
                status=item.get("status", {}).get("S", "active"),
                start=item.get("start", {}).get("S", ""),
                end=item.get("end", {}).get("S"),
                shown_active=item["shown_active"]["BOOL"] if "shown_active" in item else None,
            )
        return found

    def _keys(self, pk: str) -> set[str]:
        """Sort keys of every item of one stored event."""
        return partition_keys(self.client, self.table, pk)

    def sync(
        self,
        events: Iterable[TrafficEvent],
        *,
        keep: set[str],
        now: dt.datetime,
        before_write: Callable[[SyncResult], None] | None = None,
    ) -> SyncResult:
        """Write what differs from the store; delete what left the feed (but `keep`); changes in id order; the
        unchanged events whose `active` differs from their `shown_active` in `shown`. `before_write(result)` is
        called once the changes are known, before anything is written (the run stages its event there)."""
        result = SyncResult()
        latest: dict[str, TrafficEvent] = {}
        for event in events:
            previous = latest.get(event.id)
            if previous is None or (event.updated_at or event.start) >= (previous.updated_at or previous.start):
                latest[event.id] = event
        stored = self.stored()
        reference = communes.as_of()
        horizon = now - dt.timedelta(days=KEEP_AFTER_END_DAYS)
        contents: dict[str, dict[str, Any]] = {}
        digests: dict[str, str] = {}
        where: dict[str, Footprint] = {}
        for event_id in sorted(latest):
            event = latest[event_id]
            if event.end is not None and event.end < horizon:
                result.expired += 1
                continue
            contents[event_id] = content_of(event)
            digests[event_id] = content_digest({**contents[event_id], "communes_as_of": reference})
            before = stored.get(event_id)
            if before is None or before.digest != digests[event_id]:  # to be written: where is it now?
                where[event_id] = footprint(event.geometry)
                if not where[event_id].communes:  # outside the territory: not stored (deleted if it was)
                    result.outside += 1
                    del digests[event_id]
        found = diff({i: s.digest for i, s in stored.items()}, digests, lambda i: i not in keep)
        requests: list[dict[str, Any]] = []
        for event_id, change in found.changes:
            before = stored.get(event_id)
            if change == DELETED and before is not None:
                keys = sorted(self._keys(before.pk))
                requests += [{"DeleteRequest": {"Key": to_item({"pk": before.pk, "sk": sk})}} for sk in keys]
                result.changes.append(Change(event_id, change, before.type, before.communes))
                continue
            event, content = latest[event_id], contents[event_id]
            active = is_active(content["status"], content["start"], content["end"], now)
            items = items_of(event, content, digests[event_id], where[event_id], shown_active=active)
            requests += [{"PutRequest": {"Item": to_item(item)}} for item in items]
            if before is not None:  # its cells or communes may have changed: drop the index items left behind
                obsolete = sorted(self._keys(before.pk) - {item["sk"] for item in items})
                requests += [{"DeleteRequest": {"Key": to_item({"pk": before.pk, "sk": sk})}} for sk in obsolete]
            was_in = before.communes if before is not None else ()
            result.changes.append(
                Change(event_id, change, event.type, where[event_id].communes, was_in, event.description)
            )
        result.changes.sort(key=lambda c: c.event_id)
        if before_write is not None:
            before_write(result)
        batch_write(self.client, self.table, requests)
        written = {c.event_id for c in result.changes}
        for event_id, before in sorted(stored.items()):
            if event_id in written or not before.start:
                continue
            active = is_active(before.status, before.start, before.end, now)
            if active is not before.shown_active:
                result.shown.append(Shown(before.pk, active, before.communes))
        return result

    def mark_shown(self, shown: Iterable[Shown]) -> None:
        """Records what the tile projections now show (after they are written: a run that fails before finds the
        same differences again)."""
        for event in shown:
            try:
                self.client.update_item(
                    TableName=self.table,
                    Key=to_item({"pk": event.pk, "sk": index_sk(ALL)}),
                    UpdateExpression="SET shown_active = :a",
                    ConditionExpression="attribute_exists(pk)",  # never recreate a deleted event's item
                    ExpressionAttributeValues={":a": {"BOOL": event.active}},
                )
            except self.client.exceptions.ConditionalCheckFailedException:
                continue
