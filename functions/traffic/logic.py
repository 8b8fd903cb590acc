"""The traffic service's rules over a small reader port: the parameters of a list, the cells answering a box, the
order and pages of the events, and freshness.

Pure: no boto3, no environment; the clock is the `now` given, the reader any `EventsReader` (the DynamoDB adapter
is `traffic_shared.reader.EventReader`, unit tests pass an in-memory fake). `events` returns the JSON payload of
`GET /v1/traffic/events`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any, Protocol

from poche_common import communes, geo
from poche_common.clock import freshness
from poche_common.errors import InvalidRequestError
from poche_common.observability import logger
from poche_common.pagination import decode_cursor, encode_cursor
from traffic_shared.views import event_view

from .policy import CELL_PRECISIONS, MAX_BBOX_DEGREES, MAX_CELLS
from .views import BBox, summary_active, touches_box

__all__ = ["MAX_CELLS", "InvalidRequestError", "cells_for", "events", "parse_active", "parse_bbox"]
Summary = dict[str, Any]
BAD_CURSOR = "Le curseur de pagination est invalide ou ne correspond pas à cette requête ; recommencez sans curseur."


class EventsReader(Protocol):
    """The road events of the table: summaries from the indexes, full profiles, and when the feed was last read."""

    def everywhere(self) -> list[Summary]: ...

    def in_commune(self, insee: str) -> list[Summary]: ...

    def in_cells(self, cells: Iterable[str]) -> list[Summary]: ...

    def profiles(self, partitions: list[str]) -> dict[str, dict[str, Any]]: ...

    def fetched_at(self) -> str | None: ...


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


def _cursor_position(scope: str, cursor: str | None) -> tuple[str, str] | None:
    key = decode_cursor(scope, cursor)
    if key is None:
        return None
    start, event_id = key.get("start"), key.get("id")
    if not isinstance(start, str) or not isinstance(event_id, str):
        raise InvalidRequestError(BAD_CURSOR, field="cursor")
    return start, event_id


def events(
    reader: EventsReader,
    stale_after_s: int,
    now: dt.datetime,
    *,
    commune: str | None,
    box: BBox | None,
    active: bool,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """One page of events, most recent start first: of a commune (404 when not of the département), meeting a box,
    both (the commune's partition, filtered), or everywhere; only those in force at `now` when `active`."""
    if commune is not None:
        communes.require(commune)
    scope = f"traffic-events|{commune or ''}|{','.join(f'{v:g}' for v in box) if box else ''}|{active}"
    position = _cursor_position(scope, cursor)
    if commune is not None:
        summaries = reader.in_commune(commune)
    elif box is not None:
        summaries = reader.in_cells(cells_for(box))
    else:
        summaries = reader.everywhere()
    if box is not None:
        summaries = [s for s in summaries if touches_box(s, box)]
    if active:
        summaries = [s for s in summaries if summary_active(s, now)]
    summaries.sort(key=lambda s: s["id"])
    summaries.sort(key=lambda s: s["start"], reverse=True)
    if position is not None:
        summaries = [s for s in summaries if _after(s, position)]
    page, more = summaries[:limit], len(summaries) > limit
    profiles = reader.profiles([s["pk"] for s in page])
    items = [event_view(profiles[s["pk"]], now) for s in page if s["pk"] in profiles]
    if len(items) < len(page):
        logger.warning("index items without profile (write in progress?)", extra={"missing": len(page) - len(items)})
    last = page[-1] if page else None
    return {
        "items": items,
        "next": encode_cursor(scope, {"start": last["start"], "id": last["id"]}) if more and last else None,
        **freshness(reader.fetched_at(), stale_after_s, now),
    }
