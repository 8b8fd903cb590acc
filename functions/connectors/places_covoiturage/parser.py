"""Parse a carpool areas file of the etalab `schema-lieux-covoiturage` (v0.2.x) into `carpool_area` places.

The file (transport.data.gouv.fr / data.gouv.fr, Licence Ouverte 2.0) is a CSV with a header, one row per place,
18 columns: `id_lieu` (`<INSEE>-C-<3 digits>`, `61001-C-002`), `nom_lieu`, `ad_lieu`, `com_lieu`, `insee`,
`type` (Aire de covoiturage, Sortie d'autoroute, Parking, Supermarché, Parking relais, Délaissé routier,
Auto-stop), `date_maj`, `ouvert` (boolean), `source` (SIREN), `Xlong`, `Ylat` (WGS84, decimal point), `nbre_pl`,
`nbre_pmr`, `duree` (maximum stay, minutes), `horaires` (OSM opening_hours; publishers also write `true` for
"always open"), `proprio`, `lumiere` (boolean), `comm`. Header names are read case-insensitively, in any order;
the separator is the header's (`,` per the schema; `;` and tab are read too); the decoding is
`poche_common.csvfeed`'s (UTF-8 with or without BOM, Windows-1252, UTF-16 with BOM).

Each row of the wanted département (the prefix of `insee`: `61`, `2A`, `971`) gives one `PlaceRecord`: source
`covoiturage`, source_id `id_lieu`, category `carpool_area`, name `nom_lieu`, commune `insee`, position
(`Ylat`, `Xlong`), address `ad_lieu, com_lieu`, hours from `horaires` when they read as OSM hours (`true`, `oui`,
`24h/24`, `24h/24 7j/7`, `h24` become `24/7`; `false`, `non` and unreadable hours give no hours and are counted in
`hours_unreadable`), and `details` (`DETAIL_KEYS`, values shown as is): `places` (nbre_pl), `pmr_places`
(nbre_pmr), `type`, `lighting` (`oui`/`non`, lumiere), `max_stay_minutes` (duree). A detail whose value is
empty or unreadable (a count that is not a positive integer, a boolean that is neither true nor false) is left
out: it never costs the place. Rows of other départements are counted (`skipped_elsewhere`), and so are the
places said closed (`ouvert` false: `skipped_closed`); neither is a rejection.

A bad row is rejected with its physical line and a French reason: a wrong number of fields, an invalid `id_lieu`
(the schema's pattern), an empty name, an invalid `insee`, coordinates that are missing, unreadable, out of range,
(0, 0), or, for a mainland département, outside mainland France (latitude and longitude swapped), and the second
row of an `id_lieu` already read. `rejected_ids` holds the `id_lieu` of rejected rows, when readable, that gave no
record: their stored place is kept as it is. A rejected row whose `id_lieu` cannot be read and that may belong to
the département (its `insee` is ours or unreadable) sets `unattributed_rejections`: it could be any stored place,
so the run withdraws none. The file as a whole is unusable (`FeedFormatError`, nothing stored changes) when it is
not a readable CSV, lacks a required column (`REQUIRED`) or has one twice, has no data row, no row of the
département (a national file always has some: a file without any is not the one expected), or no usable row.

Pure, standard library and the layers only (cold start); the row reading shared with the other places parsers
(columns, cells, texts, booleans, rejections) is `places_shared.rows`'s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from places_shared import rows
from places_shared.model import PlaceRecord
from places_shared.rows import DEFAULT_DEPARTEMENT, RejectedRow, RowError, boolean, cell, clean
from poche_common import csvfeed
from poche_common.bounds import excerpt

__all__ = [
    "CATEGORY",
    "DETAIL_KEYS",
    "LICENCE",
    "REQUIRED",
    "SOURCE",
    "TYPES",
    "ParsedFeed",
    "RejectedRow",
    "hours_of",
    "parse_feed",
]

SOURCE: Final = "covoiturage"
CATEGORY: Final = "carpool_area"
LICENCE: Final = "Licence Ouverte 2.0 (schéma lieux de covoiturage, transport.data.gouv.fr)"
REQUIRED: Final = ("id_lieu", "nom_lieu", "insee", "xlong", "ylat")
OPTIONAL: Final = ("ad_lieu", "com_lieu", "type", "ouvert", "nbre_pl", "nbre_pmr", "duree", "horaires", "lumiere")
DETAIL_KEYS: Final = ("places", "pmr_places", "type", "lighting", "max_stay_minutes")
FILE_LABEL: Final = "fichier des lieux de covoiturage"  # in the file-level errors: "Le fichier … ne contient …"
# The schema's `type` values, by their lower-case spelling (a value outside is kept as written, as plain text)
TYPES: Final[dict[str, str]] = {
    name.lower(): name
    for name in (
        "Aire de covoiturage",
        "Sortie d'autoroute",
        "Parking",
        "Supermarché",
        "Parking relais",
        "Délaissé routier",
        "Auto-stop",
    )
}
ALWAYS_OPEN: Final = frozenset(
    {"true", "vrai", "oui", "1", "24/7", "24h/24", "24h24", "24/24", "h24", "24h/247j/7", "7j/724h/24", "24h/24-7j/7"}
)
NEVER_HOURS: Final = frozenset({"false", "faux", "non", "0"})
MAX_NAME = 150
MAX_ADDRESS = 200
MAX_TYPE = 60
MAX_COUNT = 100_000
# How the missing required columns are named in the error (the schema's spelling)
SPELLED: Final = {"xlong": "Xlong", "ylat": "Ylat"}

_ID_RE = re.compile(r"^(?:[013-9][0-9]|2[AB1-9])[0-9]{3}-C-[0-9]{3}\Z")
_NUMBER_RE = re.compile(r"^[+-]?[0-9]{1,3}(?:[.,][0-9]{1,12})?\Z")
_COUNT_RE = re.compile(r"^[0-9]{1,6}\Z")
_SPACES_RE = re.compile(r"\s+")


@dataclass
class ParsedFeed:
    records: list[PlaceRecord] = field(default_factory=list)  # in file order
    rows_read: int = 0  # data rows, the header excluded
    rejected: list[RejectedRow] = field(default_factory=list)  # in line order; source_id: the row's id_lieu
    skipped_elsewhere: int = 0  # rows of other départements
    skipped_closed: int = 0  # rows of the département said closed (`ouvert` false)
    hours_unreadable: int = 0  # places kept without hours: `horaires` not readable as OSM hours
    rejected_ids: set[str] = field(default_factory=set)  # id_lieu of rejected rows that gave no record
    unattributed_rejections: bool = False  # a rejected row that could be any stored place (id unreadable)


def parse_feed(data: bytes, departement: str = DEFAULT_DEPARTEMENT) -> ParsedFeed:
    """Parse a `schema-lieux-covoiturage` CSV, keeping the places of `departement` ("61", "2A", "971"); raise
    `FeedFormatError` if the file as a whole is unusable (module docstring)."""
    wanted = departement.strip().upper()
    csv_file = csvfeed.CsvFile(data)
    columns = rows.column_index(csv_file.header, REQUIRED, OPTIONAL, SPELLED)
    feed = ParsedFeed()
    seen: dict[str, int] = {}
    in_departement = 0
    for line, fields in csv_file.rows:
        feed.rows_read += 1
        raw_id = cell(fields, columns, "id_lieu").upper()
        source_id = raw_id if _ID_RE.match(raw_id) else None
        insee = cell(fields, columns, "insee").upper()
        ours = not rows.INSEE_RE.match(insee) or insee.startswith(wanted)
        try:
            rows.check_width(fields, len(csv_file.header), "champs manquants")
            if not rows.INSEE_RE.match(insee):
                raise RowError(f"code INSEE « {excerpt(insee, 20)} » invalide (5 caractères attendus, 61001)")
            if not insee.startswith(wanted):
                feed.skipped_elsewhere += 1
                continue
            in_departement += 1
            if source_id is None:
                raise RowError(f"id_lieu « {excerpt(raw_id, 40)} » invalide (attendu : INSEE-C-numéro, 61001-C-001)")
            if source_id in seen:
                raise RowError(f"le lieu {source_id} a déjà été lu ligne {seen[source_id]}")
            seen[source_id] = line
            if boolean(cell(fields, columns, "ouvert")) is False:
                feed.skipped_closed += 1
                continue
            feed.records.append(_record(source_id, insee, fields, columns, feed, wanted))
        except RowError as exc:
            if rows.reject(feed, line, exc, source_id, ours):
                feed.unattributed_rejections = True
    rows.require_rows(FILE_LABEL, feed.rows_read, "aucun lieu")
    rows.require_departement(FILE_LABEL, "aucun lieu", wanted, in_departement, len(feed.rejected), feed.rows_read)
    if not feed.records and feed.rejected and feed.skipped_closed == 0:
        raise rows.unusable(FILE_LABEL, feed.rows_read, feed.rejected)
    feed.rejected_ids -= {record.source_id for record in feed.records}
    return feed


def _coordinate(value: str, name: str, limit: float) -> float:
    raw = value.strip()
    if not raw:
        raise RowError(f"{name} vide : la position du lieu est obligatoire")
    if not _NUMBER_RE.match(raw):
        raise RowError(f"{name} « {excerpt(raw, 30)} » illisible (nombre décimal attendu, 0.0931)")
    number = float(raw.replace(",", "."))
    if not -limit <= number <= limit:
        raise RowError(f"{name} {excerpt(raw, 30)} hors des bornes (-{limit:g} à {limit:g})")
    return number


def _position(fields: Sequence[str], columns: dict[str, int], departement: str) -> tuple[float, float]:
    lon = _coordinate(cell(fields, columns, "xlong"), "Xlong", 180)
    lat = _coordinate(cell(fields, columns, "ylat"), "Ylat", 90)
    if lat == 0 and lon == 0:
        raise RowError("position (0, 0) : coordonnées non renseignées")
    if rows.outside_mainland(lat, lon, departement):
        raise RowError(
            f"position hors de la France métropolitaine (Xlong={lon:g}, Ylat={lat:g}) : longitude et latitude "
            "inversées ?"
        )
    return lat, lon


def hours_of(value: str) -> str | None:
    """OSM opening hours of `horaires`: `24/7` for what clearly says "always open", the normalised text when it
    reads as OSM hours, else None."""
    raw = value.strip()
    if not raw:
        return None
    squeezed = _SPACES_RE.sub("", raw).lower().replace(",", "")
    if squeezed in ALWAYS_OPEN:
        return "24/7"
    if squeezed in NEVER_HOURS:
        return None
    return rows.hours_of(raw)


def _count(value: str) -> str | None:
    """A positive integer as text ("12"), else None."""
    raw = value.strip()
    if not _COUNT_RE.match(raw):
        return None
    number = int(raw)
    return str(number) if 0 < number <= MAX_COUNT else None


def _address(fields: Sequence[str], columns: dict[str, int]) -> str | None:
    street = clean(cell(fields, columns, "ad_lieu"), MAX_ADDRESS)
    town = clean(cell(fields, columns, "com_lieu"), MAX_ADDRESS)
    if town and street.lower().endswith(town.lower()):
        town = ""
    return clean(", ".join(part for part in (street, town) if part), MAX_ADDRESS) or None


def _details(fields: Sequence[str], columns: dict[str, int]) -> tuple[tuple[str, str], ...]:
    details: list[tuple[str, str]] = []
    places = _count(cell(fields, columns, "nbre_pl"))
    if places:
        details.append(("places", places))
    pmr = _count(cell(fields, columns, "nbre_pmr"))
    if pmr:
        details.append(("pmr_places", pmr))
    raw_type = clean(cell(fields, columns, "type"), MAX_TYPE)
    if raw_type:
        details.append(("type", TYPES.get(raw_type.lower(), raw_type)))
    lighting = boolean(cell(fields, columns, "lumiere"))
    if lighting is not None:
        details.append(("lighting", "oui" if lighting else "non"))
    stay = _count(cell(fields, columns, "duree"))
    if stay:
        details.append(("max_stay_minutes", stay))
    return tuple(details)


def _record(
    source_id: str, insee: str, fields: Sequence[str], columns: dict[str, int], feed: ParsedFeed, departement: str
) -> PlaceRecord:
    name = clean(cell(fields, columns, "nom_lieu"), MAX_NAME)
    if not name:
        raise RowError("nom_lieu vide")
    lat, lon = _position(fields, columns, departement)
    raw_hours = cell(fields, columns, "horaires")
    hours = hours_of(raw_hours)
    if hours is None and raw_hours and raw_hours.lower() not in NEVER_HOURS:
        feed.hours_unreadable += 1
    return PlaceRecord(
        source=SOURCE,
        source_id=source_id,
        category=CATEGORY,
        name=name,
        licence=LICENCE,
        commune=insee,
        lat=lat,
        lon=lon,
        address=_address(fields, columns),
        hours=hours,
        details=_details(fields, columns),
    )
