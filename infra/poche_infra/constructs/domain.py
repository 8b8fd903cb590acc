"""`Domain`: the base of every domain construct (`domains/<domain>.py`).

It holds the phase's settings and runtime and declares the shared constructs in the domain's own scope with them,
so that a domain file says only what is its own (its table's indexes, its routes, its grants and their reasons) and
the construct ids, hence the logical ids, stay those of the domain (`<Domain>/Service`, `<Domain>/Tile`...).
"""

from __future__ import annotations

from typing import Any

from constructs import Construct

from ..config import Settings
from ..paths import FUNCTIONS
from .connector import ScheduledConnector
from .function import PocheFunction
from .runtime import PhaseRuntime
from .service import ServiceFunction
from .table import DomainTable
from .tiles import TileSpec, TileType


class Domain(Construct):
    """A domain: what it deploys is declared in `declare`, called once the settings and runtime are set, with its
    table (`add_table`), its service functions (`add_service`), its connectors (`add_connector`), its tile type
    (`add_tile`) and its other functions (`add_function`: queue consumers, event handlers...). A domain that needs
    more than the settings and the runtime (another domain's table) takes it in its own `__init__` and declares
    after `super().__init__`."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, runtime: PhaseRuntime) -> None:
        super().__init__(scope, construct_id)
        self.settings = settings
        self.runtime = runtime
        self._table: DomainTable | None = None
        self.declare()

    def declare(self) -> None:
        """What the domain deploys (nothing here)."""

    def add_table(self, construct_id: str, **indexes: tuple[str, str]) -> DomainTable:
        """The domain's table (`DomainTable`), with its global secondary indexes (name: (partition, sort)). It is
        the table of the services, connectors and tile type declared after it."""
        self._table = DomainTable(self, construct_id, settings=self.settings, indexes=indexes)
        return self._table

    def add_service(self, construct_id: str = "Service", **options: Any) -> ServiceFunction:
        """A `ServiceFunction` (its options), on the domain's table unless `table` says otherwise."""
        options.setdefault("table", self._table)
        return ServiceFunction(self, construct_id, settings=self.settings, runtime=self.runtime, **options)

    def add_connector(self, construct_id: str, **options: Any) -> ScheduledConnector:
        """A `ScheduledConnector` (its options) writing the domain's table."""
        return ScheduledConnector(
            self, construct_id, settings=self.settings, runtime=self.runtime, table=self._own_table(), **options
        )

    def add_tile(self, spec: TileSpec) -> TileType:
        """The domain's tile type `Tile`, projected in the domain's table."""
        return TileType(self, "Tile", settings=self.settings, runtime=self.runtime, table=self._own_table(), spec=spec)

    def add_function(self, construct_id: str, *, package: str, **options: Any) -> PocheFunction:
        """A function of `functions/<package>` that no route reaches (a queue's consumer, an event's handler, a
        schedule's target): a `PocheFunction` (its options) with the runtime's layers before `layers`."""
        layers = options.pop("layers", ())
        return PocheFunction(
            self,
            construct_id,
            settings=self.settings,
            package_dir=FUNCTIONS / package,
            layers=self.runtime.function_layers(*layers),
            alarm_topic=self.runtime.alarm_topic,
            **options,
        )

    def _own_table(self) -> DomainTable:
        if self._table is None:
            raise ValueError(f"{self.node.path}: add_table() first")
        return self._table
