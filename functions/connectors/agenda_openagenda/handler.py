"""Lambda entry point of the `agenda-openagenda` connector (EventBridge Scheduler, hourly).

Source: the events endpoint URL of one or more agendas, comma-separated
(`https://api.openagenda.com/v2/agendas/<uid>/events?detailed=1&relative[]=current&relative[]=upcoming&key=...`),
or `bundled` (two sample pages). Each source's pages are followed to the end (`pages.py`); the run is `ingest.py`.
"""

from __future__ import annotations

from typing import Any

from agenda_shared.store import EventWriter
from poche_common import sources
from poche_common.clock import utc_now
from poche_common.connector import connect, run_scheduled
from poche_common.observability import logger, metrics
from poche_common.wiring import Provider

from .ingest import CONNECTOR, ingest
from .pages import SAMPLE_DIR, read_pages

dependencies = Provider(lambda: connect(CONNECTOR, "poche.agenda", EventWriter))


def fetch_source(url: str) -> bytes:
    """Every page of one source, merged (bounded in pages and bytes)."""
    return read_pages(url, lambda page, budget: sources.fetch(page, bundled=SAMPLE_DIR, max_bytes=max(budget, 1)))


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    deps = dependencies.get()
    return run_scheduled(
        deps, fetch=fetch_source, ingest=lambda payloads: ingest(payloads, deps.store, deps.outbox, utc_now())
    )
