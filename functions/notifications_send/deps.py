"""What the sender uses, built once per execution environment on first use (not at import)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from notifications_shared.ports import Push
from poche_common.clock import utc_now
from poche_common.settings import required
from poche_common.wiring import Provider

from .ports import InboxWriter


@dataclass
class Deps:
    inbox: InboxWriter
    pusher: Push
    clock: Callable[[], dt.datetime] = utc_now


def build() -> Deps:
    import boto3

    from notifications_shared.push import Pusher

    from .store import Inbox

    dynamodb = boto3.client("dynamodb")
    table = required("TABLE_NAME")
    return Deps(Inbox(dynamodb, table), Pusher(dynamodb, boto3.client("sns"), table))


dependencies: Provider[Deps] = Provider(build)
