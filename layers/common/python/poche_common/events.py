"""Publishing domain events on the platform's bus, in the house envelope."""

from __future__ import annotations

import json
import uuid
from typing import Any

from .clock import to_utc_iso, utc_now

MAX_ENTRY_BYTES = 250_000  # EventBridge's limit is 256 KiB per entry


class EventPublisher:
    def __init__(self, bus_name: str, source: str, client: Any | None = None) -> None:
        self.bus_name = bus_name
        self.source = source
        self._client = client

    def _events(self) -> Any:
        if self._client is None:
            import boto3  # lazily: a connector run that changes nothing never needs it

            self._client = boto3.client("events")
        return self._client

    def publish(self, detail_type: str, facts: dict[str, Any]) -> str:
        """Put one event; returns its id. `facts` must not hold personal data."""
        reserved = {"id", "occurred_at", "version"} & set(facts)
        if reserved:
            raise ValueError(f"{detail_type}: facts may not redefine the envelope's {sorted(reserved)}")
        event_id = str(uuid.uuid4())
        detail = {"id": event_id, "occurred_at": to_utc_iso(utc_now()), "version": 1, **facts}
        body = json.dumps(detail, ensure_ascii=False, separators=(",", ":"))
        if len(body.encode()) > MAX_ENTRY_BYTES:
            raise ValueError(f"{detail_type} event of {len(body)} bytes exceeds the bus limit")
        result = self._events().put_events(
            Entries=[{"EventBusName": self.bus_name, "Source": self.source, "DetailType": detail_type, "Detail": body}]
        )
        if result.get("FailedEntryCount"):
            raise RuntimeError(f"{detail_type} event refused by the bus: {result['Entries']}")
        return event_id
