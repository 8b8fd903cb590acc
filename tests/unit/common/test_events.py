"""poche_common.events: domain events in the house envelope."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest

from poche_common.events import MAX_ENTRY_BYTES, EventPublisher


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


def test_publish_puts_one_entry_in_the_envelope() -> None:
    client = FakeEvents()
    publisher = EventPublisher("poche-dev-bus", "poche.canteen", client=client)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    event_id = publisher.publish("MenusChanged", FACTS)
    after = dt.datetime.now(dt.UTC)
    assert len(client.entries) == 1
    entry = client.entries[0]
    assert entry["EventBusName"] == "poche-dev-bus"
    assert entry["Source"] == "poche.canteen"
    assert entry["DetailType"] == "MenusChanged"
    detail = json.loads(entry["Detail"])
    assert detail["id"] == event_id
    assert uuid.UUID(event_id).version == 4
    assert detail["version"] == 1
    occurred = dt.datetime.fromisoformat(detail["occurred_at"])
    assert occurred.utcoffset() == dt.timedelta(0)
    assert before <= occurred <= after
    assert {k: v for k, v in detail.items() if k not in ("id", "occurred_at", "version")} == FACTS
    assert "Alençon" in entry["Detail"]


def test_each_event_has_its_own_id() -> None:
    client = FakeEvents()
    publisher = EventPublisher("bus", "poche.test", client=client)
    ids = {publisher.publish("Thing", {}) for _ in range(3)}
    assert len(ids) == 3
    assert {json.loads(e["Detail"])["id"] for e in client.entries} == ids


def test_failed_entry_is_an_error() -> None:
    publisher = EventPublisher("bus", "poche.test", client=FakeEvents(failed=1))
    with pytest.raises(RuntimeError, match="MenusChanged event refused by the bus"):
        publisher.publish("MenusChanged", FACTS)


def test_oversize_detail_is_refused_before_sending() -> None:
    client = FakeEvents()
    publisher = EventPublisher("bus", "poche.test", client=client)
    with pytest.raises(ValueError, match="exceeds the bus limit"):
        publisher.publish("Huge", {"blob": "x" * MAX_ENTRY_BYTES})
    assert client.entries == []


def test_size_is_counted_in_bytes_not_characters() -> None:
    client = FakeEvents()
    publisher = EventPublisher("bus", "poche.test", client=client)
    # 2 bytes per character in UTF-8: fewer characters than the limit, more bytes
    with pytest.raises(ValueError, match="exceeds the bus limit"):
        publisher.publish("Huge", {"blob": "é" * (MAX_ENTRY_BYTES // 2 + 10)})
    assert client.entries == []


@pytest.mark.parametrize("name", ["id", "occurred_at", "version"])
def test_facts_cannot_overwrite_the_envelope(name: str) -> None:
    client = FakeEvents()
    with pytest.raises(ValueError, match=name):
        EventPublisher("poche-dev", "poche.canteen", client).publish("MenusUpdated", {name: "forged"})
    assert client.entries == []
