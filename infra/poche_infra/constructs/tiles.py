"""`TileType`: a domain offers a tile type to the home screen by registering it (see docs/tiles.md).

The registration is an SSM parameter `/poche/<stage>/tiles/<id>` holding the tile's description; the home
function lists them at run time, so the catalogue is exactly the tile types of the deployed stacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import aws_cdk as cdk
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ..config import Settings
from .runtime import PhaseRuntime
from .table import DomainTable

TILES_PATH = "tiles"
PARAM_NAMES = ("stop_id", "route_id", "canteen_id", "commune", "uai")
_ID = re.compile(r"^[a-z][a-z0-9-]{1,30}\Z")


@dataclass(frozen=True)
class TileSpec:
    """What the catalogue says of a tile type, and how the home function reads its projections.

    `keys`: the projection keys of one tile, as templates over its params (`{commune}`, `general`...);
    by default the params' values joined by `#`. `sources`: connectors whose `FEED#<name>/STATE`
    `fetched_at` is the tile's `as_of` (none: the projection's own `updated_at`, never stale).
    `must_exist`: a tile whose projections are all missing is a 404 (unknown stop, canteen...).
    """

    id: str
    title: str
    service: str
    params: tuple[str, ...]
    description: str
    sources: tuple[str, ...] = ()
    stale_after_s: int | None = None
    keys: tuple[str, ...] = ()
    limit: int = 5
    newest_first: bool = False
    must_exist: bool = False
    live: str | None = None  # a live read on top of the projection: "transit-realtime"
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"tile id {self.id!r}: lowercase letters, digits and hyphens")
        unknown = set(self.params) - set(PARAM_NAMES)
        if unknown:
            raise ValueError(f"tile {self.id}: unknown params {sorted(unknown)} (known: {PARAM_NAMES})")

    def key_templates(self) -> tuple[str, ...]:
        return self.keys or ("#".join("{" + name + "}" for name in self.params),)


class TileType(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        runtime: PhaseRuntime,
        spec: TileSpec,
        table: DomainTable,
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self.table = table
        description = {
            "id": spec.id,
            "title": spec.title,
            "service": spec.service,
            "params": list(spec.params),
            "description": spec.description,
            "table": table.table_name,
            "keys": list(spec.key_templates()),
            "sources": list(spec.sources),
            "stale_after_s": spec.stale_after_s,
            "limit": spec.limit,
            "newest_first": spec.newest_first,
            "must_exist": spec.must_exist,
            "live": spec.live,
            **spec.extra,
        }
        self.parameter = ssm.StringParameter(
            self,
            "Registration",
            parameter_name=settings.parameter(f"{TILES_PATH}/{spec.id}"),
            string_value=cdk.Stack.of(self).to_json_string(description),
            description=f"Tile type {spec.id} offered to the home screen (read by the home function)",
        )
        runtime.tiles.append(self)
