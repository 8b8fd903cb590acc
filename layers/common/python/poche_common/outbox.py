"""The transactional outbox: "data changed" and "event sent" are one guarantee.

A producer never puts its events on the bus directly. It stages each one, envelope and id included, as
an item of its own domain table, written before (or together with) the data it describes; the event is
sent from there, then the item is deleted. Whatever dies in between (PutEvents refused, the sandbox
killed), the item is still there and the next flush sends the very same event (same `detail.id`, same
`occurred_at`): consumers, which deduplicate on `detail.id`, see it once.

    pk = OUTBOX   sk = <event id>
        producer      connector name, or `schools-admin`
        source, detail_type, detail   the entry as PutEvents takes it (`detail`: JSON text, envelope included)
        state         `pending` (staged before the writes it describes) | `ready` (those writes are done)
        staged_at     UTC ISO; events are sent oldest first
        send_after    epoch seconds: when a `pending` event may be sent even if its run never confirmed it
        expires_at    TTL, `RETENTION_DAYS` after staging: an event the bus refused for a week is dropped
                      (the alarms have fired for a week by then)

Three ways to stage, one per kind of write:
- a run of many writes (batch connectors: `stage` in the store's `before_write` hook, before the first
  write): the item is `pending`; the runtime `confirm`s the run's events (`ready`) once `ingest` returned,
  or `discard`s them when the source proved unusable (`FeedError`: nothing was written). A run killed in
  the middle of its writes leaves a `pending` event that any flush sends once `send_after` has passed (the
  grace, `OUTBOX_GRACE_S`: the function's timeout and a margin, so a run still alive is never overtaken):
  its data may be partly written and the next run writes and announces the rest — at least once there,
  never lost.
- a real-time connector's commit (`prepare(..., ready=True)`): the item goes in the same
  TransactWriteItems as the head of its ledger (`DIGESTS#0`), so the event exists exactly when the diff
  base that makes the retry find nothing new exists.
- one transactional API write (`prepare(..., ready=True)`, its `item()` Put in the same TransactWriteItems
  as the data), sent inline with `send`; when the bus refuses it the API still answers, and the domain's
  scheduled connector sends it on its next run (every flush drains the whole table's outbox).

One outbox per table, not per producer: every flush sends every due event of the table, so the producers of
a domain relay one another (the schools connector sends what the admin API could not; the real-time transit
connectors, every minute, what the daily GTFS run still owes), and a domain with no scheduled producer (payments)
needs one small scheduled function that only calls `flush`. `pending`/`ready` keep a flush from sending an
event before the run that staged it has written its data.

Event ids: `begin(base=...)` makes them deterministic (a uuid5 of producer, base, detail type and facts),
so a run redone from the same base after a crash stages the same id again and finds the first item in
place (`stage` writes only if absent, and keeps the first envelope); runs give the base of the last run
they recorded, which changes with each recorded run. Without a base (API writes), ids are random uuid4.

Standard library and boto3's low-level client only: cheap at cold start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from .clock import to_utc_iso, utc_now
from .dynamo import batch_write
from .events import Entry, EventPublisher, envelope
from .settings import optional_int

OUTBOX_PK = "OUTBOX"
PENDING, READY = "pending", "ready"
RETENTION_DAYS = 7
DEFAULT_GRACE_S = 16 * 60  # Lambda's longest run (15 min) and a margin: the function's own timeout is better
MAX_FLUSH = 200  # events sent by one flush at most: the rest by the next one
NAMESPACE = uuid.UUID("0f7c61a4-5a56-4f59-9a43-7c1d1f0e3b5e")  # of the platform's deterministic event ids


class StagedEvent(NamedTuple):  # a NamedTuple rather than a dataclass: cheaper to define at cold start
    id: str
    producer: str
    source: str
    detail_type: str
    detail: str  # JSON text, envelope included
    staged_at: str  # UTC ISO
    state: str  # PENDING | READY
    send_after: int  # epoch seconds

    @property
    def entry(self) -> Entry:
        return Entry(self.source, self.detail_type, self.detail)

    def item(self) -> dict[str, Any]:
        """The outbox item, in DynamoDB's wire format."""
        expires = dt.datetime.fromisoformat(self.staged_at) + dt.timedelta(days=RETENTION_DAYS)
        return {
            "pk": {"S": OUTBOX_PK},
            "sk": {"S": self.id},
            "producer": {"S": self.producer},
            "source": {"S": self.source},
            "detail_type": {"S": self.detail_type},
            "detail": {"S": self.detail},
            "staged_at": {"S": self.staged_at},
            "state": {"S": self.state},
            "send_after": {"N": str(self.send_after)},
            "expires_at": {"N": str(int(expires.timestamp()))},
        }

    @staticmethod
    def from_item(item: dict[str, Any]) -> StagedEvent:
        return StagedEvent(
            id=item["sk"]["S"],
            producer=item.get("producer", {}).get("S", ""),
            source=item["source"]["S"],
            detail_type=item["detail_type"]["S"],
            detail=item["detail"]["S"],
            staged_at=item.get("staged_at", {}).get("S", ""),
            state=item.get("state", {}).get("S", READY),
            send_after=int(item.get("send_after", {}).get("N", "0")),
        )

    def due(self, now: dt.datetime) -> bool:
        return self.state == READY or self.send_after <= now.timestamp()


class FlushResult:
    def __init__(self) -> None:
        self.sent: list[str] = []  # event ids the bus took (their items deleted)
        self.failed: dict[str, str] = {}  # event id -> error code: still staged
        self.waiting = 0  # pending events of runs that may still be alive: not sent yet


class Outbox:
    """The outbox of one producer in its domain table. `flush` sends every due event of the table, whoever
    staged it (a domain's producers share one table, and so one outbox)."""

    def __init__(
        self,
        client: Any,
        table: str,
        *,
        producer: str,
        source: str,
        bus_name: str,
        events_client: Any | None = None,
        grace_s: int | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.client = client
        self.table = table
        self.producer = producer
        self.publisher = EventPublisher(bus_name, source, client=events_client)
        self.grace_s = grace_s if grace_s is not None else optional_int("OUTBOX_GRACE_S", DEFAULT_GRACE_S)
        self.clock = clock
        self.staged: list[StagedEvent] = []  # staged by the current run
        self._base: Callable[[], str] | None = None
        self._base_value: str | None = None

    # ------------------------------------------------------------ a run
    def begin(self, base: Callable[[], str] | None = None) -> None:
        """A run (or an API write) starts: its events so far are forgotten. `base` (read once, on the first event
        staged) makes the ids deterministic; see the module docstring."""
        self.staged = []
        self._base = base
        self._base_value = None

    def _event_id(self, detail_type: str, facts: Mapping[str, Any]) -> str:
        if self._base is None:
            return str(uuid.uuid4())
        if self._base_value is None:
            self._base_value = self._base()
        canonical = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        return str(uuid.uuid5(NAMESPACE, "\n".join((self.producer, self._base_value, detail_type, canonical))))

    def prepare(self, detail_type: str, facts: Mapping[str, Any], *, ready: bool = False) -> StagedEvent:
        """An event of this producer, enveloped (ValueError if the bus would refuse it), not written. `facts`: the
        event's `...Facts` type of `poche_common.eventtypes` (tests/contract checks what the producer emits)."""
        now = self.clock()
        event_id = self._event_id(detail_type, facts)
        staged_at = to_utc_iso(now)
        return StagedEvent(
            id=event_id,
            producer=self.producer,
            source=self.publisher.source,
            detail_type=detail_type,
            detail=envelope(detail_type, facts, event_id=event_id, occurred_at=staged_at),
            staged_at=staged_at,
            state=READY if ready else PENDING,
            send_after=int(now.timestamp()) + (0 if ready else self.grace_s),
        )

    def stage(self, detail_type: str, facts: Mapping[str, Any]) -> str:
        """Stage a `pending` event before the writes it describes; returns its id. The same id already staged (a
        run redone from the same base) is kept as it is: same envelope, same `occurred_at`."""
        staged = self.prepare(detail_type, facts)
        try:
            self.client.put_item(
                TableName=self.table, Item=staged.item(), ConditionExpression="attribute_not_exists(pk)"
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            found = self.client.get_item(
                TableName=self.table, Key={"pk": {"S": OUTBOX_PK}, "sk": {"S": staged.id}}, ConsistentRead=True
            ).get("Item")
            if found is not None:
                staged = StagedEvent.from_item(found)
        self.staged.append(staged)
        return staged.id

    def confirm(self) -> None:
        """The run's writes are done: its pending events become ready (sent by the next flush)."""
        for number, staged in enumerate(self.staged):
            if staged.state != PENDING:
                continue
            ready = staged._replace(state=READY, send_after=0)
            # (gone: already sent and deleted by another flush; it is never staged again)
            with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
                self.client.put_item(
                    TableName=self.table, Item=ready.item(), ConditionExpression="attribute_exists(pk)"
                )
            self.staged[number] = ready

    def discard(self) -> None:
        """The run wrote nothing after all (its source was unusable): its pending events are withdrawn."""
        pending = [s for s in self.staged if s.state == PENDING]
        batch_write(self.client, self.table, [_delete(s.id) for s in pending])
        self.staged = [s for s in self.staged if s.state != PENDING]

    # ------------------------------------------------------------ sending
    def flush(self, limit: int = MAX_FLUSH) -> FlushResult:
        """Send every due event of the table's outbox (oldest first, at most `limit`), delete those sent."""
        now = self.clock()
        found = self._read(limit)
        due = [s for s in found if s.due(now)]
        result = self.send(due)
        result.waiting = len(found) - len(due)
        return result

    def send(self, staged: Sequence[StagedEvent]) -> FlushResult:
        """Put `staged` on the bus and delete the items of those it took; the others stay staged."""
        result = FlushResult()
        if not staged:
            return result
        errors = self.publisher.put([s.entry for s in staged])
        for event, error in zip(staged, errors, strict=True):
            if error is None:
                result.sent.append(event.id)
            else:
                result.failed[event.id] = error
        batch_write(self.client, self.table, [_delete(event_id) for event_id in result.sent])
        return result

    def _read(self, limit: int) -> list[StagedEvent]:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": OUTBOX_PK}},
            "ConsistentRead": True,
        }
        found: list[StagedEvent] = []
        while len(found) < limit:
            page = self.client.query(**kwargs)
            found += [StagedEvent.from_item(item) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(found, key=lambda s: (s.staged_at, s.id))[:limit]


def write_with_events(client: Any, table: str, items: Sequence[dict[str, Any]], events: Sequence[StagedEvent]) -> None:
    """Put `items` (wire format) and stage `events` in one TransactWriteItems: both are written, or neither."""
    actions = [{"Put": {"TableName": table, "Item": item}} for item in items]
    actions += [{"Put": {"TableName": table, "Item": event.item()}} for event in events]
    if actions:
        client.transact_write_items(TransactItems=actions)


def _delete(event_id: str) -> dict[str, Any]:
    return {"DeleteRequest": {"Key": {"pk": {"S": OUTBOX_PK}, "sk": {"S": event_id}}}}
