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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from poche_common.ledger import (
    Key,
    diff_ledger,
    digest_and_size,
    wire_item,
)
from poche_common.realtime import LedgerWriter

from .parser import SOURCE, Rejection, TripRealtime

CONNECTOR = "transit-siri-lite"
TTL_S = 600
MAX_ITEM_BYTES = 350_000  # DynamoDB refuses items over 400 KB, and a refused item fails its whole batch


def trip_item(trip: TripRealtime, expires_at: int) -> tuple[str, int, dict[str, Any]]:
    """(digest, approximate size, item) of a trip; `feed_timestamp` and `expires_at` stay out of the digest."""
    content = {"source": SOURCE, "cancelled": trip.cancelled, "vehicle_id": trip.vehicle_id, "updates": trip.updates}
    digest, size = digest_and_size(content)
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


class TripWriter(LedgerWriter):
    def __init__(self, client: Any, table: str) -> None:
        super().__init__(client, table, CONNECTOR)

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
        protected = _protected([*rejections, *too_big])
        found = diff_ledger(
            previous,
            {key: (digest, TTL_S) for key, (digest, _, _) in planned.items()},
            now_s,
            lambda key: protected is None or key[0] in protected,
        )
        requests = [{"PutRequest": {"Item": wire_item(planned[key][1])}} for key, _ in found.puts]  # now + TTL_S
        requests += [{"DeleteRequest": {"Key": wire_item({"pk": key[0], "sk": key[1]})}} for key in found.deletes]
        for key, change in found.changes:
            result.changes.append(Change(key[0].removeprefix("TRIP#"), key[1].removeprefix("RT#"), change))
            if change != "deleted" and planned[key][2].cancelled:
                result.cancelled_trips.append(planned[key][2].trip_id)
        result.refreshed = found.refreshed
        self.write(requests)
        result.items_written = len(requests)
        result.ledger = self.ledger.requests(found.entries, now_iso=now_iso) if found.entries != previous else []
        return result


def _protected(rejections: Iterable[Rejection]) -> set[str] | None:
    """`TRIP#<id>` keys a rejected visit was about; None when one rejection could be about any trip."""
    keys: set[str] = set()
    for rejection in rejections:
        if rejection.trip_id is None:
            return None
        keys.add(f"TRIP#{rejection.trip_id}")
    return keys
