"""The shapes of the agenda service's answers, written once: the OpenAPI document is generated from them.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py`, the build and the tests only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from poche_common.openapi import Fresh, OneOf, Page

from .policy import ACCESSIBILITY, CATEGORIES, CINEMA_ACCESSIBILITY, CINEMA_VERSIONS, DETAIL_OCCURRENCES, STATUSES

Time = Annotated[dt.datetime, Field(description="Europe/Paris, avec décalage.")]


class EventAge(BaseModel):
    min: int | None
    max: int | None


class EventPlace(BaseModel):
    name: str | None
    address: str | None
    commune: str | None = Field(description="Code INSEE.")
    lat: float | None
    lon: float | None


class EventFields(BaseModel):
    event_id: str = Field(description="« <source>:<identifiant> », par exemple openagenda:8001.")
    title: str
    summary: str | None = Field(description="Description courte, texte brut.")
    categories: list[Annotated[str, OneOf(CATEGORIES)]] = Field(min_length=1)
    category_labels: list[str]
    status: Annotated[str, OneOf(STATUSES)]
    status_label: str
    free: bool = Field(description="Gratuit ou entrée libre (sans montant en euros).")
    price: str | None = Field(description="Conditions tarifaires, texte de la source.")
    age: EventAge
    accessibility: list[Annotated[str, OneOf(ACCESSIBILITY)]] = Field(
        description="Accessible aux personnes en situation de handicap auditif (hearing), visuel (visual), "
        "moteur (motor), psychique (psychic), intellectuel (intellectual)."
    )
    location: EventPlace
    url: str | None = Field(description="Page de l'événement chez la source.")
    image: str | None


class EventDate(BaseModel):
    begin: Time
    end: Time


class AgendaOccurrence(EventFields, EventDate):
    """Un événement à l'une de ses dates."""


class AgendaOccurrenceList(Page):
    items: list[AgendaOccurrence]


class AgendaEvent(EventFields, Fresh):
    description: str | None = Field(description="Description longue, texte brut.")
    keywords: list[str]
    source: str = Field(description="openagenda, ...")
    occurrences: list[EventDate] = Field(
        max_length=DETAIL_OCCURRENCES,
        description=f"Les {DETAIL_OCCURRENCES} prochaines dates (pas encore terminées).",
    )


class Cinema(BaseModel):
    cinema_id: str = Field(description="Identifiant court donné par le cinéma, par exemple planet-alencon.")
    name: str
    commune: str = Field(description="Code INSEE.")


class CinemaList(Page):
    items: list[Cinema]


class CinemaFilm(BaseModel):
    """Un film du jour dans une version, avec ses horaires."""

    film_title: str
    version: Annotated[str, OneOf(CINEMA_VERSIONS)]
    accessibility: list[Annotated[str, OneOf(CINEMA_ACCESSIBILITY)]] = Field(
        description="audiodescription, sous_titres_sourds (sourds et malentendants), pmr (fauteuil)."
    )
    duration_min: int | None
    rating: str | None = Field(description="tous publics, -10, -12, -16, -18.")
    times: list[Time] = Field(min_length=1)


class CinemaSessions(Cinema, Fresh):
    date: dt.date
    items: list[CinemaFilm]
    next: None


MODELS = (AgendaOccurrenceList, AgendaEvent, CinemaList, CinemaSessions)
