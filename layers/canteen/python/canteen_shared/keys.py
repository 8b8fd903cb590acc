"""The key layout of the canteen table, in one place for its writer (the `canteen-menus-scdl` connector) and its
readers (the canteen service, the connector's tile projection). No I/O, no boto3.

    pk = CANTEEN#<id>   sk = PROFILE                 the canteen; sparse index keys gsi1pk = COMMUNE#<insee>
                                                     (`by_commune`) and gsi2pk = CANTEENS (`all_canteens`),
                                                     both sorted by `<name key>#<id>` (`by_name_sk`)
    pk = CANTEEN#<id>   sk = MEAL#<date>#<meal>      one meal
    pk = FEED#<connector>  sk = STATE | RUN#...      the feed state (`poche_common.feeds`)
"""

from __future__ import annotations

import datetime as dt
import unicodedata

CONNECTOR = "canteen-menus-scdl"
PROFILE = "PROFILE"
MEAL = "MEAL#"
ALL_CANTEENS = "CANTEENS"  # gsi2pk of every canteen
BY_COMMUNE_INDEX = "by_commune"
ALL_CANTEENS_INDEX = "all_canteens"
BY_COMMUNE_PK, BY_COMMUNE_SK = "gsi1pk", "gsi1sk"  # the attributes of the `by_commune` index
ALL_CANTEENS_PK, ALL_CANTEENS_SK = "gsi2pk", "gsi2sk"  # ... and of the `all_canteens` index


def canteen_pk(canteen_id: str) -> str:
    return f"CANTEEN#{canteen_id}"


def commune_gsi(insee: str) -> str:
    """gsi1pk of the canteens of a commune."""
    return f"COMMUNE#{insee}"


def name_key(name: str) -> str:
    """Accent- and case-insensitive sort key of a canteen's name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(ascii_name.lower().split())


def by_name_sk(name: str, canteen_id: str) -> str:
    """gsi1sk and gsi2sk of a canteen: its name's `name_key`, then its id (both indexes list canteens by name)."""
    return f"{name_key(name)}#{canteen_id}"


def meal_sk(day: dt.date | str, meal: str) -> str:
    return f"{meals_from(day)}#{meal}"


def meal_of(sk: str) -> tuple[str, str] | None:
    """The (date `YYYY-MM-DD`, meal code) a meal's sort key names; None for a sort key that is not a meal's."""
    if not sk.startswith(MEAL):
        return None
    date, _, meal = sk.removeprefix(MEAL).partition("#")
    return date, meal


def meals_from(day: dt.date | str) -> str:
    """The lowest sort key of the meals of `day` (a date or its ISO form)."""
    return f"{MEAL}{day if isinstance(day, str) else day.isoformat()}"


def meals_until(day: dt.date) -> str:
    """The highest sort key of the meals of `day`."""
    return f"{meals_from(day)}#~"
