"""Write side of the `places-finess` connector: the Places table, of which the FINESS extract is the complete list of
the territory's health places.

Layout (`places_shared.keys`): one item per establishment, `PLACE#finess:<nofinesset>` / `PLACE`, with `id`,
`source` (`finess`), `licence`, `category`, `name`, `commune` (INSEE), `lat`/`lon` (WGS84, 6 decimals: about 10 cm),
`address` (one line: street, postcode and town), `phone` when known (never `hours`: FINESS has none), `digest` (of
that content) and `origin` (this connector); the index keys `gsi1pk/gsi1sk` (`by_cell`) and `gsi2pk/gsi2sk`
(`by_area`) when the place has a position (a place without one is listed by commune, never "near"),
`gsi3pk/gsi3sk` (`by_commune`) always, and `gsi4pk = ORIGIN#places-finess`, `gsi4sk = <id>` (index `by_origin`,
through which a run reads every place this connector wrote with one Query and no Scan).

The commune is the file's (département + commune code), except a code of the département of the reference data
(`poche_common.communes`) that it does not know (a commune merged into a commune nouvelle since): it is then the
commune at the place's position, when the place has one and it falls in a commune.

Diff (`sync`, `poche_common.changes.diff` over content digests): an unchanged place is not written (an unchanged
file writes nothing and announces nothing); a new or changed place is put; a stored place of the wanted
départements (`PLACES_DEPARTEMENTS`, read when the store is built) that the file no longer has is deleted. Places of
other départements this connector wrote before (the setting changed) are left as they are. A bad row never withdraws
a stored place: the place of a rejected row (`rejected`, its FINESS number) is kept as it is, and when some rejected
row could not be attributed (`unattributed`, its number unreadable) the run deletes nothing (it still creates and
updates).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from places_shared import keys
from poche_common import communes, geo
from poche_common.changes import DELETED, Kind, diff
from poche_common.dynamo import batch_write, content_digest, from_item, query_all, to_item

from .parser import DEFAULT_DEPARTEMENTS, FinessPlace

if TYPE_CHECKING:
    from poche_common.eventtypes import PlaceChange

CONNECTOR: Final = "places-finess"
SOURCE: Final = "poche.places"  # the bus source of the domain's events
PLACE_SOURCE: Final = "finess"  # the places' ids: `finess:<nofinesset>`
LICENCE: Final = "Licence Ouverte 2.0 (FINESS, ministère de la Santé)"
DEPARTEMENTS_VARIABLE: Final = "PLACES_DEPARTEMENTS"
COORDINATE_DECIMALS: Final = 6

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


class Change(NamedTuple):
    """One place the run changes, as the event says it."""

    id: str
    kind: Kind  # created | updated | deleted
    category: str
    commune: str | None

    def as_fact(self) -> PlaceChange:
        fact: PlaceChange = {"id": self.id, "change": self.kind, "category": self.category}
        if self.commune:
            fact["commune"] = self.commune
        return fact


def resolve_commune(place: FinessPlace) -> str:
    """The place's commune INSEE code (module docstring: the file's, or the one at its position for a code of the
    reference's département that the reference does not know)."""
    if communes.get(place.insee) is not None or place.lat is None or place.lon is None:
        return place.insee
    if not place.insee.startswith(str(communes.metadata()["departement"]["code"])):
        return place.insee  # another département: the reference cannot tell
    return communes.commune_at(place.lat, place.lon) or place.insee


def one_line_address(place: FinessPlace) -> str:
    """`18 RUE AUX SIEURS, 61000 ALENCON` (the parts the file gives)."""
    town = " ".join(part for part in (place.postcode or "", place.town) if part)
    return ", ".join(part for part in (place.address, town) if part)


def _coordinate(value: float | None) -> float | None:
    return None if value is None else round(value, COORDINATE_DECIMALS)


def place_item(place: FinessPlace, connector: str = CONNECTOR) -> dict[str, Any]:
    """The Places table item of an establishment (plain values, coordinates as `Decimal`; `to_item` for the wire,
    which leaves out what is None)."""
    place_id = keys.place_id(PLACE_SOURCE, place.finess)
    commune = resolve_commune(place)
    lat, lon = _coordinate(place.lat), _coordinate(place.lon)
    content: dict[str, Any] = {
        "id": place_id,
        "source": PLACE_SOURCE,
        "licence": LICENCE,
        "category": place.category,
        "name": place.name,
        "commune": commune,
        "lat": lat,
        "lon": lon,
        "address": one_line_address(place) or None,
        "phone": place.phone,
    }
    item: dict[str, Any] = {"pk": keys.place_pk(place_id), "sk": keys.PLACE}
    item.update({key: value for key, value in content.items() if value is not None})
    item["digest"] = content_digest(content)
    item["origin"] = connector
    sort_key = keys.category_sk(place.category, place_id)
    if lat is not None and lon is not None:
        item["lat"], item["lon"] = Decimal(str(lat)), Decimal(str(lon))
        item[keys.BY_CELL_PK] = keys.cell_gsi(geo.encode(lat, lon, keys.CELL_PRECISION))
        item[keys.BY_CELL_SK] = sort_key
        item[keys.BY_AREA_PK] = keys.area_gsi(geo.encode(lat, lon, keys.AREA_PRECISION))
        item[keys.BY_AREA_SK] = sort_key
    item[keys.BY_COMMUNE_PK] = keys.commune_gsi(commune)
    item[keys.BY_COMMUNE_SK] = keys.commune_sk(place.category, place.name, place_id)
    item[BY_ORIGIN_PK] = origin_gsi(connector)
    item[BY_ORIGIN_SK] = place_id
    return item


class PlaceWriter:
    """The connector's store: reads the places this connector wrote, writes what differs, deletes what the file of
    its départements no longer has."""

    def __init__(
        self,
        client: Any,
        table: str,
        departements: Sequence[str] = DEFAULT_DEPARTEMENTS,
        connector: str = CONNECTOR,
    ) -> None:
        self.client = client
        self.table = table
        self.departements = tuple(departements)
        self.connector = connector
        self._prefixes = tuple(insee_prefix(code) for code in self.departements)

    @classmethod
    def over(cls, client: Any, table: str) -> PlaceWriter:
        """The store `connect` builds: the départements are `PLACES_DEPARTEMENTS`, read now."""
        return cls(client, table, departements_from_environment())

    def in_scope(self, commune: str) -> bool:
        """Whether a stored place of that commune is this run's to delete (one of the wanted départements)."""
        return commune.startswith(self._prefixes)

    def stored(self) -> dict[str, dict[str, Any]]:
        """id -> {pk, sk, digest, category, commune} of every place this connector wrote (Query on `by_origin`)."""
        found = query_all(
            self.client,
            TableName=self.table,
            IndexName=BY_ORIGIN_INDEX,
            KeyConditionExpression="#origin = :origin",
            ProjectionExpression="pk, sk, #digest, #category, #commune",
            ExpressionAttributeNames={
                "#origin": BY_ORIGIN_PK,
                "#digest": "digest",
                "#category": "category",
                "#commune": "commune",
            },
            ExpressionAttributeValues=to_item({":origin": origin_gsi(self.connector)}),
        )
        stored: dict[str, dict[str, Any]] = {}
        for item in map(from_item, found):
            stored[str(item["pk"]).removeprefix(keys.place_pk(""))] = item
        return stored

    def sync(
        self,
        places: Iterable[FinessPlace],
        before_write: Callable[[list[Change]], None] | None = None,
        *,
        rejected: Collection[str] = (),
        unattributed: bool = False,
    ) -> list[Change]:
        """Write what differs from the store; return the changes (puts in the file's order, then deletions by id).
        The places of the `rejected` FINESS numbers are never deleted, nor any place when a rejection is
        `unattributed` (module docstring). `before_write(changes)` is called once the changes are known, before
        anything is written (the run stages its event there), and not at all when nothing changes."""
        stored = self.stored()
        wanted = {item["id"]: item for item in (place_item(place, self.connector) for place in places)}
        kept = {keys.place_id(PLACE_SOURCE, number) for number in rejected}

        def deletable(place_id: str) -> bool:
            if unattributed or place_id in kept:
                return False
            return self.in_scope(str(stored[place_id].get("commune") or ""))

        found = diff(
            {place_id: item.get("digest") for place_id, item in stored.items()},
            {place_id: item["digest"] for place_id, item in wanted.items()},
            deletable,
        )
        if not found:
            return []
        changes: list[Change] = []
        for place_id, kind in found.changes:
            item = stored[place_id] if kind == DELETED else wanted[place_id]
            changes.append(Change(place_id, kind, str(item.get("category") or ""), item.get("commune")))
        if before_write is not None:
            before_write(changes)
        requests = [{"PutRequest": {"Item": to_item(wanted[place_id])}} for place_id in found.puts]
        requests += [
            {"DeleteRequest": {"Key": to_item({"pk": stored[place_id]["pk"], "sk": stored[place_id]["sk"]})}}
            for place_id in found.deletes
        ]
        batch_write(self.client, self.table, requests)
        return changes
