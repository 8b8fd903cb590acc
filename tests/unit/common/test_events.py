"""poche_common.events: domain events in the house envelope."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from poche_common.events import MAX_ENTRY_BYTES, Entry, EventPublisher, envelope


class FakeEvents:
    def __init__(self, failed: int = 0) -> None:
        self.entries: list[dict[str, Any]] = []
        self.failed = failed

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.entries.extend(Entries)
        if self.failed:
            return {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "nope"}]}
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "e-1"}]}


FACTS = {"canteen_id": "C1", "dates": ["2026-12-01", "2026-12-02"], "label": "Menus modifiés à Alençon"}


def test_an_entry_is_put_in_the_envelope() -> None:
    client = FakeEvents()
    publisher = EventPublisher("poche-dev-bus", "poche.canteen", client=client)
    event_id = str(uuid.uuid4())
    detail = envelope("MenusChanged", FACTS, event_id=event_id, occurred_at="2026-12-01T08:00:00+00:00")
    assert publisher.put([Entry("poche.canteen", "MenusChanged", detail)]) == [None]
    [entry] = client.entries
    assert (entry["EventBusName"], entry["Source"], entry["DetailType"]) == (
        "poche-dev-bus",
        "poche.canteen",
        "MenusChanged",
    )
    sent = json.loads(entry["Detail"])
    assert (sent["id"], sent["occurred_at"], sent["version"]) == (event_id, "2026-12-01T08:00:00+00:00", 1)
    assert {k: v for k, v in sent.items() if k not in ("id", "occurred_at", "version")} == FACTS
    assert "Alençon" in entry["Detail"]


def test_a_refused_entry_is_reported_with_its_error_code() -> None:
    publisher = EventPublisher("bus", "poche.test", client=FakeEvents(failed=1))
    detail = envelope("MenusChanged", FACTS, event_id="e", occurred_at="2026-12-01T08:00:00+00:00")
    assert publisher.put([Entry("poche.test", "MenusChanged", detail)]) == ["InternalFailure"]


def test_oversize_detail_is_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="exceeds the bus limit"):
        envelope("Huge", {"blob": "x" * MAX_ENTRY_BYTES}, event_id="e", occurred_at="2026-12-01T08:00:00+00:00")


def test_size_is_counted_in_bytes_not_characters() -> None:
    # 2 bytes per character in UTF-8: fewer characters than the limit, more bytes
    with pytest.raises(ValueError, match="exceeds the bus limit"):
        envelope(
            "Huge", {"blob": "é" * (MAX_ENTRY_BYTES // 2 + 10)}, event_id="e", occurred_at="2026-12-01T08:00:00+00:00"
        )


@pytest.mark.parametrize("name", ["id", "occurred_at", "version"])
def test_facts_cannot_overwrite_the_envelope(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        envelope("MenusUpdated", {name: "forged"}, event_id="e", occurred_at="2026-12-01T08:00:00+00:00")
