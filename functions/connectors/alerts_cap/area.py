"""Whether a CAP area covers a territory (a département): by geocode, by polygon, or by circle.

- **Geocode**: an area geocode whose valueName the territory knows (compared without regard to case) and whose
  value is one of the territory's. NUTS codes (any valueName `NUTS`, `NUTS1`, `NUTS2`, `NUTS3`) also match by
  hierarchy: a NUTS region covers every code that starts with its own, so `FRD1` (Basse-Normandie) or `FR`
  (France) covers `FRD13` (Orne). Météo-France still writes the NUTS 2013 codes (`FR253` for the Orne, `FR821`
  for the Alpes-de-Haute-Provence) where the current ones are `FRD13`, `FRL01`: a territory lists both.
- **Polygon**: the area polygon and the territory's outline intersect: a vertex of one inside the other, or two
  edges crossing (planar in degrees: exact enough for départements and weather zones).
- **Circle**: its centre inside the territory, or closer to the outline than its radius (distances on a local
  equirectangular projection around the centre).

Pure functions over the model; no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence, Set
from typing import NamedTuple

from .model import Alert, AlertInfo, Area, Circle, FeedEntry, Geocode, LatLon

__all__ = [
    "ORNE",
    "Territory",
    "alert_covers",
    "area_covers",
    "covered_areas",
    "covers",
    "entry_may_cover",
    "point_in_polygon",
    "polygons_intersect",
]

EARTH_RADIUS_KM = 6371.0088
_NUTS = re.compile(r"NUTS[0-3]?\Z")


class Territory(NamedTuple):
    """A territory alerts are kept for: its geocodes (valueName -> values) and its outline."""

    name: str
    geocodes: Mapping[str, Set[str]]  # e.g. {"NUTS3": {"FRD13", "FR253"}}
    polygon: tuple[LatLon, ...]  # (lat, lon) outline, closed or not


# The Orne (département 61). NUTS 2016/2021: FRD13 (Normandie > Basse-Normandie > Orne); NUTS 2013 and before:
# FR253, which Météo-France's CAP alerts still use. Meteoalarm's own EMMA_ID zone code for the Orne is not known
# here (the French feed's geocodes are NUTS3): add it under "EMMA_ID" once read from a real feed.
#
# The outline is SIMPLIFIED (28 vertices, Douglas-Peucker with a 0.038° tolerance, i.e. within about 3-4 km of
# the border): the outer ring of the union of the 389 communes of the Orne in the COG / IGN Admin Express
# communes (gregoiredavid/france-geojson, `departements/61-orne/communes-61-orne.geojson`), the same data as
# `poche_common.communes`. Where a commune-exact answer matters, use `poche_common.communes.commune_at`.
ORNE_OUTLINE: tuple[LatLon, ...] = (
    (48.502, -0.860), (48.686, -0.735), (48.746, -0.852), (48.847, -0.693), (48.874, -0.431), (48.816, -0.128),
    (48.938, 0.081), (48.973, 0.377), (48.887, 0.421), (48.892, 0.585), (48.768, 0.758), (48.707, 0.729),
    (48.524, 0.968), (48.441, 0.976), (48.322, 0.769), (48.211, 0.830), (48.180, 0.758), (48.255, 0.683),
    (48.320, 0.396), (48.425, 0.382), (48.480, 0.301), (48.375, -0.050), (48.453, -0.051), (48.456, -0.147),
    (48.564, -0.208), (48.484, -0.353), (48.509, -0.509), (48.444, -0.651), (48.502, -0.860),
)  # fmt: skip

ORNE = Territory(name="Orne", geocodes={"NUTS3": frozenset({"FRD13", "FR253"})}, polygon=ORNE_OUTLINE)


# --- public API --------------------------------------------------------------------------------------------------


def covers(area: Area, territory: Territory) -> bool:
    """Whether `area` covers (part of) `territory`, by geocode, polygon or circle."""
    if geocodes_match(area.geocodes, territory):
        return True
    if territory.polygon and any(polygons_intersect(polygon, territory.polygon) for polygon in area.polygons):
        return True
    return bool(territory.polygon) and any(circle_touches(circle, territory.polygon) for circle in area.circles)


area_covers = covers


def covered_areas(info: AlertInfo, territory: Territory) -> list[Area]:
    """The areas of `info` that cover `territory`."""
    return [area for area in info.areas if covers(area, territory)]


def alert_covers(alert: Alert, territory: Territory) -> bool:
    """Whether any area of any info of `alert` covers `territory`."""
    return any(covers(area, territory) for info in alert.infos for area in info.areas)


def entry_may_cover(entry: FeedEntry, territory: Territory) -> bool:
    """Whether an Atom entry's CAP document is worth fetching: False only when the entry names geocodes of a kind
    the territory knows and none of them matches. An entry without geocodes, or with only kinds the territory does
    not list (e.g. EMMA_ID when the territory has NUTS codes only), may be about it: fetch and decide on the
    document's areas."""
    known = [code for code in entry.geocodes if _knows(territory, code[0])]
    if not known:
        return True
    return geocodes_match(known, territory)


# --- geocodes ----------------------------------------------------------------------------------------------------


def geocodes_match(geocodes: Iterable[Geocode], territory: Territory) -> bool:
    """Whether one of `geocodes` names the territory (or, for NUTS codes, a region that contains it)."""
    by_name = _normalised(territory)
    nuts = by_name.get("NUTS", frozenset())
    for name, value in geocodes:
        key, code = _family(name), value.strip().upper()
        if not code:
            continue
        if key == "NUTS":
            if len(code) >= 2 and any(own.startswith(code) for own in nuts):
                return True
        elif code in by_name.get(key, frozenset()):
            return True
    return False


def _family(name: str) -> str:
    upper = name.strip().upper()
    return "NUTS" if _NUTS.match(upper) else upper


def _normalised(territory: Territory) -> dict[str, frozenset[str]]:
    result: dict[str, set[str]] = {}
    for name, values in territory.geocodes.items():
        result.setdefault(_family(name), set()).update(value.strip().upper() for value in values)
    return {name: frozenset(values) for name, values in result.items()}


def _knows(territory: Territory, name: str) -> bool:
    family = _family(name)
    return any(_family(own) == family for own in territory.geocodes)


# --- geometry ----------------------------------------------------------------------------------------------------


def _open(polygon: Sequence[LatLon]) -> Sequence[LatLon]:
    """The ring without its closing point (if it has one)."""
    if len(polygon) > 1 and polygon[0] == polygon[-1]:
        return polygon[:-1]
    return polygon


def _bbox(polygon: Sequence[LatLon]) -> tuple[float, float, float, float]:
    lats = [point[0] for point in polygon]
    lons = [point[1] for point in polygon]
    return min(lats), min(lons), max(lats), max(lons)


def point_in_polygon(point: LatLon, polygon: Sequence[LatLon]) -> bool:
    """Whether `point` is inside `polygon` (ray casting; closed or not)."""
    lat, lon = point
    ring = _open(polygon)
    inside = False
    count = len(ring)
    for index in range(count):
        lat1, lon1 = ring[index]
        lat2, lon2 = ring[(index + 1) % count]
        if (lat1 > lat) != (lat2 > lat):
            crossing = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
            if lon < crossing:
                inside = not inside
    return inside


def _orientation(a: LatLon, b: LatLon, c: LatLon) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a: LatLon, b: LatLon, c: LatLon) -> bool:
    """Whether c, collinear with a-b, lies within the segment's box."""
    return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])


def _segments_cross(a: LatLon, b: LatLon, c: LatLon, d: LatLon) -> bool:
    o1, o2, o3, o4 = _orientation(a, b, c), _orientation(a, b, d), _orientation(c, d, a), _orientation(c, d, b)
    if ((o1 > 0 > o2) or (o1 < 0 < o2)) and ((o3 > 0 > o4) or (o3 < 0 < o4)):
        return True
    return (
        (o1 == 0 and _on_segment(a, b, c))
        or (o2 == 0 and _on_segment(a, b, d))
        or (o3 == 0 and _on_segment(c, d, a))
        or (o4 == 0 and _on_segment(c, d, b))
    )


def _edges(polygon: Sequence[LatLon]) -> list[tuple[LatLon, LatLon]]:
    ring = _open(polygon)
    return [(ring[index], ring[(index + 1) % len(ring)]) for index in range(len(ring))]


def polygons_intersect(first: Sequence[LatLon], second: Sequence[LatLon]) -> bool:
    """Whether two polygons share any point: a vertex of one inside the other, or edges crossing."""
    if len(_open(first)) < 3 or len(_open(second)) < 3:
        return False
    box_a, box_b = _bbox(first), _bbox(second)
    if box_a[0] > box_b[2] or box_b[0] > box_a[2] or box_a[1] > box_b[3] or box_b[1] > box_a[3]:
        return False
    if point_in_polygon(first[0], second) or point_in_polygon(second[0], first):
        return True
    if any(point_in_polygon(point, second) for point in _open(first)):
        return True
    if any(point_in_polygon(point, first) for point in _open(second)):
        return True
    edges_b = _edges(second)
    return any(_segments_cross(a, b, c, d) for a, b in _edges(first) for c, d in edges_b)


def circle_touches(circle: Circle, polygon: Sequence[LatLon]) -> bool:
    """Whether `circle` shares any point with `polygon`: its centre inside, or the outline within its radius."""
    if len(_open(polygon)) < 3:
        return False
    if point_in_polygon(circle.centre, polygon):
        return True
    return distance_to_outline_km(circle.centre, polygon) < circle.radius_km


def distance_to_outline_km(point: LatLon, polygon: Sequence[LatLon]) -> float:
    """The distance from `point` to the nearest edge of `polygon`, in km (local equirectangular projection)."""
    lat0, lon0 = point
    scale = math.cos(math.radians(lat0))
    per_degree = math.radians(1) * EARTH_RADIUS_KM

    def project(vertex: LatLon) -> tuple[float, float]:
        return (vertex[1] - lon0) * scale * per_degree, (vertex[0] - lat0) * per_degree

    best = math.inf
    for start, end in _edges(polygon):
        (x1, y1), (x2, y2) = project(start), project(end)
        dx, dy = x2 - x1, y2 - y1
        length = dx * dx + dy * dy
        t = 0.0 if length == 0 else max(0.0, min(1.0, -(x1 * dx + y1 * dy) / length))
        best = min(best, math.hypot(x1 + t * dx, y1 + t * dy))
    return best
