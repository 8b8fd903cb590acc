"""The places service's rules over a small reader port, with `now` as a parameter (no boto3, no environment).

- Near a point: the geohash cells covering the circle (`by_cell` for small radii, `by_area` beyond), never a scan;
  then the exact distance, nearest first (then by id), with `distance_m`.
- In a commune: the `by_commune` index (its category prefix when one is asked).
- Filters: `category`, `q` (words of the name, accents and case ignored), `open_now` (the place's opening hours in
  Europe/Paris, holidays included; a place whose hours are unknown is not "open now").
- Each place with its live availability when it has one that has not expired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple, Protocol

from places_shared import keys
from places_shared.categories import BY_ID, CATEGORIES
from poche_common import geo
from poche_common.errors import InvalidRequestError, NotFoundError

from . import policy
from .views import place_view

Item = dict[str, Any]


class Filters(NamedTuple):
    """What a list of places is narrowed to: a category, words of the name, open (or closed) now; at most `limit`,
    at `now`."""

    category: str | None
    q: str | None
    open_now: bool | None
    limit: int
    now: dt.datetime


class PlacesReader(Protocol):
    def in_cells(self, index: str, partitions: list[str], category: str | None) -> list[Item]: ...
    def in_commune(self, insee: str, category: str | None) -> list[Item]: ...
    def place(self, place_id: str) -> Item | None: ...
    def live(self, place_ids: Iterable[str]) -> dict[str, Item]: ...


def check_category(category: str | None) -> str | None:
    if category is not None and category not in BY_ID:
        known = ", ".join(c.id for c in CATEGORIES)
        raise InvalidRequestError(f"Catégorie inconnue : « {category[:40]} » (connues : {known}).", field="category")
    return category


def _words(q: str | None) -> list[str]:
    if q is None:
        return []
    if len(q) > policy.MAX_QUERY_LENGTH:
        raise InvalidRequestError(f"q : {policy.MAX_QUERY_LENGTH} caractères au plus.", field="q")
    return keys.name_key(q).split()


def _open_now(item: Item, now: dt.datetime) -> bool | None:
    from places_shared.hours import open_now

    return open_now(item.get("hours"), now)


def _select(items: Iterable[Item], filters: Filters) -> list[tuple[Item, Any]]:
    """The items passing the filters, in their order, with their `open_now`, at most `filters.limit`."""
    words, open_now, now = _words(filters.q), filters.open_now, filters.now
    chosen: list[tuple[Item, Any]] = []
    for item in items:
        if len(chosen) == filters.limit:
            break
        name = keys.name_key(str(item.get("name", "")))
        if any(word not in name for word in words):
            continue
        opened = _open_now(item, now)
        if open_now is not None and opened is not open_now:
            continue
        chosen.append((item, opened))
    return chosen


def near(reader: PlacesReader, lat: float, lon: float, radius_m: int, filters: Filters) -> dict[str, Any]:
    """The places within `radius_m` of (lat, lon), nearest first."""
    if not 1 <= radius_m <= policy.MAX_RADIUS_M:
        raise InvalidRequestError(f"radius : de 1 à {policy.MAX_RADIUS_M} mètres.", field="radius")
    small = radius_m <= policy.SMALL_RADIUS_M
    precision = keys.CELL_PRECISION if small else keys.AREA_PRECISION
    cells = geo.cells_covering(geo.box_around(lat, lon, radius_m), precision)
    partition = keys.cell_gsi if small else keys.area_gsi
    index = keys.BY_CELL_INDEX if small else keys.BY_AREA_INDEX
    found = reader.in_cells(index, [partition(c) for c in cells], check_category(filters.category))
    measured = []
    for item in found:
        distance = geo.distance_m(lat, lon, float(item["lat"]), float(item["lon"]))
        if distance <= radius_m:
            measured.append((round(distance), str(item["id"]), item))
    measured.sort(key=lambda entry: (entry[0], entry[1]))
    distances = {place_id: distance for distance, place_id, _ in measured}
    selected = _select((item for _, _, item in measured), filters)
    places = _with_live(reader, selected, filters.now)
    for place in places:
        place["distance_m"] = distances[place["id"]]
    return {"places": places, "count": len(places), "near": {"lat": lat, "lon": lon, "radius_m": radius_m}}


def in_commune(reader: PlacesReader, insee: str, filters: Filters) -> dict[str, Any]:
    """The places of a commune, by category then name."""
    found = reader.in_commune(insee, check_category(filters.category))
    selected = _select(found, filters)
    places = _with_live(reader, selected, filters.now)
    return {"places": places, "count": len(places), "commune": insee}


def _with_live(reader: PlacesReader, selected: list[tuple[Item, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    live = reader.live(str(item["id"]) for item, _ in selected) if selected else {}
    return [place_view(item, live.get(str(item["id"])), now, opened) for item, opened in selected]


def one(reader: PlacesReader, place_id: str, now: dt.datetime) -> dict[str, Any]:
    item = reader.place(place_id)
    if item is None:
        raise NotFoundError(f"Lieu inconnu : {place_id}.")
    return place_view(item, reader.live([place_id]).get(place_id), now, _open_now(item, now))


def categories() -> dict[str, Any]:
    return {"categories": [{"id": c.id, "label": c.label, "theme": c.theme} for c in CATEGORIES]}
