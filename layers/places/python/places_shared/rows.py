"""Reading the rows of an open-data places CSV: what the places parsers (covoiturage, IRVE) share.

A parser reads its file with `poche_common.csvfeed.CsvFile`, maps its known columns with `column_index` (header
names read case-insensitively, in any order; a required column missing or any known column doubled makes the file
unusable), reads a cell with `cell` (stripped, empty when absent), checks a row's width with `check_width`, and
raises `RowError` (a French reason) for a bad row, which it records as a `RejectedRow` with `reject`. Texts go
through `clean` (spaces folded, `poche_common.plaintext.plain`, bounded); booleans through `boolean`; opening
hours through `hours_of`; positions through `outside_mainland`. What differs between the parsers (their columns,
their messages) is a parameter here, never a rule.

Standard library, `poche_common` and `places_shared` only (cold start).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from poche_common import csvfeed
from poche_common.errors import FeedFormatError
from poche_common.plaintext import plain

__all__ = [
    "DEFAULT_DEPARTEMENT",
    "FALSE_WORDS",
    "INSEE_RE",
    "MAINLAND_LAT",
    "MAINLAND_LON",
    "MAX_REASONS_IN_ERROR",
    "MISPLACED",
    "TRUE_WORDS",
    "RejectedRow",
    "Rejections",
    "RowError",
    "boolean",
    "cell",
    "check_width",
    "clean",
    "column_index",
    "hours_of",
    "outside_mainland",
    "reject",
    "require_departement",
    "require_rows",
    "unusable",
]

# The département a parser keeps when told none (Orne)
DEFAULT_DEPARTEMENT: Final = "61"
TRUE_WORDS: Final = frozenset({"true", "vrai", "oui", "1", "t", "yes"})
FALSE_WORDS: Final = frozenset({"false", "faux", "non", "0", "f", "no"})
MAX_REASONS_IN_ERROR: Final = 3
# Mainland France and Corsica, with a margin (WGS84)
MAINLAND_LAT: Final = (41.0, 51.5)
MAINLAND_LON: Final = (-5.8, 10.0)
# The hint of a row with extra non-empty fields (and, unless told otherwise, of a row with too few)
MISPLACED: Final = "séparateur ou guillemet mal placé ?"
# A commune's INSEE code: département (`61`, `2A`, `97x` through its first digits) then 3 characters
INSEE_RE: Final = re.compile(r"^(?:[013-9][0-9]|2[AB1-9])[0-9]{3}\Z")

_SPACES_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class RejectedRow:
    """A row of the file that was not used, and why."""

    line: int  # physical line in the file (the header is line 1 when it is the first line)
    reason: str  # French, for a person
    source_id: str | None = None  # the row's identifier (the place's, or the parser's unit) when it could be read


class RowError(ValueError):
    """A row cannot be used; the message is the French reason."""


class Rejections(Protocol):
    """What `reject` writes to: a parsed feed's rejected rows and the identifiers they leave unresolved."""

    rejected: list[RejectedRow]
    rejected_ids: set[str]


def column_index(
    header: Sequence[str],
    required: Sequence[str],
    optional: Sequence[str],
    spelled: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Column name (lower case) -> index, for the `required` and `optional` columns found in `header`;
    `FeedFormatError` when a known column is doubled or a required one is missing (named as `spelled` says, else
    as given)."""
    names = [name.strip().strip("\ufeff").strip('"').strip().lower() for name in header]
    known = (*required, *optional)
    doubled = sorted({name for name in names if name in known and names.count(name) > 1})
    if doubled:
        raise FeedFormatError(f"Colonnes en double dans l'en-tête du CSV : {', '.join(doubled)}.")
    missing = [name for name in required if name not in names]
    if missing:
        shown = [(spelled or {}).get(name, name) for name in missing]
        raise csvfeed.missing_columns(shown, header)
    return {name: index for index, name in enumerate(names) if name in known}


def cell(fields: Sequence[str], columns: Mapping[str, int], name: str) -> str:
    """The stripped value of column `name` in a row, "" when the column is absent or the row too short."""
    index = columns.get(name)
    if index is None or index >= len(fields):
        return ""
    return fields[index].strip()


def check_width(fields: Sequence[str], width: int, short_hint: str = MISPLACED) -> None:
    """`RowError` unless the row has `width` fields (extra empty fields are tolerated); the reason ends with
    `MISPLACED` for extra fields, with `short_hint` for missing ones."""
    if any(value.strip() for value in fields[width:]):
        raise RowError(f"la ligne compte {len(fields)} champs au lieu de {width} ({MISPLACED})")
    if len(fields) < width:
        raise RowError(f"la ligne compte {len(fields)} champs au lieu de {width} ({short_hint})")


def clean(value: str, limit: int) -> str:
    """`value` as plain text on one line (runs of white space folded), at most `limit` characters."""
    return plain(_SPACES_RE.sub(" ", value).strip(), limit).strip()


def boolean(value: str) -> bool | None:
    """True or False for the usual spellings (`TRUE_WORDS`, `FALSE_WORDS`, any case), else None."""
    lowered = value.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


def hours_of(value: str) -> str | None:
    """The normalised OSM opening hours of `value`, or None when empty or unreadable. (The hours parser, a large
    module, is imported by the first row that has hours, not with the connector: its cold start stays small.)"""
    raw = value.strip()
    if not raw:
        return None
    from places_shared import hours as opening_hours

    try:
        return opening_hours.parse(raw).text
    except opening_hours.HoursError:
        return None


def outside_mainland(lat: float, lon: float, departement: str) -> bool:
    """Whether `departement` is one of mainland France or Corsica (not overseas: `97x`, `98x`) while (lat, lon)
    lies outside them (with a margin): latitude and longitude swapped, most often."""
    if departement.startswith(("97", "98")):
        return False
    return not (MAINLAND_LAT[0] <= lat <= MAINLAND_LAT[1] and MAINLAND_LON[0] <= lon <= MAINLAND_LON[1])


def reject(feed: Rejections, line: int, error: RowError, source_id: str | None, ours: bool = True) -> bool:
    """Record the row of `line` as rejected for `error`, its `source_id` (when read) among `feed.rejected_ids`;
    True when that id could not be read and the row may be of the wanted département (`ours`): the row could then
    be any stored place (an unattributed rejection)."""
    feed.rejected.append(RejectedRow(line, str(error), source_id))
    if source_id is not None:
        feed.rejected_ids.add(source_id)
        return False
    return ours


def require_rows(file_label: str, rows_read: int, nothing: str) -> None:
    """`FeedFormatError` when the file has no data row; `file_label` names the file after "Le" ("fichier IRVE
    statique"), `nothing` what it lacks ("aucun point de charge")."""
    if rows_read == 0:
        raise FeedFormatError(f"Le {file_label} ne contient que l'en-tête : {nothing} à lire.")


def require_departement(
    file_label: str, none: str, departement: str, in_departement: int, rejected: int, rows_read: int
) -> None:
    """`FeedFormatError` when no row is of `departement` (`in_departement` rows were) though some could be read
    (fewer than `rows_read` were `rejected`): the file is not the one expected. `none` says what it lacks
    ("aucune station")."""
    if in_departement == 0 and rejected < rows_read:
        raise FeedFormatError(
            f"Le {file_label} ne contient {none} du département {departement} : ce n'est pas le fichier attendu, ou "
            "il est incomplet."
        )


def unusable(file_label: str, rows_read: int, rejected: Sequence[RejectedRow]) -> FeedFormatError:
    """The error of a file none of whose `rows_read` rows is usable, with its first reasons; `file_label` names
    the file after "du" ("fichier IRVE statique")."""
    reasons = " ; ".join(f"ligne {r.line} : {r.reason}" for r in rejected[:MAX_REASONS_IN_ERROR])
    return FeedFormatError(
        f"Aucune des {rows_read} lignes du {file_label} n'est utilisable. Premières erreurs : {reasons}."
    )
