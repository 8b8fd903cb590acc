"""Lambda entry point of the traffic service (API Gateway HTTP API, payload 2.0).

GET /v1/traffic/events?commune=&bbox=&active=&limit=&cursor=
    road events (works, closures, accidents, weather...), most recent start first:
    - `commune` (INSEE code): the events touching that commune (404 for a code not of the département);
    - `bbox` (min_lon,min_lat,max_lon,max_lat, at most 1 degree each way): the events whose point or line
      meets the box;
    - both: the events touching the commune AND meeting the box (the commune's partition, filtered);
    - neither: every event of the département;
    - `active` (default true): only the events in force now; `false`: also finished and future ones.
"""

from __future__ import annotations

import math
from typing import Any

import boto3

from poche_common import communes, geo
from poche_common.api import json_response, make_resolver, query, query_commune, query_limit
from poche_common.clock import utc_now
from poche_common.errors import InvalidRequestError
from poche_common.observability import logger
from poche_common.pagination import decode_cursor, encode_cursor
from poche_common.router import Response
from poche_common.settings import optional_int, required
from traffic_shared.reader import EventReader
from traffic_shared.views import event_view

from .policy import CACHE_SECONDS, CELL_PRECISIONS, MAX_BBOX_DEGREES, MAX_CELLS, STALE_AFTER_SECONDS
from .views import BBox, freshness, summary_active, touches_box

app = make_resolver()
_reader = EventReader(boto3.client("dynamodb"), required("TABLE_NAME"))
_stale_after = optional_int("STALE_AFTER_SECONDS", STALE_AFTER_SECONDS)

_BAD_CURSOR = "Le curseur de pagination est invalide ou ne correspond pas à cette requête ; recommencez sans curseur."


def parse_bbox(raw: str | None) -> BBox | None:
    if raw is None:
        return None
    example = "par exemple 0.05,48.40,0.15,48.46 autour d'Alençon"
    parts = raw.split(",")
    try:
        if len(parts) != 4:
            raise ValueError(raw)
        values = [float(part) for part in parts]
    except ValueError:
        raise InvalidRequestError(
            f"bbox doit être quatre nombres min_lon,min_lat,max_lon,max_lat ({example}).", field="bbox"
        ) from None
    min_lon, min_lat, max_lon, max_lat = values
    if not all(math.isfinite(v) for v in values) or not (
        -180 <= min_lon <= 180 and -180 <= max_lon <= 180 and -90 <= min_lat <= 90 and -90 <= max_lat <= 90
    ):
        raise InvalidRequestError(
            "bbox sort des coordonnées WGS84 (longitudes -180 à 180, latitudes -90 à 90).", field="bbox"
        )
    if not (min_lon < max_lon and min_lat < max_lat):
        raise InvalidRequestError(
            f"bbox : le minimum doit précéder le maximum, min_lon,min_lat,max_lon,max_lat ({example}).", field="bbox"
        )
    if max_lon - min_lon > MAX_BBOX_DEGREES or max_lat - min_lat > MAX_BBOX_DEGREES:
        raise InvalidRequestError(
            f"bbox est trop grande : au plus {MAX_BBOX_DEGREES:g} degré de côté ; pour tout le département, "
            "omettez bbox.",
            field="bbox",
        )
    return min_lon, min_lat, max_lon, max_lat


def parse_active(raw: str | None) -> bool:
    if raw is None:
        return True
    value = raw.lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise InvalidRequestError("active doit valoir true ou false.", field="active")


def cells_for(box: BBox) -> list[str]:
    """The cells answering a box: the finest indexed precision needing at most MAX_CELLS of them."""
    cells: list[str] = []
    for precision in CELL_PRECISIONS:
        cells = geo.cells_covering(box, precision)
        if len(cells) <= MAX_CELLS:
            return cells
    return cells


def _order(summary: dict[str, Any]) -> tuple[str, str]:
    return summary["start"], summary["id"]


def _after(summary: dict[str, Any], cursor: tuple[str, str]) -> bool:
    """Whether a summary comes after the cursor, in the order most recent start first, then id."""
    start, event_id = _order(summary)
    return start < cursor[0] or (start == cursor[0] and event_id > cursor[1])


def _cursor_position(scope: str) -> tuple[str, str] | None:
    key = decode_cursor(scope, query(app, "cursor"))
    if key is None:
        return None
    start, event_id = key.get("start"), key.get("id")
    if not isinstance(start, str) or not isinstance(event_id, str):
        raise InvalidRequestError(_BAD_CURSOR, field="cursor")
    return start, event_id


@app.get("/v1/traffic/events")
def list_events() -> Response:
    commune = query_commune(app)
    box = parse_bbox(query(app, "bbox"))
    active = parse_active(query(app, "active"))
    limit = query_limit(app)
    if commune is not None:
        communes.require(commune)  # 404 for a code that is not a commune of the département
    scope = f"traffic-events|{commune or ''}|{','.join(f'{v:g}' for v in box) if box else ''}|{active}"
    position = _cursor_position(scope)
    now = utc_now()

    if commune is not None:
        summaries = _reader.in_commune(commune)
    elif box is not None:
        summaries = _reader.in_cells(cells_for(box))
    else:
        summaries = _reader.everywhere()
    if box is not None:
        summaries = [s for s in summaries if touches_box(s, box)]
    if active:
        summaries = [s for s in summaries if summary_active(s, now)]
    summaries.sort(key=lambda s: s["id"])
    summaries.sort(key=lambda s: s["start"], reverse=True)
    if position is not None:
        summaries = [s for s in summaries if _after(s, position)]
    page, more = summaries[:limit], len(summaries) > limit
    profiles = _reader.profiles([s["pk"] for s in page])
    items = [event_view(profiles[s["pk"]], now) for s in page if s["pk"] in profiles]
    if len(items) < len(page):
        logger.warning("index items without profile (write in progress?)", extra={"missing": len(page) - len(items)})
    last = page[-1] if page else None
    payload = {
        "items": items,
        "next": encode_cursor(scope, {"start": last["start"], "id": last["id"]}) if more and last else None,
        **freshness(_reader.fetched_at(), _stale_after, now),
    }
    return json_response(app, payload, max_age=CACHE_SECONDS)


@logger.inject_lambda_context(correlation_id_path="api")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
