"""One run of the `schools-notices-csv` connector: parse every file (a file that is not such a CSV changes nothing),
diff against the notices this feed created, stage the events, write, rewrite the `school-notices` tile of every
school touched.

Events (`poche.schools`), at most one of each per run: `SchoolNoticePublished` (notices created or changed) and
`SchoolNoticeWithdrawn` (notices whose row left the feed), facts `origin: departement`, `connector`, `uais`,
`notices: [{uai, notice_id, reference, kind, title, starts, ends, change}]` (at most 500, then `truncated: true`),
staged in the table's outbox before the notices are written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from poche_common import schools
from poche_common.changes import change_facts
from poche_common.connector import Outcome
from poche_common.outbox import Outbox

from .parser import ParsedFeed, Rejection, parse_feed
from .store import Change, FeedNoticeWriter

CONNECTOR = "schools-notices-csv"
MAX_CHANGES_IN_EVENT = 500


def merge(feeds: list[ParsedFeed]) -> ParsedFeed:
    """Several source files as one feed; a reference used in an earlier file rejects the later row."""
    merged = ParsedFeed()
    seen: set[str] = set()
    for feed in feeds:
        merged.rows_read += feed.rows_read
        merged.rejected += feed.rejected
        for row in feed.rows:
            if row.reference in seen:
                merged.rejected.append(Rejection(row.line, f"reference {row.reference!r} already used by another file"))
                continue
            seen.add(row.reference)
            merged.rows.append(row)
    return merged


def event_facts(changes: list[Change]) -> dict[str, Any]:
    return change_facts(
        CONNECTOR,
        origin="departement",
        uais=sorted({c.uai for c in changes}),
        listed={"notices": [c.as_fact() for c in changes]},
        limit=MAX_CHANGES_IN_EVENT,
        titled="notices",
    )


def announce(outbox: Outbox, changes: list[Change]) -> None:
    """Stage the run's events (before the notices are written)."""
    published = [c for c in changes if c.change != "withdrawn"]
    withdrawn = [c for c in changes if c.change == "withdrawn"]
    if published:
        outbox.stage("SchoolNoticePublished", event_facts(published))
    if withdrawn:
        outbox.stage("SchoolNoticeWithdrawn", event_facts(withdrawn))


def ingest(payloads: list[bytes], writer: FeedNoticeWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    feed = merge([parse_feed(data) for data in payloads])  # every file parses before anything is written
    changes = writer.sync(feed, now, before_write=lambda changes: announce(outbox, changes))
    if changes:
        schools.rewrite_projections(writer.client, writer.table, {c.uai for c in changes}, now)
    return Outcome(
        read=feed.rows_read,
        changed=len(changes),
        rejected=len(feed.rejected),
        rejections=[{"line": r.line, "reason": r.reason} for r in sorted(feed.rejected, key=lambda r: r.line)],
    )
