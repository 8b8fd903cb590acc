"""The delivery queue (SQS), as the `DeliveryQueue` port of `ports.py`: SendMessageBatch, retrying the entries the
queue refused."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

SEND_ATTEMPTS = 5


class DeliveryQueue:
    def __init__(self, sqs: Any, url: str, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.sqs = sqs
        self.url = url
        self.sleep = sleep

    def send(self, bodies: list[str]) -> None:
        entries = [{"Id": str(n), "MessageBody": body} for n, body in enumerate(bodies)]
        for attempt in range(SEND_ATTEMPTS):
            answer = self.sqs.send_message_batch(QueueUrl=self.url, Entries=entries)
            failed = {f["Id"] for f in answer.get("Failed", [])}
            entries = [e for e in entries if e["Id"] in failed]
            if not entries:
                return
            self.sleep(min(0.1 * 2**attempt, 2.0))
        raise RuntimeError(f"{len(entries)} delivery messages refused by the queue after {SEND_ATTEMPTS} attempts")
