"""The vocabulary of place categories: what `category=` accepts, and how each is shown (French label, theme).
A connector maps its source's own classification onto it (documented in the connector's parser)."""

from __future__ import annotations

from typing import NamedTuple


class Category(NamedTuple):
    id: str
    label: str  # French, for people
    theme: str  # heritage | health | food | mobility


CATEGORIES: tuple[Category, ...] = (
    Category("monument", "Monument historique", "heritage"),
    Category("museum", "Musée", "heritage"),
    Category("castle", "Château", "heritage"),
    Category("site", "Site et lieu de visite", "heritage"),
    Category("pharmacy", "Pharmacie", "health"),
    Category("hospital", "Hôpital, clinique", "health"),
    Category("doctor", "Centre ou maison de santé", "health"),
    Category("market", "Marché", "food"),
    Category("producer", "Producteur local", "food"),
    Category("bike_station", "Station de vélos en libre-service", "mobility"),
    Category("car_park", "Parking", "mobility"),
    Category("charging_station", "Borne de recharge", "mobility"),
    Category("carpool_area", "Aire de covoiturage", "mobility"),
)
BY_ID: dict[str, Category] = {c.id: c for c in CATEGORIES}
THEMES = ("heritage", "health", "food", "mobility")
