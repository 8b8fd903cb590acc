"""Lambda entry point of the `canteen-menus-scdl` connector (EventBridge Scheduler, daily): the run is `ingest.py`
(parse, diff, `MenusUpdated`, the `canteen-menu` tiles of the feeds' canteens)."""

from __future__ import annotations

from pathlib import Path

from canteen_shared.keys import CONNECTOR
from poche_common.clock import utc_now
from poche_common.connector import connect, scheduled_handler
from poche_common.wiring import Provider

from .ingest import MenuStores, ingest

SAMPLE = Path(__file__).parent / "sample" / "menus-collectifs.csv"

dependencies = Provider(lambda: connect(CONNECTOR, "poche.canteen", MenuStores.over))
handler = scheduled_handler(dependencies, ingest, sample=SAMPLE, clock=lambda: utc_now())
