"""Pure logic of the canteen slice: date ranges, freshness, stored shapes (no AWS)."""

from __future__ import annotations

import datetime as dt
from types import ModuleType

import pytest

from canteen_menus_scdl.model import Canteen, Dish, Meal
from canteen_menus_scdl.store import canteen_item, meal_item, name_key


@pytest.fixture
def service() -> ModuleType:
    """The service's rules: pure, imported with no environment."""
    from canteen import logic

    return logic


WEDNESDAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (None, None, ("2026-11-30", "2026-12-06")),  # this week, Monday to Sunday
        ("2026-12-10", None, ("2026-12-10", "2026-12-16")),
        (None, "2026-12-10", ("2026-12-04", "2026-12-10")),
        ("2026-12-01", "2026-12-31", ("2026-12-01", "2026-12-31")),  # 31 days is allowed
        ("2026-12-01", "2026-12-01", ("2026-12-01", "2026-12-01")),
    ],
)
def test_menu_range(service, first: str | None, last: str | None, expected: tuple[str, str]) -> None:
    parse = lambda value: dt.date.fromisoformat(value) if value else None  # noqa: E731
    first_day, last_day = service.menu_range(parse(first), parse(last), WEDNESDAY)
    assert (first_day.isoformat(), last_day.isoformat()) == expected


def test_menu_range_on_a_sunday_is_the_week_ending_that_day(service) -> None:
    first, last = service.menu_range(None, None, dt.date(2026, 12, 6))
    assert (first, last) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))


@pytest.mark.parametrize(
    ("first", "last", "words"), [("2026-12-02", "2026-12-01", "précède"), ("2026-12-01", "2027-01-01", "31")]
)
def test_menu_range_refusals(service, first: str, last: str, words: str) -> None:
    with pytest.raises(service.InvalidRequestError, match=words) as caught:
        service.menu_range(dt.date.fromisoformat(first), dt.date.fromisoformat(last), WEDNESDAY)
    assert caught.value.field == "to"


def test_freshness() -> None:
    from poche_common.clock import freshness

    now = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)
    assert freshness(None, 3600, now) == {"as_of": None, "stale": True}
    assert freshness("2026-12-02T11:30:00+00:00", 3600, now) == {"as_of": "2026-12-02T12:30:00+01:00", "stale": False}
    assert freshness("2026-12-02T10:59:59+00:00", 3600, now)["stale"] is True


def test_meal_item_groups_dishes_by_course_in_menu_order() -> None:
    meal = Meal(
        canteen_id="0611047G",
        date=dt.date(2026, 11, 30),
        meal="dejeuner",
        dishes=(
            Dish(name="Yaourt", course="produit_laitier", labels=("bio",)),
            Dish(name="Poulet rôti", course="plat_principal"),
            Dish(name="Radis", course="entree"),
            Dish(name="Frites", course="garniture"),
            Dish(name="Omelette", course="plat_principal", regimes=("végétarien",)),
        ),
        modified_at=dt.datetime(2026, 11, 29, 15, tzinfo=dt.UTC),
    )
    item = meal_item(meal)
    assert (item["pk"], item["sk"]) == ("CANTEEN#0611047G", "MEAL#2026-11-30#dejeuner")
    assert [c["course"] for c in item["courses"]] == ["entree", "plat_principal", "garniture", "produit_laitier"]
    assert [d["name"] for d in item["courses"][1]["dishes"]] == ["Poulet rôti", "Omelette"]
    assert item["courses"][3]["dishes"][0]["labels"] == [{"code": "bio", "label": "Agriculture biologique"}]
    assert item["meal_label"] == "Déjeuner" and item["modified_at"] == "2026-11-29T15:00:00+00:00"
    assert item["expires_at"] > int(dt.datetime(2027, 11, 30, tzinfo=dt.UTC).timestamp())
    same = meal_item(meal)
    assert same["digest"] == item["digest"]
    other = meal_item(Meal(**{**meal.__dict__, "dishes": meal.dishes[:-1]}))
    assert other["digest"] != item["digest"]


def test_canteen_item_is_indexed_by_commune_only_when_known() -> None:
    known = canteen_item(Canteen("0611047G", "Collège Louise Michel", "college", "61001", "uai", "Département", None))
    assert known["gsi1pk"] == "COMMUNE#61001" and known["gsi1sk"] == "college louise michel#0611047G"
    assert known["gsi2pk"] == "CANTEENS" and known["kind_label"] == "Collège"
    unknown = canteen_item(Canteen("x-1", "École", "elementaire", None, "other", "Commune", None))
    assert "gsi1pk" not in unknown and unknown["gsi2pk"] == "CANTEENS"


def test_name_key_ignores_accents_case_and_spaces() -> None:
    assert name_key("  Collège  Sévigné ") == name_key("COLLEGE SEVIGNE") == "college sevigne"
