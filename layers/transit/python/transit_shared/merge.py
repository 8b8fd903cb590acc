"""Timetable departures merged with real-time trip items (docs/transit-model.md). Pure: `now` is given.

For one departure (a stored `DEP#` item) and the real-time item of its trip and service date
(`TRIP#<trip_id> / RT#<service_date>`, or None):
- no real-time item, or an expired one (`expires_at` past: DynamoDB's TTL deletes late), gives
  the timetable: `realtime: false`, `expected` = `scheduled`, `delay_s: null`;
- a cancelled trip, or an update marking this stop skipped, gives `cancelled: true`;
- the update of this very stop (same `stop_sequence`; an update without a sequence matches by
  `stop_id`) gives the expected time: an absolute time wins over a delay, the departure event over
  the arrival event; an update of this stop with neither (GTFS-Realtime NO_DATA) predicts nothing;
- otherwise the delay of the nearest earlier update (greatest `stop_sequence` below this one,
  skipped stops passed over) propagates to this stop, as GTFS-Realtime specifies; an earlier
  update with only absolute times, or marked `no_data`, predicts nothing here;
- a trip with real time but no prediction for this stop stays on the timetable (`realtime: false`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Merged:
    departure: dict[str, Any]  # the stored departure
    scheduled: dt.datetime
    expected: dt.datetime  # the prediction when `realtime`, else the scheduled time
    delay_s: int | None  # expected - scheduled, in seconds, when `realtime`
    realtime: bool
    cancelled: bool
    feed_timestamp: dt.datetime | None  # of the real-time item that was used

    @property
    def sk(self) -> str:
        return str(self.departure["sk"])


def instant(value: Any) -> dt.datetime | None:
    """A stored instant: POSIX seconds, or ISO 8601 (`Z` or an offset; naive is taken as UTC)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit():
        return dt.datetime.fromtimestamp(int(text), dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "zZ" else text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def is_live(item: Mapping[str, Any] | None, now: dt.datetime) -> bool:
    """A real-time item not yet expired (readers must ignore what the TTL has not deleted yet)."""
    if item is None:
        return False
    expires = item.get("expires_at")
    return expires is None or float(expires) > now.timestamp()


def _delay(update: Mapping[str, Any], event: str) -> int | None:
    value = update.get(f"{event}_delay")
    return None if value is None or isinstance(value, bool) else int(value)


def _own_update(updates: list[Mapping[str, Any]], sequence: int, stop_id: str) -> Mapping[str, Any] | None:
    for update in updates:
        if update.get("stop_sequence") is not None and int(update["stop_sequence"]) == sequence:
            return update
    for update in updates:
        if update.get("stop_sequence") is None and update.get("stop_id") == stop_id:
            return update
    return None


def _earlier_update(updates: list[Mapping[str, Any]], sequence: int) -> Mapping[str, Any] | None:
    earlier = [
        u
        for u in updates
        if u.get("stop_sequence") is not None and int(u["stop_sequence"]) < sequence and not u.get("skipped")
    ]
    return max(earlier, key=lambda u: int(u["stop_sequence"])) if earlier else None


def merge_one(departure: dict[str, Any], rt: Mapping[str, Any] | None, now: dt.datetime) -> Merged:
    scheduled = instant(departure["scheduled"])
    assert scheduled is not None, "a stored departure always has its scheduled time"
    timetable = Merged(departure, scheduled, scheduled, None, False, False, None)
    if not is_live(rt, now):
        return timetable
    assert rt is not None
    stamp = instant(rt.get("feed_timestamp"))
    if rt.get("cancelled"):
        return Merged(departure, scheduled, scheduled, None, True, True, stamp)
    updates = [u for u in rt.get("updates") or [] if isinstance(u, Mapping)]
    sequence, stop_id = int(departure["stop_sequence"]), str(departure.get("stop_id", ""))
    own = _own_update(updates, sequence, stop_id)
    expected: dt.datetime | None = None
    if own is not None:
        if own.get("skipped"):
            return Merged(departure, scheduled, scheduled, None, True, True, stamp)
        for event in ("departure", "arrival"):
            absolute = instant(own.get(f"{event}_time"))
            delay = _delay(own, event)
            if absolute is not None:
                expected = absolute
            elif delay is not None:
                expected = scheduled + dt.timedelta(seconds=delay)
            if expected is not None:
                break
        if expected is None or own.get("no_data"):
            return timetable  # an update without time nor delay (NO_DATA): no prediction here
    else:
        earlier = _earlier_update(updates, sequence)
        if earlier is not None and not earlier.get("no_data"):
            delay = _delay(earlier, "departure")
            delay = _delay(earlier, "arrival") if delay is None else delay
            if delay is not None:
                expected = scheduled + dt.timedelta(seconds=delay)
    if expected is None:
        return timetable
    delay_s = round((expected - scheduled).total_seconds())
    return Merged(departure, scheduled, expected, delay_s, True, False, stamp)


def rt_key(departure: Mapping[str, Any]) -> tuple[str, str]:
    """(pk, sk) of the real-time item of a departure's trip on its service date."""
    return f"TRIP#{departure['trip_id']}", f"RT#{departure['service_date']}"


def merge(
    departures: Iterable[dict[str, Any]], realtime: Mapping[tuple[str, str], Mapping[str, Any]], now: dt.datetime
) -> list[Merged]:
    """Every departure with its real time (if any), in the order given."""
    return [merge_one(d, realtime.get(rt_key(d)), now) for d in departures]


def still_to_come(merged: Merged, now: dt.datetime, *, timetable_grace_s: int, realtime_grace_s: int) -> bool:
    """Whether a departure is still worth showing: not gone, by its prediction or else its timetable."""
    if merged.realtime and not merged.cancelled:
        return merged.expected >= now - dt.timedelta(seconds=realtime_grace_s)
    return merged.scheduled >= now - dt.timedelta(seconds=timetable_grace_s)
