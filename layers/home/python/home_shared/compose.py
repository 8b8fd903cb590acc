"""`POST /v1/home`: every tile's current content, read from the domains' tile projections.

Round trip 1 reads every tile's projection items and the feed states giving their `as_of`; round trip 2
reads what must be live (the real time of the next departures) and whatever round 1 left unprocessed;
a third is made only if DynamoDB left keys unprocessed again. Never more than `MAX_ROUND_TRIPS`.
A tile that cannot be answered gets an error entry (a problem), the others are answered normally.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from poche_common import feeds
from poche_common.clock import parse_iso, to_paris_iso
from poche_common.errors import InvalidRequestError, NotFoundError
from poche_common.problems import problem_dict
from poche_common.tiles import CONTENT, tile_pk
from transit_shared.departures import coming, departure_view, in_expected_order
from transit_shared.merge import rt_key

from .catalogue import TileType
from .params import checked

if TYPE_CHECKING:  # the store imports boto3's types: not on the service's import path (cold start)
    from .store import Key

MAX_TILES = 20
MAX_ROUND_TRIPS = 3
LIVE_DEPARTURES = "transit-realtime"
LIVE_CANDIDATES_EXTRA = 4  # departures read beyond the tile's limit, for those that turn out gone or cancelled


@dataclass
class Plan:
    index: int
    tile: TileType
    params: dict[str, str]
    keys: list[Key]
    sources: list[Key]
    live: list[Key] = field(default_factory=list)


def _state_key(tile: TileType, source: str) -> Key:
    return (tile.table, *feeds.state_key(source))


def plan(index: int, requested: Any, types: dict[str, TileType]) -> Plan:
    """The keys a requested tile needs; InvalidRequestError / NotFoundError when it cannot be answered."""
    if not isinstance(requested, dict):
        raise InvalidRequestError("Chaque tuile est un objet {type, params}.", field=f"tiles[{index}]")
    kind = requested.get("type")
    if not isinstance(kind, str) or not kind:
        raise InvalidRequestError("Le type de la tuile est obligatoire (voir /v1/tiles/catalogue).", field="type")
    tile = types.get(kind)
    if tile is None:
        known = ", ".join(types) or "aucun"
        raise NotFoundError(f"Type de tuile inconnu : « {kind} » (types proposés : {known}).")
    params = checked(tile.params, requested.get("params", {}))
    keys = [(tile.table, tile_pk(tile.id, key), CONTENT) for key in tile.projection_keys(params)]
    return Plan(index, tile, params, keys, [_state_key(tile, s) for s in tile.sources])


def _entries(plan: Plan, found: dict[Key, dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    """The entries of the tile's projections still to show, each once, in display order."""
    by_id: dict[str, dict[str, Any]] = {}
    for key in plan.keys:
        for entry in (found.get(key) or {}).get("entries", []):
            until = entry.get("until")
            if until is not None and parse_iso(str(until)) <= now:
                continue
            by_id.setdefault(str(entry["id"]), entry)
    return sorted(by_id.values(), key=lambda e: (str(e["order"]), str(e["id"])), reverse=plan.tile.newest_first)


def live_keys(plan: Plan, found: dict[Key, dict[str, Any]], now: dt.datetime) -> list[Key]:
    """Real-time items of the next departures, once the tile's projection is read."""
    if plan.tile.live != LIVE_DEPARTURES:
        return []
    entries = _entries(plan, found, now)[: plan.tile.limit + LIVE_CANDIDATES_EXTRA]
    return [(plan.tile.table, *rt_key(entry["view"])) for entry in entries]


def _freshness(plan: Plan, found: dict[Key, dict[str, Any]], now: dt.datetime) -> dict[str, Any]:
    if not plan.sources:  # written by people (notices): as fresh as its last change
        stamps = [str(found[k]["updated_at"]) for k in plan.keys if k in found and found[k].get("updated_at")]
        return {"as_of": to_paris_iso(max(stamps)) if stamps else None, "stale": False}
    fetched = [found.get(k, {}).get("fetched_at") for k in plan.sources]
    if any(value is None for value in fetched):
        return {"as_of": None, "stale": True}
    oldest = min(parse_iso(str(value)) for value in fetched)
    limit = plan.tile.stale_after_s
    return {"as_of": to_paris_iso(oldest), "stale": limit is not None and (now - oldest).total_seconds() > limit}


def render(plan: Plan, found: dict[Key, dict[str, Any]], unresolved: set[Key], now: dt.datetime) -> dict[str, Any]:
    tile = plan.tile
    base: dict[str, Any] = {"type": tile.id, "params": plan.params}
    if unresolved & set(plan.keys + plan.sources):
        detail = "Le contenu de cette tuile n'a pas pu être lu à temps ; réessayez dans un instant."
        return {**base, "error": problem_dict(503, "tile-unavailable", detail)}
    present = [found[k] for k in plan.keys if k in found]
    if not present and tile.must_exist:
        names = ", ".join(f"{name} « {value} »" for name, value in plan.params.items())
        detail = f"{tile.title} : rien ne correspond à {names}."
        return {**base, "error": problem_dict(404, "not-found", detail)}
    head: dict[str, Any] = {}
    for item in present:
        head.update(item.get("head") or {})
    entries = _entries(plan, found, now)
    if tile.live == LIVE_DEPARTURES:
        realtime = {(pk, sk): item for (table, pk, sk), item in found.items() if table == tile.table}
        candidates = entries[: tile.limit + LIVE_CANDIDATES_EXTRA]
        departures = coming([{**e["view"], "sk": "DEP#" + str(e["id"])} for e in candidates], realtime, now)
        items = [departure_view(m) for m in in_expected_order(departures[: tile.limit])]
    else:
        items = [entry["view"] for entry in entries[: tile.limit]]
    return {**base, **_freshness(plan, found, now), "content": {**head, "items": items}}


def error_entry(requested: Any, exc: Exception) -> dict[str, Any]:
    kind = requested.get("type") if isinstance(requested, dict) else None
    params = requested.get("params") if isinstance(requested, dict) else None
    base = {"type": kind if isinstance(kind, str) else None, "params": params if isinstance(params, dict) else {}}
    if isinstance(exc, NotFoundError):
        return {**base, "error": problem_dict(404, "not-found", str(exc))}
    assert isinstance(exc, InvalidRequestError)
    invalid = [{"name": exc.field, "reason": exc.detail}] if exc.field else None
    return {**base, "error": problem_dict(400, "invalid-tile", exc.detail, invalid_params=invalid)}


def requested_tiles(body: Any) -> list[Any]:
    """The `tiles` of the request; InvalidRequestError for a request that is not a home screen at all."""
    if not isinstance(body, dict) or not isinstance(body.get("tiles"), list):
        raise InvalidRequestError('Le corps attendu est {"tiles": [{"type": ..., "params": {...}}]}.', field="tiles")
    tiles: list[Any] = body["tiles"]
    if len(tiles) > MAX_TILES:
        raise InvalidRequestError(
            f"Au plus {MAX_TILES} tuiles par écran d'accueil ({len(tiles)} reçues).", field="tiles"
        )
    return tiles


class TileReader(Protocol):
    """Items by (table, pk, sk), one round trip per call (`store.BatchReader` over DynamoDB): those found, and the
    keys left unprocessed."""

    def read(self, keys: list[Key]) -> tuple[dict[Key, dict[str, Any]], list[Key]]: ...


def compose(tiles: list[Any], types: dict[str, TileType], reader: TileReader, now: dt.datetime) -> list[dict[str, Any]]:
    answers: list[dict[str, Any] | None] = [None] * len(tiles)
    plans: list[Plan] = []
    for index, requested in enumerate(tiles):
        try:
            plans.append(plan(index, requested, types))
        except (InvalidRequestError, NotFoundError) as exc:
            answers[index] = error_entry(requested, exc)

    found: dict[Key, dict[str, Any]] = {}
    pending: list[Key] = [key for p in plans for key in (*p.keys, *p.sources)]
    live_asked: set[int] = set()
    for _ in range(MAX_ROUND_TRIPS):
        for p in plans:  # a live tile's real time is asked for once its projection is read
            if p.tile.live is None or p.index in live_asked or any(k in pending for k in p.keys):
                continue
            p.live = live_keys(p, found, now)
            pending += p.live
            live_asked.add(p.index)
        if not pending:
            break
        got, pending = reader.read(pending)
        found.update(got)
    unresolved = set(pending)
    for p in plans:
        answers[p.index] = render(p, found, unresolved, now)
    return [answer for answer in answers if answer is not None]
