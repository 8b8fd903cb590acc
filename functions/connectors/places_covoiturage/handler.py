"""Lambda entry point of the `places-covoiturage` connector (EventBridge Scheduler, daily): the carpool areas of the
national base (etalab `schema-lieux-covoiturage`, transport.data.gouv.fr), in the département (`PLACES_DEPARTEMENTS`).
The format is read by `parser.py`; the run is `ingest.py` (the shared places writer: a bad row never withdraws a
stored place, an unchanged file writes nothing)."""

from __future__ import annotations

from pathlib import Path

from places_shared.writer import DepartementWriter
from poche_common.clock import utc_now
from poche_common.connector import connect, scheduled_handler
from poche_common.wiring import Provider

from .ingest import CONNECTOR, ingest

SAMPLE = Path(__file__).parent / "sample" / "aires-covoiturage-orne.csv"

dependencies = Provider(lambda: connect(CONNECTOR, "poche.places", DepartementWriter.over(CONNECTOR)))
handler = scheduled_handler(dependencies, ingest, sample=SAMPLE, clock=lambda: utc_now())
