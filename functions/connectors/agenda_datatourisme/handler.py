"""Lambda entry point of the `agenda-datatourisme` connector (EventBridge Scheduler, hourly).

Source: URL(s) of DATAtourisme JSON / JSON-LD exports (a list of objects or a `@graph`), comma-separated, or
`bundled` (`sample/orne-evenements.jsonld`). Event objects become `datatourisme:<last segment of @id>` events of
the agenda table; one already known from another source (OpenAgenda) is marked `duplicate_of` (`ingest.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from poche_common import sources
from poche_common.clock import utc_now
from poche_common.connector import connect, run_scheduled
from poche_common.observability import logger, metrics
from poche_common.wiring import Provider

from .ingest import CONNECTOR, ingest
from .store import EventWriter

SAMPLE = Path(__file__).with_name("sample") / "orne-evenements.jsonld"

dependencies = Provider(lambda: connect(CONNECTOR, "poche.agenda", EventWriter))


@logger.inject_lambda_context()
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    deps = dependencies.get()
    return run_scheduled(
        deps,
        fetch=lambda url: sources.fetch(url, bundled=SAMPLE),
        ingest=lambda payloads: ingest(payloads, deps.store, deps.outbox, utc_now()),
    )
