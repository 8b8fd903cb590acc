"""One run of the `places-irve` connector: the charging stations of the département
(`places_shared.ingest.ingest_records` over `parser.parse_static`)."""

from __future__ import annotations

import datetime as dt

from places_shared.ingest import ingest_records
from places_shared.writer import DepartementWriter
from poche_common.connector import Outcome
from poche_common.outbox import Outbox

from .parser import parse_static

CONNECTOR = "places-irve"
SOURCE = "irve"


def ingest(payloads: list[bytes], writer: DepartementWriter, outbox: Outbox, now: dt.datetime) -> Outcome:
    feeds = [parse_static(data, writer.departement) for data in payloads]  # all parse before anything is written
    return ingest_records(CONNECTOR, SOURCE, feeds, writer, outbox)
