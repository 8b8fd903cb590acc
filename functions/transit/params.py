"""The transit routes' query parameters, read from their raw text: a value, or InvalidRequestError naming the
parameter (400). Pure: the handler passes what the request says."""

from __future__ import annotations

import re

from poche_common.api import parse_near, parse_radius
from poche_common.errors import InvalidRequestError
from transit_shared.keys import name_key

from . import policy

_ID_RE = re.compile(r"^[^\x00-\x1f#]{1,255}\Z")  # GTFS ids are free text; no control characters nor '#'
BAD_CURSOR = "Le curseur de pagination est invalide ; recommencez sans curseur."


def near(raw: str | None) -> tuple[float, float] | None:
    """`near=lat,lon` (WGS84 decimal degrees), at most `MAX_NEAR_LATITUDE` from the equator."""
    return parse_near(raw, "recherche d'arrêts à proximité")


def radius(raw: str | None) -> int:
    return parse_radius(raw, default=policy.DEFAULT_RADIUS_M, maximum=policy.MAX_RADIUS_M)


def identifier(value: str | None, name: str) -> str | None:
    if value is not None and not _ID_RE.match(value):
        raise InvalidRequestError(f"{name} n'est pas un identifiant valide.", field=name)
    return value


def stop_search(near_given: bool, text: str | None, radius_given: bool) -> None:
    """A stop list is by position or by name, not both; `radius` only with a position."""
    if near_given and text is not None:
        raise InvalidRequestError(
            "Donnez soit near (autour d'une position), soit q (par nom), pas les deux.", field="q"
        )
    if not near_given and radius_given:
        raise InvalidRequestError("radius n'a de sens qu'avec near=latitude,longitude.", field="radius")


def name_prefix(text: str | None) -> str | None:
    """The folded prefix of a stop name search (`q`), as the connector folds names (`name_key`)."""
    if text is None:
        return None
    prefix = name_key(text)
    if len(prefix) < policy.MIN_QUERY_CHARS or len(text) > policy.MAX_QUERY_CHARS:
        raise InvalidRequestError(
            f"q doit compter de {policy.MIN_QUERY_CHARS} à {policy.MAX_QUERY_CHARS} caractères "
            "(lettres ou chiffres), par exemple q=alencon.",
            field="q",
        )
    return prefix
