"""The filters applied to summaries. The event view itself is `traffic_shared.views.event_view`
(the `traffic` layer), shared with the connector's tile projections."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from traffic_shared.views import geometry_of, is_active

BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


def summary_active(summary: dict[str, Any], now: dt.datetime) -> bool:
    return is_active(summary["status"], summary["start"], summary.get("end"), now)


def _inside(lon: float, lat: float, box: BBox) -> bool:
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def segment_hits_box(a: tuple[float, float], b: tuple[float, float], box: BBox) -> bool:
    """Whether the segment a-b (lon, lat) meets the box (Liang-Barsky clipping)."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        ratio = q / p
        if p < 0:
            low = max(low, ratio)
        else:
            high = min(high, ratio)
        if low > high:
            return False
    return True


def touches_box(summary: dict[str, Any], box: BBox) -> bool:
    """Whether the event's point or line meets the box (exact, not just its bounding box)."""
    positions = [(float(p[0]), float(p[1])) for p in geometry_of(summary)["positions"]]
    if len(positions) == 1:
        return _inside(positions[0][0], positions[0][1], box)
    return any(segment_hits_box(a, b, box) for a, b in itertools.pairwise(positions))
