"""Parse the etalab `schema-irve` files: the static file (stations and their points of charge) into
`charging_station` places, and the dynamic file (the live status of each point of charge) into `ChargerStatus`es
and a per-station availability.

**Static** (`schema-irve-statique` v2.x, data.gouv.fr, Licence Ouverte 2.0): a CSV with a header, one row per
point of charge (pdc), 40 columns in v2.3, among them `id_station_itinerance`, `nom_station`, `adresse_station`,
`code_insee_commune`, `coordonneesXY` (the text `[lon,lat]`, WGS84: `"[0.0931,48.4312]"`), `nbre_pdc`,
`id_pdc_itinerance`, `puissance_nominale` (kW), `prise_type_ef`, `prise_type_2`, `prise_type_combo_ccs`,
`prise_type_chademo`, `prise_type_autre`, `gratuit`, `tarification` (booleans `true`/`false`), `horaires` (OSM
opening_hours), `accessibilite_pmr` (`Réservé PMR`, `Accessible mais non réservé PMR`, `Non accessible`,
`Accessibilité inconnue`), `nom_operateur`. Header names are read case-insensitively, in any order; the separator
is the header's; the decoding is `poche_common.csvfeed`'s.

The rows are grouped into one `PlaceRecord` per **station** (`id_station_itinerance`), in the order of their
first row: source `irve`, category `charging_station`, name `nom_station`, address `adresse_station`, commune
`code_insee_commune` (None when empty or invalid: the writer resolves it from the position), position from
`coordonneesXY`, hours from `horaires` when they read as OSM hours (else none, counted in `hours_unreadable`),
accessibility from `accessibilite_pmr` (`ACCESSIBILITY`), and `details` (`DETAIL_KEYS`, values shown as is):
`points` (the number of its pdc rows read: the `total` of its availability), `power_kw` (the highest
`puissance_nominale`, "22", "7.4"), `plugs` ("Type 2, Combo CCS"), `free` (`oui` when every pdc says
`gratuit` true, `non` when one says false), `pricing` (`tarification`), `operator` (`nom_operateur`). The
station-level columns are read from its first accepted row. An empty or unreadable detail is left out.
Identifiers (stations, pdc) are read in upper case without spaces nor `*` (the eMI3 form `FR*A68*P…` is the
same point as `FRA68P…`): two letters then 4 to 33 letters or digits. `pdc_to_station` maps every pdc read to its
station (what `station_availability` needs).

Only the stations of the wanted département are kept: the prefix of `code_insee_commune`, or, when that is empty
or invalid, of the postcode in `adresse_station`; other rows are counted (`skipped_elsewhere`).

A bad row is rejected with its physical line and a French reason: a wrong number of fields, no commune at all (no
INSEE code, no postcode), an invalid or `Non concerné` station id, an invalid pdc id, a pdc already read, and, on
the first row of a station, an empty name or unreadable/out-of-range/(0, 0)/outside-mainland coordinates (the
station's next row is tried instead). `rejected_ids` holds the station ids of rejected rows that gave no record
(their stored place is kept as it is); a rejected row whose station id cannot be read and that may be of the
département sets `unattributed_rejections`. The file is unusable (`FeedFormatError`) when it is not a readable
CSV, lacks a required column or has one twice, has no data row, no row of the département, or no usable row.

**Dynamic** (`schema-irve-dynamique`): one row per pdc, `id_pdc_itinerance`, `etat_pdc` (`en_service`,
`hors_service`, `inconnu`), `occupation_pdc` (`libre`, `occupe`, `reserve`, `inconnu`), `horodatage` (ISO 8601
with an offset, often written without colon: `2022-10-18T12:35:49+0000`), then `etat_prise_type_*` (not read).
`parse_dynamic_feed` gives the statuses (one per pdc: the most recent when a pdc has several rows) and the rejected
rows (same rules; `rejected_ids` are pdc ids); `parse_dynamic` the statuses only. `station_availability` sums
them per station.

Pure, standard library and the layers only (cold start); the row reading shared with the other places parsers
(columns, cells, texts, booleans, hours, rejections) is `places_shared.rows`'s.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, TypedDict

from places_shared import rows
from places_shared.model import PlaceRecord
from places_shared.rows import DEFAULT_DEPARTEMENT, RejectedRow, RowError, boolean, cell, check_width, clean, hours_of
from poche_common import csvfeed
from poche_common.bounds import excerpt, parse_moment

__all__ = [
    "ACCESSIBILITY",
    "CATEGORY",
    "DETAIL_KEYS",
    "LICENCE",
    "PLUGS",
    "SOURCE",
    "Availability",
    "ChargerStatus",
    "DynamicFeed",
    "ParsedFeed",
    "RejectedRow",
    "hours_of",
    "normalise_id",
    "parse_dynamic",
    "parse_dynamic_feed",
    "parse_horodatage",
    "parse_static",
    "station_availability",
]

SOURCE: Final = "irve"
CATEGORY: Final = "charging_station"
LICENCE: Final = "Licence Ouverte 2.0 (schéma IRVE, data.gouv.fr)"
REQUIRED: Final = (
    "id_station_itinerance",
    "nom_station",
    "adresse_station",
    "code_insee_commune",
    "coordonneesxy",
    "id_pdc_itinerance",
)
# column -> label, in the order they are listed in `plugs`
PLUGS: Final[dict[str, str]] = {
    "prise_type_2": "Type 2",
    "prise_type_combo_ccs": "Combo CCS",
    "prise_type_chademo": "CHAdeMO",
    "prise_type_ef": "E/F (prise domestique)",
    "prise_type_autre": "autre",
}
OPTIONAL: Final = (
    "nbre_pdc",
    "puissance_nominale",
    "gratuit",
    "tarification",
    "horaires",
    "accessibilite_pmr",
    "nom_operateur",
    *PLUGS,
)
DETAIL_KEYS: Final = ("points", "power_kw", "plugs", "free", "pricing", "operator")
# accessibilite_pmr (lower case) -> `PlaceRecord.accessibility`; `Accessibilité inconnue` and others: None
ACCESSIBILITY: Final[dict[str, str]] = {
    "réservé pmr": "réservée aux personnes à mobilité réduite",
    "accessible mais non réservé pmr": "accessible aux personnes à mobilité réduite",
    "non accessible": "non accessible aux personnes à mobilité réduite",
}
DYNAMIC_REQUIRED: Final = ("id_pdc_itinerance", "etat_pdc", "occupation_pdc", "horodatage")
# The files in the file-level errors: "Le fichier … ne contient …"
STATIC_LABEL: Final = "fichier IRVE statique"
DYNAMIC_LABEL: Final = "fichier IRVE dynamique"
NOT_CONCERNED: Final = "NONCONCERNÉ"
MAX_NAME = 150
MAX_ADDRESS = 200
MAX_OPERATOR = 100
MAX_PRICING = 200
MAX_POWER_KW = 1000.0
# How the missing required columns are named in the error (the schema's spelling)
SPELLED: Final = {"coordonneesxy": "coordonneesXY"}

State = Literal["en_service", "hors_service", "inconnu"]
Occupation = Literal["libre", "occupe", "reserve", "inconnu"]
STATES: Final[dict[str, State]] = {"en_service": "en_service", "hors_service": "hors_service", "inconnu": "inconnu"}
OCCUPATIONS: Final[dict[str, Occupation]] = {
    "libre": "libre",
    "occupe": "occupe",
    "occupé": "occupe",
    "reserve": "reserve",
    "réservé": "reserve",
    "inconnu": "inconnu",
}

_ID_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{4,33}\Z")
_ID_NOISE_RE = re.compile(r"[\s*]")
_POSTCODE_RE = re.compile(r"(?<![0-9])([0-9]{5})(?![0-9])")
_NUMBER = r"[+-]?[0-9]{1,3}(?:\.[0-9]{1,15})?"
_XY_RE = re.compile(rf"^\[?\s*({_NUMBER})\s*,\s*({_NUMBER})\s*\]?\Z")
_POWER_RE = re.compile(r"^[0-9]{1,7}(?:[.,][0-9]{1,6})?\Z")
_OFFSET_RE = re.compile(r"([+-][0-9]{2})([0-9]{2})\Z")


@dataclass
class ParsedFeed:
    records: list[PlaceRecord] = field(default_factory=list)  # one per station, in the order of their first row
    pdc_to_station: dict[str, str] = field(default_factory=dict)  # every pdc of a kept station -> its station id
    rows_read: int = 0  # data rows (pdc), the header excluded
    rejected: list[RejectedRow] = field(default_factory=list)  # in line order; source_id: the row's station id
    skipped_elsewhere: int = 0  # rows of other départements
    hours_unreadable: int = 0  # stations kept without hours: `horaires` not readable as OSM hours
    rejected_ids: set[str] = field(default_factory=set)  # station ids of rejected rows that gave no record
    unattributed_rejections: bool = False  # a rejected row that could be any stored station (id unreadable)


@dataclass(frozen=True)
class ChargerStatus:
    pdc_id: str  # id_pdc_itinerance, normalised as in the static file
    state: State  # etat_pdc
    occupation: Occupation  # occupation_pdc
    observed_at: dt.datetime  # horodatage, UTC

    @property
    def available(self) -> bool:
        """In service and free: a car can charge there now."""
        return self.state == "en_service" and self.occupation == "libre"


@dataclass
class DynamicFeed:
    statuses: list[ChargerStatus] = field(default_factory=list)  # one per pdc, in the order of their first row
    rows_read: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)  # in line order; source_id: the row's pdc id
    superseded: int = 0  # rows replaced by a more recent row of the same pdc
    rejected_ids: set[str] = field(default_factory=set)  # pdc ids of rejected rows that gave no status


class Availability(TypedDict):
    available: int  # pdc in service and free
    total: int  # pdc of the station in the static file
    out_of_order: int  # pdc `hors_service`


@dataclass
class _Station:
    station_id: str
    fields: list[str]
    commune: str | None
    lat: float
    lon: float
    pdc: list[tuple[str, float | None, bool | None, tuple[str, ...]]] = field(default_factory=list)


# ---------------------------------------------------------------- shared


def normalise_id(value: str) -> str:
    """An IRVE identifier as compared: upper case, without spaces nor `*` (`FR*A68*E1` -> `FRA68E1`)."""
    return _ID_NOISE_RE.sub("", value).upper()


def _read_id(value: str) -> str | None:
    normalised = normalise_id(value)
    return normalised if _ID_RE.match(normalised) else None


# ---------------------------------------------------------------- static


def parse_static(data: bytes, departement: str = DEFAULT_DEPARTEMENT) -> ParsedFeed:
    """Parse a `schema-irve-statique` CSV into one place per station of `departement` ("61", "2A", "971"); raise
    `FeedFormatError` if the file as a whole is unusable (module docstring)."""
    wanted = departement.strip().upper()
    csv_file = csvfeed.CsvFile(data)
    columns = rows.column_index(csv_file.header, REQUIRED, OPTIONAL, SPELLED)
    width = len(csv_file.header)
    feed = ParsedFeed()
    stations: dict[str, _Station] = {}
    pdc_lines: dict[str, int] = {}
    in_departement = 0
    for line, fields in csv_file.rows:
        feed.rows_read += 1
        raw_station = cell(fields, columns, "id_station_itinerance")
        station_id = _read_id(raw_station)
        where = _where(fields, columns)
        ours = where is None or _in(where[1], wanted)
        try:
            check_width(fields, width)
            if where is None:
                raise RowError(
                    "commune inconnue : code_insee_commune vide ou invalide, et pas de code postal dans adresse_station"
                )
            if not ours:
                feed.skipped_elsewhere += 1
                continue
            in_departement += 1
            if station_id is None:
                if normalise_id(raw_station) == NOT_CONCERNED:
                    raise RowError("id_station_itinerance « Non concerné » : station sans identifiant, non reprise")
                raise RowError(f"id_station_itinerance « {excerpt(raw_station, 40)} » invalide (FRA68P68021001)")
            raw_pdc = cell(fields, columns, "id_pdc_itinerance")
            pdc_id = _read_id(raw_pdc)
            if pdc_id is None:
                raise RowError(f"id_pdc_itinerance « {excerpt(raw_pdc, 40)} » invalide (FRA68E680210015)")
            if pdc_id in pdc_lines:
                raise RowError(f"le point de charge {pdc_id} a déjà été lu ligne {pdc_lines[pdc_id]}")
            station = stations.get(station_id)
            if station is None:
                station = _new_station(station_id, fields, columns, where[0], wanted)
                stations[station_id] = station
            pdc_lines[pdc_id] = line
            station.pdc.append(_pdc(pdc_id, fields, columns))
        except RowError as exc:
            if rows.reject(feed, line, exc, station_id, ours):
                feed.unattributed_rejections = True
    rows.require_rows(STATIC_LABEL, feed.rows_read, "aucun point de charge")
    rows.require_departement(STATIC_LABEL, "aucune station", wanted, in_departement, len(feed.rejected), feed.rows_read)
    if not stations:
        raise rows.unusable(STATIC_LABEL, feed.rows_read, feed.rejected)
    for station in stations.values():
        feed.records.append(_record(station, columns, feed))
        feed.pdc_to_station.update((pdc[0], station.station_id) for pdc in station.pdc)
    feed.rejected_ids -= set(stations)
    return feed


def _in(code: str, departement: str) -> bool:
    if departement in ("2A", "2B") and code.startswith("20"):  # a Corsican postcode: 20xxx
        return True
    return code.startswith(departement)


def _where(fields: Sequence[str], columns: Mapping[str, int]) -> tuple[str | None, str] | None:
    """(INSEE code or None, the code the département is read from: INSEE, else the address's postcode), or None
    when neither can be read."""
    insee = cell(fields, columns, "code_insee_commune").upper()
    if rows.INSEE_RE.match(insee):
        return insee, insee
    postcodes = _POSTCODE_RE.findall(cell(fields, columns, "adresse_station"))
    if postcodes:
        return None, postcodes[-1]
    return None


def _position(value: str, departement: str) -> tuple[float, float]:
    """(lat, lon) of `coordonneesXY` "[lon,lat]"."""
    raw = value.strip()
    if not raw:
        raise RowError("coordonneesXY vide : la position de la station est obligatoire")
    match = _XY_RE.match(raw)
    if match is None:
        raise RowError(f"coordonneesXY « {excerpt(raw, 40)} » illisible (attendu : [longitude,latitude])")
    lon, lat = float(match[1]), float(match[2])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise RowError(f"coordonneesXY « {excerpt(raw, 40)} » hors des bornes")
    if lat == 0 and lon == 0:
        raise RowError("coordonneesXY [0,0] : position non renseignée")
    if rows.outside_mainland(lat, lon, departement):
        raise RowError(
            f"coordonneesXY « {excerpt(raw, 40)} » hors de la France métropolitaine : [longitude,latitude] inversées ?"
        )
    return lat, lon


def _new_station(
    station_id: str, fields: list[str], columns: Mapping[str, int], commune: str | None, departement: str
) -> _Station:
    if not clean(cell(fields, columns, "nom_station"), MAX_NAME):
        raise RowError("nom_station vide")
    lat, lon = _position(cell(fields, columns, "coordonneesxy"), departement)
    return _Station(station_id, fields, commune, lat, lon)


def _power(value: str) -> float | None:
    raw = value.strip()
    if not _POWER_RE.match(raw):
        return None
    power = float(raw.replace(",", "."))
    return power if 0 < power <= MAX_POWER_KW else None


def _pdc(
    pdc_id: str, fields: Sequence[str], columns: Mapping[str, int]
) -> tuple[str, float | None, bool | None, tuple[str, ...]]:
    plugs = tuple(label for column, label in PLUGS.items() if boolean(cell(fields, columns, column)))
    return (
        pdc_id,
        _power(cell(fields, columns, "puissance_nominale")),
        boolean(cell(fields, columns, "gratuit")),
        plugs,
    )


def _details(station: _Station, columns: Mapping[str, int]) -> tuple[tuple[str, str], ...]:
    fields = station.fields
    details: list[tuple[str, str]] = [("points", str(len(station.pdc)))]
    powers = [power for _, power, _, _ in station.pdc if power is not None]
    if powers:
        details.append(("power_kw", f"{max(powers):g}"))
    plugs = {plug for *_, kinds in station.pdc for plug in kinds}
    if plugs:
        details.append(("plugs", ", ".join(label for label in PLUGS.values() if label in plugs)))
    free = [gratuit for _, _, gratuit, _ in station.pdc]
    if False in free:
        details.append(("free", "non"))
    elif free and all(free):
        details.append(("free", "oui"))
    pricing = clean(cell(fields, columns, "tarification"), MAX_PRICING)
    if pricing:
        details.append(("pricing", pricing))
    operator = clean(cell(fields, columns, "nom_operateur"), MAX_OPERATOR)
    if operator:
        details.append(("operator", operator))
    return tuple(details)


def _record(station: _Station, columns: Mapping[str, int], feed: ParsedFeed) -> PlaceRecord:
    fields = station.fields
    raw_hours = cell(fields, columns, "horaires")
    hours = hours_of(raw_hours)
    if hours is None and raw_hours:
        feed.hours_unreadable += 1
    return PlaceRecord(
        source=SOURCE,
        source_id=station.station_id,
        category=CATEGORY,
        name=clean(cell(fields, columns, "nom_station"), MAX_NAME),
        licence=LICENCE,
        commune=station.commune,
        lat=station.lat,
        lon=station.lon,
        address=clean(cell(fields, columns, "adresse_station"), MAX_ADDRESS) or None,
        hours=hours,
        accessibility=ACCESSIBILITY.get(cell(fields, columns, "accessibilite_pmr").lower()),
        details=_details(station, columns),
    )


# ---------------------------------------------------------------- dynamic


def parse_horodatage(value: str) -> dt.datetime:
    """`horodatage` in UTC: ISO 8601 with an offset, `+0000` (no colon) as well as `+00:00` or `Z`, between 2000
    and 2100; else `ValueError` (French)."""
    return parse_moment(_OFFSET_RE.sub(r"\1:\2", value.strip()), "horodatage")


def parse_dynamic_feed(data: bytes) -> DynamicFeed:
    """Parse a `schema-irve-dynamique` CSV: one status per pdc (the most recent), the bad rows rejected; raise
    `FeedFormatError` if the file as a whole is unusable (module docstring)."""
    csv_file = csvfeed.CsvFile(data)
    columns = rows.column_index(csv_file.header, DYNAMIC_REQUIRED, ())
    width = len(csv_file.header)
    feed = DynamicFeed()
    latest: dict[str, ChargerStatus] = {}
    for line, fields in csv_file.rows:
        feed.rows_read += 1
        raw_pdc = cell(fields, columns, "id_pdc_itinerance")
        pdc_id = _read_id(raw_pdc)
        try:
            check_width(fields, width)
            if pdc_id is None:
                raise RowError(f"id_pdc_itinerance « {excerpt(raw_pdc, 40)} » invalide (FRA68E680210015)")
            raw_state = cell(fields, columns, "etat_pdc")
            state = STATES.get(raw_state.lower())
            if state is None:
                raise RowError(
                    f"etat_pdc « {excerpt(raw_state, 30)} » inconnu (en_service, hors_service ou inconnu attendu)"
                )
            raw_occupation = cell(fields, columns, "occupation_pdc")
            occupation = OCCUPATIONS.get(raw_occupation.lower())
            if occupation is None:
                raise RowError(
                    f"occupation_pdc « {excerpt(raw_occupation, 30)} » inconnue "
                    "(libre, occupe, reserve ou inconnu attendu)"
                )
            try:
                observed_at = parse_horodatage(cell(fields, columns, "horodatage"))
            except ValueError as exc:
                raise RowError(str(exc)) from None
            status = ChargerStatus(pdc_id, state, occupation, observed_at)
            previous = latest.get(pdc_id)
            if previous is not None:
                feed.superseded += 1
                if previous.observed_at > observed_at:
                    continue
            latest[pdc_id] = status
        except RowError as exc:
            rows.reject(feed, line, exc, pdc_id)
    rows.require_rows(DYNAMIC_LABEL, feed.rows_read, "aucun état")
    if not latest:
        raise rows.unusable(DYNAMIC_LABEL, feed.rows_read, feed.rejected)
    feed.statuses = list(latest.values())
    feed.rejected_ids -= set(latest)
    return feed


def parse_dynamic(data: bytes) -> list[ChargerStatus]:
    """The statuses of a `schema-irve-dynamique` CSV (`parse_dynamic_feed` without its rejections)."""
    return parse_dynamic_feed(data).statuses


def station_availability(
    statuses: Iterable[ChargerStatus], pdc_to_station: Mapping[str, str]
) -> dict[str, Availability]:
    """station id -> {available, total, out_of_order}, for every station with at least one status.

    `total` counts the station's pdc of the static file (`pdc_to_station`), with or without a status; a pdc is
    `available` when in service and free, `out_of_order` when `hors_service`; a pdc without status, `inconnu`,
    occupied or reserved counts in `total` only. Statuses of pdc unknown to the static file are ignored; of two
    statuses of one pdc the most recent counts. A station without any status is absent: its availability is
    unknown, not zero."""
    latest: dict[str, ChargerStatus] = {}
    for status in statuses:
        pdc_id = normalise_id(status.pdc_id)
        if pdc_id not in pdc_to_station:
            continue
        previous = latest.get(pdc_id)
        if previous is None or status.observed_at >= previous.observed_at:
            latest[pdc_id] = status
    totals: dict[str, int] = {}
    for station_id in pdc_to_station.values():
        totals[station_id] = totals.get(station_id, 0) + 1
    result: dict[str, Availability] = {}
    for pdc_id, status in latest.items():
        station_id = pdc_to_station[pdc_id]
        counts = result.setdefault(station_id, Availability(available=0, total=totals[station_id], out_of_order=0))
        if status.available:
            counts["available"] += 1
        elif status.state == "hors_service":
            counts["out_of_order"] += 1
    return result
