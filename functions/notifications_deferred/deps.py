"""What the deferred pushes use, built once per execution environment on first use (not at import)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from notifications_shared.ports import Push
from poche_common.clock import utc_now
from poche_common.wiring import Provider, client, on_table

from .ports import DuePushes


@dataclass
class Deps:
    due: DuePushes
    pusher: Push
    clock: Callable[[], dt.datetime] = utc_now


def build(dynamodb: Any, table: str) -> Deps:
    from notifications_shared.push import Pusher

    from .store import DueStore

    return Deps(DueStore(dynamodb, table), Pusher(dynamodb, client("sns"), table))


dependencies: Provider[Deps] = on_table(build)
