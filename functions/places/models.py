"""The shapes of the places service's answers, written once: the OpenAPI document is generated from them.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py`, the build and the tests only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from places_shared.categories import CATEGORIES, THEMES
from poche_common.openapi import OneOf, absent

Category = Annotated[str, OneOf([c.id for c in CATEGORIES])]


class Availability(BaseModel):
    bikes: int | None = absent(description="Vélos disponibles (stations de vélos).")
    docks: int | None = absent(description="Bornettes libres (stations de vélos).")
    free_places: int | None = absent(description="Places libres (parkings).")
    observed_at: dt.datetime = Field(description="Quand la source l'a observé (Europe/Paris).")


class Source(BaseModel):
    name: str | None = Field(description="La source (finess, gbfs-…).")
    licence: str | None


class Place(BaseModel):
    id: str = Field(description="`<source>:<identifiant à la source>`.", examples=["finess:610780066"])
    category: Category
    category_label: str
    name: str
    commune: str | None = absent(description="Code INSEE de la commune.")
    lat: float | None = absent()
    lon: float | None = absent()
    address: str | None = absent()
    hours: str | None = absent(description="Horaires, syntaxe OSM `opening_hours`.")
    phone: str | None = absent()
    web: str | None = absent()
    accessibility: str | None = absent()
    details: dict[str, str] | None = absent(
        description="Ce que la source dit de plus selon la catégorie (places, puissance en kW, prises, exploitant…)."
    )
    open_now: bool | None = Field(
        description="Ouvert maintenant (Europe/Paris, jours fériés compris) ; null : horaires inconnus."
    )
    availability: Availability | None = Field(description="Disponibilité en direct ; null : aucune, ou plus à jour.")
    source: Source
    distance_m: int | None = absent(description="Distance au point `near`, en mètres.")


class Near(BaseModel):
    lat: float
    lon: float
    radius_m: int


class PlaceList(BaseModel):
    places: list[Place]
    count: int
    near: Near | None = absent()
    commune: str | None = absent()


class CategoryEntry(BaseModel):
    id: Category
    label: str
    theme: Annotated[str, OneOf(list(THEMES))]


class CategoryList(BaseModel):
    categories: list[CategoryEntry]


MODELS = (PlaceList, Place, CategoryList)
