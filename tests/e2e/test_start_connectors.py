"""`POCHE_START_CONNECTORS`: which connectors `poche run` runs before it is ready (the rule alone, no platform)."""

from __future__ import annotations

import pytest

from poche_local.platform import start_connectors

KNOWN = ["news-rss", "canteen-menus-scdl", "transit-gtfs"]


@pytest.mark.parametrize("setting", [None, "", "all", " all "])
def test_every_connector_by_default(setting: str | None) -> None:
    assert start_connectors(KNOWN, setting) == ["canteen-menus-scdl", "news-rss", "transit-gtfs"]


def test_none_runs_no_connector() -> None:
    assert start_connectors(KNOWN, "none") == []


def test_a_list_runs_those_only() -> None:
    assert start_connectors(KNOWN, "transit-gtfs, canteen-menus-scdl,") == ["canteen-menus-scdl", "transit-gtfs"]


def test_an_unknown_connector_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown connector.*canteen-menus-xml.*known: canteen-menus-scdl"):
        start_connectors(KNOWN, "canteen-menus-xml")
