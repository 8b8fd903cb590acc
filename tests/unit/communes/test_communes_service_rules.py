"""The communes service's rules over a small fake of the reference data: search, pages and their cursor bound to
the data's edition, 400/404 of one commune, freshness; and the real data through the routes. No AWS."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import http_api_event

from communes import handler, logic
from poche_common.communes import Commune
from poche_common.errors import InvalidRequestError, NotFoundError

AS_OF = "2026-01-01T00:00:00+01:00"


def commune(insee: str, name: str) -> Commune:
    return Commune(insee, name, ("61000",), 48.4, 0.09, (0.0, 48.0, 1.0, 49.0))


class FakeIndex:
    """Four communes by name; `search` by name prefix."""

    def __init__(self, edition: str = AS_OF) -> None:
        self.edition = edition
        self.ordered = [commune("61001", "Alençon"), commune("61006", "Argentan"), commune("61002", "Appenai")]
        self.ordered.sort(key=lambda c: c.name)
        self.ordered.append(commune("61484", "Sées"))

    def as_of(self) -> str:
        return self.edition

    def all_communes(self) -> list[Commune]:
        return list(self.ordered)

    def search(self, prefix: str, limit: int = 20) -> list[Commune]:
        return [c for c in self.ordered if c.name.lower().startswith(prefix.lower())][:limit]

    def require(self, insee: str) -> Commune:
        for found in self.ordered:
            if found.insee == insee:
                return found
        raise NotFoundError(f"Aucune commune {insee}.")


def test_every_commune_page_by_page_never_stale() -> None:
    index = FakeIndex()
    first = logic.communes(index, q=None, limit=3, cursor=None)
    assert [c["insee"] for c in first["items"]] == ["61001", "61002", "61006"]
    assert first["as_of"] == AS_OF and first["stale"] is False and first["next"] is not None
    second = logic.communes(index, q=None, limit=3, cursor=first["next"])
    assert [c["name"] for c in second["items"]] == ["Sées"] and second["next"] is None


def test_a_search_pages_its_own_results_only() -> None:
    index = FakeIndex()
    first = logic.communes(index, q="a", limit=2, cursor=None)
    assert [c["name"] for c in first["items"]] == ["Alençon", "Appenai"]
    assert [c["name"] for c in logic.communes(index, q="a", limit=2, cursor=first["next"])["items"]] == ["Argentan"]
    with pytest.raises(InvalidRequestError) as caught:
        logic.communes(index, q=None, limit=2, cursor=first["next"])
    assert caught.value.field == "cursor"


def test_a_cursor_of_another_edition_of_the_data_is_refused() -> None:
    first = logic.communes(FakeIndex(), q=None, limit=1, cursor=None)
    with pytest.raises(InvalidRequestError):
        logic.communes(FakeIndex("2027-01-01T00:00:00+01:00"), q=None, limit=1, cursor=first["next"])


def test_a_too_long_q_is_refused() -> None:
    assert logic.parse_q("Sées") == "Sées" and logic.parse_q(None) is None
    with pytest.raises(InvalidRequestError) as caught:
        logic.parse_q("a" * 101)
    assert caught.value.field == "q"


def test_one_commune_400_when_malformed_404_when_unknown() -> None:
    index = FakeIndex()
    assert logic.commune(index, " 61484 ") | {"bbox": None} == {
        "insee": "61484",
        "name": "Sées",
        "postcodes": ["61000"],
        "lat": 48.4,
        "lon": 0.09,
        "bbox": None,
        "as_of": AS_OF,
        "stale": False,
    }
    with pytest.raises(InvalidRequestError) as caught:
        logic.commune(index, "Alençon")
    assert caught.value.field == "insee"
    with pytest.raises(NotFoundError):
        logic.commune(index, "61999")


def test_the_routes_answer_from_the_reference_data(lambda_context: Any) -> None:
    route = "GET /v1/communes/{insee}"
    one = handler.handler(http_api_event(route, "/v1/communes/61001", path_parameters={"insee": "61001"}), None)
    listed = handler.handler(http_api_event("GET /v1/communes", "/v1/communes", query={"q": "alen"}), lambda_context)
    assert one["statusCode"] == 200 and json.loads(one["body"])["name"] == "Alençon"
    assert one["headers"]["Cache-Control"] == "public, max-age=86400"
    assert [c["insee"] for c in json.loads(listed["body"])["items"]] == ["61001"]
