"""Phase 1, proximity services. Add a domain with one line in `__init__`."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from ..config import Settings
from ..constructs.runtime import PhaseRuntime
from ..domains.agenda import AgendaDomain
from ..domains.canteen import CanteenDomain
from ..domains.communes import CommunesDomain
from ..domains.home import HomeDomain
from ..domains.me import MeDomain
from ..domains.news import NewsDomain
from ..domains.notifications import NotificationsDomain
from ..domains.schools import SchoolsDomain
from ..domains.traffic import TrafficDomain
from ..domains.transit import TransitDomain


class ProximityStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        runtime = PhaseRuntime(self, "Runtime", settings=settings)
        self.communes = CommunesDomain(self, "Communes", settings=settings, runtime=runtime)
        self.canteen = CanteenDomain(self, "Canteen", settings=settings, runtime=runtime)
        self.transit = TransitDomain(self, "Transit", settings=settings, runtime=runtime)
        self.traffic = TrafficDomain(self, "Traffic", settings=settings, runtime=runtime)
        self.agenda = AgendaDomain(self, "Agenda", settings=settings, runtime=runtime)
        self.news = NewsDomain(self, "News", settings=settings, runtime=runtime)
        self.schools = SchoolsDomain(self, "Schools", settings=settings, runtime=runtime)
        # Last: the home screen reads the tile types registered above.
        self.home = HomeDomain(self, "Home", settings=settings, runtime=runtime)
        self.me = MeDomain(self, "Me", settings=settings, runtime=runtime, transit_table=self.transit.table)
        self.notifications = NotificationsDomain(self, "Notifications", settings=settings, runtime=runtime, me=self.me)
