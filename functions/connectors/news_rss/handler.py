"""Lambda entry point of the `news-rss` connector (EventBridge Scheduler, hourly).

Its source value is a list of tagged feeds (`entries.py`); a run reads every feed it can, skipping and reporting
the others, writes the articles and rewrites the home screen's `news` tiles of their tags (`ingest.py`).
"""

from __future__ import annotations

from typing import Any

from news_shared.keys import CONNECTOR
from poche_common import sources
from poche_common.clock import utc_now
from poche_common.connector import connect, run_scheduled
from poche_common.observability import logger, metrics
from poche_common.wiring import Provider

from .entries import ConfigurationError as ConfigurationError
from .entries import expand, shown
from .entries import parse_entry as parse_entry
from .ingest import FeedBatch, NewsStores

dependencies = Provider(lambda: connect(CONNECTOR, "poche.news", NewsStores.over))


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    deps, entries = dependencies.get(), expand(sources.resolve_sources(CONNECTOR, sources.ssm_parameter_reader()))
    batch = FeedBatch(entries, deps.store, deps.outbox, utc_now())
    return run_scheduled(deps, fetch=batch.fetch, ingest=batch.ingest, describe=shown, entries=entries)
