"""Tile projections: what the home screen (`POST /v1/home`) reads, kept by each domain's writers.

A tile type (catalogue id such as `news` or `departures`) shows, for its parameters, a short list of
entries. Each domain keeps that list ready in its own table, in one item per tile key, rewritten by the
domain's writer (connector run, admin API) whenever what it shows changes, so the home screen reads
every tile with one `BatchGetItem` whatever the number of domains. Layout (see docs/tiles.md):

    pk = TILE#<tile type>#<key>   sk = CONTENT
        head:       tile-level facts (a canteen's name, a school's name...), a map
        entries:    [{"id", "order", "until" (UTC ISO or absent), "view" (the public JSON shape)}]
        digest:     of head and entries: an unchanged projection is not rewritten
        updated_at: UTC ISO, when it last changed
    pk = TILE#<tile type>      sk = EXAMPLE
        key, params: a tile key whose projection has entries and its {name: value}: the catalogue's example;
        shared: true when the key is a projection every tile shows (news' `general`) and params those of one
        tile showing it (`Projection.example`), replaced by a tile's own projection as soon as one has entries

The key is the tile's parameter values in the catalogue order joined by `#` (`61001`, `<stop>#<route>`).
Entries are filtered at read time: one whose `until` has passed is not shown.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .clock import to_utc_iso, utc_now
from .dynamo import batch_write, from_item, to_item

CONTENT = "CONTENT"
EXAMPLE = "EXAMPLE"
MAX_ENTRIES = 200  # keeps an item far below DynamoDB's 400 KB
_BATCH_GET = 100


def _storable(value: Any) -> Any:
    """Views hold floats (coordinates); DynamoDB numbers are Decimals (read back as numbers)."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: _storable(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def tile_pk(tile: str, key: str | None = None) -> str:
    return f"TILE#{tile}" if key is None else f"TILE#{tile}#{key}"


def tile_key(values: Sequence[str]) -> str:
    return "#".join(values)


@dataclass
class Entry:
    id: str
    order: str  # display order: ascending, or descending for a tile type registered `newest_first`
    view: dict[str, Any]
    until: str | None = None  # UTC ISO: not shown after this instant

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "order": self.order, "view": self.view}
        if self.until is not None:
            data["until"] = self.until
        return data


@dataclass
class Projection:
    """What one tile key shows; `params` are the tile's parameters by name (for the catalogue example).

    A projection that is not a tile of its own but part of every tile of its type (news' `general`) has no
    `params`; its `example` names the parameters of one tile that shows it, so that the catalogue has an example
    as soon as it has entries, even when no tile has entries of its own yet."""

    params: dict[str, str]
    head: dict[str, Any] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    example: dict[str, str] | None = None

    def sorted_entries(self) -> list[dict[str, Any]]:
        ordered = sorted(self.entries, key=lambda e: (e.order, e.id))[:MAX_ENTRIES]
        return [e.as_dict() for e in ordered]

    def digest(self) -> str:
        body = json.dumps([self.head, self.sorted_entries()], sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(body.encode()).hexdigest()[:32]


def _batch_get(client: Any, table: str, keys: list[dict[str, Any]], projection: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for start in range(0, len(keys), _BATCH_GET):
        pending: dict[str, Any] = {
            table: {
                "Keys": keys[start : start + _BATCH_GET],
                "ProjectionExpression": projection,
                "ExpressionAttributeNames": {"#p": "pk", "#s": "sk", "#k": "key", "#h": "shared"},
            }
        }
        while pending:
            response = client.batch_get_item(RequestItems=pending)
            found += response.get("Responses", {}).get(table, [])
            pending = response.get("UnprocessedKeys") or {}
    return found


def write_projections(
    client: Any,
    table: str,
    tile: str,
    projections: Mapping[str, Projection],
    *,
    now_iso: str | None = None,
) -> int:
    """Writes the projections of `tile` whose content changed (by key); returns how many were written.

    Also keeps the catalogue example: set to a projection with entries and params when there is none yet, or
    when the key it names is rewritten empty."""
    if not projections:
        return 0
    now_iso = now_iso or to_utc_iso(utc_now())
    keys = [to_item({"pk": tile_pk(tile, key), "sk": CONTENT}) for key in projections]
    keys.append(to_item({"pk": tile_pk(tile), "sk": EXAMPLE}))
    stored = {
        (item["pk"]["S"], item["sk"]["S"]): from_item(item)
        for item in _batch_get(client, table, keys, "#p, #s, digest, #k, #h")
    }
    writes: list[dict[str, Any]] = []
    for key, projection in projections.items():
        digest = projection.digest()
        if stored.get((tile_pk(tile, key), CONTENT), {}).get("digest") == digest:
            continue
        item = {
            "pk": tile_pk(tile, key),
            "sk": CONTENT,
            "params": projection.params,
            "head": _storable(projection.head),
            "entries": _storable(projection.sorted_entries()),
            "digest": digest,
            "updated_at": now_iso,
        }
        writes.append({"PutRequest": {"Item": to_item(item)}})
    example = _example(stored.get((tile_pk(tile), EXAMPLE), {}), projections)
    if example is not None:
        writes.append(
            {"PutRequest": {"Item": to_item({"pk": tile_pk(tile), "sk": EXAMPLE, **example, "updated_at": now_iso})}}
        )
    batch_write(client, table, writes)
    return len(writes)


def _example(stored: dict[str, Any], projections: Mapping[str, Projection]) -> dict[str, Any] | None:
    """The catalogue example to write ({key, params, shared}), or None to keep the stored one.

    Written when there is none yet, when the key it names is rewritten empty, or when it is a shared projection
    (news' `general`) and a tile of its own now has entries. A tile's own projection is preferred; a shared one
    with entries gives an example through its `example` parameters."""
    key = stored.get("key")
    ordered = sorted(projections.items())
    own = next(((k, p.params) for k, p in ordered if p.entries and p.params), None)
    shared = next(((k, p.example) for k, p in ordered if p.entries and not p.params and p.example), None)
    if key is None or (key in projections and not projections[key].entries):
        chosen, is_shared = (own, False) if own else (shared, True)
    elif stored.get("shared") and own:
        chosen, is_shared = own, False
    else:
        return None
    if chosen is None or (chosen[0] == key and bool(stored.get("shared")) == is_shared):
        return None
    return {"key": chosen[0], "params": dict(chosen[1]), "shared": is_shared}
