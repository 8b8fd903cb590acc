"""The canteen service's rules over a small reader port: the menus' date range, the pages of canteens, 404s and
freshness.

Pure: no boto3, no environment; the clock is the `now` (or `today`) given and the reader any `CanteenReader` (the
DynamoDB adapter is `store.DynamoCanteenReader`, unit tests pass an in-memory fake). Each function returns the
JSON payload of one route.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from poche_common.clock import freshness
from poche_common.errors import InvalidRequestError, NotFoundError
from poche_common.pagination import decode_cursor, encode_cursor

from .policy import MAX_RANGE_DAYS
from .views import canteen_view, meal_view

Item = dict[str, Any]


class CanteenReader(Protocol):
    """The reads of the canteen table the routes need (layout: `canteen_shared.keys`)."""

    def canteen_and_fetched_at(self, canteen_id: str) -> tuple[Item | None, str | None]: ...
    def canteens(
        self, commune: str | None, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[Item], dict[str, Any] | None]: ...
    def meals(self, canteen_id: str, first: dt.date, last: dt.date) -> list[Item]: ...
    def fetched_at(self) -> str | None: ...


def menu_range(first: dt.date | None, last: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates asked for; by default the current week, Monday to Sunday."""
    if first is None and last is None:
        first = today - dt.timedelta(days=today.weekday())
        return first, first + dt.timedelta(days=6)
    if first is None:
        assert last is not None
        first = last - dt.timedelta(days=6)
    if last is None:
        last = first + dt.timedelta(days=6)
    if last < first:
        raise InvalidRequestError(
            f"La date de fin ({last.isoformat()}) précède la date de début ({first.isoformat()}).", field="to"
        )
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise InvalidRequestError(
            f"La période demandée dépasse {MAX_RANGE_DAYS} jours ; demandez-la en plusieurs fois.", field="to"
        )
    return first, last


def _canteen_or_404(reader: CanteenReader, canteen_id: str) -> tuple[Item, str | None]:
    """The canteen and the feed's `fetched_at` (one round trip), or 404."""
    item, fetched_at = reader.canteen_and_fetched_at(canteen_id)
    if item is None:
        raise NotFoundError(f"Aucune cantine n'a l'identifiant « {canteen_id} ».")
    return item, fetched_at


def canteens(
    reader: CanteenReader, stale_after_s: int, now: dt.datetime, *, commune: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    """One page of canteens by name, of a commune or of the whole territory."""
    scope = f"canteens|{commune or ''}"
    start = decode_cursor(scope, cursor)
    items, last_key = reader.canteens(commune, limit, start)
    return {
        "items": [canteen_view(item) for item in items],
        "next": encode_cursor(scope, last_key),
        **freshness(reader.fetched_at(), stale_after_s, now),
    }


def canteen(reader: CanteenReader, stale_after_s: int, now: dt.datetime, *, canteen_id: str) -> dict[str, Any]:
    """One canteen; 404 when unknown."""
    item, fetched_at = _canteen_or_404(reader, canteen_id)
    return {**canteen_view(item), **freshness(fetched_at, stale_after_s, now)}


def menus(
    reader: CanteenReader, stale_after_s: int, now: dt.datetime, *, canteen_id: str, first: dt.date, last: dt.date
) -> dict[str, Any]:
    """A canteen's meals from `first` to `last` (see `menu_range`), by date; 404 when the canteen is unknown."""
    item, fetched_at = _canteen_or_404(reader, canteen_id)
    return {
        "canteen": canteen_view(item),
        "from": first.isoformat(),
        "to": last.isoformat(),
        "items": [meal_view(meal) for meal in reader.meals(canteen_id, first, last)],
        "next": None,
        **freshness(fetched_at, stale_after_s, now),
    }
