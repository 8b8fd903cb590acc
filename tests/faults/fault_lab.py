"""The fault matrix's laboratory, shared by every cell: the two misbehaving HTTP servers, one moto account with the
domains' tables and the bus, each connector's handler imported once, and each connector's last good run (its table
snapshot) made once. A cell starts from that snapshot (or from an empty table) in milliseconds."""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass, field
from typing import Any

import fault_platform as fp
import fault_servers as fs
import pytest
from fault_connectors import Connector
from fault_matrix import CREDENTIALS, FETCH_DEADLINE_S


@dataclass
class Baseline:
    """A connector's last good run: its report, its table (snapshot and items) and its item ids."""

    report: dict[str, Any]
    snapshot: Any
    items: list[dict[str, Any]]
    ids: set[str]
    good: bytes


@dataclass
class Lab:
    servers: fs.Servers
    dynamodb: Any
    monkeypatch: pytest.MonkeyPatch
    deadline_s: float = FETCH_DEADLINE_S  # what every fetch is bounded by (see _force_deadline)
    handlers: dict[str, fp.Handler] = field(default_factory=dict)
    baselines: dict[str, Baseline] = field(default_factory=dict)

    def handler(self, connector: Connector) -> fp.Handler:
        if connector.name not in self.handlers:
            handler = fp.load_handler(
                connector.package, connector.domain, connector.service, self.monkeypatch, self.dynamodb
            )
            self._force_deadline(handler.module)
            self.handlers[connector.name] = handler
        return self.handlers[connector.name]

    def _force_deadline(self, module: Any) -> None:
        """Every fetch of this handler bounded by `deadline_s` (`timeout` of poche_common.sources.fetch, the deadline
        of the whole download), whatever the handler asks (10 to 20 s): a timeout cell then costs half a second.
        The runtime imports `poche_common.sources` on the first fetch: imported here, the sandbox's first fetch finds
        it (patched) in `sys.modules`."""
        sources = importlib.import_module("poche_common.sources")
        real = sources.fetch

        @functools.wraps(real)
        def fetch(url: str, **kwargs: Any) -> bytes:
            kwargs["timeout"] = min(float(kwargs.get("timeout", self.deadline_s)), self.deadline_s)
            data: bytes = real(url, **kwargs)
            return data

        self.monkeypatch.setattr(sources, "fetch", fetch)
        if getattr(module, "sources", sources) is not sources:  # a handler holding its own reference to the module
            self.monkeypatch.setattr(module.sources, "fetch", fetch)

    def point(self, connector: Connector, source: str) -> None:
        self.monkeypatch.setenv("POCHE_SOURCE_" + connector.name.upper().replace("-", "_"), source)

    def baseline(self, connector: Connector) -> Baseline:
        if connector.name not in self.baselines:
            handler = self.handler(connector)
            good = connector.good()
            path = self.servers.path(f"{connector.name}-good")
            self.servers.origin.routes[path] = fs.serve(good, headers={"Content-Type": connector.content_type})
            handler.table.wipe()
            handler.table.put(connector.seed())
            self.point(connector, connector.source(self.servers.origin.url(path + "feed", CREDENTIALS)))
            self.deadline_s = FETCH_DEADLINE_S
            report = handler.invoke(connector.now)
            assert report["status"] == "succeeded", f"the good sample of {connector.name} does not pass: {report}"
            items = handler.table.items()
            ids = connector.ids(items)
            assert ids, f"the good run of {connector.name} stored nothing its `ids` can see"
            self.baselines[connector.name] = Baseline(report, handler.table.snapshot(), items, ids, good)
        return self.baselines[connector.name]
