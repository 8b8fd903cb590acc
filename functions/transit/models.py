"""The shapes of the transit service's answers, written once: the OpenAPI document is generated from them.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py`, the build and the tests only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from poche_common.openapi import OneOf, Page, absent

from .views import (
    CAUSE_LABELS,
    EFFECT_LABELS,
    LOCATION_TYPE_LABELS,
    OCCUPANCY_LABELS,
    ROUTE_TYPE_LABELS,
    STATUS_LABELS,
    WHEELCHAIR_LABELS,
)

Time = Annotated[dt.datetime, Field(description="Europe/Paris, avec décalage.")]
Colour = Annotated[str, Field(pattern="^#[0-9A-F]{6}$")]


def _codes(labels: dict[str, str]) -> OneOf:
    return OneOf(sorted(labels))


class TransitStop(BaseModel):
    stop_id: str = Field(description="Identifiant GTFS (stop_id).")
    name: str
    lat: float
    lon: float
    code: str | None = Field(description="Code affiché à l'arrêt (stop_code).")
    location_type: Annotated[str, _codes(LOCATION_TYPE_LABELS)] = Field(
        description="stop : point d'arrêt ; station : pôle regroupant des quais."
    )
    location_type_label: str
    parent_station: str | None = Field(description="Le pôle (station) dont ce quai fait partie.")
    platform_code: str | None
    wheelchair_boarding: Annotated[str, _codes(WHEELCHAIR_LABELS)] = Field(
        description="Accessibilité en fauteuil roulant."
    )
    wheelchair_boarding_label: str
    route_ids: list[str] = Field(description="Lignes desservant l'arrêt.")
    distance_m: int = absent(
        description="Distance en mètres depuis la position `near` (recherche par proximité seulement)."
    )


class TransitRoute(BaseModel):
    route_id: str
    short_name: str
    long_name: str
    type: Annotated[str, _codes(ROUTE_TYPE_LABELS)] = Field(description="Mode de transport.")
    type_label: str
    color: Colour | None
    text_color: Colour | None
    agency_name: str


class TransitDeparture(BaseModel):
    route_id: str
    route_short_name: str
    headsign: str = Field(description="Destination affichée.")
    trip_id: str
    stop_id: str | None = Field(description="Le quai de départ (utile quand l'arrêt demandé est un pôle).")
    scheduled: dt.datetime = Field(description="Heure prévue par l'horaire théorique (Europe/Paris).")
    expected: dt.datetime = Field(
        description="Heure attendue selon le temps réel ; l'heure théorique quand `realtime` est faux."
    )
    delay_s: int | None = Field(description="Retard en secondes (négatif : en avance).")
    realtime: bool = Field(description="Faux : horaire théorique, sans information temps réel.")
    cancelled: bool = Field(description="Course supprimée ou arrêt non desservi.")


class DepartureStop(BaseModel):
    stop_id: str
    name: str


class TransitDepartureList(Page):
    stop: DepartureStop
    items: list[TransitDeparture]
    realtime_as_of: dt.datetime | None = Field(
        description="Horodatage du flux temps réel le plus récent utilisé ; null sans temps réel."
    )


class TransitVehicle(BaseModel):
    vehicle_id: str
    label: str | None = None
    trip_id: str | None = None
    lat: float
    lon: float
    bearing: float | None = Field(default=None, description="Cap en degrés, 0 = nord, sens horaire.")
    speed: float | None = Field(default=None, description="Vitesse en mètres par seconde.")
    current_status: Annotated[str, _codes(STATUS_LABELS)] | None = Field(
        default=None, description="Position par rapport à l'arrêt."
    )
    current_status_label: str | None = None
    stop_id: str | None = None
    occupancy_status: Annotated[str, _codes(OCCUPANCY_LABELS)] | None = Field(
        default=None, description="Affluence, quand le flux la donne."
    )
    occupancy_label: str | None = None
    timestamp: dt.datetime | None = Field(description="Quand la position a été relevée.")


class AlertPeriod(BaseModel):
    start: dt.datetime | None
    end: dt.datetime | None


class InformedEntity(BaseModel):
    route_id: str = absent()
    stop_id: str = absent()
    trip_id: str = absent()
    agency_id: str = absent()


class TransitAlert(BaseModel):
    alert_id: str
    source: str
    cause: str = Field(description="Code : " + ", ".join(sorted(CAUSE_LABELS)) + ".")
    cause_label: str = absent()
    effect: str = Field(description="Code : " + ", ".join(sorted(EFFECT_LABELS)) + ".")
    effect_label: str = absent()
    header: str = Field(description="Titre, en français.")
    description: str = Field(description="Texte, en français.")
    url: str | None = None
    active_periods: list[AlertPeriod]
    informed: list[InformedEntity] = Field(description="Ce que l'alerte concerne (ligne, arrêt, course, réseau).")


class TransitStopList(Page):
    items: list[TransitStop]


class TransitRouteList(Page):
    items: list[TransitRoute]


class TransitVehicleList(Page):
    route: TransitRoute
    items: list[TransitVehicle]


class TransitAlertList(Page):
    items: list[TransitAlert]


MODELS = (TransitStopList, TransitRouteList, TransitDepartureList, TransitVehicleList, TransitAlertList)
