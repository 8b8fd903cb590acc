"""What the sender uses, built once per execution environment on first use (not at import)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from notifications_shared.ports import Push
from poche_common.clock import utc_now
from poche_common.wiring import Provider, client, on_table

from .ports import InboxWriter


@dataclass
class Deps:
    inbox: InboxWriter
    pusher: Push
    clock: Callable[[], dt.datetime] = utc_now


def build(dynamodb: Any, table: str) -> Deps:
    from notifications_shared.push import Pusher

    from .store import Inbox

    return Deps(Inbox(dynamodb, table), Pusher(dynamodb, client("sns"), table))


dependencies: Provider[Deps] = on_table(build)
