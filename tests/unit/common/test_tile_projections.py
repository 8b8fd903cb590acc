"""poche_common.tiles.write_projections: only changed projections are written; the catalogue example follows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from poche_common.dynamo import from_item
from poche_common.tiles import Entry, Projection, write_projections

TABLE = "tiles-test"


class Counting:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.client, name)

        def call(**kwargs: Any) -> Any:
            self.calls.append(name)
            return attribute(**kwargs)

        return call


@pytest.fixture
def client() -> Iterator[Counting]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="eu-west-3")
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield Counting(dynamodb)


def stored(client: Counting, pk: str, sk: str) -> dict[str, Any] | None:
    item = client.client.get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}}).get("Item")
    return from_item(item) if item else None


def example_key(client: Counting) -> str | None:
    example = stored(client, "TILE#news", "EXAMPLE")
    return str(example["key"]) if example else None


def news(commune: str, *ids: str) -> Projection:
    entries = [Entry(id=i, order=f"2026-11-{10 + n}T08:00:00+00:00", view={"id": i}) for n, i in enumerate(ids)]
    return Projection({"commune": commune} if commune != "general" else {}, {}, entries)


def test_changed_projections_are_written_in_order_and_unchanged_ones_are_not(client: Counting) -> None:
    assert (
        write_projections(
            client, TABLE, "news", {"61001": news("61001", "b", "a")}, now_iso="2026-11-30T08:00:00+00:00"
        )
        == 2
    )
    item = stored(client, "TILE#news#61001", "CONTENT")
    assert item is not None
    assert [e["id"] for e in item["entries"]] == ["b", "a"]  # by order: b was published first
    assert item["params"] == {"commune": "61001"} and item["updated_at"] == "2026-11-30T08:00:00+00:00"

    client.calls.clear()
    assert write_projections(client, TABLE, "news", {"61001": news("61001", "b", "a")}) == 0
    assert client.calls == ["batch_get_item"]
    assert write_projections(client, TABLE, "news", {}) == 0


def test_the_example_names_a_tile_with_entries_and_params_and_moves_when_it_empties(client: Counting) -> None:
    write_projections(client, TABLE, "news", {"general": news("general", "g"), "61001": news("61001")})
    assert stored(client, "TILE#news", "EXAMPLE") is None  # `general` alone is no tile; 61001 is empty

    write_projections(client, TABLE, "news", {"61006": news("61006", "x")})
    example = stored(client, "TILE#news", "EXAMPLE")
    assert example is not None and example["key"] == "61006" and example["params"] == {"commune": "61006"}

    write_projections(client, TABLE, "news", {"61001": news("61001", "y")})
    assert example_key(client) == "61006"  # stable while it has entries

    write_projections(client, TABLE, "news", {"61006": news("61006"), "61050": news("61050", "z")})
    assert example_key(client) == "61050"
    emptied = stored(client, "TILE#news#61006", "CONTENT")
    assert emptied is not None and emptied["entries"] == []  # emptied, never deleted


def test_views_with_floats_are_stored_as_numbers(client: Counting) -> None:
    entry = Entry(id="e", order="1", view={"lat": 48.4305, "lon": -0.0913, "nested": [{"km": 1.5}]})
    write_projections(client, TABLE, "traffic", {"61001": Projection({"commune": "61001"}, {}, [entry])})
    item = stored(client, "TILE#traffic#61001", "CONTENT")
    assert item is not None and item["entries"][0]["view"] == {"lat": 48.4305, "lon": -0.0913, "nested": [{"km": 1.5}]}
