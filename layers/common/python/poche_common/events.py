"""Domain events on the platform's bus, in the house envelope.

Producers do not put events on the bus themselves: they stage them in their table's outbox
(`poche_common.outbox`), which sends them with `EventPublisher.put` once the data they describe is
written. `envelope` builds the `detail` (`{"id", "occurred_at", "version": 1, ...facts}`) and refuses
what the bus would refuse (an entry over 250 kB, facts redefining the envelope). Each event's detail is
defined once in `poche_common.eventtypes` (the catalogue: docs/events.md).

Texts for people in facts (a notice's title, an article's headline, an alert's header) go through
`headline`: one line, no control characters, at most `HEADLINE_MAX` characters; `with_titles` keeps the
titles of an event's entries within `TITLES_BUDGET_BYTES`, so that the event stays far below the limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

MAX_ENTRY_BYTES = 250_000  # EventBridge's limit is 256 KiB per entry
MAX_REQUEST_BYTES = 256 * 1024  # ... and per PutEvents request
MAX_REQUEST_ENTRIES = 10
HEADLINE_MAX = 120  # characters of a title carried in an event
TITLES_BUDGET_BYTES = 64_000  # bytes of titles in one event: the rest of its entries carry none
RESERVED = ("id", "occurred_at", "version")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")


class Entry(NamedTuple):
    """One event as PutEvents takes it."""

    source: str
    detail_type: str
    detail: str  # JSON text of the detail, envelope included

    def size(self) -> int:
        """Its size as EventBridge counts it (UTF-8 bytes of source, detail type and detail)."""
        return len(self.source.encode()) + len(self.detail_type.encode()) + len(self.detail.encode())


def envelope(detail_type: str, facts: Mapping[str, Any], *, event_id: str, occurred_at: str) -> str:
    """The `detail` JSON text of an event; ValueError when the facts redefine the envelope or the bus would refuse
    it. `facts` must not hold personal data."""
    reserved = set(RESERVED) & set(facts)
    if reserved:
        raise ValueError(f"{detail_type}: facts may not redefine the envelope's {sorted(reserved)}")
    detail = {"id": event_id, "occurred_at": occurred_at, "version": 1, **facts}
    body = json.dumps(detail, ensure_ascii=False, separators=(",", ":"))
    if len(body.encode()) > MAX_ENTRY_BYTES:
        raise ValueError(f"{detail_type} event of {len(body.encode())} bytes exceeds the bus limit")
    return body


def headline(text: Any, limit: int = HEADLINE_MAX) -> str | None:
    """A text for people as one bounded line: whitespace collapsed, control and bidi characters dropped, cut at a
    word boundary with "…" past `limit` characters; None when nothing is left."""
    if not isinstance(text, str):
        return None
    line = " ".join(_CONTROL.sub(" ", text).split())
    if not line:
        return None
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def with_titles(entries: Sequence[dict[str, Any]], budget: int = TITLES_BUDGET_BYTES) -> list[dict[str, Any]]:
    """The entries, each `title` made a `headline`, dropped once the titles already kept reach `budget` bytes (and
    dropped when empty): an event of 500 entries stays well below the bus limit whatever its titles."""
    kept: list[dict[str, Any]] = []
    spent = 0
    for entry in entries:
        title = headline(entry.get("title"))
        rest = {k: v for k, v in entry.items() if k != "title"}
        if title is not None and spent + len(title.encode()) <= budget:
            spent += len(title.encode())
            rest["title"] = title
        kept.append(rest)
    return kept


class EventPublisher:
    """PutEvents on one bus, for one source."""

    def __init__(self, bus_name: str, source: str, client: Any | None = None) -> None:
        self.bus_name = bus_name
        self.source = source
        self._client = client

    def _events(self) -> Any:
        if self._client is None:
            import boto3  # lazily: a run that has nothing to send never needs it

            self._client = boto3.client("events")
        return self._client

    def put(self, entries: Sequence[Entry]) -> list[str | None]:
        """Send the entries, at most 10 and 256 KiB per request; for each entry, None when the bus took it, else
        the error code. A request that fails as a whole (throttling, network) marks its entries failed and the
        others are still tried."""
        errors: list[str | None] = [None] * len(entries)
        for group in _requests(entries):
            request = [
                {
                    "EventBusName": self.bus_name,
                    "Source": entries[n].source,
                    "DetailType": entries[n].detail_type,
                    "Detail": entries[n].detail,
                }
                for n in group
            ]
            try:
                answer = self._events().put_events(Entries=request)
            except Exception as exc:  # botocore ClientError, a network error: these entries wait
                code = getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__
                for n in group:
                    errors[n] = str(code)
                continue
            results = answer.get("Entries") or []
            for position, n in enumerate(group):
                result = results[position] if position < len(results) else {}
                if result.get("ErrorCode") or (answer.get("FailedEntryCount") and not result.get("EventId")):
                    errors[n] = str(result.get("ErrorCode") or "Failed")
        return errors


def _requests(entries: Sequence[Entry]) -> Iterable[list[int]]:
    """Indexes of `entries` grouped into PutEvents requests (10 entries, 256 KiB at most), in order."""
    group: list[int] = []
    size = 0
    for n, entry in enumerate(entries):
        if group and (len(group) == MAX_REQUEST_ENTRIES or size + entry.size() > MAX_REQUEST_BYTES):
            yield group
            group, size = [], 0
        group.append(n)
        size += entry.size()
    if group:
        yield group
