"""poche_common.ledger: digests of what the last run wrote, read in one Query, written chunked and packed."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from poche_common.dynamo import batch_write, from_item
from poche_common.ledger import (
    LEDGER_CHUNK_BYTES,
    LEDGER_PREFIX,
    Key,
    Known,
    Ledger,
    payload_digest,
    save_payload_state,
)

TABLE = "poche-dev-transit"
REGION = "eu-west-3"
PK = "FEED#transit-test"
NOW_ISO = "2026-12-01T08:00:00+00:00"


class CountingClient:
    """The DynamoDB client, counting its queries."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.queries = 0

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.queries += 1
        return self.client.query(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


@pytest.fixture
def client() -> Iterator[CountingClient]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield CountingClient(dynamodb)


def entries(count: int, start: int = 0) -> dict[Key, Known]:
    return {(f"TRIP#t{n:05d}", "RT#2026-12-01"): Known(f"{n:016x}", 1_764_576_000 + n) for n in range(start, count)}


def chunks(client: CountingClient) -> list[dict[str, Any]]:
    page = client.client.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :d)",
        ExpressionAttributeValues={":pk": {"S": PK}, ":d": {"S": LEDGER_PREFIX}},
    )
    return [from_item(item) for item in page["Items"]]


def write(client: CountingClient, ledger: Ledger, known: dict[Key, Known]) -> list[dict[str, Any]]:
    requests = ledger.requests(known, now_iso=NOW_ISO)
    batch_write(client, TABLE, requests)
    return requests


def test_empty_ledger_reads_as_nothing(client: CountingClient) -> None:
    ledger = Ledger(client, TABLE, PK)
    assert ledger.read() == {}
    assert ledger.chunk_keys == []
    assert client.queries == 1


def test_round_trip_in_one_query(client: CountingClient) -> None:
    known = entries(500)
    write(client, Ledger(client, TABLE, PK), known)
    stored = chunks(client)
    assert [c["sk"] for c in stored] == ["DIGESTS#0"]
    assert stored[0]["count"] == 500 and stored[0]["chunks"] == 1 and stored[0]["written_at"] == NOW_ISO
    assert len(stored[0]["entries"].value) < 500 * 40  # packed

    client.queries = 0
    reader = Ledger(client, TABLE, PK)
    back = reader.read()
    assert back == known
    assert all(type(k.expires_at) is int for k in back.values())
    assert reader.chunk_keys == ["DIGESTS#0"]
    assert client.queries == 1


def test_an_empty_ledger_is_written_as_one_empty_chunk(client: CountingClient) -> None:
    write(client, Ledger(client, TABLE, PK), {})
    assert [(c["sk"], c["count"]) for c in chunks(client)] == [("DIGESTS#0", 0)]
    assert Ledger(client, TABLE, PK).read() == {}


def test_chunks_over_the_size_limit_with_the_head_written_last(client: CountingClient) -> None:
    known = entries(100)
    line_bytes = len(f"TRIP#t00000\tRT#2026-12-01\t{0:016x}\t1764576000") + 1
    ledger = Ledger(client, TABLE, PK, chunk_bytes=line_bytes * 30)
    requests = write(client, ledger, known)
    sks = [r["PutRequest"]["Item"]["sk"]["S"] for r in requests]
    assert sks == ["DIGESTS#3", "DIGESTS#2", "DIGESTS#1", "DIGESTS#0"]  # DIGESTS#0 names the generation: last
    stored = {c["sk"]: c for c in chunks(client)}
    assert [stored[sk]["count"] for sk in sorted(stored)] == [30, 30, 30, 10]
    assert {c["chunks"] for c in stored.values()} == {4}
    assert len({c["generation"] for c in stored.values()}) == 1
    for chunk in stored.values():
        assert len(zlib.decompress(chunk["entries"].value).decode()) + 1 <= line_bytes * 30
    assert Ledger(client, TABLE, PK).read() == known


def test_default_chunk_size_keeps_items_under_dynamodb_limit() -> None:
    known = {
        (f"TRIP#{'x' * 40}{n:06d}", "RT#2026-12-01"): Known("0123456789abcdef", 1_764_576_000) for n in range(12_000)
    }
    requests = Ledger(None, TABLE, PK).requests(known, now_iso=NOW_ISO)
    assert len(requests) > 1
    for request in requests:
        raw = zlib.decompress(request["PutRequest"]["Item"]["entries"]["B"])
        assert len(raw) <= LEDGER_CHUNK_BYTES


def test_leftover_chunks_of_a_longer_ledger_are_deleted(client: CountingClient) -> None:
    line_bytes = len(f"TRIP#t00000\tRT#2026-12-01\t{0:016x}\t1764576000") + 1
    first = Ledger(client, TABLE, PK, chunk_bytes=line_bytes * 10)
    first.read()
    write(client, first, entries(35))
    assert sorted(c["sk"] for c in chunks(client)) == ["DIGESTS#0", "DIGESTS#1", "DIGESTS#2", "DIGESTS#3"]

    second = Ledger(client, TABLE, PK, chunk_bytes=line_bytes * 10)
    assert second.read() == entries(35)
    requests = write(client, second, entries(12))
    deleted = [r["DeleteRequest"]["Key"]["sk"]["S"] for r in requests if "DeleteRequest" in r]
    assert deleted == ["DIGESTS#2", "DIGESTS#3"]
    assert sorted(c["sk"] for c in chunks(client)) == ["DIGESTS#0", "DIGESTS#1"]
    assert Ledger(client, TABLE, PK).read() == entries(12)


def test_chunks_of_another_generation_are_ignored(client: CountingClient) -> None:
    line_bytes = len(f"TRIP#t00000\tRT#2026-12-01\t{0:016x}\t1764576000") + 1
    ledger = Ledger(client, TABLE, PK, chunk_bytes=line_bytes * 10)
    write(client, ledger, entries(20))
    # A later run stopped halfway: it wrote DIGESTS#1 of its own generation, never DIGESTS#0.
    stopped = ledger.requests(entries(40, start=20), now_iso=NOW_ISO)
    batch_write(client, TABLE, [r for r in stopped if r["PutRequest"]["Item"]["sk"]["S"] == "DIGESTS#1"])
    assert Ledger(client, TABLE, PK).read() == entries(10)  # DIGESTS#0 of the first run, alone of its generation


def test_other_feeds_ledgers_are_not_read(client: CountingClient) -> None:
    write(client, Ledger(client, TABLE, "FEED#other"), entries(5))
    assert Ledger(client, TABLE, PK).read() == {}


class PagedClient:
    """Answers the ledger's Query one item a page."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.calls: list[dict[str, Any]] = []

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        start = int(kwargs.get("ExclusiveStartKey", {}).get("n", -1)) + 1
        page: dict[str, Any] = {"Items": self.items[start : start + 1]}
        if start + 1 < len(self.items):
            page["LastEvaluatedKey"] = {"n": start}
        return page


def test_a_ledger_over_several_pages_is_read_whole() -> None:
    line_bytes = len(f"TRIP#t00000\tRT#2026-12-01\t{0:016x}\t1764576000") + 1
    requests = Ledger(None, TABLE, PK, chunk_bytes=line_bytes * 10).requests(entries(25), now_iso=NOW_ISO)
    paged = PagedClient([r["PutRequest"]["Item"] for r in requests])
    reader = Ledger(paged, TABLE, PK)
    assert reader.read() == entries(25)
    assert len(paged.calls) == 3
    assert reader.chunk_keys == ["DIGESTS#0", "DIGESTS#1", "DIGESTS#2"]


def test_payload_digest_depends_on_content_order_and_boundaries() -> None:
    assert payload_digest([b"ab", b"c"]) == payload_digest([b"ab", b"c"])
    assert len(payload_digest([b"ab", b"c"])) == 32
    assert payload_digest([b"ab", b"c"]) != payload_digest([b"a", b"bc"])
    assert payload_digest([b"ab", b"c"]) != payload_digest([b"c", b"ab"])
    assert payload_digest([]) != payload_digest([b""])


def test_save_payload_state_keeps_the_rest_of_state(client: CountingClient) -> None:
    client.put_item(TableName=TABLE, Item={"pk": {"S": PK}, "sk": {"S": "STATE"}, "fetched_at": {"S": NOW_ISO}})
    save_payload_state(client, TABLE, PK, "d1", "2026-12-01T07:59:30+00:00")
    save_payload_state(client, TABLE, PK, "d2", None)
    state = from_item(client.get_item(TableName=TABLE, Key={"pk": {"S": PK}, "sk": {"S": "STATE"}})["Item"])
    assert state == {
        "pk": PK,
        "sk": "STATE",
        "fetched_at": NOW_ISO,
        "payload_digest": "d2",
        "feed_timestamp": "2026-12-01T07:59:30+00:00",
    }
