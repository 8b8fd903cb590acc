"""The key layout of the canteen table, in one place for its writer (the `canteen-menus-scdl` connector) and its
readers (the canteen service, the connector's tile projection). No I/O, no boto3.

    pk = CANTEEN#<id>   sk = PROFILE                 the canteen; sparse index keys gsi1pk = COMMUNE#<insee>
                                                     (`by_commune`) and gsi2pk = CANTEENS (`all_canteens`),
                                                     both sorted by `<name key>#<id>`
    pk = CANTEEN#<id>   sk = MEAL#<date>#<meal>      one meal
    pk = FEED#<connector>  sk = STATE | RUN#...      the feed state (`poche_common.feeds`)
"""

from __future__ import annotations

import datetime as dt

CONNECTOR = "canteen-menus-scdl"
PROFILE = "PROFILE"
MEAL = "MEAL#"
ALL_CANTEENS = "CANTEENS"  # gsi2pk of every canteen
BY_COMMUNE_INDEX = "by_commune"
ALL_CANTEENS_INDEX = "all_canteens"


def canteen_pk(canteen_id: str) -> str:
    return f"CANTEEN#{canteen_id}"


def commune_gsi(insee: str) -> str:
    """gsi1pk of the canteens of a commune."""
    return f"COMMUNE#{insee}"


def meal_sk(day: dt.date | str, meal: str) -> str:
    return f"{meals_from(day)}#{meal}"


def meals_from(day: dt.date | str) -> str:
    """The lowest sort key of the meals of `day` (a date or its ISO form)."""
    return f"{MEAL}{day if isinstance(day, str) else day.isoformat()}"


def meals_until(day: dt.date) -> str:
    """The highest sort key of the meals of `day`."""
    return f"{meals_from(day)}#~"
