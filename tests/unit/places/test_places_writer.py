"""The shared places writer (`places_shared.writer`) alone, over an in-memory fake of DynamoDB: the items of a record
(optional fields, indexes, commune resolution, a record that cannot be listed), and the diff (unchanged, changed,
absent within and out of scope, rejected, unattributed) with its `before_write` hook."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from dynamo_fake import FakeDynamo

from places_shared import keys
from places_shared.model import PlaceRecord
from places_shared.writer import Change, PlaceWriter, place_item
from poche_common import geo
from poche_common.dynamo import content_digest, from_item, to_item

PLACES = "Places"
CONNECTOR = "places-test"
ALENCON = (48.4310004, 0.08980049)  # in Alençon (61001), rounded to 6 decimals in the item


class PlacesDynamo(FakeDynamo):
    """The Places table, queried only on the `by_origin` index (`gsi4pk`)."""

    def __init__(self) -> None:
        super().__init__(PLACES, origin_index=keys.BY_ORIGIN_INDEX, origin_key="gsi4pk", table_queries=False)

    def places(self) -> dict[str, dict[str, Any]]:
        return {pk.removeprefix("PLACE#"): item for pk, item in self.rows(keys.PLACE).items()}


def record(source_id: str, commune: str | None = "61001", **fields: Any) -> PlaceRecord:
    lat, lon = fields.pop("position", ALENCON)
    base: dict[str, Any] = {
        "source": "test",
        "source_id": source_id,
        "category": "car_park",
        "name": f"Parking {source_id}",
        "licence": "Licence Ouverte 2.0",
        "commune": commune,
        "lat": lat,
        "lon": lon,
    }
    return PlaceRecord(**{**base, **fields})


class World:
    """The fake table and a writer over it; `sync` records what `before_write` was given."""

    def __init__(self, in_scope: Any = None, dynamo: PlacesDynamo | None = None) -> None:
        self.dynamo = dynamo or PlacesDynamo()
        self.writer = (
            PlaceWriter(self.dynamo, PLACES, CONNECTOR)
            if in_scope is None
            else PlaceWriter(self.dynamo, PLACES, CONNECTOR, in_scope=in_scope)
        )
        self.announced: list[list[Change]] = []

    def sync(self, *records: PlaceRecord, **kwargs: Any) -> list[Change]:
        self.dynamo.calls.clear()
        return self.writer.sync(records, self.announced.append, **kwargs)


FULL = record(
    "p1",
    address="Place du Plénitre, 61000 Alençon",
    phone="0233000000",
    hours="Mo-Sa 08:00-20:00",
    web="https://example.org/p1",
    accessibility="accessible en fauteuil roulant",
    details=(("places", "120"), ("covered", "oui")),
)


def test_the_item_of_a_record_with_every_optional_field() -> None:
    item = place_item(FULL, CONNECTOR)
    content = {
        "id": "test:p1",
        "source": "test",
        "licence": "Licence Ouverte 2.0",
        "category": "car_park",
        "name": "Parking p1",
        "commune": "61001",
        "lat": 48.431,
        "lon": 0.0898,
        "address": "Place du Plénitre, 61000 Alençon",
        "phone": "0233000000",
        "hours": "Mo-Sa 08:00-20:00",
        "web": "https://example.org/p1",
        "accessibility": "accessible en fauteuil roulant",
        "details": {"places": "120", "covered": "oui"},
    }
    assert item == {
        "pk": "PLACE#test:p1",
        "sk": "PLACE",
        **content,
        "lat": Decimal("48.431"),
        "lon": Decimal("0.0898"),
        "digest": content_digest(content),
        "origin": CONNECTOR,
        "gsi1pk": keys.cell_gsi(geo.encode(48.431, 0.0898, keys.CELL_PRECISION)),
        "gsi1sk": "car_park#test:p1",
        "gsi2pk": keys.area_gsi(geo.encode(48.431, 0.0898, keys.AREA_PRECISION)),
        "gsi2sk": "car_park#test:p1",
        "gsi3pk": "COMMUNE#61001",
        "gsi3sk": "car_park#parking p1#test:p1",
        "gsi4pk": "ORIGIN#places-test",
        "gsi4sk": "test:p1",
    }
    wire = to_item(item)
    assert wire["details"] == {"M": {"places": {"S": "120"}, "covered": {"S": "oui"}}}
    assert (wire["lat"], wire["lon"]) == ({"N": "48.431"}, {"N": "0.0898"})


def test_the_optional_fields_are_stored_only_when_given() -> None:
    item = place_item(record("p2", address="", phone=None), CONNECTOR)
    assert not {"address", "phone", "hours", "web", "accessibility", "details"} & set(item)
    # the digest of a record without the later fields is that of the original content (None included)
    content = {
        "id": "test:p2",
        "source": "test",
        "licence": "Licence Ouverte 2.0",
        "category": "car_park",
        "name": "Parking p2",
        "commune": "61001",
        "lat": 48.431,
        "lon": 0.0898,
        "address": None,
        "phone": None,
    }
    assert item["digest"] == content_digest(content)


def test_a_record_without_a_position_is_listed_by_commune_only() -> None:
    item = place_item(record("p3", commune="61038", position=(None, None)), CONNECTOR)
    assert {k: v for k, v in item.items() if k.startswith("gsi")} == {
        "gsi3pk": "COMMUNE#61038",
        "gsi3sk": "car_park#parking p3#test:p3",
        "gsi4pk": "ORIGIN#places-test",
        "gsi4sk": "test:p3",
    }
    assert "lat" not in item and "lon" not in item and item["commune"] == "61038"


def test_the_commune_is_resolved_from_the_position() -> None:
    assert place_item(record("p4", commune=None), CONNECTOR)["commune"] == "61001"  # none given
    merged = place_item(record("p4", commune="61999"), CONNECTOR)  # not a commune of the Orne (any more)
    assert (merged["commune"], merged["gsi3pk"]) == ("61001", "COMMUNE#61001")
    assert place_item(record("p4", commune="61999", position=(None, None)), CONNECTOR)["commune"] == "61999"
    assert place_item(record("p4", commune="14762"), CONNECTOR)["commune"] == "14762"  # the reference cannot tell
    outside = place_item(record("p4", commune=None, position=(45.0, 5.0)), CONNECTOR)  # none, and out of reach
    assert "commune" not in outside and "gsi3pk" not in outside and "gsi1pk" in outside


def test_a_record_without_commune_nor_position_is_refused() -> None:
    nowhere = record("p5", commune=None, position=(None, None))
    with pytest.raises(ValueError, match="test:p5"):
        place_item(nowhere, CONNECTOR)
    world = World()
    world.sync(record("p1"))
    with pytest.raises(ValueError, match="test:p5"):
        world.sync(record("p6"), nowhere)
    assert world.dynamo.calls == [] and world.announced == [[Change("test:p1", "created", "car_park", "61001")]]
    assert sorted(world.dynamo.places()) == ["test:p1"]


def test_a_first_sync_creates_and_announces_once() -> None:
    world = World()
    changes = world.sync(FULL, record("p2", commune="61038", position=(None, None)))
    assert changes == [
        Change("test:p1", "created", "car_park", "61001"),
        Change("test:p2", "created", "car_park", "61038"),
    ]
    assert world.announced == [changes]
    assert world.dynamo.calls == [("Query", PLACES), ("BatchWriteItem", PLACES)]
    assert world.dynamo.places()["test:p1"] == from_item(to_item(place_item(FULL, CONNECTOR)))
    assert changes[0].as_fact() == {"id": "test:p1", "change": "created", "category": "car_park", "commune": "61001"}
    assert Change("x:1", "deleted", "car_park", None).as_fact() == {
        "id": "x:1",
        "change": "deleted",
        "category": "car_park",
    }


def test_unchanged_records_write_nothing_and_announce_nothing() -> None:
    world = World()
    world.sync(FULL, record("p2"))
    world.announced.clear()
    assert world.sync(FULL, record("p2")) == []
    assert world.dynamo.calls == [("Query", PLACES)]  # one Query on by_origin, nothing else
    assert world.announced == []


def test_a_changed_record_is_put() -> None:
    world = World()
    world.sync(FULL, record("p2"))
    world.announced.clear()
    changes = world.sync(FULL._replace(hours="Mo-Fr 08:00-18:00"), record("p2"))
    assert changes == [Change("test:p1", "updated", "car_park", "61001")]
    assert world.announced == [changes] and world.dynamo.writes() == [("BatchWriteItem", PLACES)]
    assert world.dynamo.places()["test:p1"]["hours"] == "Mo-Fr 08:00-18:00"
    world.sync(FULL._replace(hours=None), record("p2"))
    assert "hours" not in world.dynamo.places()["test:p1"]


def test_an_absent_place_is_deleted_only_within_the_scope() -> None:
    world = World(in_scope=lambda commune: commune.startswith("61"))
    world.sync(record("orne"), record("calvados", commune="14762", position=(48.84, -0.89)))
    world.announced.clear()
    changes = world.sync()
    assert changes == [Change("test:orne", "deleted", "car_park", "61001")]
    assert world.announced == [changes]
    assert sorted(world.dynamo.places()) == ["test:calvados"]  # out of scope: left as it is
    everywhere = World(dynamo=world.dynamo)  # the default scope: every place the connector wrote
    assert everywhere.sync() == [Change("test:calvados", "deleted", "car_park", "14762")]
    assert world.dynamo.places() == {}


def test_another_connectors_places_are_never_read_nor_deleted() -> None:
    world = World()
    world.sync(record("p1"))
    other = PlaceWriter(world.dynamo, PLACES, "places-other")
    assert other.stored() == {}
    assert other.sync([]) == []
    assert sorted(world.dynamo.places()) == ["test:p1"]


def test_rejected_places_are_kept() -> None:
    world = World()
    world.sync(record("p1"), record("p2"), record("p3"))
    before = dict(world.dynamo.tables[PLACES][("PLACE#test:p2", keys.PLACE)])
    changes = world.sync(record("p3"), rejected={"test:p2"})
    assert changes == [Change("test:p1", "deleted", "car_park", "61001")]
    assert world.dynamo.tables[PLACES][("PLACE#test:p2", keys.PLACE)] == before


def test_an_unattributed_rejection_deletes_nothing() -> None:
    world = World()
    world.sync(record("p1"), record("p2"))
    world.announced.clear()
    changes = world.sync(record("p2", phone="0233000001"), record("p3"), unattributed=True)
    assert changes == [
        Change("test:p2", "updated", "car_park", "61001"),
        Change("test:p3", "created", "car_park", "61001"),
    ]
    assert world.announced == [changes]
    assert sorted(world.dynamo.places()) == ["test:p1", "test:p2", "test:p3"]


def test_before_write_sees_the_changes_before_anything_is_written() -> None:
    dynamo = PlacesDynamo()
    seen: list[tuple[list[Change], list[tuple[str, str]]]] = []
    writer = PlaceWriter(dynamo, PLACES, CONNECTOR)
    writer.sync([record("p1")], lambda changes: seen.append((changes, list(dynamo.calls))))
    assert seen == [([Change("test:p1", "created", "car_park", "61001")], [("Query", PLACES)])]
    assert dynamo.calls == [("Query", PLACES), ("BatchWriteItem", PLACES)]
    assert writer.sync([record("p1")]) == []  # without a hook too
