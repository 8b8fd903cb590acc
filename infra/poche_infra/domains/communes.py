"""Communes domain: the département's communes, reference data shipped in the common layer (no table)."""

from __future__ import annotations

from constructs import Construct

from ..config import Settings
from ..constructs.function import PocheFunction
from ..constructs.routes import PublicRoutes
from ..constructs.runtime import PhaseRuntime
from ..paths import FUNCTIONS


class CommunesDomain(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, runtime: PhaseRuntime) -> None:
        super().__init__(scope, construct_id)
        # Reads `poche_common/data/communes.json` from the layer: no table, no AWS permission beyond its logs.
        self.service = PocheFunction(
            self,
            "Service",
            settings=settings,
            package_dir=FUNCTIONS / "communes",
            domain="communes",
            description="Poche communes service (GET /v1/communes...)",
            layers=runtime.layers,
            alarm_topic=runtime.alarm_topic,
        )
        PublicRoutes(
            self,
            "Routes",
            api=runtime.api,
            function=self.service.function,
            paths=["/v1/communes", "/v1/communes/{insee}"],
        )
