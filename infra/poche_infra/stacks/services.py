"""Phase 2, complementary micro-services: places around me (heritage, health, food, mobility), deployable,
updatable and destroyable alone on Core's SSM contracts, like Proximity. Add a domain with one line."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from ..config import Settings
from ..constructs.runtime import PhaseRuntime
from ..domains.places import PlacesDomain


class ServicesStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        runtime = PhaseRuntime(self, "Runtime", settings=settings)
        self.places = PlacesDomain(self, "Places", settings=settings, runtime=runtime)
