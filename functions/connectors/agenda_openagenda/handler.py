"""Lambda entry point of the `agenda-openagenda` connector (EventBridge Scheduler, hourly).

Source: the events endpoint URL of one or more agendas, comma-separated
(`https://api.openagenda.com/v2/agendas/<uid>/events?detailed=1&relative[]=current&relative[]=upcoming&key=...`),
or `bundled` (two sample pages). Each source's pages are followed to the end (`pages.py`); the run is `ingest.py`.
"""

from __future__ import annotations

from agenda_shared.store import EventWriter
from poche_common import sources
from poche_common.clock import utc_now
from poche_common.connector import connect, scheduled_handler
from poche_common.wiring import Provider

from .ingest import CONNECTOR, ingest
from .pages import SAMPLE_DIR, read_pages

dependencies = Provider(lambda: connect(CONNECTOR, "poche.agenda", EventWriter))


def fetch_source(url: str) -> bytes:
    """Every page of one source, merged (bounded in pages and bytes)."""
    return read_pages(url, lambda page, budget: sources.fetch(page, bundled=SAMPLE_DIR, max_bytes=max(budget, 1)))


handler = scheduled_handler(dependencies, ingest, fetch=fetch_source, clock=lambda: utc_now())
