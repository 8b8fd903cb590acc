"""Unit tests of the `traffic` tile projections: which events a commune's projection holds, their order, `until`
and view, and which communes a connector run rewrites (changes before and after, events that start or end)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from poche_common import communes
from poche_common.dynamo import from_item, to_item
from traffic_datex2.model import Geometry, TrafficEvent
from traffic_datex2.store import Change, EventWriter, Shown, SyncResult, content_of, footprint, items_of
from traffic_shared.tiles import commune_projection
from traffic_shared.views import event_view

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
SEES = Geometry("point", ((0.1727, 48.6056),), (0.1727, 48.6056))  # in Sées (61464)


def event(
    record: str,
    start: dt.datetime,
    end: dt.datetime | None,
    status: str = "defined_by_time",
    geometry: Geometry = SEES,
) -> TrafficEvent:
    return TrafficEvent(
        situation_id="S",
        record_id=record,
        version="1",
        type="roadworks",
        datex_type="MaintenanceWorks",
        detail=None,
        severity="low",
        status=status,
        start=start,
        end=end,
        geometry=geometry,
        description="Travaux.",
        description_generated=True,
        road="D438",
    )


def profile(ev: TrafficEvent, shown_active: bool | None = None) -> dict[str, Any]:
    """The profile as stored then read back (numbers through DynamoDB)."""
    items = items_of(ev, content_of(ev), "d", footprint(ev.geometry), shown_active=shown_active)
    return from_item(to_item(items[0]))


def plain(value: dict[str, Any]) -> dict[str, Any]:
    return from_item(to_item({"v": value}))["v"]


def test_a_commune_shows_its_events_not_ended_by_start_with_until_and_the_endpoint_view() -> None:
    ongoing = event("ongoing", dt.datetime(2026, 11, 23, 6, 30, tzinfo=UTC), dt.datetime(2026, 12, 18, tzinfo=UTC))
    upcoming = event("upcoming", dt.datetime(2026, 12, 12, 7, 0, tzinfo=UTC), dt.datetime(2026, 12, 13, tzinfo=UTC))
    open_ended = event("accident", dt.datetime(2026, 12, 2, 7, 40, tzinfo=UTC), None, status="active")
    ended = event("ended", dt.datetime(2026, 11, 24, tzinfo=UTC), dt.datetime(2026, 11, 28, tzinfo=UTC))
    ends_now = event("ends-now", dt.datetime(2026, 11, 30, tzinfo=UTC), NOW)
    profiles = [profile(e) for e in (upcoming, ended, open_ended, ends_now, ongoing)]

    projection = commune_projection("61464", profiles, NOW)

    assert projection.params == {"commune": "61464"}
    assert projection.head == {"commune": {"insee": "61464", "name": "Sées"}}
    entries = projection.sorted_entries()
    assert [e["id"] for e in entries] == ["S:ongoing", "S:accident", "S:upcoming"]  # ongoing first
    assert [e["order"] for e in entries] == [
        "2026-11-23T06:30:00+00:00",
        "2026-12-02T07:40:00+00:00",
        "2026-12-12T07:00:00+00:00",
    ]
    assert entries[0]["until"] == "2026-12-18T00:00:00+00:00"
    assert "until" not in entries[1]  # until further notice
    by_id = {p["id"]: p for p in profiles}
    for entry in entries:
        assert plain(entry["view"]) == event_view(by_id[entry["id"]], NOW)
    assert [plain(e["view"])["active"] for e in entries] == [True, True, False]
    assert entries[0]["view"]["location"]["point"]["lat"] == Decimal("48.6056")  # DynamoDB takes no float


def test_a_commune_without_events_gets_an_empty_projection_with_its_name() -> None:
    projection = commune_projection("61001", [], NOW)
    assert projection.entries == [] and projection.head["commune"]["name"] == communes.require("61001").name


def test_a_run_touches_the_communes_before_and_after_a_change_and_those_of_events_that_started() -> None:
    result = SyncResult(
        changes=[
            Change("S:moved", "updated", "roadworks", ("61001",), previous=("61464",)),
            Change("S:gone", "deleted", "closure", ("61169",)),
        ],
        shown=[Shown("EVENT#S#started", True, ("61038", "61293"))],
    )
    assert result.touched() == {"61001", "61464", "61169", "61038", "61293"}
    assert SyncResult().touched() == set()


class StoredOnly:
    """A table holding given `IX#ALL` items; records writes."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = [to_item(i) for i in items]
        self.writes: list[Any] = []

    def query(self, **kwargs: Any) -> dict[str, Any]:
        return {"Items": self.items}

    def batch_write_item(self, RequestItems: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        self.writes += [r for batch in RequestItems.values() for r in batch]
        return {}


def synced(ev: TrafficEvent, shown_active: bool | None, now: dt.datetime) -> SyncResult:
    """Sync the same event as stored with this marker (same digest: unchanged)."""
    content = content_of(ev)
    digest = store_digest(content)
    (_, all_item, *_) = items_of(ev, content, digest, footprint(ev.geometry), shown_active=shown_active)
    client = StoredOnly([all_item])
    result = EventWriter(client, "traffic").sync([ev], keep=set(), now=now)
    assert result.changes == [] and client.writes == []
    return result


def store_digest(content: dict[str, Any]) -> str:
    from traffic_datex2 import store

    return store._digest({**content, "communes_as_of": communes.as_of()})


def test_an_unchanged_event_is_reprojected_when_it_starts_or_ends_and_only_then() -> None:
    market = event("market", dt.datetime(2026, 12, 12, 7, 0, tzinfo=UTC), dt.datetime(2026, 12, 13, 18, tzinfo=UTC))
    before, during, after = NOW, dt.datetime(2026, 12, 12, 8, tzinfo=UTC), dt.datetime(2026, 12, 14, tzinfo=UTC)

    assert synced(market, False, before).shown == []
    assert synced(market, False, during).shown == [Shown("EVENT#S#market", True, ("61464",))]
    assert synced(market, True, during).shown == []
    assert synced(market, True, after).shown == [Shown("EVENT#S#market", False, ("61464",))]
    assert synced(market, None, before).shown == [Shown("EVENT#S#market", False, ("61464",))]  # never projected


def test_an_event_written_by_a_run_records_what_its_projection_shows() -> None:
    started = event("started", dt.datetime(2026, 12, 1, tzinfo=UTC), None, status="planned")
    client = StoredOnly([])
    result = EventWriter(client, "traffic").sync([started], keep=set(), now=NOW)
    (change,) = result.changes
    assert (change.change, change.communes, change.previous) == ("created", ("61464",), ())
    puts = [from_item(w["PutRequest"]["Item"]) for w in client.writes]
    (all_item,) = [p for p in puts if p["sk"] == "IX#ALL"]
    assert all_item["shown_active"] is True
    assert all("shown_active" not in p for p in puts if p["sk"] != "IX#ALL")
