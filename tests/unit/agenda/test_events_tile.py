"""Unit tests of the `events` tile projections: which occurrences a commune's projection holds (window from today
to 60 days ahead, not ended, at most 50), their id, order, `until` and view, and which communes a run rewrites."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from agenda_shared.model import AgendaEvent, Location, Occurrence
from agenda_shared.store import Change, SyncResult, items_of
from agenda_shared.tiles import MAX_ENTRIES, commune_projection, window
from agenda_shared.views import occurrence_view
from poche_common.dynamo import from_item, to_item

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 in Paris


def at(day: int, hour: int, month: int = 12, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


def event(uid: str, *occurrences: Occurrence, commune: str = "61006") -> AgendaEvent:
    return AgendaEvent(
        source="openagenda",
        uid=uid,
        title=f"Événement {uid}",
        summary=None,
        description=None,
        categories=("marche",),
        keywords=(),
        status="scheduled",
        free=True,
        price=None,
        age_min=None,
        age_max=None,
        accessibility=(),
        location=Location("Place", None, commune, "Argentan", "61200", 48.74, -0.02),
        occurrences=occurrences,
        updated_at=None,
        url=None,
        image=None,
    )


def stored(*events: AgendaEvent) -> list[dict[str, Any]]:
    """Occurrence items as the `by_commune` index gives them back."""
    return [from_item(to_item(i)) for e in events for i in items_of(e, "d", NOW)[1:]]


def plain(value: dict[str, Any]) -> dict[str, Any]:
    return from_item(to_item({"v": value}))["v"]


def test_the_window_starts_at_paris_midnight_today_and_ends_60_days_after_now() -> None:
    assert window(NOW) == ("2026-11-30T23:00:00+00:00", "2027-01-30T09:00:00+00:00#~")
    late = dt.datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # already 2 December in Paris
    assert window(late)[0] == "2026-12-01T23:00:00+00:00"
    summer = dt.datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert window(summer)[0] == "2026-06-30T22:00:00+00:00"


def test_a_commune_shows_its_next_occurrences_by_begin_with_until_and_the_endpoint_view() -> None:
    market = event(
        "1",
        Occurrence(at(1, 7), at(1, 12)),  # under way at NOW
        Occurrence(at(8, 7), at(8, 12)),
        Occurrence(at(30, 10, month=1, year=2027), at(30, 12, month=1, year=2027)),  # beyond 60 days
    )
    earlier = event("2", Occurrence(at(1, 6), at(1, 8)))  # ended this morning
    yesterday = event("3", Occurrence(at(30, 18, month=11), at(3, 18)))  # began before today (as GET /v1/events)
    concert = event("4", Occurrence(at(8, 7), at(8, 9)))  # same begin as the market: by id
    items = stored(market, earlier, yesterday, concert)

    projection = commune_projection("61006", items, NOW)

    assert projection.params == {"commune": "61006"}
    assert projection.head == {"commune": {"insee": "61006", "name": "Argentan"}}
    entries = projection.sorted_entries()
    assert [(e["id"], e["order"], e["until"]) for e in entries] == [
        ("openagenda:1", "2026-12-01T07:00:00+00:00", "2026-12-01T12:00:00+00:00"),
        ("openagenda:1", "2026-12-08T07:00:00+00:00", "2026-12-08T12:00:00+00:00"),
        ("openagenda:4", "2026-12-08T07:00:00+00:00", "2026-12-08T09:00:00+00:00"),
    ]
    by_begin_and_id = {(i["begin"], i["event_id"]): i for i in items}
    for entry in entries:
        assert plain(entry["view"]) == occurrence_view(by_begin_and_id[(entry["order"], entry["id"])])
    assert entries[0]["view"]["location"]["lat"] == Decimal("48.74")  # DynamoDB takes no float
    assert entries[0]["view"]["begin"] == "2026-12-01T08:00:00+01:00"


def test_at_most_50_occurrences_the_earliest() -> None:
    daily = event(
        "daily", *(Occurrence(NOW + dt.timedelta(days=d), NOW + dt.timedelta(days=d, hours=1)) for d in range(59))
    )
    entries = commune_projection("61006", stored(daily), NOW).sorted_entries()
    assert len(entries) == MAX_ENTRIES == 50
    assert entries[-1]["order"] == "2027-01-19T09:00:00+00:00"


def test_an_expired_occurrence_is_not_shown() -> None:
    item = stored(event("1", Occurrence(at(8, 7), at(8, 12))))[0]
    assert commune_projection("61006", [{**item, "expires_at": int(NOW.timestamp())}], NOW).entries == []
    assert len(commune_projection("61006", [{**item, "expires_at": int(NOW.timestamp()) + 1}], NOW).entries) == 1


def test_a_commune_without_occurrences_gets_an_empty_projection_with_its_name() -> None:
    projection = commune_projection("61464", [], NOW)
    assert projection.entries == [] and projection.head == {"commune": {"insee": "61464", "name": "Sées"}}


def test_a_run_touches_the_communes_of_its_changes_before_and_after() -> None:
    result = SyncResult(
        changes=[
            Change("openagenda:1", "updated", ("61001", "61006")),  # moved from one commune to the other
            Change("openagenda:2", "deleted", ("61464",)),
            Change("openagenda:3", "created", ()),  # no commune known
        ]
    )
    assert result.touched() == {"61001", "61006", "61464"}
    assert SyncResult().touched() == set()
