"""SCDL menus against hostile rows: dates out of bounds, over-long ids and texts, markup (issue 9, defects 2, 5
and 10). A bad row is rejected with its line and reason; the others are kept."""

from __future__ import annotations

import csv
import io

import pytest

from canteen_menus_scdl.model import ParsedFeed
from canteen_menus_scdl.parser import MAX_DISHES_PER_MEAL, MAX_LABEL, MAX_NAME, MAX_NOTE, MAX_VALUES, parse_feed

COLUMNS = [
    "menuCollSiret",
    "menuRestaurantNom",
    "menuRestaurantId",
    "menuRestaurantIdType",
    "menuDate",
    "menuRepasType",
    "menuPlatType",
    "menuPlatNom",
    "menuPlatCode",
    "menuPlatLabel",
    "menuPlatPrecision",
    "menuPlatAllergene",
    "menuPublicationDate",
    "menuModificationDate",
]
BASE = {
    "menuCollSiret": "22610001400019",
    "menuRestaurantNom": "Collège Louise Michel",
    "menuRestaurantId": "0611047G",
    "menuRestaurantIdType": "EN",
    "menuDate": "2026-11-30",
    "menuRepasType": "déjeuner",
    "menuPlatType": "plat principal",
    "menuPlatNom": "Hachis parmentier",
}


def parse(*rows: dict[str, str]) -> ParsedFeed:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([[{**BASE, **values}.get(name, "") for name in COLUMNS] for values in rows])
    return parse_feed(buffer.getvalue().encode())


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "31/12/1999", "2100-01-01"])
def test_a_menu_date_out_of_bounds_rejects_its_row(date: str) -> None:
    feed = parse({}, {"menuDate": date, "menuPlatNom": "Mauvais"})
    assert [d.name for meal in feed.meals for d in meal.dishes] == ["Hachis parmentier"]
    assert [r.line for r in feed.rejected] == [3] and "bornes" in feed.rejected[0].reason


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "01/01/0001"])
def test_a_publication_time_out_of_bounds_is_ignored(moment: str) -> None:
    feed = parse({"menuPublicationDate": moment, "menuModificationDate": moment})
    [meal] = feed.meals
    assert (meal.published_at, meal.modified_at) == (None, None)


def test_a_canteen_id_too_long_rejects_its_row() -> None:
    """Type `sans`: the id is made from the name; 1,500 characters would have made a key DynamoDB refuses."""
    feed = parse({}, {"menuRestaurantIdType": "sans", "menuRestaurantNom": "n" * 1500})
    assert len(feed.meals) == 1
    assert [r.line for r in feed.rejected] == [3]
    assert "trop long" in feed.rejected[0].reason


def test_a_canteen_name_with_control_characters_or_markup_is_cleaned() -> None:
    [canteen] = parse({"menuRestaurantNom": "<b>Collège</b>\x07 Louise\x1b Michel"}).canteens.values()
    assert canteen.name == "Collège Louise Michel"


def test_texts_are_bounded_and_free_of_markup() -> None:
    feed = parse(
        {
            "menuPlatNom": "&lt;img src=x onerror=alert(1)&gt;<b>Hachis</b>",
            "menuPlatLabel": ";".join(["l" * 500] * 100),
            "menuPlatAllergene": ",".join(f"a{i}" for i in range(100)),
            "menuPlatPrecision": "p" * 5000,
            "menuPlatCode": "c" * 5000,
        }
    )
    [meal] = feed.meals
    [dish] = meal.dishes
    assert dish.name == "Hachis"
    assert len(dish.local_labels) <= MAX_VALUES and all(len(v) <= MAX_LABEL for v in dish.local_labels)
    assert len(dish.allergens) <= MAX_VALUES
    assert all(len(note) <= MAX_NOTE for note in meal.notes)
    assert dish.code is None


def test_a_canteen_name_is_bounded() -> None:
    [canteen] = parse({"menuRestaurantNom": "n" * 1000}).canteens.values()
    assert len(canteen.name) <= MAX_NAME


def test_a_meal_holds_a_bounded_number_of_dishes() -> None:
    """One DynamoDB item per meal: 10,000 dishes would exceed its 400 KB and fail the write halfway."""
    rows = [{"menuPlatNom": f"Plat {n}"} for n in range(MAX_DISHES_PER_MEAL + 5)]
    feed = parse(*rows)
    [meal] = feed.meals
    assert len(meal.dishes) == MAX_DISHES_PER_MEAL
    assert len(feed.rejected) == 5 and "plats" in feed.rejected[0].reason


def test_a_multi_valued_field_nested_deep_is_not_a_crash() -> None:
    """`["a","b"]` values are read as JSON: 10,000 `[` raised RecursionError and stopped the run."""
    feed = parse({"menuPlatAllergene": "[" * 10_000 + "]" * 10_000}, {"menuPlatNom": "Riz"})
    assert len(feed.meals) == 1 and len(feed.meals[0].dishes) == 2
