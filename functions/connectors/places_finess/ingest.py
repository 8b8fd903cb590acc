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

from places_shared.ingest import MAX_CHANGES_IN_EVENT, ingest_records
from poche_common.connector import Outcome
from poche_common.observability import logger
from poche_common.outbox import Outbox

from .parser import ParsedFeed, parse_feed
from .store import CONNECTOR, PLACE_SOURCE, FinessWriter, record

__all__ = ["MAX_CHANGES_IN_EVENT", "FinessRecords", "ingest"]


class FinessRecords:
    """A parsed extract as the shared places ingest reads it (`places_shared.ingest.RecordFeed`)."""

    def __init__(self, feed: ParsedFeed) -> None:
        self.feed = feed
        self.records = [record(place) for place in feed.places]
        self.rows_read = feed.rows_read
        self.rejected = feed.rejected
        self.rejected_ids = feed.rejected_finess
        self.unattributed_rejections = feed.unattributed_rejections


def _repeated(number: str) -> str:
    return f"établissement n° {number} déjà donné par un autre fichier : ignoré"


def ingest(payloads: list[bytes], writer: FinessWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    """One run (`now` unused: the items carry no time, so an unchanged file is an unchanged digest)."""
    feeds = [parse_feed(data, writer.departements) for data in payloads]  # all parse before anything is written
    logger.info(
        "FINESS establishments read",
        extra={
            "departements": list(writer.departements),
            "places": sum(len(feed.places) for feed in feeds),
            "located": sum(feed.located for feed in feeds),
            "extracted_on": [feed.extracted_on.isoformat() if feed.extracted_on else None for feed in feeds],
            "skipped_elsewhere": sum(feed.skipped_elsewhere for feed in feeds),
            "skipped_categories": dict(sum((feed.skipped_categories for feed in feeds), Counter[str]())),
            "unattributed_rejections": any(feed.unattributed_rejections for feed in feeds),
        },
    )
    records = [FinessRecords(feed) for feed in feeds]
    return ingest_records(CONNECTOR, PLACE_SOURCE, records, writer, outbox, repeated=_repeated)
