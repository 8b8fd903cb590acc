"""One run of the `payments-debts-csv` connector: parse every file (a file that is not such a CSV changes nothing),
diff against the debts stored, stage the event, write.

Event (`poche.payments`), at most one per run: `DebtsUpdated`, facts `connector`, `changes: [{exer, refdet,
change}]` (change: created | updated | cancelled | withdrawn; at most 500, then `truncated: true`) and `counts`
(`created`, `updated`, `deleted`: the writes), staged in the Debts table's outbox before the debts are written. No
e-mail ever: the payer's address stays in the Debts item.

The run's report (`Outcome`): the rows read, the debts changed, and as rejections the bad rows (`line`, `reason`)
and the debts paid online the file tried to change (`line`, or `record` `<exer>/<refdet>` for a debt the file no
longer has, and the reason), so finance staff see them in the run history.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from payments_shared.keys import CONNECTOR
from poche_common.changes import counted_facts
from poche_common.connector import Outcome
from poche_common.outbox import Outbox

from .model import Key, ParsedFeed, Rejection
from .parser import parse_feed
from .store import Change, DebtWriter

if TYPE_CHECKING:  # annotations only: the event registry is not compiled at this function's cold start
    from poche_common.eventtypes import DebtsUpdatedFacts

EVENT = "DebtsUpdated"
MAX_CHANGES_IN_EVENT = 500


def merge(feeds: list[ParsedFeed]) -> ParsedFeed:
    """Several files as one list; a debt given by an earlier file rejects the later row."""
    merged = ParsedFeed()
    seen: set[Key] = set()
    for feed in feeds:
        merged.rows_read += feed.rows_read
        merged.rejected += feed.rejected
        for debt in feed.debts:
            if debt.key in seen:
                reason = f"créance {debt.exer}/{debt.refdet} déjà donnée par un autre fichier : ligne ignorée"
                merged.rejected.append(Rejection(debt.line, reason, debt.key))
                continue
            seen.add(debt.key)
            merged.debts.append(debt)
    return merged


def event_facts(changes: list[Change]) -> DebtsUpdatedFacts:
    """`DebtsUpdated`: each change (bounded, `truncated`) and the counts of writes."""
    facts: DebtsUpdatedFacts = counted_facts(CONNECTOR, changes, limit=MAX_CHANGES_IN_EVENT)  # type: ignore[assignment]
    return facts


def ingest(payloads: list[bytes], writer: DebtWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    """One run (`now` unused: the items carry no time, so an unchanged file is an unchanged digest)."""
    feed = merge([parse_feed(data) for data in payloads])  # every file parses before anything is written

    def announce(changes: list[Change]) -> None:
        if changes:
            outbox.stage(EVENT, event_facts(changes))

    result = writer.sync(feed, before_write=announce)
    by_line: list[tuple[int, dict[str, Any]]] = [(r.line, {"line": r.line, "reason": r.reason}) for r in feed.rejected]
    by_line += [(kept.line, kept.as_report()) for kept in result.kept if kept.line is not None]
    rejections = [report for _, report in sorted(by_line, key=lambda pair: pair[0])]  # by line (stable)
    rejections += [kept.as_report() for kept in result.kept if kept.line is None]  # then debts the file lacks
    return Outcome(read=feed.rows_read, changed=len(result.changes), rejected=len(rejections), rejections=rejections)
