"""Build the CDK app: `Core`, then the phase stacks asked for, with cdk-nag on every stack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from .config import Settings, settings_from_context
from .stacks.core import CoreStack
from .stacks.payments import PaymentsStack
from .stacks.proximity import ProximityStack
from .stacks.services import ServicesStack

PHASE_STACKS: dict[str, Callable[..., cdk.Stack]] = {
    "proximity": ProximityStack,
    "services": ServicesStack,
    "payments": PaymentsStack,
}


def build_app(context: dict[str, Any] | None = None, outdir: str | None = None) -> tuple[cdk.App, Settings]:
    app = cdk.App(context=context or {}, outdir=outdir)
    raw = {key: app.node.try_get_context(key) for key in ("stage", "territory", "phases")}
    settings = settings_from_context(raw)
    env = cdk.Environment(region=settings.territory.region)  # account-agnostic: no lookup at synth
    tags = {"project": "poche", "stage": settings.stage, "territory": settings.territory.name}
    core = CoreStack(
        app,
        f"{settings.prefix}-Core",
        settings=settings,
        env=env,
        description=f"{settings.territory.title} - shared core ({settings.stage})",
    )
    for phase in settings.phases:
        stack = PHASE_STACKS[phase](
            app,
            f"{settings.prefix}-{phase.capitalize()}",
            settings=settings,
            env=env,
            description=f"{settings.territory.title} - phase {phase} ({settings.stage})",
        )
        stack.add_stack_dependency(core, "reads Core's contracts from SSM")
    for key, value in tags.items():
        cdk.Tags.of(app).add(key, value)
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    return app, settings
