"""Every tile type whose data is loaded has a catalogue example, and a home built from the examples answers
without error (issue 9, defect 13), on moto with the real connectors and their bundled samples.

Each tile type is loaded alone, in the smallest configuration that gives it content: for `news`, the
département's feed only (tag `general`), which every commune's news tile shows; before the fix its catalogue
example was null and a home built from it got a 400 for that tile."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from support import Cloud, body
from test_home import Home

MONDAY_0800 = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)  # within every bundled sample's dates
# tile type -> what loads its data: (package, connector, source or None for the bundled sample)
LOADERS: dict[str, list[tuple[str, str, str | None]]] = {
    "departures": [("transit_gtfs", "transit-gtfs", None)],
    "canteen-menu": [("canteen_menus_scdl", "canteen-menus-scdl", None)],
    "news": [("news_rss", "news-rss", "general=bundled")],  # département-wide news only
    "traffic": [("traffic_datex2", "traffic-datex2", None)],
    "events": [("agenda_openagenda", "agenda-openagenda", None)],
    "school-notices": [("schools_notices_csv", "schools-notices-csv", None)],
}


def load(home: Home, cloud: Cloud, tile: str) -> None:
    for package, connector, source in LOADERS[tile]:
        variable = "POCHE_SOURCE_" + connector.upper().replace("-", "_")
        if source is None:
            cloud.monkeypatch.delenv(variable, raising=False)
        else:
            cloud.monkeypatch.setenv(variable, source)
        home.run_connector(package, connector, MONDAY_0800)


def examples(home: Home) -> dict[str, Any]:
    return {item["id"]: item["example"] for item in home.catalogue()["items"]}


def test_every_tile_type_of_the_catalogue_has_a_loader_here(cloud: Cloud, lambda_context: Any) -> None:
    assert set(examples(Home(cloud, lambda_context))) == set(LOADERS)


@pytest.mark.parametrize("tile", sorted(LOADERS))
def test_a_tile_type_whose_data_is_loaded_has_an_example_that_a_home_answers(
    tile: str, cloud: Cloud, lambda_context: Any
) -> None:
    home = Home(cloud, lambda_context)
    assert examples(home)[tile] is None  # nothing loaded yet
    load(home, cloud, tile)

    example = examples(home)[tile]
    assert example is not None, f"{tile}: data loaded but no catalogue example"
    response = home.post({"tiles": [{"type": tile, "params": example}]}, now=MONDAY_0800)
    assert response["statusCode"] == 200
    [answer] = body(response)["tiles"]
    assert "error" not in answer, answer
    assert answer["content"]["items"], f"{tile}: the example names a tile with content"


def test_with_every_tile_type_loaded_a_home_of_all_the_examples_answers_without_error(
    cloud: Cloud, lambda_context: Any
) -> None:
    home = Home(cloud, lambda_context)
    for tile in sorted(LOADERS):
        load(home, cloud, tile)
    found = examples(home)
    assert all(found.values()), found
    response = home.post({"tiles": [{"type": t, "params": p} for t, p in sorted(found.items())]}, now=MONDAY_0800)
    assert response["statusCode"] == 200
    for answer in body(response)["tiles"]:
        assert "error" not in answer and answer["content"]["items"], answer


def test_a_commune_of_its_own_replaces_the_departement_wide_example(cloud: Cloud, lambda_context: Any) -> None:
    """The département's news make an example as soon as they are loaded; a commune's own feed, once loaded,
    makes a better one (its tile shows both)."""
    home = Home(cloud, lambda_context)
    cloud.monkeypatch.setenv("POCHE_SOURCE_NEWS_RSS", "general=bundled")
    home.run_connector("news_rss", "news-rss", MONDAY_0800)
    first = examples(home)["news"]
    assert first is not None and set(first) == {"commune"}
    cloud.monkeypatch.setenv("POCHE_SOURCE_NEWS_RSS", "general=bundled,61001=bundled")
    home.run_connector("news_rss", "news-rss", MONDAY_0800 + dt.timedelta(hours=1))
    assert examples(home)["news"] == {"commune": "61001"}
