"""One run of the `places-finess` connector: parse every file (a file that is not a FINESS extract, or holds no
establishment of the wanted départements, changes nothing), diff against the places stored, stage the event, write.

Event (`poche.places`), at most one per run: `PlacesUpdated`, facts `connector`, `changes: [{id, change, category,
commune}]` (change: created | updated | deleted; at most 500, then `truncated: true`) and `counts` (`created`,
`updated`, `deleted`), staged in the Places table's outbox before the places are written.

The run's report (`Outcome`): the rows read (every data row of every file), the places changed, and as rejections
the bad rows (`line`, `reason`, in French) and an establishment given again by a later file (`record` = its FINESS
number). The establishments left out on purpose (other départements, categories that are not places) are logged.
A bad row never withdraws a stored place: the rejected numbers of every file, and whether some rejection could not
be attributed, go to the store's diff (`places_shared.writer.PlaceWriter.sync`, over the establishments' records).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from places_shared.writer import Change
from poche_common.changes import counted_facts
from poche_common.connector import Outcome
from poche_common.observability import logger
from poche_common.outbox import Outbox

from .parser import FinessPlace, ParsedFeed, parse_feed
from .store import CONNECTOR, FinessWriter, place_id, record

if TYPE_CHECKING:  # annotations only: the event registry is not compiled at this function's cold start
    from poche_common.eventtypes import PlacesUpdatedFacts

EVENT = "PlacesUpdated"
MAX_CHANGES_IN_EVENT = 500


def merge(feeds: list[ParsedFeed]) -> tuple[list[FinessPlace], list[dict[str, Any]]]:
    """Several files as one list of places, and the rejections of the run: each file's bad rows (by line), then an
    establishment an earlier file already gave (`record`)."""
    places: list[FinessPlace] = []
    rejections: list[dict[str, Any]] = []
    repeated: list[dict[str, Any]] = []
    seen: set[str] = set()
    for feed in feeds:
        rejections += [{"line": rejected.line, "reason": rejected.reason} for rejected in feed.rejected]
        for place in feed.places:
            if place.finess in seen:
                reason = f"établissement n° {place.finess} déjà donné par un autre fichier : ignoré"
                repeated.append({"record": place.finess, "reason": reason})
                continue
            seen.add(place.finess)
            places.append(place)
    return places, rejections + repeated


def event_facts(changes: list[Change]) -> PlacesUpdatedFacts:
    """`PlacesUpdated`: each change (bounded, `truncated`) and the counts of writes."""
    facts: PlacesUpdatedFacts = counted_facts(CONNECTOR, changes, limit=MAX_CHANGES_IN_EVENT)  # type: ignore[assignment]
    return facts


def ingest(payloads: list[bytes], writer: FinessWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    """One run (`now` unused: the items carry no time, so an unchanged file is an unchanged digest)."""
    feeds = [parse_feed(data, writer.departements) for data in payloads]  # all parse before anything is written
    places, rejections = merge(feeds)
    rejected = {place_id(number) for feed in feeds for number in feed.rejected_finess}
    unattributed = any(feed.unattributed_rejections for feed in feeds)
    logger.info(
        "FINESS establishments read",
        extra={
            "departements": list(writer.departements),
            "places": len(places),
            "located": sum(feed.located for feed in feeds),
            "extracted_on": [feed.extracted_on.isoformat() if feed.extracted_on else None for feed in feeds],
            "skipped_elsewhere": sum(feed.skipped_elsewhere for feed in feeds),
            "skipped_categories": dict(sum((feed.skipped_categories for feed in feeds), Counter[str]())),
            "unattributed_rejections": unattributed,
        },
    )

    def announce(changes: list[Change]) -> None:
        outbox.stage(EVENT, event_facts(changes))

    records = [record(place) for place in places]
    changes = writer.sync(records, before_write=announce, rejected=rejected, unattributed=unattributed)
    return Outcome(
        read=sum(feed.rows_read for feed in feeds),
        changed=len(changes),
        rejected=len(rejections),
        rejections=rejections,
    )
