"""Geographic look-ups without table scans: geohash cells, distances, bounding boxes (WGS84)."""

from __future__ import annotations

import math

_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
EARTH_RADIUS_M = 6_371_008.8
# Approximate cell size (width, height) in metres at the Orne's latitude (~48.6°N), by precision.
CELL_SIZE_M = {4: (26_000, 19_500), 5: (3_200, 4_900), 6: (810, 610), 7: (100, 150)}


def encode(lat: float, lon: float, precision: int = 6) -> str:
    """The geohash of a point (precision 5: ~3-5 km cells; 6: ~0.6-0.8 km)."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"not a WGS84 position: lat={lat}, lon={lon}")
    lat_range, lon_range = [-90.0, 90.0], [-180.0, 180.0]
    bits, bit, even = 0, 0, True
    code: list[str] = []
    while len(code) < precision:
        rng, value = (lon_range, lon) if even else (lat_range, lat)
        middle = (rng[0] + rng[1]) / 2
        if value >= middle:
            bits = bits * 2 + 1
            rng[0] = middle
        else:
            bits *= 2
            rng[1] = middle
        even = not even
        bit += 1
        if bit == 5:
            code.append(_BASE32[bits])
            bits, bit = 0, 0
    return "".join(code)


def decode_box(cell: str) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of a geohash cell."""
    lat_range, lon_range = [-90.0, 90.0], [-180.0, 180.0]
    even = True
    for char in cell:
        value = _BASE32.index(char)
        for shift in range(4, -1, -1):
            rng = lon_range if even else lat_range
            middle = (rng[0] + rng[1]) / 2
            if (value >> shift) & 1:
                rng[0] = middle
            else:
                rng[1] = middle
            even = not even
    return lon_range[0], lat_range[0], lon_range[1], lat_range[1]


def cells_covering(bbox: tuple[float, float, float, float], precision: int) -> list[str]:
    """Every cell of that precision intersecting the box (min_lon, min_lat, max_lon, max_lat)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    if min_lon > max_lon or min_lat > max_lat:
        raise ValueError("bbox must be min_lon,min_lat,max_lon,max_lat")
    sample = decode_box(encode(min_lat, min_lon, precision))
    step_lon, step_lat = (sample[2] - sample[0]), (sample[3] - sample[1])
    cells: list[str] = []
    lat = min_lat
    while True:
        lon = min_lon
        while True:
            cell = encode(min(lat, 90.0), min(lon, 180.0), precision)
            if cell not in cells:
                cells.append(cell)
            if lon >= max_lon:
                break
            lon = min(lon + step_lon, max_lon)
        if lat >= max_lat:
            break
        lat = min(lat + step_lat, max_lat)
    return cells


def box_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """The box holding every point within `radius_m` of the point, cut to the globe's -180..180 and -90..90 (the part
    beyond the antimeridian is left out)."""
    d_lat = math.degrees(radius_m / EARTH_RADIUS_M)
    d_lon = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return max(lon - d_lon, -180.0), max(lat - d_lat, -90.0), min(lon + d_lon, 180.0), min(lat + d_lat, 90.0)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def in_box(lat: float, lon: float, bbox: tuple[float, float, float, float]) -> bool:
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


def boxes_intersect(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]
