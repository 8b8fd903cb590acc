"""What the agenda routes use, built from the environment on first use: `dependencies.get()`.

Nothing is built at import (no client, no setting read): a test passes fakes with
`dependencies.override(Deps(reader=FakeReader(...), stale_after_s=...))`.
"""

from __future__ import annotations

from dataclasses import dataclass

from poche_common.settings import optional_int, required
from poche_common.wiring import Provider

from .logic import AgendaReader
from .policy import STALE_AFTER_SECONDS


@dataclass
class Deps:
    reader: AgendaReader
    stale_after_s: int = STALE_AFTER_SECONDS


def build() -> Deps:
    import boto3

    from .store import DynamoAgendaReader

    reader = DynamoAgendaReader(boto3.client("dynamodb"), required("TABLE_NAME"))
    return Deps(reader, optional_int("STALE_AFTER_SECONDS", STALE_AFTER_SECONDS))


dependencies: Provider[Deps] = Provider(build)
