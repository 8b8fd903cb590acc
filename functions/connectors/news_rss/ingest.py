"""One run of the `news-rss` connector over its tagged feeds (`entries.py`).

One feed that cannot be used (bad entry or unknown commune, unreachable, not RSS/Atom) is reported in the run's
rejections and skipped: the other feeds are still read and written. A run where no feed at all can be used is a
failed run (`FeedError`): nothing stored changes. `NewsPublished` announces the articles created or newly tagged
(staged before they are written); a run that changed articles then rewrites the `news` tiles of their tags.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from news_shared.keys import CONNECTOR, GENERAL
from poche_common import sources
from poche_common.changes import change_facts
from poche_common.connector import Outcome, TiledStores
from poche_common.errors import FeedError
from poche_common.observability import logger, metrics
from poche_common.outbox import Outbox

from .entries import SAMPLES, ConfigurationError, parse_entry, shown
from .model import FeedSource, ParsedFeed
from .parser import parse_feed
from .store import Change, NewsWriter, merge
from .tiles import NewsProjector

if TYPE_CHECKING:  # annotations only: the event registry is not compiled at this function's cold start
    from poche_common.eventtypes import NewsEntry, NewsPublishedFacts

MAX_ITEMS_IN_EVENT = 500


class NewsStores(TiledStores[NewsWriter, NewsProjector]):
    """What a run writes: the articles, then the tile projections."""

    writer_type, projector_type = NewsWriter, NewsProjector


def event_facts(announced: list[Change]) -> NewsPublishedFacts:
    """`NewsPublished`: the articles' ids and entries (bounded, `truncated`, headlines within their budget) and
    every tag of them."""
    items: list[NewsEntry] = [c.as_fact() for c in announced]
    item_ids = [c.id for c in announced]
    bounded = change_facts(
        CONNECTOR, listed={"item_ids": item_ids, "items": items}, limit=MAX_ITEMS_IN_EVENT, titled="items"
    )
    return {
        "connector": CONNECTOR,
        "tags": sorted({tag for c in announced for tag in c.tags}),
        "item_ids": bounded["item_ids"],
        "items": bounded["items"],
        "truncated": bounded["truncated"],
    }


class FeedBatch:
    """One run over several tagged feeds (`entries`, expanded): `fetch` each entry (a failure is remembered, not
    raised), then `ingest` the ones that could be read and parsed."""

    def __init__(self, entries: list[str], stores: NewsStores, outbox: Outbox, now: dt.datetime) -> None:
        self.entries = entries
        self.stores = stores
        self.outbox = outbox
        self.now = now
        self.specs: dict[str, FeedSource] = {}
        self.failures: dict[str, str] = {}  # entry -> reason

    def fetch(self, entry: str) -> bytes:
        try:
            spec = parse_entry(entry)
            payload = sources.fetch(spec.url, bundled=SAMPLES.get(spec.tag, SAMPLES[GENERAL]))
        except (ConfigurationError, FeedError) as exc:
            self.failures[entry] = str(exc)
            return b""
        self.specs[entry] = spec
        return payload

    def ingest(self, payloads: list[bytes]) -> Outcome:
        entries, outcome = self.entries, Outcome()
        parsed: list[tuple[FeedSource, ParsedFeed]] = []
        for entry, payload in zip(entries, payloads, strict=True):
            if entry not in self.failures:
                try:
                    feed = parse_feed(payload)
                except FeedError as exc:
                    self.failures[entry] = str(exc)
                    continue
                spec = self.specs[entry]
                parsed.append((spec, feed))
                outcome.add(
                    feed.items_read,
                    [{"feed": spec.shown, "item": r.position, "reason": r.reason} for r in feed.rejected],
                )
        failed = [{"feed": shown(entry), "reason": self.failures[entry]} for entry in entries if entry in self.failures]
        if not parsed:
            raise FeedError("Aucun flux utilisable : " + " ; ".join(f"{f['feed']} : {f['reason']}" for f in failed))
        for failure in failed:
            logger.error("news feed skipped", extra=failure)
        metrics.add_metric(name="FeedsFailed", unit="Count", value=len(failed))
        outcome.rejected += len(failed)
        outcome.rejections = failed + outcome.rejections
        merged = merge(parsed)
        changes = self.stores.writer.sync(merged, self.now, before_write=self.announce)
        outcome.changed = len(changes)
        self.stores.projector.project(merged, changes, self.now)
        return outcome

    def announce(self, changes: list[Change]) -> None:
        """Stage `NewsPublished` for the articles created or newly tagged (before they are written)."""
        announced = [c for c in changes if c.change in ("created", "tagged")]
        if announced:
            self.outbox.stage("NewsPublished", event_facts(announced))
