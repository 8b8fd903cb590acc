"""The shapes of the traffic service's answers, written once: the OpenAPI document is generated from them.

Never imported by the Lambda (pydantic costs its cold start): by `openapi.py`, the build and the tests only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from poche_common.openapi import Page, absent


class TrafficPoint(BaseModel):
    """Où placer un repère : le point, ou pour une ligne le point d'affichage donné par l'exploitant (à défaut
    son milieu)."""

    lat: float
    lon: float


class TrafficLocation(BaseModel):
    type: Literal["point", "line"]
    point: TrafficPoint
    coordinates: list[Annotated[list[float], Field(min_length=2, max_length=2)]] = absent(  # for a line only
        min_length=2,
        description="Pour une ligne : ses positions [lon, lat] dans l'ordre (comme GeoJSON).",
    )


class TrafficEvent(BaseModel):
    id: str = Field(description="« <situation>:<enregistrement> » de la publication DATEX II.")
    type: Literal[
        "roadworks", "closure", "restriction", "accident", "weather", "congestion", "obstruction", "event", "other"
    ]
    type_label: str
    severity: Literal["highest", "high", "medium", "low", "lowest", "none", "unknown"]
    severity_label: str
    description: str = Field(description="En français, pour une personne.")
    road: str | None = Field(description="Numéro de la route (N12, D438, A28) s'il est donné.")
    start: dt.datetime = Field(description="Depuis quand (Europe/Paris).")
    end: dt.datetime | None = Field(description="Jusqu'à quand (Europe/Paris) ; null : jusqu'à nouvel ordre.")
    active: bool = Field(description="En vigueur à l'instant de la réponse.")
    location: TrafficLocation
    communes: list[str] = Field(description="Codes INSEE des communes du département touchées.")


class TrafficEventList(Page):
    items: list[TrafficEvent]


MODELS = (TrafficEventList,)
