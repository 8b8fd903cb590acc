"""The canteen table's keys are spelled once (`canteen_shared.keys`): the connector's writes and diff use them."""

from __future__ import annotations

import datetime as dt

from canteen_menus_scdl.model import Canteen
from canteen_menus_scdl.store import _change, canteen_item, meals_of
from canteen_shared.keys import by_name_sk, canteen_pk, meal_of, meal_sk, meals_from, meals_until


def test_a_meal_sort_key_names_its_date_and_meal_and_sorts_within_its_day() -> None:
    day = dt.date(2026, 12, 1)
    sk = meal_sk(day, "dejeuner")
    assert sk == "MEAL#2026-12-01#dejeuner" and meal_sk("2026-12-01", "dejeuner") == sk
    assert meal_of(sk) == ("2026-12-01", "dejeuner")
    assert meals_from(day) < sk < meals_until(day)
    assert meal_of("PROFILE") is None


def test_the_connectors_scope_and_changes_read_the_meal_keys() -> None:
    scope = meals_of({"2026-12-01"})
    assert scope(meal_sk("2026-12-01", "diner")) and not scope(meal_sk("2026-12-02", "diner"))
    assert not scope("PROFILE")  # the feed is authoritative for its meals, never for the profile
    change = _change("0611047G", meal_sk("2026-12-01", "diner"), "deleted")
    assert (change.kind, change.change, change.date, change.meal) == ("meal", "deleted", "2026-12-01", "diner")
    assert _change("0611047G", "PROFILE", "created").kind == "canteen"
    # a change `diff` never says ("renamed") cannot reach `_change`: `changes.Kind` is a Literal, checked by mypy


def test_a_canteen_is_listed_by_name_in_both_indexes() -> None:
    canteen = Canteen(
        id="0611047G",
        name="Collège Émile Zola",
        kind="college",
        commune="61001",
        id_type="uai",
        organisation="Département de l'Orne",
        organisation_siret=None,
    )
    item = canteen_item(canteen)
    assert (item["pk"], item["sk"]) == (canteen_pk("0611047G"), "PROFILE")
    assert (
        item["gsi1sk"]
        == item["gsi2sk"]
        == by_name_sk("Collège Émile Zola", "0611047G")
        == "college emile zola#0611047G"
    )
