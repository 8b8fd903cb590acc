"""The GTFS-RT connector's `RealtimeUpdated` facts name the routes of each created or updated alert, so that
the matcher can notify `route/<route_id>` subscribers."""

from __future__ import annotations

from typing import Any

import pytest
from support import fresh_import

from notifications_match.topics import topics


def alert(alert_id: str, informed: list[dict[str, str]]) -> Any:
    from transit_gtfs_rt.model import AlertRealtime

    return AlertRealtime(alert_id, "weather", "reduced_service", "Neige", "", None, [], informed)


def test_alert_routes_in_the_facts_reach_the_route_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "transit")
    monkeypatch.setenv("EVENT_BUS_NAME", "bus")
    ingest = fresh_import("transit_gtfs_rt.ingest")
    from transit_gtfs_rt.model import ParsedFeed
    from transit_gtfs_rt.store import Change, SyncResult

    feed = ParsedFeed(version="2.0", timestamp=None)
    feed.alerts += [
        alert("neige", [{"route_id": "L20"}, {"stop_id": "MOR_HOP"}, {"route_id": "L21"}]),
        alert("gare", [{"stop_id": "ALE_GARE"}]),
    ]
    result = SyncResult(
        changes=[
            Change("alert", ("ALERTS", "ALERT#gtfs-rt#neige"), "created"),
            Change("alert", ("ALERTS", "ALERT#gtfs-rt#gare"), "updated"),
            Change("alert", ("ALERTS", "ALERT#gtfs-rt#fini"), "deleted"),
        ]
    )
    facts = ingest.facts(result, None, [feed])
    assert facts["alert_routes"] == {"neige": ["L20", "L21"], "gare": []}
    # each entry as before, with what the alert says (its header: issue 9, defect 14)
    assert facts["alert_changes"][0] == {"alert_id": "neige", "change": "created", "title": "Neige"}
    assert "title" not in facts["alert_changes"][2]  # a deleted alert says nothing
    found = topics("RealtimeUpdated", "poche.transit", facts)
    assert [(t.kind, t.topic_id) for t in found] == [("route", "L20"), ("route", "L21")]
    assert found[0].body == "Neige"
