"""The `events` tile ("Sorties et événements", docs/tiles.md): one projection per commune, kept by the event
connectors (`agenda-openagenda`, `agenda-datatourisme`).

    pk = TILE#events#<insee>  sk = CONTENT   (poche_common.tiles)
        params   {"commune": <insee>}
        head     {"commune": {"insee", "name"}}
        entries  the commune's next occurrences at the run: not ended, beginning from today (Paris, as
                 `GET /v1/events` by default) to 60 days ahead, at most 50, as `GET /v1/events?commune=` lists them
                 (an event known from both sources once: duplicates are not indexed). id = `event_id`, order = begin
                 (UTC ISO; one event's occurrences share the id, never the order), until = end (else begin),
                 view = `views.occurrence_view`, exactly an item of `GET /v1/events`

A run rewrites the communes of the events it created, changed or deleted (`SyncResult.touched`); entries hide
themselves once ended (`until`). Cinema sessions are not in `GET /v1/events`, hence not in this tile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from poche_common import communes
from poche_common.clock import PARIS, to_utc_iso, today_paris
from poche_common.tiles import Entry, Projection, write_projections

from .reader import OccurrenceReader
from .store import json_safe
from .views import alive, occurrence_view

TILE = "events"
HORIZON = dt.timedelta(days=60)
MAX_ENTRIES = 50
MAX_EXAMINED = 500  # occurrence items read for one commune at most


def window(now: dt.datetime) -> tuple[str, str]:
    """The `by_commune` sort keys of the occurrences a projection may show: begin from Paris midnight today to
    `now` + 60 days."""
    midnight = dt.datetime.combine(today_paris(now), dt.time(), PARIS)
    return to_utc_iso(midnight), to_utc_iso(now + HORIZON) + "#~"


def shown(item: dict[str, Any], now: dt.datetime) -> bool:
    """An occurrence the tile shows at `now`: not expired, not ended."""
    return alive(item, now) and str(item.get("end") or item["begin"]) > to_utc_iso(now)


def commune_projection(insee: str, occurrences: Iterable[dict[str, Any]], now: dt.datetime) -> Projection:
    """The projection of a commune from its occurrence items as stored (pure): the first MAX_ENTRIES shown ones
    in the window, by begin."""
    low, high = window(now)
    kept = sorted(
        (o for o in occurrences if low <= f"{o['begin']}#{o['event_id']}" <= high and shown(o, now)),
        key=lambda o: (str(o["begin"]), str(o["event_id"])),
    )[:MAX_ENTRIES]
    commune = communes.get(insee)
    return Projection(
        params={"commune": insee},
        head={"commune": {"insee": insee, "name": commune.name if commune else insee}},
        entries=[
            Entry(
                id=str(o["event_id"]),
                order=str(o["begin"]),
                until=str(o.get("end") or o["begin"]),
                view=json_safe(occurrence_view(o)),
            )
            for o in kept
        ],
    )


def write_commune_tiles(reader: OccurrenceReader, insees: Iterable[str], now: dt.datetime) -> int:
    """Rewrites the projections of these communes (those of the reference data) from what is stored: one bounded
    Query of each commune's `by_commune` partition; returns the items written."""
    low, high = window(now)
    projections: dict[str, Projection] = {}
    for insee in sorted({insee for insee in insees if communes.get(insee) is not None}):
        found, _ = reader.occurrences(
            [("by_commune", "gsi1", f"COMMUNE#{insee}")],
            low,
            high,
            after=None,
            accept=lambda item: shown(item, now),
            limit=MAX_ENTRIES,
            max_examined=MAX_EXAMINED,
        )
        projections[insee] = commune_projection(insee, found, now)
    return write_projections(reader.client, reader.table, TILE, projections, now_iso=to_utc_iso(now))
