"""Lambda entry point of the `news-rss` connector (EventBridge Scheduler, hourly).

Source value (`POCHE_SOURCE_NEWS_RSS` or the SSM parameter): comma-separated `<tag>=<url>` entries, the tag
being `general` (news of the whole département) or the INSEE code of a commune of the territory:
`general=https://www.orne.fr/rss.xml,61001=https://www.alencon.fr/actualites/rss`. The word `bundled`
stands for the two samples: `general=bundled,61001=bundled`.

One feed that cannot be used (bad entry or unknown commune, unreachable, not RSS/Atom) is reported in the
run's rejections and skipped: the other feeds are still read and written. A run where no feed at all can
be used is a failed run (`FeedError`): nothing stored changes.

A run that changed articles also rewrites the home screen's `news` tile projections of their tags
(`tiles.py`), after the data writes and before the run is recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import boto3

from poche_common import communes, sources
from poche_common.clock import utc_now
from poche_common.connector import Outcome, RunLog, run_connector
from poche_common.errors import FeedError
from poche_common.events import with_titles
from poche_common.observability import logger, metrics
from poche_common.outbox import Outbox
from poche_common.settings import required

from .model import GENERAL, FeedSource, ParsedFeed
from .parser import parse_feed
from .store import Change, NewsWriter, merge
from .tiles import NewsProjector

CONNECTOR = "news-rss"
SAMPLE_DIR = Path(__file__).parent / "sample"
SAMPLES = {GENERAL: SAMPLE_DIR / "orne-actualites.xml", "61001": SAMPLE_DIR / "alencon-actualites.xml"}
MAX_ITEMS_IN_EVENT = 500
_TAG_RE = re.compile(r"^[0-9a-z]{1,12}$")

_dynamodb = boto3.client("dynamodb")
_table = required("TABLE_NAME")
_writer = NewsWriter(_dynamodb, _table)
_projector = NewsProjector(_dynamodb, _table)
_runs = RunLog(_dynamodb, _table, CONNECTOR)
_outbox = Outbox(_dynamodb, _table, producer=CONNECTOR, source="poche.news", bus_name=required("EVENT_BUS_NAME"))


class ConfigurationError(ValueError):
    """A source entry that cannot be used: its feed is skipped and reported."""


def expand(entries: list[str]) -> list[str]:
    """The configured entries, `bundled` replaced by one entry per sample."""
    expanded: list[str] = []
    for entry in entries:
        if entry.strip() == sources.BUNDLED:
            expanded += [f"{tag}={sources.BUNDLED}" for tag in SAMPLES]
        else:
            expanded.append(entry.strip())
    return expanded


def shown(entry: str) -> str:
    """An entry safe to log and store: the tag as given when it looks like one, the URL without credentials."""
    tag, separator, url = entry.partition("=")
    if separator and _TAG_RE.match(tag.strip().lower()):
        return f"{tag.strip().lower()}={sources.describe(url.strip())}"
    return sources.describe(entry)


def parse_entry(entry: str) -> FeedSource:
    """`<tag>=<url>` -> FeedSource; `ConfigurationError` (French reason) when unusable."""
    tag, separator, url = entry.partition("=")
    tag, url = tag.strip().lower(), url.strip()
    if not separator or not _TAG_RE.match(tag) or not url:
        raise ConfigurationError(
            f"Entrée de configuration « {shown(entry)} » invalide : attendu <étiquette>=<url>, l'étiquette étant "
            "« general » ou le code INSEE d'une commune."
        )
    commune = communes.get(tag) if tag != GENERAL else None
    if tag != GENERAL and commune is None:
        raise ConfigurationError(
            f"Étiquette « {tag} » inconnue : ni « general » ni le code INSEE d'une commune du territoire ; flux ignoré."
        )
    if url == sources.BUNDLED and tag not in SAMPLES:
        raise ConfigurationError(f"Aucun exemple embarqué pour l'étiquette « {tag} » ; flux ignoré.")
    tag = commune.insee if commune is not None else GENERAL
    return FeedSource(tag=tag, url=url, shown=f"{tag}={sources.describe(url)}")


class FeedBatch:
    """One run over several tagged feeds: `fetch` each entry (a failure is remembered, not raised), then
    `ingest` the ones that could be read and parsed."""

    def __init__(self, writer: NewsWriter, outbox: Outbox, projector: NewsProjector, now: dt.datetime) -> None:
        self.writer = writer
        self.outbox = outbox
        self.projector = projector
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

    def ingest(self, entries: list[str], payloads: list[bytes]) -> Outcome:
        outcome = Outcome()
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
                outcome.read += feed.items_read
                outcome.rejected += len(feed.rejected)
                outcome.rejections += [
                    {"feed": spec.shown, "item": r.position, "reason": r.reason} for r in feed.rejected
                ]
        failed = [{"feed": shown(entry), "reason": self.failures[entry]} for entry in entries if entry in self.failures]
        if not parsed:
            raise FeedError("Aucun flux utilisable : " + " ; ".join(f"{f['feed']} : {f['reason']}" for f in failed))
        for failure in failed:
            logger.error("news feed skipped", extra=failure)
        metrics.add_metric(name="FeedsFailed", unit="Count", value=len(failed))
        outcome.rejected += len(failed)
        outcome.rejections = failed + outcome.rejections
        merged = merge(parsed)
        changes = self.writer.sync(merged, self.now, before_write=self.announce)
        outcome.changed = len(changes)
        self.projector.project(merged, changes, self.now)
        return outcome

    def announce(self, changes: list[Change]) -> None:
        """Stage `NewsPublished` for the articles created or newly tagged (before they are written)."""
        announced = [c for c in changes if c.change in ("created", "tagged")]
        if announced:
            facts = with_titles([c.as_fact() for c in announced][:MAX_ITEMS_IN_EVENT])
            self.outbox.stage(
                "NewsPublished",
                {
                    "connector": CONNECTOR,
                    "item_ids": [c.id for c in announced][:MAX_ITEMS_IN_EVENT],
                    "tags": sorted({tag for c in announced for tag in c.tags}),
                    "items": facts,
                    "truncated": len(announced) > MAX_ITEMS_IN_EVENT,
                },
            )


def run(
    entries: list[str],
    writer: NewsWriter,
    outbox: Outbox,
    projector: NewsProjector,
    runs: RunLog,
    now: dt.datetime,
) -> Any:
    entries = expand(entries)
    batch = FeedBatch(writer, outbox, projector, now)
    return run_connector(
        connector=CONNECTOR,
        sources=entries,
        fetch=batch.fetch,
        ingest=lambda payloads: batch.ingest(entries, payloads),
        runs=runs,
        describe=shown,
        outbox=outbox,
    )


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    entries = sources.resolve_sources(CONNECTOR, sources.ssm_parameter_reader())
    report = run(entries, _writer, _outbox, _projector, _runs, utc_now())
    result: dict[str, Any] = report.as_dict()
    return result
