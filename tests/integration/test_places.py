"""Issue 12 (first part): the places domain on the provisioned `Services` stack (moto): the FINESS extract imported
by its connector, then read near a point (the geohash indexes, nearest first), in a commune, one by one; no live
availability shown for places that have none."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from support import Cloud, http_api_event

from poche_common import geo

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
ALENCON = (48.4306, 0.0915)


class Places:
    def __init__(self, cloud: Cloud, context: Any) -> None:
        self.cloud = cloud
        self.context = context

    def run(self, package: str) -> dict[str, Any]:
        module = self.cloud.load(package)
        module.utc_now = lambda: NOW
        module.dependencies.get().outbox.clock = lambda: NOW
        connector = package.replace("_", "-")
        report: dict[str, Any] = module.handler({"trigger": "schedule", "connector": connector}, self.context)
        return report

    def import_finess(self) -> dict[str, Any]:
        return self.run("places_finess")

    def import_all(self) -> None:
        for package in ("places_finess", "places_covoiturage", "places_irve"):
            assert self.run(package)["status"] == "succeeded", package

    def get(self, route: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        module = self.cloud.load("places")
        module.utc_now = lambda: NOW
        answer = module.handler(http_api_event(f"GET {route}", path, **kwargs), self.context)
        return answer["statusCode"], json.loads(answer["body"])


@pytest.fixture
def places(cloud: Cloud, lambda_context: Any) -> Places:
    domain = Places(cloud, lambda_context)
    cloud.seed("places-all", domain.import_all)
    return domain


def test_the_connector_imports_the_orne_establishments_and_announces_them(cloud: Cloud, lambda_context: Any) -> None:
    report = Places(cloud, lambda_context).import_finess()
    assert report["status"] == "succeeded" and report["changed"] > 0
    (event,) = [e for e in cloud.bus_events() if e["detail-type"] == "PlacesUpdated"]
    assert event["source"] == "poche.places" and event["detail"]["counts"]["created"] == report["changed"]
    again = Places(cloud, lambda_context).import_finess()
    assert again["changed"] == 0 and cloud.bus_events() == []  # an unchanged file writes and announces nothing


def test_pharmacies_near_the_town_centre_nearest_first(places: Places) -> None:
    status, body = places.get(
        "/v1/places",
        "/v1/places",
        query={"near": f"{ALENCON[0]},{ALENCON[1]}", "radius": "3000", "category": "pharmacy"},
    )
    assert status == 200 and body["count"] >= 1
    distances = [p["distance_m"] for p in body["places"]]
    assert distances == sorted(distances) and all(d <= 3000 for d in distances)
    for place in body["places"]:
        assert place["category"] == "pharmacy" and place["id"].startswith("finess:")
        assert round(geo.distance_m(*ALENCON, place["lat"], place["lon"])) == place["distance_m"]
        assert place["availability"] is None and place["open_now"] is None  # FINESS gives no hours


def test_a_large_radius_reaches_the_other_towns_and_a_commune_lists_its_own(places: Places) -> None:
    flers = "48.7494,-0.5694"
    status, around_flers = places.get("/v1/places", "/v1/places", query={"near": flers, "radius": "20000"})
    assert status == 200 and around_flers["count"] >= 1  # the large radius, through the `by_area` index
    distances = [p["distance_m"] for p in around_flers["places"]]
    assert distances == sorted(distances) and max(distances) <= 20000
    assert "61001" not in {p["commune"] for p in around_flers["places"]}  # Alençon is 60 km away
    status, alencon = places.get("/v1/places", "/v1/places", query={"commune": "61001"})
    assert status == 200 and alencon["count"] >= 1 and {p["commune"] for p in alencon["places"]} == {"61001"}
    one = alencon["places"][0]
    status, fetched = places.get(
        "/v1/places/{place_id}", f"/v1/places/{one['id']}", path_parameters={"place_id": one["id"]}
    )
    assert status == 200 and {k: fetched[k] for k in ("id", "name", "category")} == {
        k: one[k] for k in ("id", "name", "category")
    }
    status, _ = places.get(
        "/v1/places/{place_id}", "/v1/places/finess:000000000", path_parameters={"place_id": "finess:000000000"}
    )
    assert status == 404


def test_every_source_lands_in_the_one_table_and_is_found_by_category(places: Places) -> None:
    """Carpool areas and charging stations, from their own connectors, answered by the same service."""
    near = f"{ALENCON[0]},{ALENCON[1]}"
    status, areas = places.get(
        "/v1/places", "/v1/places", query={"near": near, "radius": "20000", "category": "carpool_area"}
    )
    assert status == 200 and areas["count"] >= 1
    assert {p["id"].split(":")[0] for p in areas["places"]} == {"covoiturage"}
    status, stations = places.get(
        "/v1/places", "/v1/places", query={"near": near, "radius": "20000", "category": "charging_station"}
    )
    assert status == 200 and stations["count"] >= 1
    station = stations["places"][0]
    assert station["id"].startswith("irve:") and station["source"]["licence"].startswith("Licence Ouverte")
    assert {"points", "power_kw"} <= set(station["details"])  # what the category adds, as the source says it
    status, categories = places.get("/v1/places", "/v1/places", query={"commune": "61001"})
    assert {"pharmacy", "charging_station"} <= {p["category"] for p in categories["places"]}
