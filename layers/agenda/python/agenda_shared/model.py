"""An agenda event, in the shape shared by every event connector (`agenda-openagenda`, `agenda-datatourisme`).

Plain frozen dataclasses: no Lambda, no AWS, no pydantic (cold start). Each connector builds the same
`AgendaEvent` with its own `source`; the storage layout (see `store.py`) does not depend on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Category codes (stable, ASCII) with their French label.
CATEGORIES: dict[str, str] = {
    "concert": "Concert",
    "theatre": "Théâtre",
    "exposition": "Exposition",
    "cinema": "Cinéma",
    "sport": "Sport",
    "conference": "Conférence",
    "atelier": "Atelier",
    "festival": "Festival",
    "marche": "Marché",
    "visite": "Visite",
    "danse": "Danse",
    "jeune_public": "Jeune public",
    "autre": "Autre",
}

# OpenAgenda `status` -> code, label.
STATUSES: dict[int, tuple[str, str]] = {
    1: ("scheduled", "Programmé"),
    2: ("rescheduled", "Reprogrammé"),
    3: ("moved_online", "Déplacé en ligne"),
    4: ("postponed", "Reporté"),
    5: ("full", "Complet"),
    6: ("cancelled", "Annulé"),
}

# OpenAgenda `accessibility` flags -> code (OpenAgenda's own meanings: hi hearing impairment, vi visual
# impairment, mi motor/mobility impairment, pi psychic impairment, ii intellectual impairment).
ACCESSIBILITY: dict[str, str] = {
    "hi": "hearing",
    "vi": "visual",
    "mi": "motor",
    "pi": "psychic",
    "ii": "intellectual",
}


@dataclass(frozen=True)
class Occurrence:
    begin: dt.datetime  # aware
    end: dt.datetime  # aware, >= begin


@dataclass(frozen=True)
class Location:
    name: str | None
    address: str | None
    commune: str | None  # INSEE code (given, or resolved from a postcode that names one commune only)
    city: str | None
    postcode: str | None
    lat: float | None
    lon: float | None
    uid: str | None = None


@dataclass(frozen=True)
class AgendaEvent:
    source: str  # "openagenda", "datatourisme"
    uid: str  # identifier at the source
    title: str
    summary: str | None  # short description, plain text
    description: str | None  # long description, plain text
    categories: tuple[str, ...]  # codes of CATEGORIES, sorted, never empty ("autre")
    keywords: tuple[str, ...]  # as given (French first), for people
    status: str  # code of STATUSES
    free: bool
    price: str | None  # the source's conditions, plain text
    age_min: int | None
    age_max: int | None
    accessibility: tuple[str, ...]  # codes of ACCESSIBILITY, sorted
    location: Location
    occurrences: tuple[Occurrence, ...]  # sorted by begin, distinct begins, never empty
    updated_at: dt.datetime | None
    url: str | None
    image: str | None

    @property
    def id(self) -> str:
        return f"{self.source}:{self.uid}"


@dataclass(frozen=True)
class Rejected:
    ref: str  # "page 1, event 3 (uid 123)"
    uid: str | None
    reason: str
