"""Unit tests of the traffic domain's pure logic: footprints and index items, bbox rules, in-force rule."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import pytest
from support import fresh_import

from poche_common import geo
from traffic import views
from traffic_datex2 import model
from traffic_datex2.model import Geometry, TrafficEvent
from traffic_datex2.store import CELL_PRECISIONS, content_of, footprint, items_of, sample
from traffic_shared.views import location_view

UTC = dt.UTC


def event(geometry: Geometry, end: dt.datetime | None = None) -> TrafficEvent:
    return TrafficEvent(
        situation_id="S",
        record_id="R",
        version="1",
        type="roadworks",
        datex_type="MaintenanceWorks",
        detail=None,
        severity="low",
        status="defined_by_time",
        start=dt.datetime(2026, 12, 1, 7, 0, tzinfo=UTC),
        end=end,
        geometry=geometry,
        description="Travaux.",
        description_generated=True,
    )


def line(*positions: tuple[float, float]) -> Geometry:
    return Geometry("line", positions, positions[len(positions) // 2])


def point(lon: float, lat: float) -> Geometry:
    return Geometry("point", ((lon, lat),), (lon, lat))


# --- footprint: cells and communes ------------------------------------------------------------------------------


def test_a_line_is_followed_every_100_metres() -> None:
    geometry = line((0.0, 48.4), (0.1, 48.4), (0.1, 48.45))
    samples = sample(geometry)

    assert samples[0] == (0.0, 48.4) and samples[-1] == (0.1, 48.45)
    gaps = [geo.distance_m(a[1], a[0], b[1], b[0]) for a, b in itertools.pairwise(samples)]
    assert max(gaps) <= 100.0 + 1e-6
    assert sum(gaps) == pytest.approx(7_400 + 5_560, rel=0.02)


def test_footprint_of_a_line_crossing_communes_and_cells() -> None:
    # the N12 from Alençon to Saint-Denis-sur-Sarthon, across the Greenwich meridian
    where = footprint(line((0.068, 48.43), (-0.0385, 48.4552)))

    assert where.communes == ("61001", "61117", "61234", "61321", "61382")
    assert {len(c) for c in where.cells} == set(CELL_PRECISIONS)
    assert {c for c in where.cells if len(c) == 3} == {"gbx", "u08"}  # both sides of longitude 0
    for lon, lat in ((0.068, 48.43), (0.0, 48.4417), (-0.0385, 48.4552)):
        assert geo.encode(lat, lon, 5) in where.cells


def test_footprint_outside_the_departement_is_empty() -> None:
    assert footprint(point(2.35, 48.85)).communes == ()  # Paris: outside the Orne's bounding box
    assert footprint(point(-0.217, 48.4595)).communes == ()  # Pré-en-Pail, Mayenne: inside the box, in no commune


def test_a_point_just_outside_a_simplified_outline_still_finds_its_commune() -> None:
    from poche_common import communes

    alencon = communes.get("61001")
    assert alencon is not None
    # walk west from Alençon's centre until the point leaves every outline: within 100 m it is found again
    lon = alencon.lon
    while communes.commune_at(alencon.lat, lon) is not None:
        lon -= 0.0002
    assert footprint(point(lon, alencon.lat)).communes != ()


def test_items_of_an_event_share_one_partition_summary_and_expiry() -> None:
    geometry = line((0.1712, 48.5985), (0.1748, 48.6118))
    end = dt.datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
    subject = event(geometry, end)
    where = footprint(geometry)
    items = items_of(subject, content_of(subject), "digest", where)

    assert {item["pk"] for item in items} == {"EVENT#S#R"}
    assert [item["sk"] for item in items[:2]] == ["PROFILE", "IX#ALL"]
    index = items[1:]
    assert {i["sk"] for i in index} == {"IX#ALL", "IX#COMMUNE#61464"} | {f"IX#CELL#{c}" for c in where.cells}
    expiry = int((end + dt.timedelta(days=7)).timestamp())
    assert {item["expires_at"] for item in items} == {expiry}
    for item in index:
        assert (item["id"], item["start"], item["end"], item["status"]) == (
            "S:R",
            "2026-12-01T07:00:00+00:00",
            "2026-12-05T05:00:00+00:00",
            "defined_by_time",
        )
        assert json.loads(item["geometry"])["positions"] == [[0.1712, 48.5985], [0.1748, 48.6118]]
        assert ("gsi1pk" in item) != ("gsi2pk" in item)  # each index item is in exactly one index
    assert items[0]["type_label"] == "Travaux" and items[0]["severity_label"] == "Faible"


# --- the service's filters --------------------------------------------------------------------------------------

BOX = (0.0, 48.0, 1.0, 49.0)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((-1.0, 48.5), (2.0, 48.5), True),  # crosses, no end inside
        ((0.5, 48.5), (3.0, 50.0), True),  # one end inside
        ((-1.0, 47.0), (-0.5, 50.0), False),  # west of the box
        ((-1.0, 49.5), (2.0, 49.5), False),  # horizontal, north of the box
        ((0.5, 47.0), (0.5, 50.0), True),  # vertical, across
        ((1.5, 47.0), (1.5, 50.0), False),  # vertical, east of the box
        ((-0.5, 48.5), (0.5, 49.5), True),  # cuts the north-west corner
        ((-0.5, 49.0), (0.5, 50.0), False),  # passes the corner outside
        ((1.0, 49.0), (2.0, 50.0), True),  # touches the corner
    ],
)
def test_segment_meets_box(a: tuple[float, float], b: tuple[float, float], expected: bool) -> None:
    assert views.segment_hits_box(a, b, BOX) is expected
    assert views.segment_hits_box(b, a, BOX) is expected


def test_touches_box_for_points_and_lines() -> None:
    def summary(*positions: tuple[float, float]) -> dict[str, Any]:
        return {"geometry": json.dumps({"kind": "x", "positions": [list(p) for p in positions], "display": [0, 0]})}

    assert views.touches_box(summary((0.5, 48.5)), BOX)
    assert not views.touches_box(summary((1.5, 48.5)), BOX)
    assert views.touches_box(summary((-1.0, 47.0), (-0.5, 48.5), (0.5, 48.5)), BOX)  # the second segment
    assert not views.touches_box(summary((-1.0, 47.0), (-0.5, 48.5), (-0.5, 50.0)), BOX)


def test_the_service_and_the_connector_agree_on_what_is_in_force() -> None:
    start = dt.datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    ends = [None, dt.datetime(2026, 12, 3, 7, 0, tzinfo=UTC)]
    moments = [
        start - dt.timedelta(hours=1),
        start,
        start + dt.timedelta(days=1),
        dt.datetime(2026, 12, 3, 7, 0, tzinfo=UTC),
    ]
    checked = 0
    for status, end, now in itertools.product(model.STATUSES.values(), ends, moments):
        stored_end = end.isoformat() if end else None
        assert views.is_active(status, start.isoformat(), stored_end, now) is model.is_active(status, start, end, now)
        checked += 1
    assert checked == 4 * 2 * 4


def test_location_view_of_a_line_and_a_point() -> None:
    as_line = {
        "geometry": json.dumps({"kind": "line", "positions": [[0.1, 48.1], [0.2, 48.2]], "display": [0.15, 48.15]})
    }
    as_point = {"geometry": json.dumps({"kind": "point", "positions": [[0.1, 48.1]], "display": [0.1, 48.1]})}

    assert location_view(as_line) == {
        "type": "line",
        "point": {"lat": 48.15, "lon": 0.15},
        "coordinates": [[0.1, 48.1], [0.2, 48.2]],
    }
    assert location_view(as_point) == {"type": "point", "point": {"lat": 48.1, "lon": 0.1}}


@pytest.fixture
def handler() -> Any:
    """The service's rules: pure, imported without any environment."""
    return fresh_import("traffic.logic")


def test_bbox_is_read_and_bounded(handler: Any) -> None:
    assert handler.parse_bbox(None) is None
    assert handler.parse_bbox("0.05, 48.40 ,0.15,48.46") == (0.05, 48.40, 0.15, 48.46)
    assert handler.parse_bbox("-0.5,48.0,0.5,49.0") == (-0.5, 48.0, 0.5, 49.0)  # exactly one degree
    for bad in ("0.05,48.40,0.15", "0.05;48.40;0.15;48.46", "inf,48,0.1,48.5", "0.1,48,0.1,48.5", "0,48,1.01,48.5"):
        with pytest.raises(handler.InvalidRequestError) as error:
            handler.parse_bbox(bad)
        assert error.value.field == "bbox"


def test_a_bbox_is_answered_with_few_cells(handler: Any) -> None:
    small = handler.cells_for((0.15, 48.58, 0.20, 48.62))
    assert small and {len(c) for c in small} == {5} and len(small) <= 16
    for box in ((-0.5, 48.0, 0.5, 49.0), (0.0, 48.3, 1.0, 48.9), (-0.9, 48.2, 0.1, 48.9)):
        cells = handler.cells_for(box)
        assert 1 <= len(cells) <= handler.MAX_CELLS
        for lon, lat in ((box[0], box[1]), (box[2], box[3]), ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)):
            assert geo.encode(lat, lon, len(cells[0])) in cells  # the cells cover the box


def test_active_is_true_or_false(handler: Any) -> None:
    assert handler.parse_active(None) is True
    assert (handler.parse_active("TRUE"), handler.parse_active("false"), handler.parse_active("0")) == (
        True,
        False,
        False,
    )
    with pytest.raises(handler.InvalidRequestError):
        handler.parse_active("oui")
