"""The places service's rules over an in-memory reader: near a point (the right index for the radius, nearest first,
exact distances, never farther than asked), in a commune, filters, live availability that expires by itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pytest

from places import logic
from places_shared import keys
from poche_common import geo
from poche_common.errors import InvalidRequestError, NotFoundError

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
ALENCON = (48.4306, 0.0915)  # place de la Magdeleine


def place(place_id: str, category: str, name: str, lat: float, lon: float, **more: Any) -> dict[str, Any]:
    return {
        "pk": keys.place_pk(place_id),
        "sk": keys.PLACE,
        "id": place_id,
        "category": category,
        "name": name,
        "commune": "61001",
        "lat": lat,
        "lon": lon,
        "source": place_id.split(":")[0],
        "licence": "Licence Ouverte 2.0",
        keys.BY_CELL_PK: keys.cell_gsi(geo.encode(lat, lon, keys.CELL_PRECISION)),
        keys.BY_AREA_PK: keys.area_gsi(geo.encode(lat, lon, keys.AREA_PRECISION)),
        keys.BY_COMMUNE_PK: keys.commune_gsi("61001"),
        keys.BY_COMMUNE_SK: keys.commune_sk(category, name, place_id),
        **more,
    }


PLACES = [
    place("finess:610000001", "pharmacy", "Pharmacie de la Halle", 48.4312, 0.0921),  # ~80 m
    place("finess:610000002", "pharmacy", "Pharmacie Saint-Léonard", 48.4351, 0.0987),  # ~720 m
    place("gbfs:st-1", "bike_station", "Gare d'Alençon", 48.4339, 0.0996),  # ~700 m
    place("finess:610000003", "hospital", "Centre hospitalier Intercommunal Alençon-Mamers", 48.4187, 0.1012),
    place("finess:610000004", "pharmacy", "Pharmacie du Mêle", 48.5200, 0.1500),  # ~11 km away
]


class Reader:
    def __init__(self, items: list[dict[str, Any]], live: dict[str, dict[str, Any]] | None = None) -> None:
        self.items = items
        self.lives = live or {}
        self.asked: list[tuple[str, list[str], str | None]] = []

    def in_cells(self, index: str, partitions: list[str], category: str | None) -> list[dict[str, Any]]:
        self.asked.append((index, partitions, category))
        attribute = keys.BY_CELL_PK if index == keys.BY_CELL_INDEX else keys.BY_AREA_PK
        return [i for i in self.items if i[attribute] in partitions and category in (None, i["category"])]

    def in_commune(self, insee: str, category: str | None) -> list[dict[str, Any]]:
        found = [i for i in self.items if i[keys.BY_COMMUNE_PK] == keys.commune_gsi(insee)]
        return sorted((i for i in found if category in (None, i["category"])), key=lambda i: i[keys.BY_COMMUNE_SK])

    def place(self, place_id: str) -> dict[str, Any] | None:
        return next((i for i in self.items if i["id"] == place_id), None)

    def live(self, place_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {p: self.lives[p] for p in place_ids if p in self.lives}


def filters(**options: Any) -> logic.Filters:
    return logic.Filters(**{"category": None, "q": None, "open_now": None, "limit": 20, "now": NOW, **options})


def ask(reader: Reader, radius: int = 1_000, **options: Any) -> dict[str, Any]:
    return logic.near(reader, *ALENCON, radius, filters(**options))


def test_near_answers_nearest_first_with_exact_distances_and_nothing_farther() -> None:
    answer = ask(Reader(PLACES))
    assert [(p["id"], p["distance_m"]) for p in answer["places"]] == [
        ("finess:610000001", round(geo.distance_m(*ALENCON, 48.4312, 0.0921))),
        ("gbfs:st-1", round(geo.distance_m(*ALENCON, 48.4339, 0.0996))),
        ("finess:610000002", round(geo.distance_m(*ALENCON, 48.4351, 0.0987))),
    ]
    assert all(p["distance_m"] <= 1_000 for p in answer["places"])
    assert answer["near"] == {"lat": ALENCON[0], "lon": ALENCON[1], "radius_m": 1_000}


def test_the_index_follows_the_radius_and_the_cells_stay_few() -> None:
    reader = Reader(PLACES)
    ask(reader, radius=2_000)
    ask(reader, radius=20_000)
    (small_index, small_cells, _), (large_index, large_cells, _) = reader.asked
    assert (small_index, large_index) == (keys.BY_CELL_INDEX, keys.BY_AREA_INDEX)
    assert len(small_cells) <= 9 and len(large_cells) <= 9  # one Query each: never a scan
    assert "finess:610000004" in {p["id"] for p in ask(Reader(PLACES), radius=20_000)["places"]}
    assert "finess:610000004" not in {p["id"] for p in ask(Reader(PLACES), radius=3_000)["places"]}


def test_category_and_words_of_the_name_filter() -> None:
    answer = ask(Reader(PLACES), category="pharmacy", q="saint leonard")
    assert [p["id"] for p in answer["places"]] == ["finess:610000002"]
    with pytest.raises(InvalidRequestError, match="Catégorie inconnue"):
        ask(Reader(PLACES), category="casino")
    with pytest.raises(InvalidRequestError, match="radius"):
        ask(Reader(PLACES), radius=20_001)


def test_a_commune_s_places_by_category_then_name() -> None:
    answer = logic.in_commune(Reader(PLACES), "61001", filters(category="pharmacy", limit=2))
    assert [p["name"] for p in answer["places"]] == ["Pharmacie de la Halle", "Pharmacie du Mêle"]


def test_live_availability_is_shown_until_it_expires() -> None:
    live = {
        "gbfs:st-1": {
            "availability": {"bikes": 4, "docks": 8, "free_places": None},
            "observed_at": "2026-12-02T08:59:30+00:00",
            "expires_at": int(NOW.timestamp()) + 60,
        }
    }
    station = logic.one(Reader(PLACES, live), "gbfs:st-1", NOW)
    assert station["availability"] == {"bikes": 4, "docks": 8, "observed_at": "2026-12-02T09:59:30+01:00"}
    later = NOW + dt.timedelta(minutes=2)  # the feed died: no old numbers shown as current
    assert logic.one(Reader(PLACES, live), "gbfs:st-1", later)["availability"] is None
    assert logic.one(Reader(PLACES), "finess:610000001", NOW)["availability"] is None


def test_open_now_follows_the_hours_in_paris_time_and_unknown_hours_are_not_open() -> None:
    hours = {"hours": "Mo-Sa 09:00-12:30,14:00-19:00; PH off"}
    shops = [
        place("osm:1", "pharmacy", "Pharmacie ouverte", 48.4310, 0.0920, **hours),
        place("osm:2", "pharmacy", "Pharmacie sans horaires", 48.4311, 0.0921),
    ]
    wednesday_10h = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)  # 10:00 in Paris
    opened = ask(Reader(shops), open_now=True, now=wednesday_10h)["places"]
    assert [(p["id"], p["open_now"]) for p in opened] == [("osm:1", True)]
    christmas = dt.datetime(2026, 12, 25, 9, 0, tzinfo=dt.UTC)  # a public holiday
    everyone = ask(Reader(shops), now=christmas)["places"]
    assert [(p["id"], p["open_now"]) for p in everyone] == [("osm:1", False), ("osm:2", None)]


def test_an_unknown_place_is_404_and_the_categories_are_the_vocabulary() -> None:
    with pytest.raises(NotFoundError):
        logic.one(Reader(PLACES), "finess:999", NOW)
    listed = logic.categories()["categories"]
    assert {"id": "pharmacy", "label": "Pharmacie", "theme": "health"} in listed
    assert {c["theme"] for c in listed} == {"heritage", "health", "food", "mobility"}
