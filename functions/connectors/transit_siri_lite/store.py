"""Write side of the SIRI Lite real-time trips (docs/transit-model.md).

- `TRIP#<trip_id> / RT#<service_date>`: `source: "siri-lite"`, absolute expected times per stop,
  `expires_at` = now + 10 min;
- `FEED#transit-siri-lite / DIGESTS#<n>`: digest and expiry of every item the previous run left,
  zlib-packed (read in one Query instead of reading every item back);
- `FEED#transit-siri-lite / STATE`: `payload_digest` and `feed_timestamp` (the RunLog writes the rest).

A trip is put when its content digest changed or when its stored expiry is within half the TTL
(a live source keeps its predictions alive, a stopped one lets them expire), deleted when it left
the answer (unless a visit about it was rejected this run: its last good version stays until it
expires). The same scheme as `transit_gtfs_rt.store`; the ledger and the payload digest are
`poche_common.ledger`'s.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from poche_common.dynamo import batch_write
from poche_common.ledger import Key, Known, Ledger, save_payload_state, write_ledger
from poche_common.outbox import StagedEvent

from .parser import SOURCE, Rejection, TripRealtime

CONNECTOR = "transit-siri-lite"
FEED_PK = f"FEED#{CONNECTOR}"
TTL_S = 600
MAX_ITEM_BYTES = 350_000  # DynamoDB refuses items over 400 KB, and a refused item fails its whole batch


def _digest_and_size(content: dict[str, Any]) -> tuple[str, int]:
    """Digest of the content, and its size as JSON (close to, and above, its size as a DynamoDB item)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.blake2b(text, digest_size=8).hexdigest(), len(text)


def _wire(value: Any) -> dict[str, Any]:
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is bool:
        return {"BOOL": value}
    if kind is int:
        return {"N": str(value)}
    if kind is list:
        return {"L": [_wire(v) for v in value]}
    if kind is dict:
        return {"M": {k: _wire(v) for k, v in value.items() if v is not None}}
    if kind is bytes:
        return {"B": value}
    raise TypeError(f"cannot store {kind.__name__} in DynamoDB")


def wire_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _wire(value) for key, value in item.items() if value is not None}


def trip_item(trip: TripRealtime, expires_at: int) -> tuple[str, int, dict[str, Any]]:
    """(digest, approximate size, item) of a trip; `feed_timestamp` and `expires_at` stay out of the digest."""
    content = {"source": SOURCE, "cancelled": trip.cancelled, "vehicle_id": trip.vehicle_id, "updates": trip.updates}
    digest, size = _digest_and_size(content)
    item = {
        "pk": f"TRIP#{trip.trip_id}",
        "sk": f"RT#{trip.service_date}",
        "source": SOURCE,
        "feed_timestamp": trip.feed_timestamp,
        "cancelled": trip.cancelled,
        "vehicle_id": trip.vehicle_id,
        "digest": digest,
        "expires_at": expires_at,
        "updates": trip.updates,
    }
    return digest, size, item


@dataclass(frozen=True, slots=True)
class Change:
    trip_id: str
    service_date: str
    change: str  # created | updated | deleted


@dataclass
class SyncResult:
    changes: list[Change] = field(default_factory=list)
    refreshed: int = 0
    cancelled_trips: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)  # found while writing (a trip too big to store)
    items_written: int = 0
    ledger: list[dict[str, Any]] = field(default_factory=list)  # ledger chunk requests, written by `commit`


class TripWriter:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table
        self.ledger = Ledger(client, table, FEED_PK)

    def sync(
        self,
        trips: Sequence[TripRealtime],
        rejections: Sequence[Rejection],
        *,
        now_s: int,
        now_iso: str,
    ) -> SyncResult:
        """Write what `trips` (one per key, see `parser.merge_trips`) change; `rejections` protect
        the last good version of the trips they are about."""
        result = SyncResult()
        planned: dict[Key, tuple[str, dict[str, Any], TripRealtime]] = {}
        too_big: list[Rejection] = []
        for trip in trips:
            digest, size, item = trip_item(trip, now_s + TTL_S)
            if size > MAX_ITEM_BYTES:
                reason = f"voyage trop volumineux pour être stocké ({size} octets, au plus {MAX_ITEM_BYTES})."
                too_big.append(Rejection(f"voyage {trip.trip_id}", reason, trip.trip_id))
                continue
            planned[(item["pk"], item["sk"])] = (digest, item, trip)
        result.rejected = too_big
        previous = self.ledger.read()
        ledger: dict[Key, Known] = {}
        requests: list[dict[str, Any]] = []
        for key, (digest, item, trip) in planned.items():
            known = previous.get(key)
            if known is not None and known.digest == digest and known.expires_at - now_s > TTL_S // 2:
                ledger[key] = known
                continue
            requests.append({"PutRequest": {"Item": wire_item(item)}})
            ledger[key] = Known(digest, item["expires_at"])
            if known is None or known.digest != digest:
                change = "created" if known is None else "updated"
                result.changes.append(Change(trip.trip_id, trip.service_date, change))
                if trip.cancelled:
                    result.cancelled_trips.append(trip.trip_id)
            else:
                result.refreshed += 1
        protected = _protected([*rejections, *too_big])
        for key, known in previous.items():
            if key in planned or known.expires_at <= now_s:
                continue
            if protected is None or key[0] in protected:
                ledger[key] = known
                continue
            requests.append({"DeleteRequest": {"Key": wire_item({"pk": key[0], "sk": key[1]})}})
            result.changes.append(Change(key[0].removeprefix("TRIP#"), key[1].removeprefix("RT#"), "deleted"))
        batch_write(self.client, self.table, requests)
        result.items_written = len(requests)
        result.ledger = self.ledger.requests(ledger, now_iso=now_iso) if ledger != previous else []
        return result

    def commit(
        self, result: SyncResult, payload: str, feed_timestamp: str | None, events: Sequence[StagedEvent] = ()
    ) -> None:
        """After the items (`sync`): the ledger that describes them with the run's `events` staged in the outbox
        (`poche_common.ledger.write_ledger`), then the payloads' digest (the same payloads next time are not even
        parsed)."""
        write_ledger(self.client, self.table, result.ledger, events)
        save_payload_state(self.client, self.table, FEED_PK, payload, feed_timestamp)


def _protected(rejections: Iterable[Rejection]) -> set[str] | None:
    """`TRIP#<id>` keys a rejected visit was about; None when one rejection could be about any trip."""
    keys: set[str] = set()
    for rejection in rejections:
        if rejection.trip_id is None:
            return None
        keys.add(f"TRIP#{rejection.trip_id}")
    return keys
