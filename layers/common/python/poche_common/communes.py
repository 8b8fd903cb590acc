"""The département's communes: reference data shipped in the layer (`data/communes.json`).

Built from the official geographic code (COG, IGN Admin Express) and La Poste's postcode table by
`poche communes refresh` (see `data/README.md`); never fetched at run time. Nothing is read at import
time: the data file is loaded once per process, on first use.

    get("61001")                -> Commune(insee="61001", name="Alençon", ...)
    require("61999")            -> NotFoundError « Aucune commune de l'Orne n'a le code INSEE 61999. »
    search("sees")              -> [Sées]   (accents, case, apostrophes, hyphens and a leading article ignored;
                                             an exact postcode or INSEE code also matches)
    commune_at(48.43, 0.09)     -> "61001"
    communes_touching(bbox)     -> codes whose bounding box intersects bbox (min_lon, min_lat, max_lon, max_lat)
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import NotFoundError

DATA_PATH = Path(__file__).with_name("data") / "communes.json"
SOURCE = "COG (IGN Admin Express) et base officielle des codes postaux de La Poste"

BBox = tuple[float, float, float, float]
Ring = list[tuple[float, float]]  # (lon, lat) vertices, not repeating the first one
Polygon = list[Ring]  # outer ring, then holes

_ARTICLES = ("le ", "la ", "les ", "l ")
_CODE_RE = re.compile(r"^[0-9][0-9AB][0-9]{3}\Z")


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    postcodes: tuple[str, ...]
    lat: float
    lon: float
    bbox: tuple[float, float, float, float]


def fold(text: str) -> str:
    """Search form: lower case, no accents, ligatures expanded, apostrophes/hyphens/spaces -> one space.

    Leading separators are dropped; a trailing one is kept (`saint-` must not find `Sainte-...`).
    """
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).lstrip()


class _Index:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.meta = {key: value for key, value in raw.items() if key != "communes"}
        self.by_code: dict[str, Commune] = {}
        self.outlines: dict[str, list[Polygon]] = {}
        self.keys: dict[str, tuple[str, ...]] = {}
        for entry in raw["communes"]:
            commune = Commune(
                insee=entry["insee"],
                name=entry["name"],
                postcodes=tuple(entry["postcodes"]),
                lat=entry["lat"],
                lon=entry["lon"],
                bbox=(entry["bbox"][0], entry["bbox"][1], entry["bbox"][2], entry["bbox"][3]),
            )
            self.by_code[commune.insee] = commune
            self.outlines[commune.insee] = [
                [[(point[0], point[1]) for point in ring] for ring in polygon] for polygon in entry["outline"]
            ]
            full = fold(commune.name) + " "
            keys = [full]
            for article in _ARTICLES:
                if full.startswith(article) and len(full) > len(article):
                    keys.append(full[len(article) :])
                    break
            self.keys[commune.insee] = tuple(keys)
        self.ordered = sorted(self.by_code.values(), key=lambda c: (fold(c.name), c.insee))


@functools.cache
def _index() -> _Index:
    with DATA_PATH.open(encoding="utf-8") as handle:
        return _Index(json.load(handle))


def metadata() -> dict[str, Any]:
    """Everything in the data file but the communes: département, sources and licences, dates."""
    return json.loads(json.dumps(_index().meta))


def as_of() -> str:
    """When the reference data was read at its sources (Europe/Paris ISO 8601 with offset)."""
    return str(_index().meta["as_of"])


def all_communes() -> list[Commune]:
    """Every commune, ordered by name."""
    return list(_index().ordered)


def get(insee: str) -> Commune | None:
    return _index().by_code.get(insee.strip().upper())


def require(insee: str) -> Commune:
    commune = get(insee)
    if commune is None:
        of = _index().meta["departement"]["of"]
        raise NotFoundError(f"Aucune commune {of} n'a le code INSEE {insee}.")
    return commune


def _compact(text: str) -> str:
    return text.replace(" ", "")


def search(prefix: str, limit: int = 20) -> list[Commune]:
    """Communes whose name starts with `prefix`, ordered by name.

    Accents, case, apostrophes and hyphens are ignored (`sees` finds Sées, `saint` the Saint-... and
    Sainte-... communes, `saint-` only the Saint-... ones); a leading article of the name is optional
    (`aigle` finds L'Aigle). An exact postcode (`61000`) or INSEE code (`61001`) finds those communes.
    A blank prefix finds nothing.
    """
    index = _index()
    raw = prefix.strip().upper()
    if _CODE_RE.match(raw):
        found = [c for c in index.ordered if c.insee == raw or raw in c.postcodes]
        return found[: max(limit, 0)]
    query = fold(prefix)
    if not query.strip():
        return []
    compact = _compact(query)
    loose = not query.endswith(" ")
    found = []
    for commune in index.ordered:
        keys = index.keys[commune.insee]
        if any(key.startswith(query) for key in keys) or (
            loose and any(_compact(key).startswith(compact) for key in keys)
        ):
            found.append(commune)
            if len(found) >= limit:
                break
    return found


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    inside = False
    count = len(ring)
    x1, y1 = ring[count - 1]
    for x2, y2 in ring:
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
        x1, y1 = x2, y2
    return inside


def _in_polygon(lon: float, lat: float, polygon: Polygon) -> bool:
    if not _in_ring(lon, lat, polygon[0]):
        return False
    return not any(_in_ring(lon, lat, hole) for hole in polygon[1:])


def contains(insee: str, lat: float, lon: float) -> bool:
    """Whether the point lies inside that commune's (simplified) outline."""
    outlines = _index().outlines.get(insee)
    return bool(outlines) and any(_in_polygon(lon, lat, polygon) for polygon in outlines or [])


def commune_at(lat: float, lon: float) -> str | None:
    """INSEE code of the commune whose outline contains the point, or None outside the département.

    Outlines are simplified (see data/README.md): a point within a few tens of metres of a border may be
    attributed to the neighbour, or to neither.
    """
    index = _index()
    for commune in index.ordered:
        min_lon, min_lat, max_lon, max_lat = commune.bbox
        if (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat) and any(
            _in_polygon(lon, lat, polygon) for polygon in index.outlines[commune.insee]
        ):
            return commune.insee
    return None


def communes_touching(bbox: BBox) -> list[str]:
    """Codes (sorted) of the communes whose bounding box intersects bbox (min_lon, min_lat, max_lon, max_lat)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    return sorted(
        c.insee
        for c in _index().ordered
        if c.bbox[0] <= max_lon and min_lon <= c.bbox[2] and c.bbox[1] <= max_lat and min_lat <= c.bbox[3]
    )
