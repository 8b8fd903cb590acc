"""transit_shared.merge: timetable departures merged with real-time trip items (GTFS-Realtime semantics)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from transit_shared.merge import instant, is_live, merge, merge_one, rt_key, still_to_come

NOW = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)  # 08:00 in Paris
LIVE = int((NOW + dt.timedelta(minutes=10)).timestamp())
EXPIRED = int((NOW - dt.timedelta(seconds=1)).timestamp())


def departure(sequence: int = 5, scheduled: str = "2026-11-30T07:10:00+00:00", **extra: Any) -> dict[str, Any]:
    return {
        "pk": "STOP#SEE_CATH",
        "sk": f"DEP#{scheduled}#T1",
        "stop_id": "SEE_CATH",
        "trip_id": "T1",
        "route_id": "L10",
        "service_date": "2026-11-30",
        "stop_sequence": sequence,
        "scheduled": scheduled,
        **extra,
    }


def rt(*updates: dict[str, Any], cancelled: bool = False, expires_at: int = LIVE) -> dict[str, Any]:
    return {
        "pk": "TRIP#T1",
        "sk": "RT#2026-11-30",
        "source": "gtfs-rt",
        "feed_timestamp": "2026-11-30T06:59:30+00:00",
        "cancelled": cancelled,
        "updates": list(updates),
        "expires_at": expires_at,
    }


def summary(item: dict[str, Any] | None, dep: dict[str, Any] | None = None) -> tuple[str, int | None, bool, bool]:
    merged = merge_one(dep or departure(), item, NOW)
    return merged.expected.astimezone(dt.UTC).isoformat(), merged.delay_s, merged.realtime, merged.cancelled


SCHEDULED = "2026-11-30T07:10:00+00:00"


def test_no_real_time_is_the_timetable() -> None:
    assert summary(None) == (SCHEDULED, None, False, False)


def test_expired_real_time_falls_back_to_the_timetable() -> None:
    stale = rt({"stop_sequence": 5, "departure_delay": 300}, expires_at=EXPIRED)
    assert summary(stale) == (SCHEDULED, None, False, False)
    assert merge_one(departure(), stale, NOW).feed_timestamp is None


def test_a_delay_at_this_stop() -> None:
    assert summary(rt({"stop_sequence": 5, "departure_delay": 240})) == ("2026-11-30T07:14:00+00:00", 240, True, False)


def test_an_arrival_delay_when_no_departure_is_given() -> None:
    assert summary(rt({"stop_sequence": 5, "arrival_delay": 60})) == ("2026-11-30T07:11:00+00:00", 60, True, False)


def test_a_bus_ahead_of_time() -> None:
    assert summary(rt({"stop_sequence": 5, "departure_delay": -90})) == ("2026-11-30T07:08:30+00:00", -90, True, False)


@pytest.mark.parametrize(
    "absolute",
    [int(NOW.timestamp()) + 13 * 60, "2026-11-30T07:13:00+00:00", "2026-11-30T08:13:00+01:00", "2026-11-30T07:13:00Z"],
    ids=["posix", "utc-iso", "paris-iso", "zulu"],
)
def test_an_absolute_time_wins_over_a_delay(absolute: Any) -> None:
    update = {"stop_sequence": 5, "departure_time": absolute, "departure_delay": 600}
    assert summary(rt(update)) == ("2026-11-30T07:13:00+00:00", 180, True, False)


def test_the_departure_event_wins_over_the_arrival_event() -> None:
    update = {"stop_sequence": 5, "arrival_time": "2026-11-30T07:12:00+00:00", "departure_delay": 300}
    assert summary(rt(update)) == ("2026-11-30T07:15:00+00:00", 300, True, False)


def test_a_delay_propagates_from_the_nearest_earlier_update() -> None:
    updates = (
        {"stop_sequence": 1, "departure_delay": 60},
        {"stop_sequence": 3, "arrival_delay": 420},  # the nearest before 5: it propagates
        {"stop_sequence": 8, "departure_delay": 900},  # after this stop: ignored
    )
    assert summary(rt(*updates)) == ("2026-11-30T07:17:00+00:00", 420, True, False)


def test_propagation_passes_over_skipped_stops_and_stops_at_no_data() -> None:
    skipped_between = rt({"stop_sequence": 2, "departure_delay": 120}, {"stop_sequence": 4, "skipped": True})
    assert summary(skipped_between) == ("2026-11-30T07:12:00+00:00", 120, True, False)
    no_data = rt({"stop_sequence": 2, "departure_delay": 120}, {"stop_sequence": 4, "no_data": True})
    assert summary(no_data) == (SCHEDULED, None, False, False)


def test_an_update_of_this_stop_without_time_nor_delay_is_no_data() -> None:
    # GTFS-Realtime NO_DATA as the transit-gtfs-rt connector writes it: the stop, and no prediction
    item = rt({"stop_sequence": 2, "departure_delay": 120}, {"stop_sequence": 5, "skipped": False})
    assert summary(item) == (SCHEDULED, None, False, False)
    assert summary(item, departure(sequence=6)) == (SCHEDULED, None, False, False)  # nor after it


def test_a_trip_level_delay_applies_from_the_first_stop() -> None:
    # TripUpdate.delay, written as an update of stop_sequence 0 by the transit-gtfs-rt connector
    item = rt({"stop_sequence": 0, "arrival_delay": 180, "departure_delay": 180, "skipped": False})
    assert summary(item) == ("2026-11-30T07:13:00+00:00", 180, True, False)
    assert summary(item, departure(sequence=0)) == ("2026-11-30T07:13:00+00:00", 180, True, False)


def test_an_earlier_update_with_only_absolute_times_predicts_nothing_here() -> None:
    item = rt({"stop_sequence": 2, "departure_time": "2026-11-30T06:50:00+00:00"})
    assert summary(item) == (SCHEDULED, None, False, False)


def test_updates_only_after_this_stop_leave_the_timetable() -> None:
    assert summary(rt({"stop_sequence": 9, "departure_delay": 300})) == (SCHEDULED, None, False, False)


def test_an_update_without_sequence_matches_by_stop_id() -> None:
    siri_like = rt({"stop_id": "SEE_CATH", "departure_time": "2026-11-30T07:16:00+00:00"})
    assert summary(siri_like) == ("2026-11-30T07:16:00+00:00", 360, True, False)
    elsewhere = rt({"stop_id": "ARG_GARE", "departure_time": "2026-11-30T07:40:00+00:00"})
    assert summary(elsewhere) == (SCHEDULED, None, False, False)


def test_a_skipped_stop_is_cancelled() -> None:
    assert summary(rt({"stop_sequence": 5, "skipped": True})) == (SCHEDULED, None, True, True)


def test_a_cancelled_trip_is_cancelled_everywhere() -> None:
    assert summary(rt(cancelled=True)) == (SCHEDULED, None, True, True)
    assert summary(rt({"stop_sequence": 1, "departure_delay": 60}, cancelled=True)) == (SCHEDULED, None, True, True)


def test_an_expired_cancellation_is_forgotten() -> None:
    assert summary(rt(cancelled=True, expires_at=EXPIRED)) == (SCHEDULED, None, False, False)


def test_merge_finds_each_trip_on_its_service_date() -> None:
    first = departure()
    other_day = departure(service_date="2026-11-29")
    found = merge([first, other_day], {rt_key(first): rt({"stop_sequence": 5, "departure_delay": 60})}, NOW)
    assert [(m.realtime, m.delay_s) for m in found] == [(True, 60), (False, None)]
    assert rt_key(first) == ("TRIP#T1", "RT#2026-11-30")
    assert found[0].feed_timestamp == dt.datetime(2026, 11, 30, 6, 59, 30, tzinfo=dt.UTC)
    assert found[0].sk == "DEP#2026-11-30T07:10:00+00:00#T1"


def test_what_is_still_to_come() -> None:
    def coming(dep: dict[str, Any], item: dict[str, Any] | None) -> bool:
        return still_to_come(merge_one(dep, item, NOW), NOW, timetable_grace_s=120, realtime_grace_s=60)

    gone = departure(scheduled="2026-11-30T06:50:00+00:00")
    assert not coming(gone, None)  # 10 minutes ago, no real time
    assert coming(departure(scheduled="2026-11-30T06:59:00+00:00"), None)  # a minute ago: maybe at the stop
    assert coming(gone, rt({"stop_sequence": 5, "departure_delay": 900}))  # 10 minutes late: still coming
    assert not coming(gone, rt({"stop_sequence": 5, "departure_delay": 300}))  # left 5 minutes ago
    assert not coming(gone, rt(cancelled=True))


def test_instants_and_expiry() -> None:
    assert instant(None) is None and instant("") is None and instant("soon") is None and instant(True) is None
    assert instant("1795996800") == dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    assert instant(1795996800.5) == dt.datetime(2026, 11, 30, 0, 0, 0, 500000, tzinfo=dt.UTC)
    assert instant("2026-11-30T07:00:00") == NOW  # naive is UTC
    assert is_live({"expires_at": LIVE}, NOW) and not is_live({"expires_at": EXPIRED}, NOW)
    assert is_live({"expires_at": float(LIVE)}, NOW) and not is_live(None, NOW)
