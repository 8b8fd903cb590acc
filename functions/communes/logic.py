"""The communes service's rules over the reference data: search, pages with a cursor bound to the data's edition,
and one commune.

Pure: no boto3, no environment, no table; `index` is the reference data (`poche_common.communes`, shipped in the
common layer; unit tests pass a small fake). Each function returns the JSON payload of one route.
"""

from __future__ import annotations

from typing import Any, Protocol

from poche_common.api import INSEE_RE
from poche_common.communes import Commune
from poche_common.errors import InvalidRequestError
from poche_common.pagination import decode_cursor, encode_cursor

from .policy import MAX_QUERY_LENGTH
from .views import commune_view

BAD_CURSOR = "Le curseur de pagination est invalide ou ne correspond pas à cette requête ; recommencez sans curseur."


class CommuneIndex(Protocol):
    """The reference data the routes read (`poche_common.communes` is one)."""

    def as_of(self) -> str: ...
    def all_communes(self) -> list[Commune]: ...
    def search(self, prefix: str, limit: int = 20) -> list[Commune]: ...
    def require(self, insee: str) -> Commune: ...


def freshness(index: CommuneIndex) -> dict[str, Any]:
    """Reference data: `as_of` is the date of its sources (COG / La Poste); it is never stale at run time."""
    return {"as_of": index.as_of(), "stale": False}


def page(found: list[Commune], after: str | None, limit: int) -> tuple[list[Commune], str | None]:
    """The `limit` communes following the one coded `after` (None: from the start), and the last one's code
    when more follow."""
    start = 0
    if after is not None:
        codes = [c.insee for c in found]
        if after not in codes:
            raise InvalidRequestError(BAD_CURSOR, field="cursor")
        start = codes.index(after) + 1
    chunk = found[start : start + limit]
    more = start + limit < len(found)
    return chunk, (chunk[-1].insee if more and chunk else None)


def parse_q(q: str | None) -> str | None:
    """The search `q` as given, at most `MAX_QUERY_LENGTH` characters (else 400)."""
    if q is not None and len(q) > MAX_QUERY_LENGTH:
        raise InvalidRequestError(f"q ne doit pas dépasser {MAX_QUERY_LENGTH} caractères.", field="q")
    return q


def communes(index: CommuneIndex, *, q: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    """Communes by name; with `q` (see `parse_q`), those whose name starts with it, or of that postcode / INSEE
    code."""
    # The scope binds a cursor to this query and to this edition of the data.
    scope = f"communes|{q or ''}|{index.as_of()}"
    key = decode_cursor(scope, cursor)
    after = key.get("after") if key else None
    if key is not None and not isinstance(after, str):
        raise InvalidRequestError(BAD_CURSOR, field="cursor")
    everything = index.all_communes()
    found = index.search(q, limit=len(everything)) if q else everything
    items, last = page(found, after, limit)
    return {
        "items": [commune_view(c) for c in items],
        "next": encode_cursor(scope, {"after": last} if last else None),
        **freshness(index),
    }


def commune(index: CommuneIndex, insee: str) -> dict[str, Any]:
    """One commune; 400 when `insee` is not an INSEE code, 404 when not a commune of the territory."""
    code = insee.strip().upper()
    if not INSEE_RE.match(code):
        raise InvalidRequestError(
            f"« {insee} » n'est pas un code INSEE de commune (5 caractères, par exemple 61001 pour Alençon).",
            field="insee",
        )
    return {**commune_view(index.require(code)), **freshness(index)}
