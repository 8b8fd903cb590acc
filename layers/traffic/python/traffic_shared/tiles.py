"""The `traffic` tile ("Info trafic", docs/tiles.md): one projection per commune, kept by `traffic-datex2`.

    pk = TILE#traffic#<insee>  sk = CONTENT   (poche_common.tiles)
        params   {"commune": <insee>}
        head     {"commune": {"insee", "name"}}
        entries  the events touching the commune that have not ended at the run (in force, upcoming, suspended):
                 id = event id, order = start (UTC ISO: those in force come first, they started earlier),
                 until = end (UTC ISO; absent: until further notice), view = `views.event_view`, exactly an item
                 of `GET /v1/traffic/events` (its `active` as of the run that wrote it)

The connector rewrites the communes of every event it created, changed or deleted (old and new communes), and of
every event whose `active` changed since the projections last showed it (marker `shown_active`, see the
connector's store), so that an event that starts or ends does not stay shown as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from poche_common import communes
from poche_common.clock import parse_iso, to_utc_iso
from poche_common.tiles import Entry, Projection, write_projections

from .reader import EventReader
from .views import event_view

TILE = "traffic"


def ended(item: dict[str, Any], now: dt.datetime) -> bool:
    end = item.get("end")
    return bool(end) and parse_iso(str(end)) <= now


def _storable(view: dict[str, Any]) -> dict[str, Any]:
    """The view with its floats as Decimals (DynamoDB's serializer refuses floats); read back, they are numbers."""
    safe: dict[str, Any] = json.loads(json.dumps(view), parse_float=Decimal)
    return safe


def commune_projection(insee: str, profiles: Iterable[dict[str, Any]], now: dt.datetime) -> Projection:
    """The projection of a commune from the stored profiles of the events touching it (pure)."""
    commune = communes.get(insee)
    entries = [
        Entry(
            id=str(profile["id"]),
            order=str(profile["start"]),
            until=str(profile["end"]) if profile.get("end") else None,
            view=_storable(event_view(profile, now)),
        )
        for profile in profiles
        if not ended(profile, now)
    ]
    return Projection(
        params={"commune": insee},
        head={"commune": {"insee": insee, "name": commune.name if commune else insee}},
        entries=entries,
    )


def write_commune_tiles(reader: EventReader, insees: Iterable[str], now: dt.datetime) -> int:
    """Rewrites the projections of these communes (those of the reference data) from what is stored: one Query of
    each commune's `by_area` partition, one BatchGetItem of the profiles not ended; returns the items written."""
    known = sorted({insee for insee in insees if communes.get(insee) is not None})
    if not known:
        return 0
    current = {insee: [s for s in reader.in_commune(insee) if not ended(s, now)] for insee in known}
    profiles = reader.profiles(sorted({str(s["pk"]) for found in current.values() for s in found}))
    projections = {
        insee: commune_projection(insee, [profiles[s["pk"]] for s in found if s["pk"] in profiles], now)
        for insee, found in current.items()
    }
    return write_projections(reader.client, reader.table, TILE, projections, now_iso=to_utc_iso(now))
