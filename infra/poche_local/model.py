"""What the local platform runs, as read from the templates."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class FunctionSpec:
    """One Lambda function: exactly the code, layers, handler and environment deployed."""

    stack: str
    logical_id: str
    name: str
    handler: str
    code_dir: str
    layer_dirs: list[str]
    environment: dict[str, str]
    memory_mb: int = 128
    timeout_s: int = 3

    @property
    def package(self) -> str:
        return self.handler.rsplit(".", 2)[0]

    @property
    def connector(self) -> str | None:
        return self.environment.get("POCHE_CONNECTOR")

    @property
    def label(self) -> str:
        return self.connector or self.package


@dataclass
class RouteSpec:
    method: str  # GET, POST, ... or ANY
    path: str  # /v1/canteens/{canteen_id}
    function: str  # FunctionSpec.name
    stack: str
    # JWT authorizer of the route: {"issuer": ..., "audience": [...]}; None for a public route
    authorizer: dict[str, Any] | None = None

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class ScheduleSpec:
    function: str
    expression: str  # rate(...) | cron(...)
    timezone: str
    input: dict[str, Any] = field(default_factory=dict)


@dataclass
class QueueSourceSpec:
    """Messages of a queue handed to a function, as a Lambda event source mapping does (SQS events).

    An EventBridge rule with an event pattern targeting a function becomes one too: locally the rule's target is
    an emulated queue (`relay`), whose messages are the bus events themselves."""

    function: str
    queue: str  # queue name in the emulation
    batch_size: int = 10
    report_failures: bool = False  # the function answers `batchItemFailures`
    relay: bool = False  # an EventBridge rule's events: each message is one event, invoked alone


@dataclass
class PlatformSpec:
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    routes: list[RouteSpec] = field(default_factory=list)
    schedules: list[ScheduleSpec] = field(default_factory=list)
    queue_sources: list[QueueSourceSpec] = field(default_factory=list)

    def connectors(self) -> dict[str, FunctionSpec]:
        return {f.connector: f for f in self.functions.values() if f.connector}

    def schedule_of(self, function: str) -> ScheduleSpec | None:
        return next((s for s in self.schedules if s.function == function), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "functions": {name: asdict(f) for name, f in self.functions.items()},
            "routes": [asdict(r) for r in self.routes],
            "schedules": [asdict(s) for s in self.schedules],
            "queue_sources": [asdict(q) for q in self.queue_sources],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlatformSpec:
        return cls(
            functions={name: FunctionSpec(**f) for name, f in data["functions"].items()},
            routes=[RouteSpec(**r) for r in data["routes"]],
            schedules=[ScheduleSpec(**s) for s in data["schedules"]],
            queue_sources=[QueueSourceSpec(**q) for q in data.get("queue_sources", [])],
        )
