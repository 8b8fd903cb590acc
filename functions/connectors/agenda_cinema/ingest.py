"""One run of the `agenda-cinema` connector over its files: parse them all (before anything is written), stage the
`SessionsUpdated` event saying which cinemas and days changed, write (`store.py`); the runtime sends the event."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from poche_common.connector import Outcome
from poche_common.observability import logger
from poche_common.outbox import Outbox

from .parser import Cinema, parse_feed
from .store import CinemaWriter, SyncResult

if TYPE_CHECKING:  # annotations only: the event registry is not compiled at this function's cold start
    from poche_common.eventtypes import SessionsUpdatedFacts

CONNECTOR = "agenda-cinema"


def event_facts(result: SyncResult, cinemas: dict[str, Cinema]) -> SessionsUpdatedFacts:
    """The `SessionsUpdated` detail: the cinemas whose sessions changed, their communes and the days changed (no
    `truncated`: a few cinemas of a département, a week each, are far below the bus limit; `eventtypes` has none)."""
    return {
        "connector": CONNECTOR,
        "cinema_ids": sorted(result.days),
        "communes": sorted({cinemas[c].commune for c in result.days}),
        "days": {cinema_id: sorted(days) for cinema_id, days in sorted(result.days.items())},
    }


def ingest(payloads: list[bytes], writer: CinemaWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    feeds = [parse_feed(data) for data in payloads]
    outcome = Outcome()
    cinemas: dict[str, Cinema] = {}
    for number, feed in enumerate(feeds, start=1):
        prefix = {"source": number} if len(feeds) > 1 else {}
        outcome.add(feed.read, [{**prefix, "line": line, "reason": reason} for line, reason in feed.rejected])
        cinemas.update(feed.cinemas)
    unsure = set().union(*(feed.unsure_days for feed in feeds))

    def announce(result: SyncResult) -> None:
        if result.days:
            outbox.stage("SessionsUpdated", event_facts(result, cinemas))

    result = writer.sync(cinemas, [s for feed in feeds for s in feed.sessions], now, unsure, before_write=announce)
    if result.past:
        logger.info("past sessions not stored", extra={"past": result.past})
    outcome.changed = result.changed
    return outcome
