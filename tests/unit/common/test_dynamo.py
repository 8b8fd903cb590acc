"""poche_common.dynamo: plain dicts <-> attribute values, batched writes with retries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from poche_common import dynamo
from poche_common.dynamo import batch_write, from_item, to_item

TABLE = "poche-dev-canteen"


def test_round_trip_nested() -> None:
    data: dict[str, Any] = {
        "pk": "CANTEEN#C1",
        "sk": "MENU#2026-12-01",
        "count": 3,
        "big": 12_345_678_901,
        "ratio": Decimal("0.25"),
        "flag": True,
        "dishes": [{"name": "Soupe", "tags": ["bio", "local"], "rank": 1}, {"name": "Pain", "rank": 2}],
        "meta": {"source": {"url": "bundled", "rows": [1, 2, 3]}},
        "empty_list": [],
    }
    back = from_item(to_item(data))
    assert back == {**data, "ratio": 0.25}
    assert type(back["count"]) is int
    assert type(back["big"]) is int
    assert type(back["dishes"][0]["rank"]) is int
    assert type(back["meta"]["source"]["rows"][2]) is int
    assert type(back["ratio"]) is float


def test_to_item_shape_and_none_dropped() -> None:
    item = to_item({"pk": "A", "n": 1, "gone": None, "m": {"k": ["x"]}})
    assert item == {"pk": {"S": "A"}, "n": {"N": "1"}, "m": {"M": {"k": {"L": [{"S": "x"}]}}}}
    assert "gone" not in from_item(item)


def test_from_item_sets_come_back_sorted() -> None:
    assert from_item({"s": {"SS": ["b", "a"]}, "n": {"NS": ["3", "1"]}}) == {"s": ["a", "b"], "n": [1, 3]}


class FakeDynamo:
    """Records batch_write_item calls; answers with scripted UnprocessedItems."""

    def __init__(self, unprocessed: list[int] | None = None, always: bool = False) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.unprocessed = list(unprocessed or [])  # per call: how many of the batch to leave
        self.always = always

    def batch_write_item(self, RequestItems: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        assert list(RequestItems) == [TABLE]
        batch = RequestItems[TABLE]
        assert 1 <= len(batch) <= 25
        self.calls.append(list(batch))
        left = len(batch) if self.always else (self.unprocessed.pop(0) if self.unprocessed else 0)
        if left:
            return {"UnprocessedItems": {TABLE: batch[-left:]}}
        return {"UnprocessedItems": {}}


def puts(n: int) -> list[dict[str, Any]]:
    return [{"PutRequest": {"Item": to_item({"pk": f"P{i}", "sk": "S"})}} for i in range(n)]


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(dynamo.time, "sleep", recorded.append)
    return recorded


@pytest.mark.parametrize(("n", "sizes"), [(0, []), (1, [1]), (25, [25]), (26, [25, 1]), (60, [25, 25, 10])])
def test_batches_of_at_most_25(n: int, sizes: list[int], sleeps: list[float]) -> None:
    client = FakeDynamo()
    requests = puts(n)
    assert batch_write(client, TABLE, iter(requests)) == n
    assert [len(c) for c in client.calls] == sizes
    assert [r for call in client.calls for r in call] == requests
    assert sleeps == []


def test_unprocessed_items_are_retried(sleeps: list[float]) -> None:
    client = FakeDynamo(unprocessed=[3])
    requests = puts(10)
    assert batch_write(client, TABLE, requests) == 10
    assert [len(c) for c in client.calls] == [10, 3]
    assert client.calls[1] == requests[-3:]
    assert len(sleeps) == 1 and sleeps[0] > 0


def test_retries_back_off(sleeps: list[float]) -> None:
    client = FakeDynamo(unprocessed=[5, 4, 2])
    assert batch_write(client, TABLE, puts(30)) == 30
    assert [len(c) for c in client.calls] == [25, 5, 4, 2, 5]
    assert sleeps == sorted(sleeps) and sleeps[0] < sleeps[-1]


def test_gives_up_after_attempts(sleeps: list[float]) -> None:
    client = FakeDynamo(always=True)
    with pytest.raises(RuntimeError, match=f"3 writes to {TABLE} still unprocessed after 4 attempts"):
        batch_write(client, TABLE, puts(3), attempts=4)
    assert len(client.calls) == 4
    assert max(sleeps) <= 2.0
