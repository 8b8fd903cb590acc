"""The transit routes' query parameters, read from their raw text: a value, or InvalidRequestError naming the
parameter (400). Pure: the handler passes what the request says."""

from __future__ import annotations

import re

from poche_common.errors import InvalidRequestError
from transit_shared.keys import name_key

from . import policy

_NEAR_RE = re.compile(r"^(-?\d{1,3}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?)\Z")
_ID_RE = re.compile(r"^[^\x00-\x1f#]{1,255}\Z")  # GTFS ids are free text; no control characters nor '#'
BAD_CURSOR = "Le curseur de pagination est invalide ; recommencez sans curseur."


def near(raw: str | None) -> tuple[float, float] | None:
    """`near=lat,lon` (WGS84 decimal degrees), at most `MAX_NEAR_LATITUDE` from the equator."""
    if raw is None:
        return None
    match = _NEAR_RE.match(raw.replace(" ", ""))
    lat, lon = (float(match[1]), float(match[2])) if match else (999.0, 999.0)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidRequestError(
            f"« {raw} » n'est pas une position : attendu near=latitude,longitude en degrés décimaux "
            "(WGS84), par exemple near=48.4329,0.0913.",
            field="near",
        )
    if abs(lat) > policy.MAX_NEAR_LATITUDE:  # near a pole, a radius spans every longitude: too many cells to read
        raise InvalidRequestError(
            f"« {raw} » : la recherche d'arrêts à proximité va jusqu'à {policy.MAX_NEAR_LATITUDE}° de latitude.",
            field="near",
        )
    return lat, lon


def radius(raw: str | None) -> int:
    if raw is None:
        return policy.DEFAULT_RADIUS_M
    if not re.fullmatch(r"[0-9]{1,5}", raw) or not 1 <= int(raw) <= policy.MAX_RADIUS_M:
        raise InvalidRequestError(
            f"radius doit être un nombre entier de mètres entre 1 et {policy.MAX_RADIUS_M}.", field="radius"
        )
    return int(raw)


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
