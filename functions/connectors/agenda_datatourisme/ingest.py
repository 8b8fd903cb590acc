"""One run of the `agenda-datatourisme` connector over its sources (`agenda_shared.store.ingest_events`), each event
already known from another source (OpenAgenda) marked `duplicate_of` (`matcher.py`)."""

from __future__ import annotations

import datetime as dt

from agenda_shared.model import AgendaEvent
from agenda_shared.store import ingest_events
from poche_common.connector import Outcome
from poche_common.observability import logger
from poche_common.outbox import Outbox

from .matcher import WINDOW, find_duplicate
from .parser import SOURCE, parse_feed
from .store import EventWriter

CONNECTOR = "agenda-datatourisme"


def duplicates_of(events: list[AgendaEvent], writer: EventWriter) -> dict[str, str]:
    """event id -> the other source's event it duplicates: one `by_commune` Query per commune, over the span of
    that commune's DATAtourisme occurrences (± the matching window)."""
    by_commune: dict[str, list[AgendaEvent]] = {}
    for event in events:
        if event.location.commune:
            by_commune.setdefault(event.location.commune, []).append(event)
    found: dict[str, str] = {}
    for commune, group in sorted(by_commune.items()):
        begins = [o.begin.astimezone(dt.UTC) for event in group for o in event.occurrences]
        candidates = writer.candidates(commune, min(begins) - WINDOW, max(begins) + WINDOW)
        if not candidates:
            continue
        for event in group:
            other = find_duplicate(event, candidates)
            if other is not None:
                found[event.id] = other
    if found:
        logger.info("events already known from another source", extra={"duplicates": len(found)})
    return found


def ingest(payloads: list[bytes], writer: EventWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    """Parse every source (all must parse before anything is written), then `ingest_events`, duplicates marked."""
    feeds = [parse_feed(data, now) for data in payloads]
    return ingest_events(
        feeds,
        writer,
        outbox,
        now,
        connector=CONNECTOR,
        source=SOURCE,
        match=lambda events: duplicates_of(events, writer),
    )
