"""Lambert-93 (EPSG:2154) <-> WGS84: the IGN's test values, reference points, bounds and the round trip."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poche_common import lambert93
from poche_common.lambert93 import from_wgs84, in_metropolitan_bounds, to_wgs84

MM = 1e-3  # metres
# 1e-8 degree is at most 1.1 mm on the ground (latitude; less in longitude at French latitudes)
MM_DEG = 1e-8

# (lat, lon, E, N): computed with PROJ 9 (pyproj 3.7.2, EPSG:4326 -> EPSG:2154), kept to 0.1 mm.
REFERENCE = [
    (48.4322, 0.0913, 484888.4099, 6818620.1193),  # Alençon
    (48.7475, -0.5694, 437640.7772, 6855640.3219),  # Flers
    (48.7444, -0.0203, 477966.2514, 6853611.7232),  # Argentan
    (48.8566, 2.3522, 652469.0227, 6862035.2594),  # Paris
    (48.3904, -4.4861, 146632.9785, 6836262.3267),  # Brest
    (48.5734, 7.7521, 1050362.6954, 6840899.6472),  # Strasbourg
    (41.9192, 8.7386, 1176667.5614, 6108273.2834),  # Ajaccio
    (51.0344, 2.3768, 656187.5173, 7104472.924),  # Dunkerque
    (42.6887, 2.8948, 691368.1071, 6176570.5885),  # Perpignan
]


def test_constants_are_the_published_ones() -> None:
    assert abs(lambert93.N - 0.7256077650532670) < 1e-14
    assert abs(lambert93.C - 11_754_255.426096) < 1e-6
    assert lambert93.X_S == 700_000.0
    assert abs(lambert93.Y_S - 12_655_612.049876) < 1e-6


@pytest.mark.parametrize(
    ("latitude", "eccentricity", "expected"),
    [
        (0.872664626, 0.08199188998, 1.00552653648),
        (-0.3, 0.08199188998, -0.30261690060),
        (0.19998903370, 0.08199188998, 0.2),
    ],
)
def test_isometric_latitude_alg0001_ign_test_values(latitude: float, eccentricity: float, expected: float) -> None:
    # the test values of NT/G 71, given to 11 decimals
    assert lambert93.isometric_latitude(latitude, eccentricity) == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize(
    ("isometric", "eccentricity", "expected"),
    [
        (1.00552653648, 0.08199188998, 0.87266462600),
        (-0.3026169006, 0.08199188998, -0.29999999997),
        (0.2, 0.08199188998, 0.19998903369),
    ],
)
def test_latitude_from_isometric_alg0002_ign_test_values(
    isometric: float, eccentricity: float, expected: float
) -> None:
    # the test values of NT/G 71, given to 11 decimals
    assert lambert93.latitude_from_isometric(isometric, eccentricity) == pytest.approx(expected, abs=1e-10)


def test_projection_origin() -> None:
    lat, lon = to_wgs84(700_000, 6_600_000)
    assert lat == pytest.approx(46.5, abs=1e-12)
    assert lon == pytest.approx(3.0, abs=1e-12)
    x, y = from_wgs84(46.5, 3.0)
    assert x == pytest.approx(700_000, abs=1e-6)
    assert y == pytest.approx(6_600_000, abs=1e-6)


def test_point_of_the_sources_notes_within_half_a_metre() -> None:
    # SOURCES.md §17: 46.362063, 6.139885 projects to E 941342.5, N 6589480.5 (rounded to the decimetre)
    x, y = from_wgs84(46.362063, 6.139885)
    assert math.hypot(x - 941_342.5, y - 6_589_480.5) < 0.5
    lat, lon = to_wgs84(941_342.5, 6_589_480.5)
    back_x, back_y = from_wgs84(lat, lon)
    assert math.hypot(back_x - 941_342.5, back_y - 6_589_480.5) < MM
    assert lat == pytest.approx(46.362063, abs=5e-6)
    assert lon == pytest.approx(6.139885, abs=5e-6)


@pytest.mark.parametrize(("lat", "lon", "x", "y"), REFERENCE)
def test_reference_points_to_the_millimetre(lat: float, lon: float, x: float, y: float) -> None:
    got_x, got_y = from_wgs84(lat, lon)
    assert abs(got_x - x) < MM
    assert abs(got_y - y) < MM
    got_lat, got_lon = to_wgs84(x, y)
    assert got_lat == pytest.approx(lat, abs=MM_DEG)
    assert got_lon == pytest.approx(lon, abs=MM_DEG)


@settings(max_examples=500, deadline=None)
@given(lat=st.floats(41.0, 51.5), lon=st.floats(-5.5, 10.0))
def test_round_trip_over_france(lat: float, lon: float) -> None:
    x, y = from_wgs84(lat, lon)
    back_lat, back_lon = to_wgs84(x, y)
    assert abs(back_lat - lat) < 1e-9
    assert abs(back_lon - lon) < 1e-9


@settings(max_examples=300, deadline=None)
@given(x=st.floats(100_000, 1_270_000), y=st.floats(6_020_000, 7_130_000))
def test_round_trip_from_projected_points(x: float, y: float) -> None:
    back_x, back_y = from_wgs84(*to_wgs84(x, y))
    assert abs(back_x - x) < 1e-4
    assert abs(back_y - y) < 1e-4


@pytest.mark.parametrize(
    ("x", "y", "inside"),
    [
        (484_888.4, 6_818_620.1, True),  # Alençon
        (146_633.0, 6_836_262.3, True),  # Brest
        (1_176_667.6, 6_108_273.3, True),  # Ajaccio
        (656_187.5, 7_104_472.9, True),  # Dunkerque
        (6_589_480.5, 941_342.5, False),  # a swapped pair
        (-500_000.0, 6_600_000.0, False),  # the Atlantic
        (700_000.0, 5_500_000.0, False),  # North Africa
        (1_600_000.0, 6_600_000.0, False),  # Italy
        (math.nan, 6_600_000.0, False),
        (700_000.0, math.inf, False),
    ],
)
def test_in_metropolitan_bounds(x: float, y: float, inside: bool) -> None:
    assert in_metropolitan_bounds(x, y) is inside


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (math.nan, 6_600_000.0),
        (700_000.0, math.nan),
        (math.inf, 6_600_000.0),
        (700_000.0, -math.inf),
        (6_589_480.5, 941_342.5),  # swapped
        (700_000.0, 12_655_612.0),  # the cone's apex
        (1e300, 1e300),
        (0.0, 0.0),
    ],
)
def test_to_wgs84_refuses_non_numbers_and_far_out_points(x: float, y: float) -> None:
    with pytest.raises(ValueError, match="coordonnée"):
        to_wgs84(x, y)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(math.nan, 3.0), (46.5, math.inf), (-46.5, 3.0), (90.0, 3.0), (46.5, 181.0), (46.5, 120.0), (10.0, 3.0)],
)
def test_from_wgs84_refuses_non_numbers_and_far_out_positions(lat: float, lon: float) -> None:
    with pytest.raises(ValueError, match=r"(coordonnée|position)"):
        from_wgs84(lat, lon)


def test_domain_edges_are_accepted_and_consistent() -> None:
    min_x, min_y, max_x, max_y = lambert93.DOMAIN
    min_x, min_y, max_x, max_y = min_x + 1, min_y + 1, max_x - 1, max_y - 1  # a metre inside each edge
    for x, y in ((min_x, min_y), (max_x, max_y), (min_x, max_y), (max_x, min_y)):
        lat, lon = to_wgs84(x, y)
        back_x, back_y = from_wgs84(lat, lon)
        assert abs(back_x - x) < 1e-3
        assert abs(back_y - y) < 1e-3
