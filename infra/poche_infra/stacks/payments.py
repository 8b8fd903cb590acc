"""Phase 3, online payments: deployable, updatable and destroyable alone on Core's SSM contracts, like Proximity.
Its ledger table is kept when the stack is destroyed (RETAIN, deletion protection): accounting records outlive
any deployment."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from ..config import Settings
from ..constructs.runtime import PhaseRuntime
from ..domains.payments import PaymentsDomain


class PaymentsStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        runtime = PhaseRuntime(self, "Runtime", settings=settings)
        self.payments = PaymentsDomain(self, "Payments", settings=settings, runtime=runtime)
