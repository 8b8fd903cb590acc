"""Parse the etalab FINESS establishments extract (`etalab-cs1100502-stock-*.csv`) into health places.

The file (data.gouv.fr, "FINESS Extraction du Fichier des établissements", Licence Ouverte) is `;`-separated
UTF-8 without a column header:

- line 1, the metadata line: `finess;etalab;<n>;<extraction date AAAA-MM-JJ>`;
- one `structureet;` row per establishment, 32 fields (the last one empty, the row ends with `;`): 1 `structureet`,
  2 nofinesset, 3 nofinessej, 4 rs, 5 rslongue, 6 complrs, 7 compldistrib, 8 numvoie, 9 typvoie, 10 voie,
  11 compvoie, 12 lieuditbp, 13 commune (3 characters), 14 departement (`61`, `2A`, `9A`…), 15 libdepartement,
  16 ligneacheminement (`61000 ALENCON`), 17 telephone, 18 telecopie, 19 categetab, 20 libcategetab,
  21 categagretab, 22 libcategagretab, 23 siret, 24 codeape, 25 codemft, 26 libmft, 27 codesph, 28 libsph,
  29 dateouv, 30 dateautor, 31 datemaj, 32 numuai;
- one `geolocalisation;` row per located establishment, usually after all the `structureet;` rows:
  `geolocalisation;<nofinesset>;<x>;<y>;<source>;<date>`. The source names the coordinate system: since 2026
  `1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)`, before `1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,
  LAMBERT_93`; overseas establishments are in their UTM zone (`EPSG:5490 RGAF09/UTM Zone 20N`, `UTM_N20`…).

Only establishments of the wanted départements (`departements`, the Orne by default) whose category is a place
for Poche are kept; the others are counted (`skipped_elsewhere`, `skipped_categories`), not rejected. Their
coordinates are converted from Lambert-93 with `poche_common.lambert93.to_wgs84` only when the source says
Lambert-93 (EPSG:2154): any other system is rejected with its reason, and so are points outside mainland France
and Corsica (a swapped X/Y pair, for example). An establishment whose geolocation is missing or rejected is kept
without a position (`lat`/`lon` None): it can still be listed by commune.

FINESS category (categetab, nomenclature TRE_R66 of the ANS) -> Poche place category:

| Poche      | FINESS categories                                                                         |
|------------|-------------------------------------------------------------------------------------------|
| `hospital` | 101 Centre hospitalier régional (CHR) · 106 Centre hospitalier (ex hôpital local) ·       |
|            | 109 Etablissement de santé privé autorisé en SSR · 114 Hôpital des armées ·               |
|            | 122 Etablissement de soins obstétriques et chirurgico-gynécologiques ·                    |
|            | 128 Etablissement de soins chirurgicaux · 129 Etablissement de soins médicaux ·           |
|            | 131 Centre de lutte contre le cancer · 161 Maison de santé pour maladies mentales ·       |
|            | 292 Centre hospitalier spécialisé de lutte contre les maladies mentales ·                 |
|            | 355 Centre hospitalier (CH) · 362 Etablissement de soins longue durée ·                   |
|            | 365 Etablissement de soins pluridisciplinaire (most cliniques) ·                          |
|            | 697 Groupement de coopération sanitaire, établissement de santé                           |
| `pharmacy` | 620 Pharmacie d'officine · 627 Propharmacie · 628 Pharmacie minière ·                     |
|            | 629 Pharmacie mutualiste · 641 Antenne de pharmacie d'officine                            |
| `doctor`   | 124 Centre de santé · 439 Centre de santé polyvalent · 603 Maison de santé (L6223-3)      |

Every other category (EHPAD 500, laboratories 611, PMI 223, HAD 127, dialysis 141/146, social services…) is
skipped and counted by code.

A bad row is rejected with its physical line number and a French reason: a wrong number of fields, an invalid
FINESS number, an establishment read twice, an invalid département code (a row shifted by a field too many or
too few, which the tolerance for trailing empty fields would let through), an empty name, an invalid commune code;
for a `geolocalisation;` row
of a kept establishment, unreadable coordinates, a coordinate system other than Lambert-93, a point outside
mainland France, a second geolocation, or no establishment of that number in the file. A bad row never withdraws
a stored place (the store's diff): the FINESS number of each rejected row, when its second field reads as one, is
in `rejected_finess` (its stored place is kept as it is); a rejected `structureet;` row, or a row of an unknown
type (a damaged `structureet;` perhaps), whose number cannot be read sets `unattributed_rejections` (it may be any
stored place: the run deletes none). A `geolocalisation;` row never makes a place, so one without a readable
number is only rejected. The file as a whole is
unusable (`FeedFormatError`, nothing stored changes) when it does not start with the metadata line, holds no
readable `structureet;` row, or no establishment of the wanted départements at all (a national extract always has
some: a file without any is truncated or not the one expected).

Pure and standard library only (cold start). Texts through `poche_common.plaintext.plain`, the decoding through
`poche_common.csvfeed` (UTF-8 with or without BOM, Windows-1252).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from poche_common import csvfeed, lambert93
from poche_common.bounds import excerpt
from poche_common.errors import FeedFormatError
from poche_common.plaintext import plain

__all__ = [
    "CATEGORIES",
    "DEFAULT_DEPARTEMENTS",
    "PLACE_CATEGORIES",
    "FinessPlace",
    "ParsedFeed",
    "RejectedRow",
    "parse_feed",
]

DEFAULT_DEPARTEMENTS: Final = ("61",)
PLACE_CATEGORIES: Final = ("hospital", "pharmacy", "doctor")

# categetab -> Poche place category (module docstring)
CATEGORIES: Final[dict[str, str]] = {
    **dict.fromkeys(
        ("101", "106", "109", "114", "122", "128", "129", "131", "161", "292", "355", "362", "365", "697"), "hospital"
    ),
    **dict.fromkeys(("620", "627", "628", "629", "641"), "pharmacy"),
    **dict.fromkeys(("124", "439", "603"), "doctor"),
}

STRUCTURE = "structureet"
GEOLOCATION = "geolocalisation"
STRUCTURE_FIELDS = 32
GEOLOCATION_FIELDS = 6
MAX_NAME = 150
MAX_ADDRESS = 200
MAX_TOWN = 80
MAX_LABEL = 120
MAX_REASONS_IN_ERROR = 3

# The field positions of a `structureet;` row (0-based)
NOFINESSET, RS, RSLONGUE, COMPLDISTRIB = 1, 3, 4, 6
NUMVOIE, TYPVOIE, VOIE, COMPVOIE, LIEUDITBP = 7, 8, 9, 10, 11
COMMUNE, DEPARTEMENT, LIGNEACHEMINEMENT, TELEPHONE = 12, 13, 15, 16
CATEGETAB, LIBCATEGETAB, DATEOUV, DATEMAJ = 18, 19, 28, 30

# The usual FINESS abbreviations of street types, spelled out for people (others are kept as written)
STREET_TYPES: Final[dict[str, str]] = {
    "ALL": "ALLÉE",
    "AV": "AVENUE",
    "BD": "BOULEVARD",
    "CAR": "CARREFOUR",
    "CHE": "CHEMIN",
    "CHS": "CHAUSSÉE",
    "CRS": "COURS",
    "CTRE": "CENTRE",
    "ESP": "ESPLANADE",
    "FG": "FAUBOURG",
    "HAM": "HAMEAU",
    "IMP": "IMPASSE",
    "LD": "LIEU-DIT",
    "MTE": "MONTÉE",
    "PASS": "PASSAGE",
    "PL": "PLACE",
    "PRO": "PROMENADE",
    "PRV": "PARVIS",
    "QUA": "QUARTIER",
    "QUAI": "QUAI",
    "R": "RUE",
    "RES": "RÉSIDENCE",
    "RPT": "ROND-POINT",
    "RTE": "ROUTE",
    "SQ": "SQUARE",
    "VOIE": "VOIE",
}

# compvoie, the repetition index of the street number
REPETITIONS: Final[dict[str, str]] = {"B": "BIS", "T": "TER", "Q": "QUATER"}

_FINESS_RE = re.compile(r"^[0-9][0-9AB][0-9]{7}\Z")
_DEPARTEMENT_RE = re.compile(r"^(?:[0-9]{2}|2[AB]|9[A-Z])\Z")
_COMMUNE_RE = re.compile(r"^[0-9]{3}\Z")
_CATEGORY_RE = re.compile(r"^[0-9]{3}\Z")
_POSTCODE_RE = re.compile(r"^([0-9]{5})\s+(.+)$")
_CEDEX_RE = re.compile(r"\s+CEDEX(?:\s+[0-9]{1,3})?$", re.IGNORECASE)
_PHONE_RE = re.compile(r"^0[1-9][0-9]{8}\Z")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_NUMBER_RE = re.compile(r"^-?[0-9]{1,8}(?:[.,][0-9]{1,6})?\Z")
_POSTAL_ONLY_RE = re.compile(r"^(?:BP|CS|TSA|CEDEX)\b", re.IGNORECASE)
_SPACES_RE = re.compile(r"\s+")
_LAMBERT93_RE = re.compile(r"EPSG\s*:\s*2154\b|LAMBERT[\s_-]*93", re.IGNORECASE)
_EARLIEST_OPENING = dt.date(1800, 1, 1)
_LATEST_DATE = dt.date(2100, 1, 1)


@dataclass(frozen=True)
class FinessPlace:
    """One health establishment of the territory, as Poche shows it."""

    finess: str  # nofinesset, 9 characters: the place's id
    category: str  # "hospital" | "pharmacy" | "doctor"
    category_code: str  # FINESS categetab ("355")
    category_label: str  # FINESS libcategetab ("Centre Hospitalier (C.H.)")
    name: str  # the long name (rslongue) when given, else the short one (rs)
    address: str  # "25 RUE DE FRESNAY" (street, delivery complement, lieu-dit; never a BP or CS), may be ""
    postcode: str | None  # "61000"
    town: str  # "ALENCON" (without CEDEX)
    insee: str  # "61001": departement + commune
    phone: str | None  # "0233000000" (10 digits) or None
    lat: float | None  # WGS84, None when the file gives no usable Lambert-93 position
    lon: float | None
    opened: dt.date | None  # dateouv
    updated: dt.date | None  # datemaj


@dataclass(frozen=True)
class RejectedRow:
    line: int  # physical line number in the file (the metadata line is line 1)
    reason: str  # in French, for a person


@dataclass
class ParsedFeed:
    extracted_on: dt.date | None = None  # the date of the metadata line
    places: list[FinessPlace] = field(default_factory=list)  # in file order
    rows_read: int = 0  # data rows, the metadata line excluded
    rejected: list[RejectedRow] = field(default_factory=list)
    skipped_elsewhere: int = 0  # establishments of other départements
    skipped_categories: Counter[str] = field(default_factory=Counter)  # categetab -> count, wanted départements
    rejected_finess: set[str] = field(default_factory=set)  # the FINESS numbers of rejected rows, when readable
    unattributed_rejections: bool = False  # a rejected row that could be any establishment (no readable number)

    @property
    def located(self) -> int:
        """How many places have a position."""
        return sum(1 for place in self.places if place.lat is not None)


class _RowError(ValueError):
    """A row cannot be used; the message is the French reason."""


@dataclass
class _Establishment:
    line: int
    fields: list[str]
    category: str


@dataclass
class _Reading:
    wanted: frozenset[str]
    feed: ParsedFeed = field(default_factory=ParsedFeed)
    seen: dict[str, int] = field(default_factory=dict)  # every nofinesset read -> its line
    kept: dict[str, _Establishment] = field(default_factory=dict)
    geolocations: list[tuple[int, list[str]]] = field(default_factory=list)
    structures: int = 0  # `structureet;` rows with the right number of fields
    in_wanted: int = 0  # establishments of the wanted départements, any category


def parse_feed(data: bytes, departements: Iterable[str] = DEFAULT_DEPARTEMENTS) -> ParsedFeed:
    """Parse an etalab FINESS extract, keeping the places of `departements` (FINESS codes: "61", "2A", "9A");
    raise `FeedFormatError` if the file as a whole is unusable (module docstring)."""
    wanted = frozenset(code.strip().upper() for code in departements)
    text = csvfeed.decode(data)
    csvfeed.check_text(text)
    records = csvfeed.records(text, ";")
    first = next(records, None)
    if first is None:
        raise FeedFormatError(csvfeed.EMPTY)
    reading = _Reading(wanted)
    reading.feed.extracted_on = _metadata(first[1])
    for line, fields in records:
        reading.feed.rows_read += 1
        try:
            _read_row(line, fields, reading)
        except _RowError as exc:
            _reject(reading.feed, line, fields, str(exc), makes_place=True)
    if reading.structures == 0:
        raise _unusable(reading.feed)
    if reading.in_wanted == 0:
        names = ", ".join(sorted(wanted)) or "aucun"
        raise FeedFormatError(
            f"Le fichier FINESS ne contient aucun établissement du ou des départements attendus ({names}) : "
            "l'extraction est incomplète ou ce n'est pas le fichier national."
        )
    positions = _positions(reading)
    reading.feed.places = [_place(number, kept, positions.get(number)) for number, kept in reading.kept.items()]
    reading.feed.rejected.sort(key=lambda rejected: rejected.line)
    return reading.feed


def _metadata(fields: Sequence[str]) -> dt.date | None:
    """The extraction date of the metadata line `finess;etalab;<n>;<date>`; `FeedFormatError` when the first line
    is not one."""
    if not fields or fields[0].strip().lstrip("\ufeff").lower() != "finess":
        found = excerpt(";".join(fields), 60)
        raise FeedFormatError(
            "Ce n'est pas une extraction FINESS d'Etalab : la première ligne devrait être « finess;etalab;… » "
            f"et non « {found} »."
        )
    raw = fields[3].strip() if len(fields) > 3 else ""
    return _date(raw, dt.date(2000, 1, 1))


def _unusable(feed: ParsedFeed) -> FeedFormatError:
    if feed.rows_read == 0:
        return FeedFormatError("Le fichier FINESS ne contient que la ligne d'en-tête : aucun établissement à lire.")
    reasons = " ; ".join(f"ligne {r.line} : {r.reason}" for r in feed.rejected[:MAX_REASONS_IN_ERROR])
    return FeedFormatError(
        f"Aucune des {feed.rows_read} lignes du fichier n'est une ligne « structureet » lisible : ce n'est pas "
        f"une extraction FINESS d'Etalab. Premières erreurs : {reasons or 'aucune'}."
    )


def _reject(feed: ParsedFeed, line: int, fields: Sequence[str], reason: str, *, makes_place: bool) -> None:
    """Record a rejected row with what it means for the stored places (module docstring): its FINESS number when
    readable, else, for a row that could be an establishment (`makes_place`), an unattributed rejection."""
    feed.rejected.append(RejectedRow(line=line, reason=reason))
    number = fields[1].strip().upper() if len(fields) > 1 else ""
    if _FINESS_RE.match(number):
        feed.rejected_finess.add(number)
    elif makes_place:
        feed.unattributed_rejections = True


def _fit(fields: list[str], width: int, kind: str) -> list[str]:
    """The row with its trailing empty fields beyond `width` dropped (one missing trailing empty field is
    accepted), or a rejection."""
    if len(fields) > width and not any(value.strip() for value in fields[width:]):
        return fields[:width]
    if len(fields) == width - 1:
        return [*fields, ""]
    if len(fields) != width:
        raise _RowError(
            f"la ligne « {kind} » compte {len(fields)} champs au lieu de {width} (séparateur ou guillemet mal placé ?)"
        )
    return fields


def _read_row(line: int, fields: list[str], reading: _Reading) -> None:
    kind = fields[0].strip().lower()
    if kind == STRUCTURE:
        _read_structure(line, _fit(fields, STRUCTURE_FIELDS, STRUCTURE), reading)
    elif kind == GEOLOCATION:
        reading.geolocations.append((line, fields))
    else:
        raise _RowError(f"type de ligne « {excerpt(fields[0].strip(), 40)} » inconnu (structureet ou geolocalisation)")


def _finess(value: str) -> str:
    number = value.strip().upper()
    if not _FINESS_RE.match(number):
        raise _RowError(f"numéro FINESS « {excerpt(value.strip(), 40)} » invalide (9 caractères attendus)")
    return number


def _read_structure(line: int, fields: list[str], reading: _Reading) -> None:
    reading.structures += 1
    number = _finess(fields[NOFINESSET])
    if number in reading.seen:
        raise _RowError(f"l'établissement n° {number} a déjà été lu ligne {reading.seen[number]}")
    reading.seen[number] = line
    departement = fields[DEPARTEMENT].strip().upper()
    if not _DEPARTEMENT_RE.match(departement):  # a row shifted by a field is not an establishment of elsewhere
        raise _RowError(f"code département « {excerpt(departement, 20)} » invalide (un champ en trop ou en moins ?)")
    if departement not in reading.wanted:
        reading.feed.skipped_elsewhere += 1
        return
    reading.in_wanted += 1
    code = fields[CATEGETAB].strip()
    if not _CATEGORY_RE.match(code):  # a damaged row: rejected, so that its stored place is kept
        raise _RowError(f"code de catégorie « {excerpt(code, 20)} » invalide (3 chiffres attendus)")
    category = CATEGORIES.get(code)
    if category is None:
        reading.feed.skipped_categories[code] += 1
        return
    _check_structure(fields)
    reading.kept[number] = _Establishment(line, fields, category)


def _check_structure(fields: Sequence[str]) -> None:
    """Reject an establishment Poche could not show: no name, no commune."""
    if not _name(fields):
        raise _RowError("raison sociale vide")
    _insee(fields)


def _clean(value: str, limit: int) -> str:
    return plain(_SPACES_RE.sub(" ", value).strip(), limit).strip()


def _name(fields: Sequence[str]) -> str:
    return _clean(fields[RSLONGUE], MAX_NAME) or _clean(fields[RS], MAX_NAME)


def _insee(fields: Sequence[str]) -> str:
    """departement + commune: `61` + `001` -> `61001`; overseas `9A`-`9F` + `127` -> `97127`, `9G`-`9Z` + `613` ->
    `98613`."""
    departement = fields[DEPARTEMENT].strip().upper()
    commune = fields[COMMUNE].strip()
    if not _COMMUNE_RE.match(commune) or not _DEPARTEMENT_RE.match(departement):
        raise _RowError(
            f"code commune « {excerpt(departement, 4)} {excerpt(commune, 10)} » invalide "
            "(département et commune sur 3 chiffres attendus)"
        )
    if departement.startswith("9") and departement[1].isalpha():
        return ("97" if departement[1] <= "F" else "98") + commune
    return departement + commune


def _date(value: str, earliest: dt.date) -> dt.date | None:
    """An ISO date AAAA-MM-JJ between `earliest` and 2100, else None (a date is never a reason to drop a place)."""
    raw = value.strip()
    if not _DATE_RE.match(raw):
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return None
    return day if earliest <= day < _LATEST_DATE else None


def _address(fields: Sequence[str]) -> str:
    repetition = fields[COMPVOIE].strip().upper()
    repetition = REPETITIONS.get(repetition, repetition)
    number = " ".join(part for part in (fields[NUMVOIE].strip(), repetition) if part)
    street_type = fields[TYPVOIE].strip().upper()
    street = " ".join(
        part for part in (number, STREET_TYPES.get(street_type, street_type), fields[VOIE].strip()) if part
    )
    lieudit = fields[LIEUDITBP].strip()
    if _POSTAL_ONLY_RE.match(lieudit):
        lieudit = ""
    parts = (street, fields[COMPLDISTRIB].strip(), lieudit)
    return _clean(", ".join(part for part in parts if part), MAX_ADDRESS)


def _town(fields: Sequence[str]) -> tuple[str | None, str]:
    """(postcode, town) of `ligneacheminement` ("61000 ALENCON", "97306 CAYENNE CEDEX")."""
    routing = _SPACES_RE.sub(" ", fields[LIGNEACHEMINEMENT]).strip()
    match = _POSTCODE_RE.match(routing)
    postcode, town = (match[1], match[2]) if match else (None, routing)
    return postcode, _clean(_CEDEX_RE.sub("", town), MAX_TOWN)


def _phone(value: str) -> str | None:
    digits = re.sub(r"[\s.\-]", "", value)
    return digits if _PHONE_RE.match(digits) else None


def _place(number: str, kept: _Establishment, position: tuple[float, float] | None) -> FinessPlace:
    fields = kept.fields
    postcode, town = _town(fields)
    return FinessPlace(
        finess=number,
        category=kept.category,
        category_code=fields[CATEGETAB].strip(),
        category_label=_clean(fields[LIBCATEGETAB], MAX_LABEL),
        name=_name(fields),
        address=_address(fields),
        postcode=postcode,
        town=town,
        insee=_insee(fields),
        phone=_phone(fields[TELEPHONE]),
        lat=position[0] if position else None,
        lon=position[1] if position else None,
        opened=_date(fields[DATEOUV], _EARLIEST_OPENING),
        updated=_date(fields[DATEMAJ], _EARLIEST_OPENING),
    )


# ---------------------------------------------------------------- geolocation


def _positions(reading: _Reading) -> dict[str, tuple[float, float]]:
    """nofinesset -> (lat, lon) of the kept establishments; the bad `geolocalisation;` rows rejected."""
    positions: dict[str, tuple[float, float]] = {}
    located_at: dict[str, int] = {}
    for line, fields in reading.geolocations:
        try:
            row = _fit(fields, GEOLOCATION_FIELDS, GEOLOCATION)
            number = _finess(row[1])
            if number not in reading.seen:
                raise _RowError(f"aucun établissement n° {number} dans le fichier pour cette géolocalisation")
            if number not in reading.kept:
                continue  # another département or category: not read
            if number in located_at:
                raise _RowError(f"l'établissement n° {number} a déjà une géolocalisation, ligne {located_at[number]}")
            positions[number] = _position(row)
            located_at[number] = line  # a rejected row leaves the place to a later one
        except _RowError as exc:
            _reject(reading.feed, line, fields, str(exc), makes_place=False)
    return positions


def _coordinate(value: str, axis: str) -> float:
    raw = value.strip()
    if not _NUMBER_RE.match(raw):
        raise _RowError(f"coordonnée {axis} « {excerpt(raw, 30)} » illisible")
    return float(raw.replace(",", "."))


def _position(row: Sequence[str]) -> tuple[float, float]:
    """(lat, lon) of a `geolocalisation;` row in Lambert-93."""
    source = row[4].strip()
    if not _LAMBERT93_RE.search(source):
        shown = f"« {excerpt(source, 80)} »" if source else "non indiqué"
        raise _RowError(
            f"système de coordonnées {shown} : seul Lambert-93 (EPSG:2154) est lu, position de l'établissement ignorée"
        )
    x, y = _coordinate(row[2], "X"), _coordinate(row[3], "Y")
    if not lambert93.in_metropolitan_bounds(x, y):
        raise _RowError(
            f"coordonnées Lambert-93 hors de la France métropolitaine (X={excerpt(row[2].strip(), 20)}, "
            f"Y={excerpt(row[3].strip(), 20)}) : X et Y inversés ?"
        )
    try:
        return lambert93.to_wgs84(x, y)
    except ValueError as exc:  # pragma: no cover - the bounds above are inside the projection's domain
        raise _RowError(str(exc)) from None
