"""Lambert-93 (EPSG:2154, RGF93 v1 / Lambert-93) to WGS84 latitude and longitude, and back, exactly.

French public data (FINESS establishments, BAN addresses, cadastre, IGN layers) often gives positions as Lambert-93
metres (E, N). This module converts them with the IGN's own algorithms (note technique NT/G 71, "Projection
cartographique conique conforme de Lambert", IGN/SGN 1995):

- ALG0001: the isometric latitude of a latitude, `L = ln(tan(π/4 + φ/2) · ((1 − e·sinφ)/(1 + e·sinφ))^(e/2))`;
- ALG0002: its inverse, the latitude of an isometric latitude, by fixed-point iteration until two successive
  latitudes differ by less than 1e-11 rad (each step divides the error by about 1/e² ≈ 150);
- ALG0003: the direct projection (latitude, longitude to E, N);
- ALG0004: the inverse projection (E, N to latitude, longitude);
- ALG0054: the projection constants (n, c, Xs, Ys) of a secant conic from its two standard parallels.

Lambert-93: Lambert conformal conic on the GRS80 ellipsoid (a = 6 378 137 m, 1/f = 298.257222101), standard
parallels 44° and 49°, origin latitude 46.5°, central meridian 3° east of Greenwich, false easting 700 000 m, false
northing 6 600 000 m. The constants computed here are the published ones (n = 0.7256077650532670,
c = 11 754 255.426096 m, Ys = 12 655 612.049876 m).

Datum: RGF93 is the French realisation of ETRS89; it differs from WGS84 (as used by GPS and web maps) by well
under a metre, so no datum shift is applied (the same choice as the EPSG's null transformation 1671).

The conversion is exact to far better than a millimetre (the round trip loses less than 1e-9 degree, a tenth of a
millimetre). Its only errors are the input's: NaN, infinities and points outside the projection's useful domain
raise `ValueError` (French reason, fit for a parser's rejection report). `in_metropolitan_bounds` tells whether a
point lies in the box of mainland France and Corsica (with a margin of about 20 km), the use of Lambert-93.

Standard library only (cold start).
"""

from __future__ import annotations

import math
from typing import Final

__all__ = [
    "DOMAIN",
    "METROPOLITAN_BOUNDS",
    "from_wgs84",
    "in_metropolitan_bounds",
    "isometric_latitude",
    "latitude_from_isometric",
    "to_wgs84",
]

# GRS80 ellipsoid
A: Final = 6_378_137.0
F: Final = 1 / 298.257222101
E: Final = math.sqrt(2 * F - F * F)  # first eccentricity

# Lambert-93 definition (EPSG:2154)
LAT_1: Final = math.radians(44.0)
LAT_2: Final = math.radians(49.0)
LAT_0: Final = math.radians(46.5)
LON_0: Final = math.radians(3.0)
X_0: Final = 700_000.0
Y_0: Final = 6_600_000.0

EPSILON: Final = 1e-11  # rad: the tolerance of ALG0002, as the IGN gives it
MAX_ITERATIONS: Final = 50  # convergence takes 5 to 7 steps at French latitudes

# What the projection is used for: mainland France and Corsica, with a margin of about 20 km
# (westmost point, Pointe de Corsen: E ≈ 122 000; eastmost, Lauterbourg and Cap Corse: E ≈ 1 080 000 / 1 240 000;
# southmost, Bonifacio: N ≈ 6 046 000; northmost, Bray-Dunes: N ≈ 7 111 000).
METROPOLITAN_BOUNDS: Final = (100_000.0, 6_020_000.0, 1_270_000.0, 7_130_000.0)  # min E, min N, max E, max N

# Beyond this box the numbers are not Lambert-93 coordinates at all (a swapped pair, another system, a typo): it
# reaches latitude 26° in the south (the Canaries) and 64° in the north (Iceland), longitude -18° to 24° at its
# southern edge and -36° to 42° at its northern one: Europe and the Atlantic, far around the projection's use.
DOMAIN: Final = (-1_500_000.0, 4_600_000.0, 2_900_000.0, 8_600_000.0)  # min E, min N, max E, max N


def isometric_latitude(latitude: float, eccentricity: float = E) -> float:
    """ALG0001: the isometric latitude of a latitude (radians)."""
    e_sin = eccentricity * math.sin(latitude)
    return math.log(math.tan(math.pi / 4 + latitude / 2) * ((1 - e_sin) / (1 + e_sin)) ** (eccentricity / 2))


def latitude_from_isometric(isometric: float, eccentricity: float = E, epsilon: float = EPSILON) -> float:
    """ALG0002: the latitude (radians) of an isometric latitude, iterated until two successive values differ by
    less than `epsilon`."""
    exp_l = math.exp(isometric)
    latitude = 2 * math.atan(exp_l) - math.pi / 2
    for _ in range(MAX_ITERATIONS):
        e_sin = eccentricity * math.sin(latitude)
        following = 2 * math.atan(((1 + e_sin) / (1 - e_sin)) ** (eccentricity / 2) * exp_l) - math.pi / 2
        if abs(following - latitude) < epsilon:
            return following
        latitude = following
    raise ValueError("latitude isométrique sans solution (le calcul ne converge pas)")  # pragma: no cover


def _normal_radius(latitude: float) -> float:
    """The radius of curvature in the prime vertical (ALG0021)."""
    return A / math.sqrt(1 - (E * math.sin(latitude)) ** 2)


def _constants() -> tuple[float, float, float, float]:
    """ALG0054: (n, c, Xs, Ys) of the secant conic through the standard parallels."""
    l_1, l_2 = isometric_latitude(LAT_1), isometric_latitude(LAT_2)
    n_1, n_2 = _normal_radius(LAT_1), _normal_radius(LAT_2)
    n = math.log((n_2 * math.cos(LAT_2)) / (n_1 * math.cos(LAT_1))) / (l_1 - l_2)
    c = n_1 * math.cos(LAT_1) / n * math.exp(n * l_1)
    return n, c, X_0, Y_0 + c * math.exp(-n * isometric_latitude(LAT_0))


N, C, X_S, Y_S = _constants()


def _finite(*values: float) -> None:
    for value in values:
        if not math.isfinite(value):
            raise ValueError(f"coordonnée non numérique ou infinie : {value!r}")


def to_wgs84(x: float, y: float) -> tuple[float, float]:
    """ALG0004: (latitude, longitude) in degrees of the Lambert-93 point (E `x`, N `y`, metres); `ValueError` for
    NaN, infinities or a point far outside the projection's domain."""
    _finite(x, y)
    if not _in_domain(x, y):
        raise ValueError(f"coordonnées hors du domaine de Lambert-93 : X={x:.0f}, Y={y:.0f}")
    dx, dy = x - X_S, y - Y_S
    radius = math.hypot(dx, dy)
    gamma = math.atan2(dx, -dy)  # atan((X − Xs)/(Ys − Y)), Ys − Y > 0 on the whole domain
    longitude = LON_0 + gamma / N
    latitude = latitude_from_isometric(-math.log(radius / C) / N)
    return math.degrees(latitude), math.degrees(longitude)


def from_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """ALG0003: the Lambert-93 point (E, N in metres) of a latitude and longitude in degrees; `ValueError` for NaN,
    infinities or a position whose point falls outside the domain `to_wgs84` accepts."""
    _finite(lat, lon)
    if not (0 <= lat <= 85 and -180 <= lon <= 180):
        raise ValueError(f"position hors du domaine de Lambert-93 : lat={lat}, lon={lon}")
    radius = C * math.exp(-N * isometric_latitude(math.radians(lat)))
    angle = N * (math.radians(lon) - LON_0)
    x, y = X_S + radius * math.sin(angle), Y_S - radius * math.cos(angle)
    if not _in_domain(x, y):
        raise ValueError(f"position hors du domaine de Lambert-93 : lat={lat}, lon={lon}")
    return x, y


def _in_domain(x: float, y: float) -> bool:
    min_x, min_y, max_x, max_y = DOMAIN
    return min_x <= x <= max_x and min_y <= y <= max_y


def in_metropolitan_bounds(x: float, y: float) -> bool:
    """Whether the Lambert-93 point (E `x`, N `y`) lies in the box of mainland France and Corsica (a margin of about
    20 km around them); False for NaN and infinities."""
    min_x, min_y, max_x, max_y = METROPOLITAN_BOUNDS
    return min_x <= x <= max_x and min_y <= y <= max_y  # NaN compares False
