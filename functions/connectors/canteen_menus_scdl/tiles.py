"""The home screen's `canteen-menu` tile: one projection per canteen, kept by the connector's runs.

`TILE#canteen-menu#<canteen_id> / CONTENT` (see `poche_common.tiles` and docs/tiles.md):
- params `{"canteen_id": <id>}`; head `{"canteen": <the canteen as GET /v1/canteens/{canteen_id} shows it>}`;
- one entry per day with a menu, from today (Europe/Paris) to `HORIZON_DAYS` days later: id and order the
  date (`YYYY-MM-DD`), until the end of that day in Europe/Paris (UTC ISO), view `MenuDay`
  (`canteen_shared.views.day_view`: the day's meals exactly as items of `GET /v1/canteens/{id}/menus`).

A run that changed something rewrites the projection of every canteen of its feeds, even one without an
upcoming menu (an empty projection: the home screen tells a known canteen with no menu from an unknown one);
`write_projections` leaves the unchanged ones alone. A run that changed nothing reads and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from canteen_shared.store import read_meals
from canteen_shared.views import canteen_view, day_view
from poche_common.clock import PARIS, to_utc_iso, today_paris
from poche_common.tiles import Entry, Projection, write_projections

TILE = "canteen-menu"
# Upcoming days kept in a projection: a feed published a month ahead and then unchanged for weeks (no run
# rewrites the projection meanwhile) still shows its days; ~1.5 KB a served day keeps the item small.
HORIZON_DAYS = 42


def end_of_day(date: dt.date) -> str:
    """The instant the day ends in Europe/Paris (next midnight there), as UTC ISO."""
    return to_utc_iso(dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), PARIS))


def day_entries(meals: Iterable[dict[str, Any]], today: dt.date) -> list[Entry]:
    """One entry per date from `today` to `HORIZON_DAYS` days later, from stored meal items (in any order;
    a day's meals in the stored order: by meal code)."""
    first, last = today.isoformat(), (today + dt.timedelta(days=HORIZON_DAYS)).isoformat()
    days: dict[str, list[dict[str, Any]]] = {}
    for item in sorted(meals, key=lambda m: (m["date"], m["meal"])):
        if first <= item["date"] <= last:
            days.setdefault(item["date"], []).append(item)
    return [
        Entry(id=date, order=date, until=end_of_day(dt.date.fromisoformat(date)), view=day_view(date, items))
        for date, items in days.items()
    ]


def canteen_projection(profile: dict[str, Any], meals: Iterable[dict[str, Any]], today: dt.date) -> Projection:
    """The projection of one canteen: `profile` is its stored PROFILE item, `meals` its stored meal items."""
    return Projection(
        params={"canteen_id": profile["id"]},
        head={"canteen": canteen_view(profile)},
        entries=day_entries(meals, today),
    )


class MenuProjector:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def project(self, profiles: dict[str, dict[str, Any]], now: dt.datetime) -> int:
        """Rewrites the projections of the canteens `profiles` (id -> stored PROFILE item) that changed:
        one consistent Query per canteen (its meals from today to the horizon), then `write_projections`.
        Returns how many items were written."""
        if not profiles:
            return 0
        today = today_paris(now)
        last = today + dt.timedelta(days=HORIZON_DAYS)
        projections = {
            canteen_id: canteen_projection(
                profile, read_meals(self.client, self.table, canteen_id, today, last, consistent=True), today
            )
            for canteen_id, profile in sorted(profiles.items())
        }
        return write_projections(self.client, self.table, TILE, projections, now_iso=to_utc_iso(now))
