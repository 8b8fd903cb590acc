"""The tile types of the deployed stacks: one SSM parameter each under `/poche/<stage>/tiles/`.

Each domain registers its tile types when its stack is deployed (`TileType` in infra); nothing here
lists them by hand. The registrations are read once per sandbox and re-read after `ttl_s`, so a
phase deployed later shows up without redeploying this function.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from poche_common.observability import logger


@dataclass(frozen=True)
class TileType:
    id: str
    title: str
    service: str
    params: tuple[str, ...]
    description: str
    table: str
    keys: tuple[str, ...]  # templates over the params: "{commune}", "general", "{stop_id}#{route_id}"
    sources: tuple[str, ...]  # connectors whose FEED#<name>/STATE `fetched_at` is the tile's `as_of`
    stale_after_s: int | None
    limit: int
    newest_first: bool
    must_exist: bool
    live: str | None

    @classmethod
    def from_registration(cls, data: dict[str, Any]) -> TileType:
        return cls(
            id=str(data["id"]),
            title=str(data["title"]),
            service=str(data["service"]),
            params=tuple(str(p) for p in data["params"]),
            description=str(data.get("description", "")),
            table=str(data["table"]),
            keys=tuple(str(k) for k in data["keys"]),
            sources=tuple(str(s) for s in data.get("sources") or ()),
            stale_after_s=int(data["stale_after_s"]) if data.get("stale_after_s") is not None else None,
            limit=int(data.get("limit") or 5),
            newest_first=bool(data.get("newest_first")),
            must_exist=bool(data.get("must_exist")),
            live=str(data["live"]) if data.get("live") else None,
        )

    def projection_keys(self, params: dict[str, str]) -> list[str]:
        return [template.format(**params) for template in self.keys]


class Catalogue:
    """`ssm`: an SSM client, or None to create one when the registrations are first read (a client costs tens
    of milliseconds to create: not at cold start, and never in a sandbox that only answers from the cache)."""

    def __init__(
        self, ssm: Any | None, path: str, *, ttl_s: int = 300, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ssm = ssm
        self.path = path.rstrip("/")
        self.ttl_s = ttl_s
        self.clock = clock
        self._types: dict[str, TileType] | None = None
        self._read_at = 0.0

    @property
    def ssm(self) -> Any:
        if self._ssm is None:
            import boto3

            self._ssm = boto3.client("ssm")
        return self._ssm

    @ssm.setter
    def ssm(self, client: Any) -> None:
        self._ssm = client

    def types(self) -> dict[str, TileType]:
        """id -> tile type, in id order."""
        if self._types is None or self.clock() - self._read_at > self.ttl_s:
            self._types = self._read()
            self._read_at = self.clock()
        return self._types

    def _read(self) -> dict[str, TileType]:
        found: dict[str, TileType] = {}
        kwargs: dict[str, Any] = {"Path": self.path, "Recursive": False}
        while True:
            page = self.ssm.get_parameters_by_path(**kwargs)
            for parameter in page.get("Parameters", []):
                try:
                    tile = TileType.from_registration(json.loads(parameter["Value"]))
                except (ValueError, KeyError, TypeError) as exc:
                    logger.error("unreadable tile registration", extra={"name": parameter["Name"], "error": str(exc)})
                    continue
                found[tile.id] = tile
            if not page.get("NextToken"):
                return dict(sorted(found.items()))
            kwargs["NextToken"] = page["NextToken"]
