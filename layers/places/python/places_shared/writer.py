"""The write side every places connector shares: `PlaceRecord`s (`places_shared.model`) -> the Places table, with
the diff that writes only what changed and deletes only what the run is entitled to delete.

Layout (`places_shared.keys`): one item per place, `PLACE#<source>:<source id>` / `PLACE`, with `id`, `source`,
`licence`, `category`, `name`, `commune` (INSEE), `lat`/`lon` (WGS84, 6 decimals: about 10 cm), and when the record
gives them `address` (one line), `phone`, `hours` (OSM `opening_hours`), `web`, `accessibility` and `details` (a map of
what the category adds, strings as given); then `digest` (of that content: the same record is the same digest) and
`origin` (the connector that wrote it). The index keys: `gsi1pk/gsi1sk` (`by_cell`) and `gsi2pk/gsi2sk` (`by_area`)
when the place has a position (a place without one is listed by commune, never "near"), `gsi3pk/gsi3sk`
(`by_commune`) whenever its commune is known, and `gsi4pk = ORIGIN#<connector>`, `gsi4sk = <id>` (index
`by_origin`, through which a run reads every place its connector wrote with one Query and no Scan).

The commune is the record's, except when the record gives none, or gives a code of the département of the reference
data (`poche_common.communes`) that it does not know (a commune merged into a commune nouvelle since): it is then the
commune at the place's position, when the place has one and it falls in a commune of the reference (otherwise the
record's code as given, or no commune at all). A code of another département is kept as given: the reference cannot
tell. A place with neither commune nor position cannot be listed anywhere: `place_item` refuses it (`ValueError`),
and `sync` refuses the whole run before anything is written.

Diff (`PlaceWriter.sync`, `poche_common.changes.diff` over content digests): an unchanged place is not written (an
unchanged feed writes nothing and announces nothing); a new or changed place is put; a stored place the records no
longer have is deleted when it is within the run's scope (`in_scope(commune)`, e.g. the départements the connector
is set to read). Places out of scope that the connector wrote before (its setting changed) are left as they are. A
bad source row never withdraws a stored place: the place ids of the rejected rows (`rejected`) are kept as they are,
and when some rejected row could not be attributed to a place (`unattributed`) the run deletes nothing (it still
creates and updates).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from places_shared import keys
from places_shared.model import PlaceRecord
from poche_common import communes, geo
from poche_common.changes import DELETED, Kind, diff
from poche_common.dynamo import batch_write, content_digest, from_item, query_all, to_item

if TYPE_CHECKING:
    from poche_common.eventtypes import PlaceChange

COORDINATE_DECIMALS: Final = 6


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


def resolve_commune(record: PlaceRecord) -> str | None:
    """The place's commune INSEE code (module docstring: the record's, or the one at its position when the record
    gives none or a code of the reference's département that the reference does not know); None when neither tells."""
    given = record.commune or None
    if record.lat is None or record.lon is None:
        return given
    if given is not None:
        if communes.get(given) is not None:
            return given
        if not given.startswith(str(communes.metadata()["departement"]["code"])):
            return given  # another département: the reference cannot tell
    return communes.commune_at(record.lat, record.lon) or given


def _coordinate(value: float | None) -> float | None:
    return None if value is None else round(value, COORDINATE_DECIMALS)


def _text(value: str | None) -> str | None:
    return value if value else None


def place_item(record: PlaceRecord, connector: str) -> dict[str, Any]:
    """The Places table item of a record (plain values, coordinates as `Decimal`; `to_item` for the wire, which
    leaves out what is None). `ValueError` for a place with neither commune nor position."""
    place_id = keys.place_id(record.source, record.source_id)
    commune = resolve_commune(record)
    lat, lon = _coordinate(record.lat), _coordinate(record.lon)
    located = lat is not None and lon is not None
    if commune is None and not located:
        raise ValueError(f"place {place_id} ({record.name}) has neither commune nor position: it cannot be listed")
    content: dict[str, Any] = {
        "id": place_id,
        "source": record.source,
        "licence": record.licence,
        "category": record.category,
        "name": record.name,
        "commune": commune,
        "lat": lat if located else None,
        "lon": lon if located else None,
        "address": _text(record.address),
        "phone": _text(record.phone),
    }
    # the later fields enter the content (and its digest) only when given: a record without them has the digest
    # it had before they existed
    optional: dict[str, Any] = {
        "hours": _text(record.hours),
        "web": _text(record.web),
        "accessibility": _text(record.accessibility),
        "details": dict(record.details) or None,
    }
    content.update({key: value for key, value in optional.items() if value is not None})
    item: dict[str, Any] = {"pk": keys.place_pk(place_id), "sk": keys.PLACE}
    item.update({key: value for key, value in content.items() if value is not None})
    item["digest"] = content_digest(content)
    item["origin"] = connector
    sort_key = keys.category_sk(record.category, place_id)
    if lat is not None and lon is not None:
        item["lat"], item["lon"] = Decimal(str(lat)), Decimal(str(lon))
        item[keys.BY_CELL_PK] = keys.cell_gsi(geo.encode(lat, lon, keys.CELL_PRECISION))
        item[keys.BY_CELL_SK] = sort_key
        item[keys.BY_AREA_PK] = keys.area_gsi(geo.encode(lat, lon, keys.AREA_PRECISION))
        item[keys.BY_AREA_SK] = sort_key
    if commune is not None:
        item[keys.BY_COMMUNE_PK] = keys.commune_gsi(commune)
        item[keys.BY_COMMUNE_SK] = keys.commune_sk(record.category, record.name, place_id)
    item[keys.BY_ORIGIN_PK] = keys.origin_gsi(connector)
    item[keys.BY_ORIGIN_SK] = place_id
    return item


def everywhere(commune: str) -> bool:
    """The scope of a connector authoritative for every place it wrote: what it no longer gives is deleted."""
    return True


class PlaceWriter:
    """A connector's store: reads the places this connector wrote, writes what differs, deletes what its records no
    longer have within `in_scope` (which takes a stored place's commune, `""` when it has none)."""

    def __init__(self, client: Any, table: str, connector: str, in_scope: Callable[[str], bool] = everywhere) -> None:
        self.client = client
        self.table = table
        self.connector = connector
        self.in_scope = in_scope

    def stored(self) -> dict[str, dict[str, Any]]:
        """id -> {pk, sk, digest, category, commune} of every place this connector wrote (Query on `by_origin`)."""
        found = query_all(
            self.client,
            TableName=self.table,
            IndexName=keys.BY_ORIGIN_INDEX,
            KeyConditionExpression="#origin = :origin",
            ProjectionExpression="pk, sk, #digest, #category, #commune",
            ExpressionAttributeNames={
                "#origin": keys.BY_ORIGIN_PK,
                "#digest": "digest",
                "#category": "category",
                "#commune": "commune",
            },
            ExpressionAttributeValues=to_item({":origin": keys.origin_gsi(self.connector)}),
        )
        stored: dict[str, dict[str, Any]] = {}
        for item in map(from_item, found):
            stored[str(item["pk"]).removeprefix(keys.place_pk(""))] = item
        return stored

    def sync(
        self,
        records: Iterable[PlaceRecord],
        before_write: Callable[[list[Change]], None] | None = None,
        *,
        rejected: Collection[str] = (),
        unattributed: bool = False,
    ) -> list[Change]:
        """Write what differs from the store; return the changes (puts in the records' order, a place given twice
        being its last record, then deletions by id). The places whose ids are `rejected` are never deleted, nor
        any place when a rejection is `unattributed` (module docstring). `before_write(changes)` is called once the
        changes are known, before anything is written (the run stages its event there), and not at all when
        nothing changes. `ValueError` (nothing read or written) for a record `place_item` refuses."""
        wanted = {item["id"]: item for item in (place_item(record, self.connector) for record in records)}
        stored = self.stored()
        kept = set(rejected)

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


class DepartementWriter(PlaceWriter):
    """The shared writer of a connector whose file covers a whole département (INSEE code, `61`): what the file no
    longer has is deleted among that département's places only. `over(connector)` is the store `connect` builds:
    the département is `PLACES_DEPARTEMENTS` (its first code; `61` when unset), read then."""

    def __init__(self, client: Any, table: str, connector: str, departement: str) -> None:
        self.departement = departement
        super().__init__(client, table, connector, in_scope=lambda commune: commune.startswith(departement))

    @classmethod
    def over(cls, connector: str) -> Callable[[Any, str], DepartementWriter]:
        def build(client: Any, table: str) -> DepartementWriter:
            import os

            codes = [c.strip() for c in os.environ.get("PLACES_DEPARTEMENTS", "").split(",") if c.strip()]
            return cls(client, table, connector, codes[0] if codes else "61")

        return build
