"""Communes domain: the département's communes, reference data shipped in the common layer (no table)."""

from __future__ import annotations

from ..constructs.domain import Domain


class CommunesDomain(Domain):
    def declare(self) -> None:
        # Reads `poche_common/data/communes.json` from the layer: no table, no AWS permission beyond its logs.
        self.service = self.add_service(
            package="communes",
            description="Poche communes service (GET /v1/communes...)",
            public=["/v1/communes", "/v1/communes/{insee}"],
        )
