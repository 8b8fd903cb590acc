"""Lambda entry point of the `agenda-datatourisme` connector (EventBridge Scheduler, hourly).

Source: URL(s) of DATAtourisme JSON / JSON-LD exports (a list of objects or a `@graph`), comma-separated, or
`bundled` (`sample/orne-evenements.jsonld`). Event objects become `datatourisme:<last segment of @id>` events of
the agenda table; one already known from another source (OpenAgenda) is marked `duplicate_of` (`ingest.py`).
"""

from __future__ import annotations

from pathlib import Path

from poche_common.clock import utc_now
from poche_common.connector import connect, scheduled_handler
from poche_common.wiring import Provider

from .ingest import CONNECTOR, ingest
from .store import EventWriter

SAMPLE = Path(__file__).with_name("sample") / "orne-evenements.jsonld"

dependencies = Provider(lambda: connect(CONNECTOR, "poche.agenda", EventWriter))
handler = scheduled_handler(dependencies, ingest, sample=SAMPLE, clock=lambda: utc_now())
