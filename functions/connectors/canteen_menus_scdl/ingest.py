"""One run of the `canteen-menus-scdl` connector over its files: every file parsed before anything is written;
per file, the `MenusUpdated` event announcing its changes staged, then the changes written (`store.py`); then, if
anything changed, the `canteen-menu` tile projections of every canteen of the feeds rewritten (`tiles.py`). The
runtime sends the events."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from canteen_shared.keys import CONNECTOR
from poche_common.changes import change_facts
from poche_common.connector import Outcome, TiledStores
from poche_common.outbox import Outbox

from .parser import parse_feed
from .store import Change, MenuWriter, canteen_item
from .tiles import MenuProjector

if TYPE_CHECKING:  # annotations only: the event registry is not compiled at this function's cold start
    from poche_common.eventtypes import MenuChange, MenusUpdatedFacts

MAX_CHANGES_IN_EVENT = 500


class MenuStores(TiledStores[MenuWriter, MenuProjector]):
    """What a run writes: the canteens and meals, then the tile projections."""

    writer_type, projector_type = MenuWriter, MenuProjector


def event_facts(changes: list[Change]) -> MenusUpdatedFacts:
    """`MenusUpdated`: the canteens and dates concerned, and each change (bounded, `truncated`)."""
    listed: list[MenuChange] = [c.as_fact() for c in changes]
    bounded = change_facts(CONNECTOR, listed={"changes": listed}, limit=MAX_CHANGES_IN_EVENT)
    return {
        "connector": CONNECTOR,
        "canteen_ids": sorted({c.canteen_id for c in changes}),
        "dates": sorted({c.date for c in changes if c.date}),
        "changes": bounded["changes"],
        "truncated": bounded["truncated"],
    }


def ingest(payloads: list[bytes], stores: MenuStores, outbox: Outbox, now: dt.datetime) -> Outcome:
    feeds = [parse_feed(data) for data in payloads]
    outcome = Outcome()
    profiles: dict[str, dict[str, Any]] = {}

    def announce(changes: list[Change]) -> None:
        if changes:
            outbox.stage("MenusUpdated", event_facts(changes))

    for feed in feeds:
        profiles.update({canteen_id: canteen_item(canteen) for canteen_id, canteen in feed.canteens.items()})
        changes = stores.writer.sync(feed, before_write=announce)
        outcome.add(feed.rows_read, [{"line": r.line, "reason": r.reason} for r in feed.rejected])
        outcome.changed += len(changes)
    if outcome.changed:
        stores.projector.project(profiles, now)
    return outcome
