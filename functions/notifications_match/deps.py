"""What the matcher uses, built once per execution environment on first use (not at import)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from poche_common.clock import utc_now
from poche_common.settings import required
from poche_common.wiring import Provider, client, on_table

from .ports import DeliveryQueue, SubscriberReader


@dataclass
class Deps:
    subscribers: SubscriberReader
    queue: DeliveryQueue
    clock: Callable[[], dt.datetime] = utc_now


def build(dynamodb: Any, table: str) -> Deps:
    from .adapters import DeliveryQueue as SqsDeliveryQueue
    from .store import Subscribers

    return Deps(Subscribers(dynamodb, table), SqsDeliveryQueue(client("sqs"), required("QUEUE_URL")))


dependencies: Provider[Deps] = on_table(build)
