"""The shapes of the canteen service's answers, written once: the OpenAPI document is generated from them.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py`, the build and the tests only.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from poche_common.openapi import Fresh, Page


class Canteen(BaseModel):
    id: str = Field(description="UAI ou SIRET du restaurant ; sinon identifiant « x-… ».", examples=["0611047G"])
    name: str
    type: str = Field(description="Code : college, elementaire, maternelle, creche, lycee…")
    type_label: str
    commune: str | None = Field(description="Code INSEE de la commune.")
    organisation: str | None


class CanteenDetail(Canteen, Fresh):
    pass


class CanteenList(Page):
    items: list[Canteen]


class QualityLabel(BaseModel):
    code: str
    label: str


class Dish(BaseModel):
    name: str
    labels: list[QualityLabel] = Field(description="Signes officiels de qualité (bio, aop, igp, stg, label_rouge).")
    local_labels: list[str]
    regimes: list[str]
    allergens: list[str]


class MenuCourse(BaseModel):
    course: str = Field(description="Code : entree, plat_principal, garniture…")
    label: str
    dishes: list[Dish]


class Meal(BaseModel):
    date: dt.date
    meal: str = Field(description="Code : dejeuner, gouter, diner, petit_dejeuner…")
    meal_label: str
    courses: list[MenuCourse]
    notes: list[str]
    published_at: dt.datetime | None
    modified_at: dt.datetime | None


class MenuDay(BaseModel):
    """Les repas d'un jour (tuile « canteen-menu » de l'écran d'accueil), chacun tel que
    `/v1/canteens/{canteen_id}/menus` le donne."""

    date: dt.date
    meals: list[Meal]


class MenuList(Fresh):
    canteen: Canteen
    from_: dt.date = Field(alias="from")
    to: dt.date
    items: list[Meal]
    next: None


MODELS = (CanteenDetail, CanteenList, MenuDay, MenuList)
