"""`PlaceRecord`: a place as a connector's parser gives it, whatever its source, before the shared writer
(`places_shared.writer`) turns it into the Places table's item. Plain data; no I/O."""

from __future__ import annotations

from typing import NamedTuple


class PlaceRecord(NamedTuple):
    source: str  # the source's short name, the prefix of the place's id (`finess`, `covoiturage`, `irve`...)
    source_id: str  # the place's id at the source (`keys.place_id(source, source_id)` is its public id)
    category: str  # of `places_shared.categories`
    name: str
    licence: str  # the source's licence, shown with the place
    commune: str | None = None  # INSEE; None: resolved from the position by the writer
    lat: float | None = None  # WGS84
    lon: float | None = None
    address: str | None = None  # one line: street, postcode and town
    phone: str | None = None
    hours: str | None = None  # OSM `opening_hours` syntax (`places_shared.hours`)
    web: str | None = None
    accessibility: str | None = None  # a short French text (`accessible en fauteuil roulant`...)
    details: tuple[tuple[str, str], ...] = ()  # what a category adds (`places`: "12", `power_kw`: "22"), shown as is
