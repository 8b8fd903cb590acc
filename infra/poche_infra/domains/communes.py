"""Communes domain: the département's communes, reference data shipped in the common layer (no table)."""

from __future__ import annotations

from constructs import Construct

from ..config import Settings
from ..constructs.runtime import PhaseRuntime
from ..constructs.service import ServiceFunction


class CommunesDomain(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, runtime: PhaseRuntime) -> None:
        super().__init__(scope, construct_id)
        # Reads `poche_common/data/communes.json` from the layer: no table, no AWS permission beyond its logs.
        self.service = ServiceFunction(
            self,
            "Service",
            settings=settings,
            runtime=runtime,
            package="communes",
            description="Poche communes service (GET /v1/communes...)",
            public=["/v1/communes", "/v1/communes/{insee}"],
        )
