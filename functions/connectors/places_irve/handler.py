"""Lambda entry point of the `places-irve` connector (EventBridge Scheduler, daily): the electric vehicle charging
stations of the national consolidated file (etalab `schema-irve` static, data.gouv.fr), one place per station, in
the département (`PLACES_DEPARTEMENTS`). The live status (`schema-irve` dynamic) is parsed by `parser.parse_dynamic`
and aggregated per station (`station_availability`); storing it as live availability is the next step.
The run is `ingest.py` (the shared places writer)."""

from __future__ import annotations

from pathlib import Path

from places_shared.writer import DepartementWriter
from poche_common.clock import utc_now
from poche_common.connector import connect, scheduled_handler
from poche_common.wiring import Provider

from .ingest import CONNECTOR, ingest

SAMPLE = Path(__file__).parent / "sample" / "irve-statique-orne.csv"

dependencies = Provider(lambda: connect(CONNECTOR, "poche.places", DepartementWriter.over(CONNECTOR)))
handler = scheduled_handler(dependencies, ingest, sample=SAMPLE, clock=lambda: utc_now())
