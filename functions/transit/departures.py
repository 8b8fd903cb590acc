"""The departures window of one stop (`GET /v1/transit/stops/{stop_id}/departures`), over the reader port.

At most two DynamoDB round trips: the Query of the stop's departures from a little before now, in scheduled
order (`DEP#<scheduled UTC>#...` sort keys); then one BatchGetItem for the stop's profile, the timetable's feed
state and the real-time items of those trips. The merge with real time and what is still to come are
`transit_shared.departures` (shared with the home screen's `departures` tile).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from poche_common import feeds
from poche_common.clock import freshness, to_paris_iso, to_utc_iso
from poche_common.errors import InvalidRequestError, NotFoundError
from poche_common.pagination import decode_cursor, encode_cursor
from transit_shared.departures import coming, departure_view, in_expected_order
from transit_shared.merge import rt_key

from . import policy
from .logic import Item, Settings, TransitReader
from .params import BAD_CURSOR
from .views import newest

PREFIX = "DEP#"


def resume_after(scope: str, cursor: str | None) -> str | None:
    """The sort key of the last departure of the previous page (None: the first page)."""
    position = decode_cursor(scope, cursor)
    after_sk = position.get("sk") if position else None
    if position is not None and not (isinstance(after_sk, str) and after_sk.startswith(PREFIX)):
        raise InvalidRequestError(BAD_CURSOR, field="cursor")
    return after_sk


def window(now: dt.datetime, after_sk: str | None) -> tuple[str, str]:
    """The sort keys read: from `LOOKBACK_SECONDS` before now (or after the previous page, if later) to
    `DEPARTURES_WINDOW_HOURS` ahead."""
    first_sk = PREFIX + to_utc_iso(now - dt.timedelta(seconds=policy.LOOKBACK_SECONDS))
    last_sk = PREFIX + to_utc_iso(now + dt.timedelta(hours=policy.DEPARTURES_WINDOW_HOURS)) + "#~"
    if after_sk is not None and after_sk > first_sk:
        first_sk = after_sk
    return first_sk, last_sk


def to_read(limit: int, route_id: str | None) -> int:
    """Departures read for a page: room for those already gone, or enough to filter one route in code (a
    FilterExpression would read and bill the same items)."""
    return policy.ROUTE_FILTER_READ if route_id else limit * policy.CANDIDATE_FACTOR + policy.CANDIDATE_EXTRA


def departures(
    reader: TransitReader,
    settings: Settings,
    now: dt.datetime,
    *,
    stop_id: str,
    route_id: str | None,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """The next `limit` departures of the stop (of one route if given), timetable merged with real time, in
    expected order; 404 for an unknown stop."""
    scope = f"departures|{stop_id}|{route_id or ''}"
    after_sk = resume_after(scope, cursor)
    first_sk, last_sk = window(now, after_sk)

    # Round trip 1: the stop's departures from a little before now, in scheduled order.
    candidates, more = reader.departures(stop_id, first_sk, last_sk, limit=to_read(limit, route_id))
    candidates = [d for d in candidates if d["sk"] != after_sk and route_id in (None, d.get("route_id"))]
    room = policy.MAX_BATCH_KEYS - 2
    if len(candidates) > room:
        candidates, more = candidates[:room], True

    # Round trip 2: the stop, the timetable's state and the real time of those trips, together.
    profile_key, state_key = (f"STOP#{stop_id}", "PROFILE"), feeds.state_key(policy.STATIC_CONNECTOR)
    found: dict[tuple[str, str], Item] = reader.get_many([profile_key, state_key, *(rt_key(d) for d in candidates)])
    profile = found.get(profile_key)
    if profile is None:
        raise NotFoundError(f"Aucun arrêt n'a l'identifiant « {stop_id} ».")

    still_coming = coming(candidates, found, now)
    page = still_coming[:limit]
    next_key = {"sk": page[-1].sk} if page and (len(still_coming) > limit or more) else None
    page = in_expected_order(page)
    used = newest([m.feed_timestamp for m in page if m.realtime])
    return {
        "stop": {"stop_id": profile["stop_id"], "name": profile["name"]},
        "items": [departure_view(m) for m in page],
        "next": encode_cursor(scope, next_key),
        **freshness(feeds.fetched_at_of(found.get(state_key)), settings.static_stale_after_s, now),
        "realtime_as_of": to_paris_iso(used) if used else None,
    }
