"""An agenda event, in the shape shared by every event connector (`agenda-openagenda`, `agenda-datatourisme`).

Plain frozen dataclasses: no Lambda, no AWS, no pydantic (cold start). Each connector builds the same
`AgendaEvent` with its own `source`; the storage layout (see `store.py`) does not depend on it. Its codes
(categories, statuses, accessibility) are in `vocabulary.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
