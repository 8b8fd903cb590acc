"""The `canteen-menu` tile projection built by the canteen-menus-scdl connector (pure builder and its reads)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from canteen_menus_scdl.model import Canteen, Dish, Meal
from canteen_menus_scdl.store import canteen_item, meal_item
from canteen_menus_scdl.tiles import HORIZON_DAYS, MenuProjector, canteen_projection, day_entries, end_of_day
from canteen_shared.views import canteen_view, meal_view
from poche_common.dynamo import from_item, to_item

UTC = dt.UTC
CANTEEN = Canteen(
    id="0611047G",
    name="Collège Louise Michel",
    kind="college",
    commune="61001",
    id_type="uai",
    organisation="Département de l'Orne",
    organisation_siret="22610001400019",
)
SOUP = Dish(name="Velouté de potiron", course="entree", labels=("bio",))
STEW = Dish(name="Blanquette de veau", course="plat_principal", allergens=("lait",))
APPLE = Dish(name="Pomme", course="dessert")


def meal(date: str, kind: str = "dejeuner", dishes: tuple[Dish, ...] = (SOUP, STEW)) -> dict[str, Any]:
    published = dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    return meal_item(Meal("0611047G", dt.date.fromisoformat(date), kind, dishes, published_at=published))


@pytest.mark.parametrize(
    ("date", "until"),
    [
        ("2026-11-30", "2026-11-30T23:00:00+00:00"),  # winter: Paris is UTC+1
        ("2026-07-01", "2026-07-01T22:00:00+00:00"),  # summer: UTC+2
        ("2026-10-25", "2026-10-25T23:00:00+00:00"),  # a 25-hour day: ends in winter time
        ("2027-03-28", "2027-03-28T22:00:00+00:00"),  # a 23-hour day: ends in summer time
    ],
)
def test_a_day_ends_at_midnight_in_paris(date: str, until: str) -> None:
    assert end_of_day(dt.date.fromisoformat(date)) == until


def test_one_entry_per_day_with_a_menu_from_today_in_date_order() -> None:
    meals = [
        meal("2026-12-04"),
        meal("2026-12-01"),  # yesterday: left out
        meal("2026-12-03", "gouter", (APPLE,)),
        meal("2026-12-03"),
        meal("2026-12-02"),  # today: kept
    ]

    entries = day_entries(meals, dt.date(2026, 12, 2))

    assert [(e.id, e.order, e.until) for e in entries] == [
        ("2026-12-02", "2026-12-02", "2026-12-02T23:00:00+00:00"),
        ("2026-12-03", "2026-12-03", "2026-12-03T23:00:00+00:00"),
        ("2026-12-04", "2026-12-04", "2026-12-04T23:00:00+00:00"),
    ]
    lunch_and_snack = entries[1].view
    assert lunch_and_snack == {
        "date": "2026-12-03",
        "meals": [meal_view(meal("2026-12-03")), meal_view(meal("2026-12-03", "gouter", (APPLE,)))],
    }
    assert [m["meal"] for m in lunch_and_snack["meals"]] == ["dejeuner", "gouter"]  # as the menus list orders them
    first_course = lunch_and_snack["meals"][0]["courses"][0]
    assert first_course["dishes"][0] == {
        "name": "Velouté de potiron",
        "labels": [{"code": "bio", "label": "Agriculture biologique"}],
        "local_labels": [],
        "regimes": [],
        "allergens": [],
    }
    assert lunch_and_snack["meals"][0]["published_at"] == "2026-11-20T10:00:00+01:00"  # shown in Paris time


def test_days_beyond_the_horizon_are_left_out() -> None:
    today = dt.date(2026, 12, 2)
    last = today + dt.timedelta(days=HORIZON_DAYS)
    meals = [meal(last.isoformat()), meal((last + dt.timedelta(days=1)).isoformat())]
    assert [e.id for e in day_entries(meals, today)] == [last.isoformat()]


def test_the_projection_heads_with_the_canteen_as_its_endpoint_shows_it() -> None:
    profile = canteen_item(CANTEEN)

    projection = canteen_projection(profile, [meal("2026-12-03")], dt.date(2026, 12, 2))

    assert projection.params == {"canteen_id": "0611047G"}
    assert projection.head == {"canteen": canteen_view(profile)}
    assert projection.head["canteen"] == {
        "id": "0611047G",
        "name": "Collège Louise Michel",
        "type": "college",
        "type_label": "Collège",
        "commune": "61001",
        "organisation": "Département de l'Orne",
    }
    assert [e.id for e in projection.entries] == ["2026-12-03"]


def test_a_canteen_without_upcoming_menus_has_an_empty_projection() -> None:
    projection = canteen_projection(canteen_item(CANTEEN), [meal("2026-11-30")], dt.date(2026, 12, 2))
    assert projection.entries == [] and projection.head["canteen"]["id"] == "0611047G"


class FakeDynamo:
    """Just enough of the DynamoDB client: Query answers from `meals`, BatchGetItem finds nothing."""

    def __init__(self, meals: list[dict[str, Any]]) -> None:
        self.meals = meals
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("query", kwargs))
        values = from_item(kwargs["ExpressionAttributeValues"])
        found = [m for m in self.meals if m["pk"] == values[":pk"] and values[":from"] <= m["sk"] <= values[":to"]]
        return {"Items": [to_item(m) for m in found]}

    def batch_get_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("batch_get_item", kwargs))
        return {"Responses": {}}

    def batch_write_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("batch_write_item", kwargs))
        return {}


def test_the_projector_reads_from_today_in_paris_consistently_and_writes_the_projection() -> None:
    client = FakeDynamo([meal("2026-12-01"), meal("2026-12-03")])
    now = dt.datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # already Tuesday 1 December in Paris

    written = MenuProjector(client, "t").project({"0611047G": canteen_item(CANTEEN)}, now)

    query = client.calls[0][1]
    assert from_item(query["ExpressionAttributeValues"]) == {
        ":pk": "CANTEEN#0611047G",
        ":from": "MEAL#2026-12-01",
        ":to": f"MEAL#{(dt.date(2026, 12, 1) + dt.timedelta(days=HORIZON_DAYS)).isoformat()}#~",
    }
    assert query["ConsistentRead"] is True  # right after the run's own writes
    assert [name for name, _ in client.calls] == ["query", "batch_get_item", "batch_write_item"]
    puts = [r["PutRequest"]["Item"] for r in client.calls[2][1]["RequestItems"]["t"]]
    content, example = (from_item(p) for p in puts)
    assert (content["pk"], content["sk"]) == ("TILE#canteen-menu#0611047G", "CONTENT")
    assert [e["id"] for e in content["entries"]] == ["2026-12-01", "2026-12-03"]
    assert content["updated_at"] == "2026-11-30T23:30:00+00:00"
    assert (example["pk"], example["sk"], example["key"]) == ("TILE#canteen-menu", "EXAMPLE", "0611047G")
    assert written == 2


def test_no_canteen_no_read() -> None:
    client = FakeDynamo([])
    assert MenuProjector(client, "t").project({}, dt.datetime(2026, 12, 2, tzinfo=UTC)) == 0
    assert client.calls == []
