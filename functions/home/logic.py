"""The home screen service's rules over small ports: the catalogue of tile types with their examples, and a home
of tiles composed within its round-trip budget (`home_shared.compose`).

Pure: no boto3, no environment; the clock is the `now` given, the tile types any `TileTypes` (the SSM-backed
`home_shared.catalogue.Catalogue`) and the reader any `home_shared.compose.TileReader` (a
`home_shared.store.BatchReader` per request; unit tests pass in-memory fakes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from home_shared.catalogue import TileType
from home_shared.compose import TileReader, compose
from poche_common.clock import to_paris_iso
from poche_common.tiles import EXAMPLE, tile_pk


class TileTypes(Protocol):
    def types(self) -> dict[str, TileType]: ...


class CountingReader(TileReader, Protocol):
    """A tile reader that counts its DynamoDB round trips (the home's budget, logged and measured)."""

    round_trips: int


def catalogue(types: dict[str, TileType], reader: TileReader, now: dt.datetime) -> dict[str, Any]:
    """Every tile type the deployed stacks registered, each with the example its connector keeps (None: no data
    loaded yet), in one round trip."""
    keys = {tile.id: (tile.table, tile_pk(tile.id), EXAMPLE) for tile in types.values()}
    examples, _ = reader.read(list(keys.values()))
    items = []
    for tile in types.values():
        example = examples.get(keys[tile.id], {}).get("params")
        items.append(
            {
                "id": tile.id,
                "title": tile.title,
                "service": tile.service,
                "params": list(tile.params),
                "example": dict(example) if isinstance(example, dict) else None,
                "description": tile.description,
            }
        )
    return {"items": items, "next": None, "as_of": to_paris_iso(now), "stale": False}


def home(tiles: list[Any], types: dict[str, TileType], reader: TileReader, now: dt.datetime) -> dict[str, Any]:
    """The tiles' current content, in the order asked; a tile that cannot be answered carries its `error`."""
    return {"tiles": compose(tiles, types, reader, now)}
