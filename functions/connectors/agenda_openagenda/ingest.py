"""One run of the `agenda-openagenda` connector over its sources (`agenda_shared.store.ingest_events`).

The sources together are the feed of OpenAgenda events: an event found in none of them is withdrawn, unless one
of them could not be read to its end (page limit).
"""

from __future__ import annotations

import datetime as dt

from agenda_shared.store import EventWriter, ingest_events
from poche_common.connector import Outcome
from poche_common.observability import logger
from poche_common.outbox import Outbox

from .parser import SOURCE, parse_feed

CONNECTOR = "agenda-openagenda"


def ingest(payloads: list[bytes], writer: EventWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    """Parse every source (all must parse before anything is written), then `ingest_events`."""
    feeds = [parse_feed(data) for data in payloads]
    complete = all(feed.complete for feed in feeds)
    if not complete:
        logger.warning("feed not read to its end (page limit): withdrawn events are kept this run")
    return ingest_events(feeds, writer, outbox, now, connector=CONNECTOR, source=SOURCE, complete=complete)
