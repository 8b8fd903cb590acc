"""What the home routes use, built from the environment on first use: `dependencies.get()`.

Nothing is built at import (no client, no setting read): a test passes fakes with
`dependencies.override(Deps(catalogue=FakeTypes(...), dynamodb=None, tile_reader=lambda _: FakeReader(...)))`,
or swaps `dynamodb` of the built one for a recording client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from poche_common.settings import optional_int, required
from poche_common.wiring import Provider

from .logic import CountingReader, TileTypes


def _batch_reader(dynamodb: Any) -> CountingReader:
    from home_shared.store import BatchReader

    return BatchReader(dynamodb)


@dataclass
class Deps:
    catalogue: TileTypes
    dynamodb: Any  # the DynamoDB client the tiles are read with
    tile_reader: Callable[[Any], CountingReader] = _batch_reader  # a new reader per request (it counts round trips)

    def reader(self) -> CountingReader:
        return self.tile_reader(self.dynamodb)


def build() -> Deps:
    import boto3

    from home_shared.catalogue import Catalogue

    catalogue = Catalogue(None, required("TILES_PARAMETER_PATH"), ttl_s=optional_int("TILES_REFRESH_SECONDS", 300))
    return Deps(catalogue, boto3.client("dynamodb"))


dependencies: Provider[Deps] = Provider(build)
