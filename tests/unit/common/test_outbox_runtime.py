"""poche_common.outbox and the runtime's use of it (issue 9, defect 6), with in-memory fakes of DynamoDB and the
bus: an event is staged before the data it describes, sent once, with the same id and envelope on every attempt."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from poche_common.connector import EventsNotSentError, Outcome, RunLog, RunReport, run_connector
from poche_common.errors import FeedFormatError
from poche_common.events import HEADLINE_MAX, MAX_ENTRY_BYTES, TITLES_BUDGET_BYTES, headline, with_titles
from poche_common.observability import metrics
from poche_common.outbox import OUTBOX_PK, PENDING, READY, Outbox, write_with_events

T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
GRACE = 180


class ConditionalCheckFailedException(Exception):
    pass


class FakeDynamo:
    """put_item (with the two conditions the outbox uses), get_item, query on pk, batch_write_item and
    transact_write_items on plain dicts of wire items."""

    class exceptions:  # mirrors boto3's client.exceptions
        ConditionalCheckFailedException = ConditionalCheckFailedException

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.calls: list[str] = []

    @staticmethod
    def _key(item: dict[str, Any]) -> tuple[str, str]:
        return item["pk"]["S"], item["sk"]["S"]

    def put_item(self, TableName: str, Item: dict[str, Any], ConditionExpression: str | None = None) -> dict[str, Any]:
        self.calls.append("PutItem")
        exists = self._key(Item) in self.items
        if (ConditionExpression == "attribute_not_exists(pk)" and exists) or (
            ConditionExpression == "attribute_exists(pk)" and not exists
        ):
            raise ConditionalCheckFailedException()
        self.items[self._key(Item)] = dict(Item)
        return {}

    def get_item(self, TableName: str, Key: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        self.calls.append("GetItem")
        item = self.items.get(self._key(Key))
        return {"Item": item} if item is not None else {}

    def query(self, TableName: str, ExpressionAttributeValues: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        self.calls.append("Query")
        pk = ExpressionAttributeValues[":pk"]["S"]
        return {"Items": [item for (p, _), item in sorted(self.items.items()) if p == pk]}

    def batch_write_item(self, RequestItems: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        self.calls.append("BatchWriteItem")
        for requests in RequestItems.values():
            for request in requests:
                if "DeleteRequest" in request:
                    self.items.pop(self._key(request["DeleteRequest"]["Key"]), None)
                else:
                    item = request["PutRequest"]["Item"]
                    self.items[self._key(item)] = item
        return {}

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append("TransactWriteItems")
        for action in TransactItems:
            item = action["Put"]["Item"]
            self.items[self._key(item)] = item
        return {}

    def outbox(self) -> list[dict[str, Any]]:
        return [item for (pk, _), item in sorted(self.items.items()) if pk == OUTBOX_PK]


class FakeBus:
    def __init__(self, refuse: int = 0, error: Exception | None = None) -> None:
        self.entries: list[dict[str, Any]] = []
        self.requests = 0
        self.refuse = refuse  # the next `refuse` entries are refused, one by one
        self.error = error  # every request fails as a whole

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.requests += 1
        if self.error is not None:
            raise self.error
        results: list[dict[str, Any]] = []
        for entry in Entries:
            if self.refuse:
                self.refuse -= 1
                results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "nope"})
            else:
                self.entries.append(entry)
                results.append({"EventId": str(uuid.uuid4())})
        return {"FailedEntryCount": sum(1 for r in results if "ErrorCode" in r), "Entries": results}

    def ids(self) -> list[str]:
        return [json.loads(e["Detail"])["id"] for e in self.entries]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(autouse=True)
def clean_metrics() -> Iterator[None]:
    metrics.clear()
    yield
    metrics.clear()


def outbox(
    dynamo: FakeDynamo, bus: FakeBus, clock: Clock, producer: str = "canteen-menus-scdl", source: str = "poche.canteen"
) -> Outbox:
    return Outbox(
        dynamo, "table", producer=producer, source=source, bus_name="bus", events_client=bus, grace_s=GRACE, clock=clock
    )


FACTS = {"connector": "canteen-menus-scdl", "canteen_ids": ["C1"], "dates": ["2026-12-01"]}


# ---------------------------------------------------------------- the outbox


def test_a_staged_event_waits_for_its_run_to_confirm_then_is_sent_once_and_forgotten() -> None:
    dynamo, bus, clock = FakeDynamo(), FakeBus(), Clock()
    box = outbox(dynamo, bus, clock)
    box.begin(base=lambda: "2026-11-29T09:00:00+00:00")
    event_id = box.stage("MenusUpdated", FACTS)
    [item] = dynamo.outbox()
    assert (item["sk"]["S"], item["state"]["S"], item["producer"]["S"]) == (event_id, PENDING, "canteen-menus-scdl")
    detail = json.loads(item["detail"]["S"])
    assert detail["id"] == event_id and detail["occurred_at"] == "2026-11-30T09:00:00+00:00"
    assert int(item["expires_at"]["N"]) == int((T0 + dt.timedelta(days=7)).timestamp())

    result = box.flush()  # another run of the domain, while this one writes: not sent yet
    assert (result.sent, result.waiting, bus.entries) == ([], 1, [])

    box.confirm()
    assert dynamo.outbox()[0]["state"]["S"] == READY
    result = box.flush()
    assert result.sent == [event_id] and bus.ids() == [event_id] and dynamo.outbox() == []
    assert bus.entries[0]["Source"] == "poche.canteen" and bus.entries[0]["DetailType"] == "MenusUpdated"
    assert box.flush().sent == [] and len(bus.entries) == 1


def test_a_pending_event_of_a_dead_run_is_sent_after_the_grace_by_any_producer_of_the_table() -> None:
    dynamo, bus, clock = FakeDynamo(), FakeBus(), Clock()
    dead = outbox(dynamo, bus, clock, producer="agenda-openagenda", source="poche.agenda")
    dead.begin(base=lambda: "")
    event_id = dead.stage("EventsUpdated", {"connector": "agenda-openagenda"})  # then the sandbox died
    other = outbox(dynamo, bus, clock, producer="agenda-cinema", source="poche.agenda")

    clock.now = T0 + dt.timedelta(seconds=GRACE - 1)
    assert other.flush().waiting == 1 and bus.entries == []
    clock.now = T0 + dt.timedelta(seconds=GRACE)
    assert other.flush().sent == [event_id]
    assert bus.entries[0]["Source"] == "poche.agenda" and json.loads(bus.entries[0]["Detail"])["id"] == event_id


def test_ids_come_from_the_base_and_the_facts_and_a_redone_run_keeps_the_first_envelope() -> None:
    dynamo, bus, clock = FakeDynamo(), FakeBus(), Clock()
    box = outbox(dynamo, bus, clock)
    box.begin(base=lambda: "run-1")
    first = box.stage("MenusUpdated", FACTS)
    assert uuid.UUID(first).version == 5

    clock.now = T0 + dt.timedelta(minutes=2)  # the same run redone (a Lambda retry): same base, same facts
    box.begin(base=lambda: "run-1")
    assert box.stage("MenusUpdated", FACTS) == first
    [item] = dynamo.outbox()
    assert json.loads(item["detail"]["S"])["occurred_at"] == "2026-11-30T09:00:00+00:00"  # the first one's

    box.begin(base=lambda: "run-2")  # a later run with the same change: another event
    assert box.stage("MenusUpdated", FACTS) != first
    box.begin(base=lambda: "run-1")
    assert box.stage("MenusUpdated", {**FACTS, "dates": ["2026-12-02"]}) != first
    box.begin()  # no base (an API write): random ids
    assert uuid.UUID(box.prepare("MenusUpdated", FACTS).id).version == 4


def test_the_base_is_read_once_per_run_and_only_when_an_event_is_staged() -> None:
    dynamo, bus, clock = FakeDynamo(), FakeBus(), Clock()
    box = outbox(dynamo, bus, clock)
    reads: list[int] = []

    def base() -> str:
        reads.append(1)
        return "run-1"

    box.begin(base=base)
    box.flush()
    assert reads == []
    box.stage("MenusUpdated", FACTS)
    box.stage("MenusUpdated", {**FACTS, "canteen_ids": ["C2"]})
    assert reads == [1]


def test_events_the_bus_refuses_stay_staged_the_others_are_deleted() -> None:
    dynamo, bus, clock = FakeDynamo(), FakeBus(refuse=1), Clock()
    box = outbox(dynamo, bus, clock)
    first = box.prepare("MenusUpdated", {"n": 1}, ready=True)
    clock.now = T0 + dt.timedelta(seconds=1)  # sent oldest first: `first`, refused, then `second`
    second = box.prepare("MenusUpdated", {"n": 2}, ready=True)
    write_with_events(dynamo, "table", [], [first, second])
    result = box.flush()
    assert result.failed == {first.id: "InternalFailure"} and result.sent == [second.id]
    assert [i["sk"]["S"] for i in dynamo.outbox()] == [first.id]
    assert box.flush().sent == [first.id] and dynamo.outbox() == []
    assert bus.ids() == [second.id, first.id]


def test_a_bus_outage_fails_the_requests_not_the_flush() -> None:
    dynamo, clock = FakeDynamo(), Clock()
    box = outbox(dynamo, FakeBus(error=ConnectionError("bus unreachable")), clock)
    staged = box.prepare("MenusUpdated", FACTS, ready=True)
    write_with_events(dynamo, "table", [], [staged])
    assert box.flush().failed == {staged.id: "ConnectionError"}
    assert len(dynamo.outbox()) == 1


def test_entries_are_sent_ten_and_at_most_256_kib_a_request_oldest_first() -> None:
    dynamo, bus, clock = FakeDynamo(), FakeBus(), Clock()
    box = outbox(dynamo, bus, clock)
    staged = []
    for n in range(25):
        clock.now = T0 + dt.timedelta(seconds=n)
        staged.append(box.prepare("Small", {"n": n}, ready=True))
    write_with_events(dynamo, "table", [], list(reversed(staged)))
    assert len(box.flush().sent) == 25 and bus.requests == 3
    assert bus.ids() == [s.id for s in staged]

    bus.requests = 0
    big = [box.prepare("Big", {"blob": "x" * 100_000, "n": n}, ready=True) for n in range(5)]
    write_with_events(dynamo, "table", [], big)
    assert len(box.flush().sent) == 5 and bus.requests == 3  # 2 + 2 + 1: each request under 256 KiB


def test_a_run_that_wrote_nothing_discards_its_pending_events() -> None:
    dynamo, bus, clock = FakeDynamo(), FakeBus(), Clock()
    box = outbox(dynamo, bus, clock)
    box.begin(base=lambda: "")
    box.stage("MenusUpdated", FACTS)
    box.discard()
    assert dynamo.outbox() == [] and box.staged == []


def test_an_event_the_bus_would_refuse_is_refused_before_anything_is_written() -> None:
    dynamo, bus, clock = FakeDynamo(), FakeBus(), Clock()
    box = outbox(dynamo, bus, clock)
    with pytest.raises(ValueError, match="exceeds the bus limit"):
        box.stage("Huge", {"blob": "x" * MAX_ENTRY_BYTES})
    with pytest.raises(ValueError, match="id"):
        box.stage("Forged", {"id": "mine"})
    assert dynamo.items == {}


def test_an_event_and_its_data_are_written_in_one_transaction() -> None:
    dynamo, bus, clock = FakeDynamo(), FakeBus(), Clock()
    box = outbox(dynamo, bus, clock)
    staged = box.prepare("RealtimeUpdated", FACTS, ready=True)
    head = {"pk": {"S": "FEED#transit-gtfs-rt"}, "sk": {"S": "DIGESTS#0"}}
    write_with_events(dynamo, "table", [head], [staged])
    assert dynamo.calls == ["TransactWriteItems"]
    assert set(dynamo.items) == {("FEED#transit-gtfs-rt", "DIGESTS#0"), (OUTBOX_PK, staged.id)}


# ---------------------------------------------------------------- the runtime


class FakeRuns(RunLog):
    def __init__(self) -> None:  # no client, no table
        self.reports: list[RunReport] = []
        self.started = "2026-11-29T09:00:00+00:00"

    def last_started(self) -> str:
        return self.started

    def record(self, report: RunReport) -> None:
        self.reports.append(report)


def run(box: Outbox, runs: FakeRuns, ingest: Any) -> RunReport:
    return run_connector(
        connector="canteen-menus-scdl",
        sources=["bundled"],
        fetch=lambda url: b"data",
        ingest=ingest,
        runs=runs,
        outbox=box,
    )


def test_a_run_stages_writes_records_then_sends() -> None:
    dynamo, bus, clock = FakeDynamo(), FakeBus(), Clock()
    box, runs = outbox(dynamo, bus, clock), FakeRuns()
    seen: list[str] = []

    def ingest(payloads: list[bytes]) -> Outcome:
        box.stage("MenusUpdated", FACTS)
        seen.append(dynamo.outbox()[0]["state"]["S"])  # staged before the writes, pending while they run
        return Outcome(read=1, changed=1)

    report = run(box, runs, ingest)
    assert report.status == "succeeded" and seen == [PENDING]
    assert len(bus.entries) == 1 and dynamo.outbox() == []
    assert metrics.pending()["EventsSent"] == 1


def test_a_refused_event_fails_the_invocation_after_the_run_is_recorded_and_the_retry_sends_it() -> None:
    dynamo, bus, clock = FakeDynamo(), FakeBus(refuse=1), Clock()
    box, runs = outbox(dynamo, bus, clock), FakeRuns()
    changes = [FACTS]

    def ingest(payloads: list[bytes]) -> Outcome:
        if changes:
            box.stage("MenusUpdated", changes.pop())
            return Outcome(read=1, changed=1)
        return Outcome(read=1)  # the retry: nothing left to write

    with pytest.raises(EventsNotSentError):
        run(box, runs, ingest)
    assert [r.status for r in runs.reports] == ["succeeded"]  # the data is written: the run says so
    [staged] = dynamo.outbox()
    assert staged["state"]["S"] == READY and metrics.pending()["EventsNotSent"] == 1

    run(box, runs, ingest)
    assert bus.ids() == [staged["sk"]["S"]] and dynamo.outbox() == []


def test_an_unusable_source_discards_the_runs_events_and_still_sends_what_is_owed() -> None:
    dynamo, bus, clock = FakeDynamo(), FakeBus(), Clock()
    box, runs = outbox(dynamo, bus, clock), FakeRuns()
    owed = box.prepare("MenusUpdated", {"owed": True}, ready=True)
    write_with_events(dynamo, "table", [], [owed])

    def ingest(payloads: list[bytes]) -> Outcome:
        box.stage("MenusUpdated", FACTS)
        raise FeedFormatError("not a CSV")

    report = run(box, runs, ingest)
    assert report.status == "failed"
    assert bus.ids() == [owed.id] and dynamo.outbox() == []


# ---------------------------------------------------------------- texts carried by events


def test_headline_is_one_bounded_line() -> None:
    assert headline("  Sortie\navancée\tà 15h  ") == "Sortie avancée à 15h"
    assert headline("\u202eevil\u2066 text\x00") == "evil text"
    assert headline("   ") is None and headline(None) is None and headline(42) is None
    long = headline("mot " * 100)
    assert long is not None and len(long) <= HEADLINE_MAX and long.endswith("mot…")
    assert headline("x" * 500, 10) == "xxxxxxxxx…"


def test_titles_of_an_event_are_kept_within_a_budget() -> None:
    entries = [{"id": str(n), "title": "é" * 200} for n in range(1000)]
    kept = with_titles(entries)
    titled = [e for e in kept if "title" in e]
    assert 0 < len(titled) < len(kept) and all(len(e["title"]) <= HEADLINE_MAX for e in titled)
    assert sum(len(e["title"].encode()) for e in titled) <= TITLES_BUDGET_BYTES
    assert [e["id"] for e in kept] == [str(n) for n in range(1000)]
    assert with_titles([{"id": "a", "title": " \n"}]) == [{"id": "a"}]
