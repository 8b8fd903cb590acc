"""poche_common.geo: geohash cells and distances."""

from __future__ import annotations

import pytest

from poche_common import geo

ALENCON = (48.4329, 0.0913)  # place de la Halle au blé, approximately
ARGENTAN = (48.7445, -0.0203)


def test_known_geohash() -> None:
    assert geo.encode(57.64911, 10.40744, 11) == "u4pruydqqvj"  # the reference example of geohash.org


def test_cell_box_contains_the_point() -> None:
    cell = geo.encode(*ALENCON, 6)
    assert geo.in_box(*ALENCON, geo.decode_box(cell))


def test_distance_alencon_argentan() -> None:
    assert geo.distance_m(*ALENCON, *ARGENTAN) == pytest.approx(35_800, rel=0.02)
    assert geo.distance_m(*ALENCON, *ALENCON) == 0


def test_cells_covering_a_radius_contain_every_point_within_it() -> None:
    radius = 1_500
    cells = set(geo.cells_covering(geo.box_around(*ALENCON, radius), 6))
    assert 4 <= len(cells) <= 30
    for d_lat in (-0.013, 0.0, 0.013):
        for d_lon in (-0.02, 0.0, 0.02):
            lat, lon = ALENCON[0] + d_lat, ALENCON[1] + d_lon
            if geo.distance_m(*ALENCON, lat, lon) <= radius:
                assert geo.encode(lat, lon, 6) in cells


@pytest.mark.parametrize("point", [(0, -180), (0, 180), (-85, 179.999), (89.99, 0), (-90, -180)])
def test_a_box_around_a_point_stays_on_the_globe(point: tuple[float, float]) -> None:
    """A box near the antimeridian or a pole is clamped to -180..180 and -90..90 (no ValueError in encode)."""
    min_lon, min_lat, max_lon, max_lat = geo.box_around(*point, 2_000)
    assert -180 <= min_lon <= point[1] <= max_lon <= 180 and -90 <= min_lat <= point[0] <= max_lat <= 90
    assert geo.cells_covering((min_lon, min_lat, max_lon, min(max_lat, min_lat + 0.01)), 4)


def test_bad_inputs() -> None:
    with pytest.raises(ValueError):
        geo.encode(91, 0)
    with pytest.raises(ValueError):
        geo.cells_covering((1, 1, 0, 0), 5)


def test_boxes_intersect() -> None:
    assert geo.boxes_intersect((0, 0, 1, 1), (0.5, 0.5, 2, 2))
    assert not geo.boxes_intersect((0, 0, 1, 1), (1.5, 1.5, 2, 2))
