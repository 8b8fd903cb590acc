"""What the connector reads out of an SCDL menus-collectifs feed.

Plain frozen dataclasses: no Lambda, no AWS, no pydantic (cold start).
Machine values are stable lowercase ASCII codes; text for people stays in French.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Dish:
    """One row of the feed: a dish served in a meal."""

    name: str  # menuPlatNom, trimmed, at most 160 characters
    course: str  # code from COURSES (menuPlatType / menuTypePlat)
    labels: tuple[str, ...] = ()  # SIQO codes from LABELS (bio, aop, igp, stg, label_rouge), sorted
    local_labels: tuple[str, ...] = ()  # menuPlatLabel free text values, as given (trimmed)
    regimes: tuple[str, ...] = ()  # menuPlatRegime values, lowercased, trimmed (e.g. "végétarien")
    allergens: tuple[str, ...] = ()  # menuPlatAllergene values, lowercased, trimmed (e.g. "gluten")
    code: str | None = None  # menuPlatCode / menuCodePlat


@dataclass(frozen=True)
class Canteen:
    """A restaurant where menus are served (menuRestaurant* columns)."""

    id: str  # official identifier: SIRET (14 digits) or UAI (7 digits + letter, upper case); else "x-<slug>"
    name: str  # menuRestaurantNom
    kind: str  # code from CANTEEN_KINDS (menuRestaurantType)
    commune: str | None  # menuRestaurantInsee (INSEE code) when given and well formed
    id_type: str  # "siret" | "uai" | "other" | "none" (menuRestaurantIdType SIRET | EN | autre | sans)
    organisation: str  # menuCollNom
    organisation_siret: str | None  # menuCollSiret


@dataclass(frozen=True)
class Meal:
    """All dishes of one meal (déjeuner, goûter, ...) of one canteen on one date."""

    canteen_id: str
    date: dt.date
    meal: str  # code from MEALS
    dishes: tuple[Dish, ...]  # in feed order
    published_at: dt.datetime | None = None  # latest menuPublicationDate of its rows, UTC, aware
    modified_at: dt.datetime | None = None  # latest menuModificationDate of its rows, UTC, aware
    notes: tuple[str, ...] = ()  # menuPlatPrecision values (special days: "Semaine du goût"), deduplicated

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.canteen_id, self.date.isoformat(), self.meal)


@dataclass(frozen=True)
class RejectedRow:
    line: int  # physical line number in the file (header is line 1)
    reason: str  # in French, for a person: "menuDate « 2026-13-01 » n'est pas une date AAAA-MM-JJ"


@dataclass
class ParsedFeed:
    canteens: dict[str, Canteen] = field(default_factory=dict)
    meals: list[Meal] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    rows_read: int = 0  # data rows seen, good or bad


# code -> French label, in the order a menu is shown
COURSES: dict[str, str] = {
    "entree": "Entrée",
    "plat_principal": "Plat principal",
    "garniture": "Garniture",
    "produit_laitier": "Produit laitier",
    "dessert": "Dessert",
    "pain": "Pain",
    "autre": "Autre",
}

MEALS: dict[str, str] = {
    "petit_dejeuner": "Petit-déjeuner",
    "dejeuner": "Déjeuner",
    "gouter": "Goûter",
    "diner": "Dîner",
    "collation": "Collation",
    "pique_nique": "Pique-nique",
    "autre": "Autre",
}

CANTEEN_KINDS: dict[str, str] = {
    "creche": "Crèche",
    "maternelle": "École maternelle",
    "elementaire": "École élémentaire",
    "college": "Collège",
    "lycee": "Lycée",
    "universite": "Université",
    "centre_formation": "Centre de formation",
    "administration": "Administration",
    "residence_senior": "Résidence sénior",
    "ehpad": "EHPAD",
    "repas_domicile": "Repas à domicile",
    "centre_loisirs": "Centre de loisirs",
    "restaurant_entreprise": "Restaurant d'entreprise",
    "autre": "Autre",
}

LABELS: dict[str, str] = {
    "bio": "Agriculture biologique",
    "aop": "AOP / AOC",
    "igp": "IGP",
    "stg": "STG",
    "label_rouge": "Label Rouge",
}
