"""Write side of the canteen table: diff a parsed feed against what is stored, write the changes.

Table layout (owned by the canteen domain, spelled in `canteen_shared.keys`; the service `functions/canteen` reads
it):
- `CANTEEN#<id> / PROFILE`: the canteen; sparse index keys `gsi1pk=COMMUNE#<insee>` (by commune)
  and `gsi2pk=CANTEENS` (all canteens), both sorted by `<name key>#<id>`.
- `CANTEEN#<id> / MEAL#<date>#<meal>`: one meal, dishes grouped by course; expires a year after.
- `FEED#<connector> / STATE | RUN#...`: see `poche_common.connector.RunLog`.
- `TILE#canteen-menu#<id> / CONTENT` and `TILE#canteen-menu / EXAMPLE`: the home screen's tile projections
  (`poche_common.tiles`), rewritten by runs that changed something (see `tiles.py`).

A feed is authoritative for each (canteen, date) it mentions (the scope of its `poche_common.changes.diff`): a meal
stored for such a date but absent from the feed was withdrawn and is deleted. Dates the feed does not mention are
untouched, so a feed that only covers next week never erases this week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from canteen_shared.keys import (
    ALL_CANTEENS,
    ALL_CANTEENS_PK,
    ALL_CANTEENS_SK,
    BY_COMMUNE_PK,
    BY_COMMUNE_SK,
    PROFILE,
    by_name_sk,
    canteen_pk,
    commune_gsi,
    meal_of,
    meal_sk,
    meals_from,
)
from canteen_shared.keys import name_key as name_key  # the name tests reach for
from poche_common.changes import diff
from poche_common.clock import to_utc_iso
from poche_common.dynamo import batch_write, content_digest, query_all, to_item

from .model import CANTEEN_KINDS, COURSES, LABELS, MEALS, Canteen, Meal, ParsedFeed

if TYPE_CHECKING:  # annotations only: the event registry is not compiled at this function's cold start
    from poche_common.eventtypes import Change as ChangeKind
    from poche_common.eventtypes import MenuChange

MEAL_RETENTION_DAYS = 400


@dataclass(frozen=True)
class Change:
    canteen_id: str
    kind: Literal["canteen", "meal"]
    change: ChangeKind
    date: str | None = None
    meal: str | None = None

    def as_fact(self) -> MenuChange:
        """The change as `MenusUpdated` lists it."""
        fact: MenuChange = {"canteen_id": self.canteen_id, "kind": self.kind, "change": self.change}
        if self.date:
            fact["date"] = self.date
        if self.meal:
            fact["meal"] = self.meal
        return fact


def canteen_item(canteen: Canteen) -> dict[str, Any]:
    content: dict[str, Any] = {
        "id": canteen.id,
        "name": canteen.name,
        "kind": canteen.kind,
        "kind_label": CANTEEN_KINDS.get(canteen.kind, canteen.kind),
        "commune": canteen.commune,
        "id_type": canteen.id_type,
        "organisation": canteen.organisation,
        "organisation_siret": canteen.organisation_siret,
    }
    sort_key = by_name_sk(canteen.name, canteen.id)
    item = {"pk": canteen_pk(canteen.id), "sk": PROFILE, **content, "digest": content_digest(content)}
    item.update({ALL_CANTEENS_PK: ALL_CANTEENS, ALL_CANTEENS_SK: sort_key})
    if canteen.commune:
        item.update({BY_COMMUNE_PK: commune_gsi(canteen.commune), BY_COMMUNE_SK: sort_key})
    return item


def meal_item(meal: Meal) -> dict[str, Any]:
    courses: dict[str, list[dict[str, Any]]] = {}
    for dish in meal.dishes:
        courses.setdefault(dish.course, []).append(
            {
                "name": dish.name,
                "labels": [{"code": code, "label": LABELS.get(code, code)} for code in dish.labels],
                "local_labels": list(dish.local_labels),
                "regimes": list(dish.regimes),
                "allergens": list(dish.allergens),
                "code": dish.code,
            }
        )
    order = list(COURSES)
    content: dict[str, Any] = {
        "canteen_id": meal.canteen_id,
        "date": meal.date.isoformat(),
        "meal": meal.meal,
        "meal_label": MEALS.get(meal.meal, meal.meal),
        "courses": [
            {"course": course, "label": COURSES.get(course, course), "dishes": courses[course]}
            for course in sorted(courses, key=lambda c: order.index(c) if c in order else len(order))
        ],
        "notes": list(meal.notes),
        "published_at": to_utc_iso(meal.published_at) if meal.published_at else None,
        "modified_at": to_utc_iso(meal.modified_at) if meal.modified_at else None,
    }
    expires = dt.datetime.combine(meal.date, dt.time(), dt.UTC) + dt.timedelta(days=MEAL_RETENTION_DAYS)
    return {
        "pk": canteen_pk(meal.canteen_id),
        "sk": meal_sk(meal.date, meal.meal),
        **content,
        "digest": content_digest(content),
        "expires_at": int(expires.timestamp()),
    }


class MenuWriter:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def _stored_digests(self, canteen_id: str, first_date: str) -> dict[str, str]:
        """sk -> digest of the canteen's profile and of its meals from `first_date` on (one query)."""
        found = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND sk >= :from",
            ExpressionAttributeValues=to_item({":pk": canteen_pk(canteen_id), ":from": meals_from(first_date)}),
            ProjectionExpression="sk, digest",
        )
        return {item["sk"]["S"]: item.get("digest", {}).get("S", "") for item in found}

    def sync(self, feed: ParsedFeed, before_write: Callable[[list[Change]], None] | None = None) -> list[Change]:
        """Write what differs from the store; return the changes, in a stable order. `before_write(changes)` is
        called once the changes are known, before anything is written (the run stages its event there)."""
        meals_by_canteen: dict[str, list[Meal]] = {}
        for meal in feed.meals:
            meals_by_canteen.setdefault(meal.canteen_id, []).append(meal)
        requests: list[dict[str, Any]] = []
        changes: list[Change] = []
        for canteen_id in sorted(set(feed.canteens) | set(meals_by_canteen)):
            meals = meals_by_canteen.get(canteen_id, [])
            first_date = min((m.date.isoformat() for m in meals), default="9999-12-31")
            desired = [canteen_item(feed.canteens[canteen_id])] if canteen_id in feed.canteens else []
            desired += [meal_item(m) for m in meals]
            items = {item["sk"]: item for item in desired}
            found = diff(
                self._stored_digests(canteen_id, first_date),
                {sk: item["digest"] for sk, item in items.items()},
                meals_of({m.date.isoformat() for m in meals}),
            )
            requests += [{"PutRequest": {"Item": to_item(items[sk])}} for sk in found.puts]
            requests += [
                {"DeleteRequest": {"Key": to_item({"pk": canteen_pk(canteen_id), "sk": sk})}} for sk in found.deletes
            ]
            changes += [_change(canteen_id, sk, change) for sk, change in found.changes]
        if before_write is not None:
            before_write(changes)
        batch_write(self.client, self.table, requests)
        return changes


def meals_of(dates: set[str]) -> Callable[[str], bool]:
    """The scope of a feed in a canteen's partition: the meals of the dates it mentions (not the profile)."""
    return lambda sk: (meal := meal_of(sk)) is not None and meal[0] in dates


def _change(canteen_id: str, sk: str, change: ChangeKind) -> Change:
    if sk == PROFILE:
        return Change(canteen_id, "canteen", change)
    meal = meal_of(sk)
    if meal is None:
        raise ValueError(f"neither a profile nor a meal: {sk!r}")
    return Change(canteen_id, "meal", change, date=meal[0], meal=meal[1])
