"""The département's collèges and lycées: reference data shipped in the layer (`data/schools.json`).

Built from the Ministry of Education's DEPP datasets (see `data/schools.README.md` for sources, licence and
known gaps); never fetched at run time. Nothing is read at import time: the file is loaded once per process,
on first use.

    get("0610003X")          -> School(uai="0610003X", name="Collège Jean Racine", commune="61001", ...)
    require("0619999Z")      -> NotFoundError « Aucun établissement scolaire de l'Orne n'a le code UAI 0619999Z. »
    in_commune("61001")      -> the schools of Alençon, by name
    all_schools()            -> every school, by name
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clock import parse_iso, to_paris_iso, to_utc_iso
from .errors import NotFoundError

if TYPE_CHECKING:
    from .tiles import Projection

DATA_PATH = Path(__file__).with_name("data") / "schools.json"
UAI_RE = re.compile(r"^[0-9]{7}[A-Z]\Z")

KINDS = {"college": "Collège", "lycee": "Lycée", "lycee_professionnel": "Lycée professionnel"}
SECTORS = {"public": "Public", "private": "Privé sous contrat"}


@dataclass(frozen=True)
class School:
    uai: str
    name: str
    official_name: str
    commune: str  # INSEE code
    kind: str  # a key of KINDS
    sector: str  # a key of SECTORS

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def sector_label(self) -> str:
        return SECTORS.get(self.sector, self.sector)


def sort_key(name: str) -> str:
    """Accent- and case-insensitive order of names."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(ascii_name.lower().split())


class _Index:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.meta = {key: value for key, value in raw.items() if key != "schools"}
        self.by_uai: dict[str, School] = {}
        for entry in raw["schools"]:
            school = School(
                uai=entry["uai"],
                name=entry["name"],
                official_name=entry["official_name"],
                commune=entry["commune"],
                kind=entry["kind"],
                sector=entry["sector"],
            )
            self.by_uai[school.uai] = school
        self.ordered = sorted(self.by_uai.values(), key=lambda s: (sort_key(s.name), s.uai))
        self.by_commune: dict[str, list[School]] = {}
        for school in self.ordered:
            self.by_commune.setdefault(school.commune, []).append(school)


@functools.cache
def _index() -> _Index:
    with DATA_PATH.open(encoding="utf-8") as handle:
        return _Index(json.load(handle))


def metadata() -> dict[str, Any]:
    """Everything in the data file but the schools: sources and licences, school year, counts."""
    return json.loads(json.dumps(_index().meta))


def as_of() -> str:
    """When the reference data was read at its source (Europe/Paris ISO 8601 with offset)."""
    return str(_index().meta["as_of"])


def all_schools() -> list[School]:
    """Every school, ordered by name."""
    return list(_index().ordered)


def get(uai: str) -> School | None:
    return _index().by_uai.get(uai.strip().upper())


def require(uai: str) -> School:
    school = get(uai)
    if school is None:
        of = _index().meta["departement"]["of"]
        raise NotFoundError(f"Aucun établissement scolaire {of} n'a le code UAI {uai}.")
    return school


def in_commune(insee: str) -> list[School]:
    """The schools of a commune (INSEE code), ordered by name; empty for a commune without any."""
    return list(_index().by_commune.get(insee.strip().upper(), []))


# ---------------------------------------------------------------- notices (domain `schools`)
# Shared by the three functions of the domain (public service, admin API, département connector), so that
# what they store, show and project on the home screen is one shape. Layout of the domain's table:
#
#   pk = SCHOOL#<uai>   sk = NOTICE#<notice id>     one notice of one school (see `notice_item`)
#   pk = TILE#school-notices#<uai>  sk = CONTENT    the school's tile projection (poche_common.tiles)
#   pk = FEED#<connector>  sk = STATE | RUN#...     the connector's run log (poche_common.connector)
#   index `by_origin` (gsi1pk = ORIGIN#<connector>, gsi1sk = <reference>#<uai>): the notices a feed created

NOTICE_KINDS = {
    "timetable_change": "Changement d'emploi du temps",
    "closure": "Fermeture de l'établissement",
    "transport_suspended": "Transports scolaires suspendus",
    "exam": "Examen",
    "strike": "Grève",
    "other": "Information",
}
ORIGINS = {"school": "Établissement", "departement": "Département de l'Orne"}
TITLE_MAX = 120
BODY_MAX = 2000
NOTICE_RETENTION_DAYS = 7  # a notice stays stored (TTL `expires_at`) this long after it ends
TILE = "school-notices"
ORIGIN_INDEX = "by_origin"


def notice_pk(uai: str) -> str:
    return f"SCHOOL#{uai}"


def notice_sk(notice_id: str) -> str:
    return f"NOTICE#{notice_id}"


def school_view(school: School) -> dict[str, Any]:
    from . import communes

    commune = communes.get(school.commune)
    return {
        "uai": school.uai,
        "name": school.name,
        "official_name": school.official_name,
        "commune": school.commune,
        "commune_name": commune.name if commune else None,
        "type": school.kind,
        "type_label": school.kind_label,
        "sector": school.sector,
        "sector_label": school.sector_label,
    }


def parse_moment(value: Any) -> dt.datetime:
    """An ISO 8601 date-time with an explicit offset (`Z` accepted) as an aware datetime; ValueError otherwise."""
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", value.strip()):
        raise ValueError("not an ISO 8601 date-time")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("no UTC offset")
    return moment


def notice_item(
    *,
    uai: str,
    notice_id: str,
    kind: str,
    title: str,
    body: str,
    starts: dt.datetime,
    ends: dt.datetime,
    origin: str,
    updated_at: dt.datetime,
    connector: str | None = None,
    reference: str | None = None,
) -> dict[str, Any]:
    """The stored form of a notice: times UTC ISO, `digest` of the content, `expires_at` (TTL) some days after
    it ends; a feed's notice also carries the `by_origin` index keys and its row `reference`."""
    content = {
        "uai": uai,
        "id": notice_id,
        "kind": kind,
        "title": title,
        "body": body,
        "starts": to_utc_iso(starts),
        "ends": to_utc_iso(ends),
        "origin": origin,
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:24]
    item: dict[str, Any] = {
        "pk": notice_pk(uai),
        "sk": notice_sk(notice_id),
        **content,
        "digest": digest,
        "updated_at": to_utc_iso(updated_at),
        "expires_at": int((ends + dt.timedelta(days=NOTICE_RETENTION_DAYS)).timestamp()),
    }
    if connector is not None and reference is not None:
        item.update({"connector": connector, "reference": reference})
        item.update({"gsi1pk": f"ORIGIN#{connector}", "gsi1sk": f"{reference}#{uai}"})
    return item


def notice_view(item: dict[str, Any]) -> dict[str, Any]:
    """The public JSON shape of a notice (GET /v1/schools/{uai}/notices items, and the tile's entries)."""
    return {
        "id": item["id"],
        "uai": item["uai"],
        "kind": item["kind"],
        "kind_label": NOTICE_KINDS.get(item["kind"], item["kind"]),
        "title": item["title"],
        "body": item.get("body", ""),
        "starts": to_paris_iso(item["starts"]),
        "ends": to_paris_iso(item["ends"]),
        "origin": item["origin"],
        "origin_label": ORIGINS.get(item["origin"], item["origin"]),
        "updated_at": to_paris_iso(item["updated_at"]),
    }


def current_notices(items: list[dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    """Notices not ended at `now` (current and upcoming), by start then id."""
    alive = [i for i in items if parse_iso(i["ends"]) > now]
    return sorted(alive, key=lambda i: (parse_iso(i["starts"]), i["id"]))


def read_notices(client: Any, table: str, uai: str) -> list[dict[str, Any]]:
    """Every stored notice of a school (one Query, paginated), expired ones included."""
    from .dynamo import from_item, to_item

    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :notice)",
        "ExpressionAttributeValues": to_item({":pk": notice_pk(uai), ":notice": "NOTICE#"}),
    }
    notices: list[dict[str, Any]] = []
    while True:
        page = client.query(**kwargs)
        notices += [from_item(item) for item in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return notices
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def projection(school: School, items: list[dict[str, Any]], now: dt.datetime) -> Projection:
    """The `school-notices` tile of a school: its notices not ended, by start, each shown until it ends."""
    from .tiles import Entry, Projection

    entries = [
        Entry(
            id=item["id"],
            order=to_utc_iso(parse_iso(item["starts"])),
            until=to_utc_iso(parse_iso(item["ends"])),
            view=notice_view(item),
        )
        for item in current_notices(items, now)
    ]
    head = {"school": {"uai": school.uai, "name": school.name, "commune": school.commune}}
    return Projection(params={"uai": school.uai}, head=head, entries=entries)


def rewrite_projections(client: Any, table: str, uais: Iterable[str], now: dt.datetime) -> int:
    """Rewrites the tile projection of each school in `uais` from its stored notices; returns items written."""
    from .tiles import write_projections

    projections = {}
    for uai in sorted(set(uais)):
        projections[uai] = projection(require(uai), read_notices(client, table, uai), now)
    return write_projections(client, table, TILE, projections, now_iso=to_utc_iso(now))
