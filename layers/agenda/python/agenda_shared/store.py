"""Write side of the agenda table: diff a source's events against what is stored, write the changes.

Table layout (owned by the agenda domain; the service `functions/agenda` reads it). Every item of an event
shares its partition `EVENT#<source>:<uid>` (`source` = openagenda, datatourisme):
- `PROFILE`: the whole event (`content_of`), `digest`, and `gsi2pk=SOURCE#<source>`, `gsi2sk=<event id>`
  (index `by_month`): the catalogue of one source's events, which is what its connector diffs against, so two
  connectors never delete each other's events.
- `OCC#<begin UTC>`: one per occurrence, carrying the list view of the event (no long description) and
  `gsi1pk=COMMUNE#<insee>` / `gsi1sk=<begin UTC>#<event id>` (index `by_commune`, only when the commune is
  known) and `gsi2pk=ALL#<YYYY-MM>` (UTC month of the begin) / `gsi2sk=<begin UTC>#<event id>` (index
  `by_month`): occurrences of a commune, or of the whole territory month by month, in date order.
Occurrences expire (TTL `expires_at`) 30 days after their end, the profile 30 days after the last one; an
occurrence already past that is not written.

A source is authoritative for its events: one no longer in the feed is deleted, except when its entry was
rejected this run (it keeps its last good version) or when the feed was not read to its end (`complete`).

Duplicates (a connector that matches its events to another source's, today `agenda-datatourisme`, passes
`duplicates` to `sync`): an event matched to an event of another source is stored with
`duplicate_of: <other event id>` on its profile and occurrences, and its occurrences carry no index keys
(`gsi1pk`/`gsi2pk`): lists never show it; `GET /v1/events/<its id>` still answers. Its digest covers
`duplicate_of`. A connector that passes no `duplicates` (`agenda-openagenda`) stores no `duplicate_of` at all.

Tile projections (`TILE#events#<insee>` / `CONTENT`, layout in `tiles.py`): after its writes, each event connector
rewrites the projections of the communes `SyncResult.touched()` names (the communes of the events it created,
changed or deleted, before and after), read back from `by_commune` as `GET /v1/events` reads them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from poche_common import communes
from poche_common.changes import DELETED, change_facts, diff
from poche_common.clock import to_utc_iso
from poche_common.connector import Outcome, partition_keys
from poche_common.dynamo import batch_write, content_digest, query_all, to_item
from poche_common.observability import logger
from poche_common.outbox import Outbox

from .model import AgendaEvent, Occurrence, Rejected
from .vocabulary import STATUS_LABELS

KEEP_AFTER_END_DAYS = 30
MAX_CHANGES_IN_EVENT = 500  # changes listed in one `EventsUpdated` event (the bus takes 256 KiB)


class Change(NamedTuple):
    event_id: str
    change: str  # "created" | "updated" | "deleted"
    communes: tuple[str, ...]

    def as_fact(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "change": self.change, "communes": list(self.communes)}


@dataclass
class SyncResult:
    changes: list[Change] = field(default_factory=list)
    past: int = 0  # events whose every occurrence ended more than KEEP_AFTER_END_DAYS ago

    def touched(self) -> set[str]:
        """The communes whose `events` tile projection this run may have changed (before and after a move)."""
        return {code for change in self.changes for code in change.communes}

    def event_facts(self, connector: str, source: str) -> dict[str, Any]:
        """The `EventsUpdated` detail of this run of `connector` (ids of `source`): what changed, in which
        communes, at most `MAX_CHANGES_IN_EVENT` changes listed (`truncated` says when more did)."""
        return change_facts(
            connector,
            source=source,
            communes=sorted(self.touched()),
            listed={
                "event_ids": sorted({change.event_id for change in self.changes}),
                "changes": [change.as_fact() for change in self.changes],
            },
            limit=MAX_CHANGES_IN_EVENT,
        )


def partition(event_id: str) -> str:
    return f"EVENT#{event_id}"


def summary_of(event: AgendaEvent) -> dict[str, Any]:
    """What a list shows of an event (stored on each occurrence, so a list needs no other read)."""
    location = event.location
    return {
        "event_id": event.id,
        "source": event.source,
        "title": event.title,
        "summary": event.summary,
        "categories": list(event.categories),
        "status": event.status,
        "status_label": STATUS_LABELS[event.status],
        "free": event.free,
        "price": event.price,
        "age": {"min": event.age_min, "max": event.age_max},
        "accessibility": list(event.accessibility),
        "location": {
            "name": location.name,
            "address": location.address,
            "commune": location.commune,
            "lat": location.lat,
            "lon": location.lon,
        },
        "url": event.url,
        "image": event.image,
    }


def content_of(event: AgendaEvent) -> dict[str, Any]:
    """Everything stored of an event (its digest is taken over it)."""
    return {
        **summary_of(event),
        "uid": event.uid,
        "description": event.description,
        "keywords": list(event.keywords),
        "city": event.location.city,
        "postcode": event.location.postcode,
        "occurrences": [[to_utc_iso(o.begin), to_utc_iso(o.end)] for o in event.occurrences],
        "updated_at": to_utc_iso(event.updated_at) if event.updated_at else None,
    }


def _expiry(end: dt.datetime) -> int:
    return int((end + dt.timedelta(days=KEEP_AFTER_END_DAYS)).timestamp())


def json_safe(value: dict[str, Any]) -> dict[str, Any]:
    """The same value with its floats as Decimals (DynamoDB's serializer refuses floats)."""
    safe: dict[str, Any] = json.loads(json.dumps(value), parse_float=Decimal)
    return safe


def occurrence_item(event: AgendaEvent, occurrence: Occurrence, summary: dict[str, Any], digest: str) -> dict[str, Any]:
    begin, end = to_utc_iso(occurrence.begin), to_utc_iso(occurrence.end)
    order = f"{begin}#{event.id}"
    item: dict[str, Any] = {
        "pk": partition(event.id),
        "sk": f"OCC#{begin}",
        **summary,
        "begin": begin,
        "end": end,
        "gsi2pk": f"ALL#{begin[:7]}",
        "gsi2sk": order,
        "digest": digest,
        "expires_at": _expiry(occurrence.end),
    }
    if event.location.commune:
        item["gsi1pk"] = f"COMMUNE#{event.location.commune}"
        item["gsi1sk"] = order
    return item


def items_of(
    event: AgendaEvent, digest: str, now: dt.datetime, duplicate_of: str | None = None
) -> list[dict[str, Any]]:
    """The profile and the occurrences still worth keeping of one event (marked and not indexed when a duplicate
    of another source's event `duplicate_of`)."""
    marks = {"duplicate_of": duplicate_of} if duplicate_of is not None else {}
    summary = json_safe({**summary_of(event), **marks})
    content = json_safe(content_of(event))
    horizon = now - dt.timedelta(days=KEEP_AFTER_END_DAYS)
    profile = {
        "pk": partition(event.id),
        "sk": "PROFILE",
        **content,
        **marks,
        "gsi2pk": f"SOURCE#{event.source}",
        "gsi2sk": event.id,
        "digest": digest,
        "expires_at": _expiry(max(o.end for o in event.occurrences)),
    }
    kept = [o for o in event.occurrences if o.end >= horizon]
    occurrences = [occurrence_item(event, o, summary, digest) for o in kept]
    if duplicate_of is not None:
        for item in occurrences:
            for key in ("gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"):
                item.pop(key, None)
    return [profile, *occurrences]


class _Stored(NamedTuple):
    digest: str
    commune: str | None


class EventWriter:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def stored(self, source: str) -> dict[str, _Stored]:
        """event id -> digest and commune of every stored event of a source (Query of its catalogue)."""
        found: dict[str, _Stored] = {}
        for item in query_all(
            self.client,
            TableName=self.table,
            IndexName="by_month",
            KeyConditionExpression="gsi2pk = :p",
            ExpressionAttributeValues=to_item({":p": f"SOURCE#{source}"}),
            ProjectionExpression="event_id, digest, #l",
            ExpressionAttributeNames={"#l": "location"},
        ):
            commune = item.get("location", {}).get("M", {}).get("commune", {}).get("S")
            found[item["event_id"]["S"]] = _Stored(item.get("digest", {}).get("S", ""), commune)
        return found

    def _keys(self, pk: str) -> set[str]:
        """Sort keys of every item of one stored event."""
        return partition_keys(self.client, self.table, pk)

    def sync(
        self,
        source: str,
        events: Iterable[AgendaEvent],
        *,
        keep: set[str],
        complete: bool,
        now: dt.datetime,
        duplicates: dict[str, str] | None = None,
        before_write: Callable[[SyncResult], None] | None = None,
    ) -> SyncResult:
        """Write what differs from the store; delete what left a complete feed (but `keep`); changes by id.
        `duplicates` (connectors that match their events to another source's only): event id -> id of the other
        source's event it duplicates; its digest then covers `duplicate_of` (None when not a duplicate).
        `before_write(result)` is called once the changes are known, before anything is written."""
        result = SyncResult()
        latest: dict[str, AgendaEvent] = {}
        epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
        for event in events:
            previous = latest.get(event.id)
            if previous is None or (event.updated_at or epoch) >= (previous.updated_at or epoch):
                latest[event.id] = event
        stored = self.stored(source)
        reference = communes.as_of()
        horizon = now - dt.timedelta(days=KEEP_AFTER_END_DAYS)
        digests: dict[str, str] = {}
        for event_id in sorted(latest):
            if max(o.end for o in latest[event_id].occurrences) < horizon:
                result.past += 1
                continue
            content = {**content_of(latest[event_id]), "communes_as_of": reference}
            if duplicates is not None:
                content["duplicate_of"] = duplicates.get(event_id)
            digests[event_id] = content_digest(content)
        found = diff({i: s.digest for i, s in stored.items()}, digests, lambda i: complete and i not in keep)
        requests: list[dict[str, Any]] = []
        for event_id, change in found.changes:
            pk, before = partition(event_id), stored.get(event_id)
            if change == DELETED:
                requests += [{"DeleteRequest": {"Key": to_item({"pk": pk, "sk": sk})}} for sk in sorted(self._keys(pk))]
                result.changes.append(Change(event_id, change, (before.commune,) if before and before.commune else ()))
                continue
            event = latest[event_id]
            duplicate_of = duplicates.get(event_id) if duplicates is not None else None
            items = items_of(event, digests[event_id], now, duplicate_of)
            requests += [{"PutRequest": {"Item": to_item(item)}} for item in items]
            if before is not None:  # occurrences moved or withdrawn: drop the items left behind
                obsolete = sorted(self._keys(pk) - {item["sk"] for item in items})
                requests += [{"DeleteRequest": {"Key": to_item({"pk": pk, "sk": sk})}} for sk in obsolete]
            touched = {c for c in (event.location.commune, before.commune if before else None) if c}
            result.changes.append(Change(event_id, change, tuple(sorted(touched))))
        result.changes.sort(key=lambda c: c.event_id)
        if before_write is not None:  # the changes are known, nothing is written yet: the run stages its event
            before_write(result)
        batch_write(self.client, self.table, requests)
        return result


class EventFeed(Protocol):
    """What an event connector's parser gives of one source."""

    @property
    def events(self) -> list[AgendaEvent]: ...
    @property
    def rejected(self) -> Sequence[Rejected]: ...
    @property
    def read(self) -> int: ...


def ingest_events(
    feeds: Sequence[EventFeed],
    writer: EventWriter,
    outbox: Outbox,
    now: dt.datetime,
    *,
    connector: str,
    source: str,
    complete: bool = True,
    match: Callable[[list[AgendaEvent]], dict[str, str]] | None = None,
) -> Outcome:
    """One run of an event connector over its parsed sources (together the feed of `source`): stage the
    `EventsUpdated` event announcing the changes, write them (`EventWriter.sync`; rejected entries keep their
    stored events), then rewrite the `events` tiles of the communes concerned. `match` finds the events that
    duplicate another source's (event id -> the other's id). The runtime sends the event."""
    outcome = Outcome()
    keep: set[str] = set()
    for feed in feeds:
        outcome.add(feed.read, [{"event": r.ref, "reason": r.reason} for r in feed.rejected])
        keep |= {f"{source}:{r.uid}" for r in feed.rejected if r.uid}
    events = [event for feed in feeds for event in feed.events]

    def announce(result: SyncResult) -> None:
        if result.changes:
            outbox.stage("EventsUpdated", result.event_facts(connector, source))

    duplicates = match(events) if match is not None else None
    result = writer.sync(
        source, events, keep=keep, complete=complete, now=now, duplicates=duplicates, before_write=announce
    )
    if result.past:
        logger.info("past events not stored", extra={"past": result.past})
    outcome.changed = len(result.changes)
    if result.touched():  # the `events` tiles of the communes concerned; nothing changed: no read, no write
        from .reader import OccurrenceReader
        from .tiles import write_commune_tiles  # imports this module

        write_commune_tiles(OccurrenceReader(writer.client, writer.table), result.touched(), now)
    return outcome
