"""FINESS's own part of the `places-finess` connector's write side: the FINESS extract is the complete list of the
territory's health places, written to the Places table by the shared writer (`places_shared.writer`, which holds the
item layout, the commune resolution and the diff).

What is FINESS's: an establishment is the record `finess:<nofinesset>` (`record`), with FINESS's licence, its
category, name, commune (département + commune code, as the file gives it), position, one-line address (street,
postcode and town) and phone when known (never hours: FINESS has none). The run's scope is the wanted départements
(`PLACES_DEPARTEMENTS`, read when the store is built, `FinessWriter.over`): a stored place of those départements
that the file no longer has is deleted; places of other départements this connector wrote before (the setting
changed) are left as they are. A bad row never withdraws a stored place: the place of a rejected row (its FINESS
number, `place_id`) is kept as it is, and when some rejected row could not be attributed (its number unreadable) the
run deletes nothing (it still creates and updates).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any, Final

from places_shared import keys, writer
from places_shared.model import PlaceRecord

from .parser import DEFAULT_DEPARTEMENTS, FinessPlace

CONNECTOR: Final = "places-finess"
SOURCE: Final = "poche.places"  # the bus source of the domain's events
PLACE_SOURCE: Final = "finess"  # the places' ids: `finess:<nofinesset>`
LICENCE: Final = "Licence Ouverte 2.0 (FINESS, ministère de la Santé)"
DEPARTEMENTS_VARIABLE: Final = "PLACES_DEPARTEMENTS"

# The index through which a run reads its own places
BY_ORIGIN_INDEX, BY_ORIGIN_PK, BY_ORIGIN_SK = keys.BY_ORIGIN_INDEX, keys.BY_ORIGIN_PK, keys.BY_ORIGIN_SK
origin_gsi = keys.origin_gsi

_DEPARTEMENT_RE = re.compile(r"^(?:[0-9]{2}|2[AB]|9[A-Z])\Z")


def departements_from_environment() -> tuple[str, ...]:
    """`PLACES_DEPARTEMENTS`: FINESS département codes, comma-separated (`61`, `61,14`, `2A`); `61` when unset or
    blank. A malformed code is a configuration error (`ValueError`), not a feed without places."""
    raw = os.environ.get(DEPARTEMENTS_VARIABLE, "")
    codes = tuple(dict.fromkeys(code.strip().upper() for code in raw.split(",") if code.strip()))
    bad = [code for code in codes if not _DEPARTEMENT_RE.match(code)]
    if bad:
        raise ValueError(f"{DEPARTEMENTS_VARIABLE}: {', '.join(bad)} is not a FINESS département code (61, 2A, 9A...)")
    return codes or tuple(DEFAULT_DEPARTEMENTS)


def insee_prefix(departement: str) -> str:
    """The start of the INSEE codes of a FINESS département (as `parser._insee` builds them): `61` -> `61`, `2A` ->
    `2A`, `9A`..`9F` -> `971`..`976`, the other `9x` -> `98`."""
    code = departement.strip().upper()
    if code.startswith("9") and code[1:].isalpha():
        return f"97{ord(code[1]) - ord('A') + 1}" if code[1] <= "F" else "98"
    return code


def place_id(finess: str) -> str:
    """The public id of an establishment's place: `finess:<nofinesset>`."""
    return keys.place_id(PLACE_SOURCE, finess)


def one_line_address(place: FinessPlace) -> str:
    """`18 RUE AUX SIEURS, 61000 ALENCON` (the parts the file gives)."""
    town = " ".join(part for part in (place.postcode or "", place.town) if part)
    return ", ".join(part for part in (place.address, town) if part)


def record(place: FinessPlace) -> PlaceRecord:
    """The source-independent place of an establishment (what the shared writer stores)."""
    return PlaceRecord(
        source=PLACE_SOURCE,
        source_id=place.finess,
        category=place.category,
        name=place.name,
        licence=LICENCE,
        commune=place.insee,
        lat=place.lat,
        lon=place.lon,
        address=one_line_address(place) or None,
        phone=place.phone,
    )


def place_item(place: FinessPlace, connector: str = CONNECTOR) -> dict[str, Any]:
    """The Places table item of an establishment (`places_shared.writer.place_item` of its record)."""
    return writer.place_item(record(place), connector)


class FinessWriter(writer.PlaceWriter):
    """The shared writer scoped to the wanted départements: what the file of those départements no longer has is
    deleted, the places of other départements are left alone."""

    def __init__(
        self,
        client: Any,
        table: str,
        departements: Sequence[str] = DEFAULT_DEPARTEMENTS,
        connector: str = CONNECTOR,
    ) -> None:
        self.departements = tuple(departements)
        prefixes = tuple(insee_prefix(code) for code in self.departements)
        super().__init__(client, table, connector, in_scope=lambda commune: commune.startswith(prefixes))

    @classmethod
    def over(cls, client: Any, table: str) -> FinessWriter:
        """The store `connect` builds: the départements are `PLACES_DEPARTEMENTS`, read now."""
        return cls(client, table, departements_from_environment())


PlaceWriter = FinessWriter  # the name the handler builds the store by
