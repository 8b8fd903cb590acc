"""`poche communes refresh`: rebuild the communes reference data shipped in the common layer.

poche communes refresh --geojson PATH --postcodes PATH [--departement 61] [--out PATH]
                       [--cog-date YYYY-MM-DD] [--postcodes-date YYYY-MM-DD]

Inputs (see layers/common/python/poche_common/data/README.md):
- an Admin Express / COG communes GeoJSON (FeatureCollection, properties `code` and `nom`, polygons);
- La Poste's postcode table (`laposte_hexasmal.csv`, `;`-separated, columns Code_commune_INSEE,
  Nom_commune, Code_postal, Ligne_5).

La Poste's table is the current list of communes. The GeoJSON may be older: communes merged since
(communes nouvelles) appear there under their old codes, and their polygons are united into the commune
that absorbed them (found through La Poste's `Ligne_5`, which names the former commune). Names come from
the GeoJSON (accented) when the code is there and still names the same commune, otherwise they are
derived from La Poste's upper-case name (French title-case rules) and must be checked by hand.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "layers/common/python/poche_common/data/communes.json"
# The inputs of the shipped file, kept in the repository (gzipped) so that it can be rebuilt and checked anywhere.
INPUTS = Path(__file__).resolve().parent / "communes_sources"
SAMPLE_GEOJSON = INPUTS / "france-geojson_communes-61-orne.geojson.gz"
SAMPLE_POSTCODES = INPUTS / "laposte_hexasmal_dept61_extract.csv.gz"
FORMAT_VERSION = 1

# Douglas-Peucker tolerance in degrees (0.0006° ≈ 44 m east-west, 67 m north-south at 48.6°N): the largest
# round value keeping the Orne's file under 400 kB (0.0005° gives 428 kB); outlines stay within ~70 m.
TOLERANCE_DEG = 0.0006
DECIMALS = 5

# Dates of the sample inputs (override with --cog-date / --postcodes-date when refreshing from newer files).
DEFAULT_COG_DATE = "2018-01-01"  # COG millésime 2018 (IGN Admin Express COG édition 2018)
DEFAULT_POSTCODES_DATE = "2020-04-15"  # the La Poste extract (laposte_hexasmal.csv as published then)

SOURCES = [
    {
        "name": "Admin Express COG (IGN), codes et noms du COG (INSEE)",
        "url": "https://github.com/gregoiredavid/france-geojson/blob/5d34ee6d0140c29f785fdb047d9329f1aab58833/"
        "departements/61-orne/communes-61-orne.geojson",
        "origin": "https://geoservices.ign.fr/adminexpress",
        "licence": "Licence Ouverte / Open Licence (Etalab)",
        "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
        "used_for": "codes INSEE, noms accentués, contours",
    },
    {
        "name": "Base officielle des codes postaux (La Poste)",
        "url": "https://github.com/jaco60/zipcodes/blob/33c26433cbc81ef025f61039baa25a5f6fff2310/laposte_hexasmal.csv",
        "origin": "https://www.data.gouv.fr/fr/datasets/base-officielle-des-codes-postaux/",
        "licence": "Licence Ouverte / Open Licence 2.0 (Etalab)",
        "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
        "used_for": "liste des communes actuelles, codes postaux, communes déléguées",
    },
]

# Département names and how French says "of" them (for messages such as « Aucune commune de l'Orne ... »).
DEPARTEMENTS = {
    "14": ("Calvados", "du Calvados"),
    "27": ("Eure", "de l'Eure"),
    "28": ("Eure-et-Loir", "d'Eure-et-Loir"),
    "35": ("Ille-et-Vilaine", "d'Ille-et-Vilaine"),
    "50": ("Manche", "de la Manche"),
    "53": ("Mayenne", "de la Mayenne"),
    "61": ("Orne", "de l'Orne"),
    "72": ("Sarthe", "de la Sarthe"),
    "76": ("Seine-Maritime", "de la Seine-Maritime"),
}

# Official COG names that neither source spells right, checked by hand against the COG (see data/README.md).
# 61168: the GeoJSON drops the hyphen ("Ferté Macé"); the COG name is "La Ferté-Macé".
NAME_CORRECTIONS = {"61168": "La Ferté-Macé"}

# Accented spellings of words that names derived from La Poste need and the GeoJSON does not provide.
ACCENTED_WORDS = {"OREE": "Orée"}

_ARTICLES = {"LE": "Le", "LA": "La", "LES": "Les", "L": "L'"}
# Articles and prepositions written in lower case after the first word (`LES` may also be `lès`: check by hand).
_LOWER_WORDS = {
    **{word: word.lower() for word in ("DE", "DU", "DES", "LA", "LE", "LES", "SUR", "SOUS", "EN", "ET", "AUX", "AU")},
    "LEZ": "lez",
    "PRES": "près",
}
_ELIDED = {"D": "d'", "L": "l'"}
_POSTCODE_COLUMNS = ("Code_commune_INSEE", "Nom_commune", "Code_postal", "Ligne_5")
# Later editions of La Poste's table renamed a column (and put a `#` before the first one).
_POSTCODE_ALIASES = {"Nom_de_la_commune": "Nom_commune"}


class RefreshError(Exception):
    """A problem with the inputs the user can fix; printed without a traceback, exit status 2."""


# --- names --------------------------------------------------------------------------------------------------------


def upper_ascii(text: str) -> str:
    """La Poste's spelling: upper case, no accents, ligatures expanded, separators -> one space."""
    text = text.upper().replace("Œ", "OE").replace("Æ", "AE")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", text).split())


def expand_saints(name: str) -> str:
    """La Poste abbreviates: ST -> SAINT, STE -> SAINTE."""
    words = {"ST": "SAINT", "STE": "SAINTE"}
    return " ".join(words.get(word, word) for word in name.split())


def _vocabulary(names: Iterable[str]) -> dict[str, str]:
    """Accented spelling of every capitalised word of the GeoJSON names, by its La Poste form."""
    vocabulary: dict[str, str] = {}
    for name in names:
        for word in re.split(r"[\s\-']+", name):
            if word[:1].isupper() and len(word) > 1:
                vocabulary.setdefault(upper_ascii(word), word)
    vocabulary.update(ACCENTED_WORDS)
    return vocabulary


def derive_name(laposte_name: str, vocabulary: dict[str, str]) -> str:
    """A COG-style name from La Poste's upper-case one.

    French rules: a leading article stays a separate word (`Le Mêle-sur-Sarthe`, `L'Aigle`); the other words
    are joined by hyphens; articles and prepositions after the first word are lower case; `D`/`L` before a
    word are elided (`d'Écouves`); ST/STE become Saint/Sainte; accents come from the GeoJSON's words.
    """
    words = expand_saints(upper_ascii(laposte_name)).split()
    head = ""
    if len(words) > 1 and words[0] in _ARTICLES:
        head = _ARTICLES[words[0]]
        words = words[1:]
        if not head.endswith("'"):
            head += " "
    parts: list[str] = []
    pending = ""
    for position, word in enumerate(words):
        is_last = position == len(words) - 1
        if word in _ELIDED and not is_last and (parts or pending or head):
            pending += _ELIDED[word]
            continue
        if word in _LOWER_WORDS and (parts or head) and not is_last:
            spelled = _LOWER_WORDS[word]
        else:
            spelled = vocabulary.get(word, word.capitalize())
        parts.append(pending + spelled)
        pending = ""
    return head + "-".join(parts)


# --- geometry -----------------------------------------------------------------------------------------------------

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]


def _open_ring(coordinates: Sequence[Sequence[float]]) -> Ring:
    ring = [(float(p[0]), float(p[1])) for p in coordinates]
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    return ring


def _signed_area(ring: Ring) -> float:
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        total += x1 * y2 - x2 * y1
    return total / 2


def _centroid_terms(ring: Ring) -> tuple[float, float, float]:
    """(signed area, sum for x, sum for y) of one ring (shoelace)."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return area / 2, cx, cy


def area_centroid(polygons: list[Polygon]) -> Point | None:
    """Area-weighted centroid (holes subtracted), or None for a degenerate geometry."""
    total = sx = sy = 0.0
    for polygon in polygons:
        for index, ring in enumerate(polygon):
            area, cx, cy = _centroid_terms(ring)
            sign = 1.0 if index == 0 else -1.0
            # outer rings count positively and holes negatively whatever their orientation
            flip = sign if area >= 0 else -sign
            total += flip * area
            sx += flip * cx
            sy += flip * cy
    if abs(total) < 1e-15:
        return None
    return sx / (6 * total), sy / (6 * total)


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    inside = False
    x1, y1 = ring[-1]
    for x2, y2 in ring:
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
        x1, y1 = x2, y2
    return inside


def inside(polygons: list[Polygon], x: float, y: float) -> bool:
    return any(_in_ring(x, y, p[0]) and not any(_in_ring(x, y, h) for h in p[1:]) for p in polygons)


def point_inside(polygons: list[Polygon]) -> Point:
    """A point well inside: the middle of the widest interior span on horizontal lines across the geometry."""
    ys = [y for polygon in polygons for ring in polygon for _, y in ring]
    low, high = min(ys), max(ys)
    best: tuple[float, Point] | None = None
    for step in range(1, 40):
        y = low + (high - low) * step / 40
        crossings = sorted(
            x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            for polygon in polygons
            for ring in polygon
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)
            if (y1 > y) != (y2 > y)
        )
        for left, right in zip(crossings[::2], crossings[1::2], strict=False):
            middle = (left + right) / 2
            if inside(polygons, middle, y) and (best is None or right - left > best[0]):
                best = (right - left, (middle, y))
    if best is None:
        raise RefreshError("degenerate commune outline: no interior point")
    return best[1]


def _perpendicular(point: Point, start: Point, end: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / math.hypot(dx, dy)


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """Simplify an open polyline (iterative, keeps both ends)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, distance = -1, tolerance
        for index in range(first + 1, last):
            d = _perpendicular(points[index], points[first], points[last])
            if d > distance:
                farthest, distance = index, d
        if farthest >= 0:
            keep[farthest] = True
            stack.extend([(first, farthest), (farthest, last)])
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def simplify_ring(ring: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker on a closed ring, split at its first vertex and the vertex farthest from it."""
    if len(ring) <= 4:
        return list(ring)
    origin = ring[0]
    far = max(range(len(ring)), key=lambda i: math.hypot(ring[i][0] - origin[0], ring[i][1] - origin[1]))
    first = douglas_peucker(ring[: far + 1], tolerance)
    second = douglas_peucker([*ring[far:], origin], tolerance)
    simplified = first[:-1] + second[:-1]
    return simplified if len(simplified) >= 3 else list(ring)


def _round(point: Point) -> Point:
    return round(point[0], DECIMALS), round(point[1], DECIMALS)


def _dedupe(ring: Ring) -> Ring:
    out: Ring = []
    for point in ring:
        if not out or out[-1] != point:
            out.append(point)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def dissolve(polygons: list[Polygon]) -> list[Polygon]:
    """Union of polygons sharing borders vertex for vertex (as COG/Admin Express polygons do).

    Outer rings are oriented counter-clockwise; an edge met once in each direction is an inner border and is
    dropped; the remaining edges are chained back into rings. When the chaining is ambiguous (a vertex where
    several kept edges start), or holes are involved, the polygons are returned unchanged (their union as a
    multi-polygon is then still exact for point look-ups).
    """
    if len(polygons) < 2 or any(len(p) > 1 for p in polygons):
        return polygons
    edges: dict[tuple[Point, Point], int] = {}
    for polygon in polygons:
        ring = polygon[0] if _signed_area(polygon[0]) > 0 else polygon[0][::-1]
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
            if (b, a) in edges:
                edges[(b, a)] -= 1
                if edges[(b, a)] == 0:
                    del edges[(b, a)]
            else:
                edges[(a, b)] = edges.get((a, b), 0) + 1
    following: dict[Point, Point] = {}
    for (a, b), count in edges.items():
        if count != 1 or a in following:
            return polygons
        following[a] = b
    rings: list[Ring] = []
    while following:
        start = next(iter(following))
        ring = [start]
        point = following.pop(start)
        while point != start:
            ring.append(point)
            if point not in following:
                return polygons
            point = following.pop(point)
        rings.append(ring)
    outers = [r for r in rings if _signed_area(r) > 0]
    holes = [r for r in rings if _signed_area(r) <= 0]
    if len(outers) != 1:
        return polygons if holes else [[r] for r in outers]
    return [[outers[0], *[h[::-1] for h in holes]]]


# --- inputs -------------------------------------------------------------------------------------------------------


def _polygons_of(geometry: dict[str, Any]) -> list[Polygon]:
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return [[_open_ring(ring) for ring in coordinates or []]]
    if kind == "MultiPolygon":
        return [[_open_ring(ring) for ring in polygon] for polygon in coordinates or []]
    raise RefreshError(f"unsupported geometry type {kind!r} (expected Polygon or MultiPolygon)")


def _read(path: Path) -> bytes:
    """The file's bytes, gunzipped when its name ends with `.gz`."""
    if not path.is_file():
        raise RefreshError(f"{path}: no such file")
    raw = path.read_bytes()
    if path.suffix == ".gz":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise RefreshError(f"{path}: not a gzip file ({exc})") from None
    return raw


def read_geojson(path: Path, departement: str) -> dict[str, tuple[str, list[Polygon]]]:
    """code -> (name, polygons) of the département's communes in the GeoJSON."""
    try:
        data = json.loads(_read(path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RefreshError(f"{path}: not a GeoJSON file ({exc})") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise RefreshError(f"{path}: not a GeoJSON FeatureCollection")
    communes: dict[str, tuple[str, list[Polygon]]] = {}
    for number, feature in enumerate(data.get("features") or []):
        properties = feature.get("properties") or {}
        # france-geojson spells them code/nom, IGN's own Admin Express exports INSEE_COM/NOM (NOM_COM before 2020)
        code = str(properties.get("code") or properties.get("INSEE_COM") or "")
        name = properties.get("nom") or properties.get("NOM") or properties.get("NOM_COM")
        if not code or not isinstance(name, str):
            raise RefreshError(f"{path}: feature {number} has no `code` and `nom` properties")
        if not code.startswith(departement):
            continue
        polygons = _polygons_of(feature.get("geometry") or {})
        if code in communes:
            communes[code] = (name, communes[code][1] + polygons)
        else:
            communes[code] = (name, polygons)
    if not communes:
        raise RefreshError(f"{path}: no commune of département {departement}")
    return communes


def read_postcodes(path: Path, departement: str) -> list[dict[str, str]]:
    """The département's rows of La Poste's table."""
    raw = _read(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    reader = csv.DictReader(text.splitlines(), delimiter=";")
    header = [name.lstrip("#").strip() for name in reader.fieldnames or []]
    header = [_POSTCODE_ALIASES.get(name, name) for name in header]
    missing = [column for column in _POSTCODE_COLUMNS if column not in header]
    if missing:
        raise RefreshError(
            f"{path}: not La Poste's postcode table: missing column(s) {', '.join(missing)} (found {', '.join(header)})"
        )
    reader.fieldnames = header
    rows = [
        {key: (row.get(key) or "").strip() for key in _POSTCODE_COLUMNS}
        for row in reader
        if (row.get("Code_commune_INSEE") or "").strip().startswith(departement)
    ]
    if not rows:
        raise RefreshError(f"{path}: no commune of département {departement}")
    for row in rows:
        if not re.fullmatch(r"[0-9][0-9AB][0-9]{3}", row["Code_commune_INSEE"]):
            raise RefreshError(f"{path}: bad INSEE code {row['Code_commune_INSEE']!r}")
        if not re.fullmatch(r"[0-9]{5}", row["Code_postal"]):
            raise RefreshError(f"{path}: bad postcode {row['Code_postal']!r} for {row['Code_commune_INSEE']}")
    return rows


# --- build --------------------------------------------------------------------------------------------------------


def _name_from_geojson(geo_name: str, laposte_name: str) -> str | None:
    """The GeoJSON name, with the leading article La Poste has and the GeoJSON drops; None if another commune."""
    ours, theirs = expand_saints(upper_ascii(geo_name)), expand_saints(upper_ascii(laposte_name))
    if ours == theirs:
        return geo_name
    article = theirs.split()[0]
    if article in _ARTICLES and theirs == f"{article} {ours}":
        spelled = _ARTICLES[article]
        return spelled + geo_name if spelled.endswith("'") else f"{spelled} {geo_name}"
    return None


def _paris_midnight(day: str) -> str:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), PARIS).isoformat(timespec="seconds")


def build(
    geojson: Path,
    postcodes: Path,
    departement: str,
    *,
    cog_date: str = DEFAULT_COG_DATE,
    postcodes_date: str = DEFAULT_POSTCODES_DATE,
    generated_at: str | None = None,
) -> dict[str, Any]:
    """The communes data file's content (see data/README.md for the reconciliation rules).

    `generated_at` defaults to the later source date so that the same inputs always give the same file.
    """
    departement = departement.strip().upper()
    if not re.fullmatch(r"[0-9][0-9AB][0-9]?", departement):
        raise RefreshError(f"{departement!r} is not a département code (61, 2A, 971, ...)")
    shapes = read_geojson(Path(geojson), departement)
    rows = read_postcodes(Path(postcodes), departement)

    current: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        current.setdefault(row["Code_commune_INSEE"], []).append(row)

    # Which current commune each GeoJSON commune belongs to.
    members: dict[str, list[str]] = {code: [] for code in current}
    merged: dict[str, str] = {}
    for code, (geo_name, _) in sorted(shapes.items()):
        if code in current:
            members[code].append(code)
            continue
        wanted = expand_saints(upper_ascii(geo_name))
        hosts = sorted(
            {
                row["Code_commune_INSEE"]
                for row in rows
                if row["Ligne_5"] and expand_saints(upper_ascii(row["Ligne_5"])) == wanted
            }
        )
        if len(hosts) != 1:
            found = "no" if not hosts else "several (" + ", ".join(hosts) + ")"
            raise RefreshError(
                f"{code} {geo_name} is in the GeoJSON but not in La Poste's table, and {found} current commune "
                "names it as a former commune (Ligne_5): cannot tell which commune absorbed it"
            )
        members[hosts[0]].append(code)
        merged[code] = hosts[0]
    without_shape = sorted(code for code, codes in members.items() if not codes)
    if without_shape:
        raise RefreshError(f"no outline in the GeoJSON for the current commune(s) {', '.join(without_shape)}")

    vocabulary = _vocabulary(name for name, _ in shapes.values())
    communes: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    for code in sorted(current):
        laposte_name = current[code][0]["Nom_commune"]
        name_source = "cog"
        name = _name_from_geojson(shapes[code][0], laposte_name) if code in shapes else None
        if name is None:
            name = derive_name(laposte_name, vocabulary)
            name_source = "laposte"
        elif name != shapes[code][0]:
            name_source = "cog+article"
        if code in NAME_CORRECTIONS:
            if upper_ascii(NAME_CORRECTIONS[code]) != upper_ascii(name):
                raise RefreshError(f"the hand correction of {code} ({NAME_CORRECTIONS[code]}) no longer fits {name}")
            name, name_source = NAME_CORRECTIONS[code], "corrected"

        polygons = dissolve([p for member in members[code] for p in shapes[member][1]])
        xs = [x for polygon in polygons for ring in polygon for x, _ in ring]
        ys = [y for polygon in polygons for ring in polygon for _, y in ring]
        outline = [
            [_dedupe([_round(p) for p in simplify_ring(r, TOLERANCE_DEG)]) for r in polygon] for polygon in polygons
        ]
        outline = [[r for r in polygon if len(r) >= 3] for polygon in outline]
        outline = [polygon for polygon in outline if polygon]
        centre = area_centroid(polygons)
        centre_kind = "centroid"
        if centre is None or not inside(outline, *centre) or not inside(polygons, *centre):
            centre, centre_kind = point_inside(outline), "inside"
        communes.append(
            {
                "insee": code,
                "name": name,
                "postcodes": sorted({row["Code_postal"] for row in current[code]}),
                "lat": round(centre[1], DECIMALS),
                "lon": round(centre[0], DECIMALS),
                "bbox": [round(v, DECIMALS) for v in (min(xs), min(ys), max(xs), max(ys))],
                "outline": [[[list(p) for p in ring] for ring in polygon] for polygon in outline],
            }
        )
        former = sorted(m for m in members[code] if m != code)
        if former or name_source in ("laposte", "corrected") or centre_kind != "centroid":
            case: dict[str, Any] = {"insee": code, "name": name, "name_from": name_source}
            if code in shapes and shapes[code][0] != name and name_source != "cog+article":
                case["cog_2018_name"] = shapes[code][0]
            if former:
                case["absorbed"] = [{"insee": m, "name": shapes[m][0]} for m in former]
            if centre_kind != "centroid":
                case["centre"] = "point inside (the centroid falls outside the outline)"
            cases.append(case)

    later = max(cog_date, postcodes_date)
    name, of = DEPARTEMENTS.get(departement, (f"département {departement}", f"du département {departement}"))
    return {
        "format": FORMAT_VERSION,
        "departement": {"code": departement, "name": name, "of": of},
        "sources": SOURCES,
        "cog_date": cog_date,
        "postcodes_date": postcodes_date,
        "as_of": _paris_midnight(later),
        "generated_at": generated_at or _paris_midnight(later),
        "simplification": {"method": "douglas-peucker", "tolerance_deg": TOLERANCE_DEG, "decimals": DECIMALS},
        "counts": {"communes": len(communes), "cog_2018_communes": len(shapes), "postcode_rows": len(rows)},
        "reconciliation": cases,
        "communes": communes,
    }


def dumps(data: dict[str, Any]) -> str:
    """The file's text: metadata indented, one commune per line (readable diffs)."""
    lines = ["{"]
    for key, value in data.items():
        if key == "communes":
            continue
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    body = ",\n".join("    " + json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in data["communes"])
    lines.append('  "communes": [\n' + body + "\n  ]")
    return "\n".join(lines) + "\n}\n"


def _date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def main(args: argparse.Namespace) -> int:
    try:
        data = build(
            Path(args.geojson),
            Path(args.postcodes),
            args.departement,
            cog_date=args.cog_date,
            postcodes_date=args.postcodes_date,
            generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
    except RefreshError as exc:
        print(f"poche communes refresh: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    text = dumps(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"{out}: {len(data['communes'])} communes, {len(text.encode()) // 1024} kB")
    for case in data["reconciliation"]:
        if case["name_from"] == "laposte":
            print(f"  check by hand: {case['insee']} name derived from La Poste: {case['name']}")
    return 0


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register `communes refresh` on the `poche` command line."""
    communes = commands.add_parser("communes", help="reference data: the département's communes")
    actions = communes.add_subparsers(dest="communes_command", required=True)
    refresh = actions.add_parser(
        "refresh",
        help="rebuild the communes data file from COG/Admin Express GeoJSON and La Poste's postcode table",
    )
    refresh.add_argument("--geojson", required=True, help="communes GeoJSON (properties code, nom; polygons)")
    refresh.add_argument("--postcodes", required=True, help="La Poste laposte_hexasmal.csv (or its extract)")
    refresh.add_argument("--departement", default="61", help="département code (default 61, the Orne)")
    refresh.add_argument("--out", default=str(DEFAULT_OUT), help="output file (default: the layer's data file)")
    refresh.add_argument("--cog-date", type=_date, default=DEFAULT_COG_DATE, help="date of the COG vintage")
    refresh.add_argument(
        "--postcodes-date", type=_date, default=DEFAULT_POSTCODES_DATE, help="date of La Poste's table"
    )
    refresh.set_defaults(func=main)
