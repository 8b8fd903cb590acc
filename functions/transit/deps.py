"""What the transit routes use, built from the environment on first use: `dependencies.get()`.

Nothing is built at import (no client, no setting read): a test passes fakes with
`dependencies.override(Deps(reader=FakeReader(...), settings=Settings()))`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from poche_common.settings import optional_int, required
from poche_common.wiring import Provider

from . import policy
from .logic import Settings, TransitReader


@dataclass
class Deps:
    reader: TransitReader
    settings: Settings


def settings_from_environment() -> Settings:
    """`STALE_AFTER_SECONDS`, `REALTIME_STALE_AFTER_SECONDS` and `REALTIME_CONNECTORS` (comma-separated; unset:
    the policy's), as infra sets them."""
    connectors = os.environ.get("REALTIME_CONNECTORS", ",".join(policy.REALTIME_CONNECTORS))
    return Settings(
        static_stale_after_s=optional_int("STALE_AFTER_SECONDS", policy.STATIC_STALE_AFTER_SECONDS),
        realtime_stale_after_s=optional_int("REALTIME_STALE_AFTER_SECONDS", policy.REALTIME_STALE_AFTER_SECONDS),
        realtime_connectors=tuple(name.strip() for name in connectors.split(",") if name.strip()),
    )


def build() -> Deps:
    import boto3

    from .store import DynamoTransitReader

    return Deps(DynamoTransitReader(boto3.client("dynamodb"), required("TABLE_NAME")), settings_from_environment())


dependencies: Provider[Deps] = Provider(build)
