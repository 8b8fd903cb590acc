"""Departures as the public API shows them: timetable merged with real time, those still to come.

Shared by the transit service (`GET /v1/transit/stops/{stop_id}/departures`) and the home screen's
`departures` tile, so both show a departure the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from poche_common.clock import to_paris_iso

from .merge import Merged, merge, still_to_come

LOOKBACK_SECONDS = 15 * 60  # a departure scheduled this long ago may still be coming, late
TIMETABLE_GRACE_SECONDS = 120  # without real time, a departure is shown until 2 minutes after its time
REALTIME_GRACE_SECONDS = 60  # with real time, until a minute after its expected time


def coming(
    departures: Iterable[dict[str, Any]], realtime: Mapping[tuple[str, str], Mapping[str, Any]], now: dt.datetime
) -> list[Merged]:
    """The departures (in scheduled order) merged with their real time, without those already gone."""
    merged = merge(departures, realtime, now)
    return [
        m
        for m in merged
        if still_to_come(m, now, timetable_grace_s=TIMETABLE_GRACE_SECONDS, realtime_grace_s=REALTIME_GRACE_SECONDS)
    ]


def in_expected_order(page: list[Merged]) -> list[Merged]:
    return sorted(page, key=lambda m: (m.expected, m.scheduled, m.departure["trip_id"]))


def departure_view(merged: Merged) -> dict[str, Any]:
    departure = merged.departure
    return {
        "route_id": departure["route_id"],
        "route_short_name": departure.get("route_short_name", ""),
        "headsign": departure.get("headsign", ""),
        "trip_id": departure["trip_id"],
        "stop_id": departure.get("stop_id"),
        "scheduled": to_paris_iso(merged.scheduled),
        "expected": to_paris_iso(merged.expected),
        "delay_s": merged.delay_s,
        "realtime": merged.realtime,
        "cancelled": merged.cancelled,
    }
