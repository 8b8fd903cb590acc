"""Issue 11 §2: a signed-in payer is told when their payment succeeds or fails (inbox and push, through the
notifications domain); an anonymous payer (PayFiP's e-mail ticket only) is not, and nobody else ever is."""

from __future__ import annotations

from typing import Any

import pytest

from notifications_match.logic import fan_out
from notifications_match.topics import Topic, topics
from notifications_shared.delivery import read_delivery

FACTS: dict[str, Any] = {
    "id": "ev-1",
    "occurred_at": "2026-12-02T09:00:00+00:00",
    "version": 1,
    "payment_id": "3f2a9c1e5b7d4e8fa0c1d2e3f4a5b6c7",
    "attempt": 1,
    "exer": "2026",
    "refdet": "T2026000412",
    "product": "CANTINE",
    "amount_cents": 148050,
    "at": "2026-12-02T09:00:00+00:00",
    "payer": "sub-payer",
    "idop": "idop-1",
}


@pytest.mark.parametrize(
    ("detail_type", "title", "body"),
    [
        (
            "PaymentSucceeded",
            "Paiement reçu",
            "Votre paiement de 1 480,50 € (créance T2026000412 de 2026) est enregistré. Merci !",
        ),
        (
            "PaymentFailed",
            "Paiement refusé",
            "Votre paiement de 1 480,50 € (créance T2026000412 de 2026) a été refusé : la créance reste à payer.",
        ),
    ],
)
def test_the_payer_is_told_the_result(detail_type: str, title: str, body: str) -> None:
    (topic,) = topics(detail_type, "poche.payments", FACTS)
    assert topic == Topic("payment", None, title, body, "/v1/payments/3f2a9c1e5b7d4e8fa0c1d2e3f4a5b6c7", "sub-payer")


def test_an_anonymous_payer_and_other_payment_events_concern_nobody() -> None:
    anonymous = {k: v for k, v in FACTS.items() if k != "payer"}
    assert topics("PaymentSucceeded", "poche.payments", anonymous) == []
    for detail_type in ("PaymentInitiated", "PaymentCancelled", "PaymentExpired", "PaymentDuplicated"):
        assert topics(detail_type, "poche.payments", FACTS) == []


class NoSubscribers:
    def pages(self, kind: str, topic_id: str | None) -> Any:
        raise AssertionError("a personal topic reads no subscription")

    def first_seen(self, event_id: str, occurred_at: str, expires_at: int) -> str:
        raise AssertionError("not asked by fan_out")


class Queue:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, bodies: list[str]) -> None:
        self.sent += bodies


def test_a_personal_topic_is_delivered_to_its_payer_only_and_at_once() -> None:
    (topic,) = topics("PaymentSucceeded", "poche.payments", FACTS)
    queue = Queue()
    result = fan_out({"event_id": "ev-1", "occurred_at": FACTS["occurred_at"]}, topic, NoSubscribers(), queue)
    assert (result.recipients, result.messages, result.queries) == (1, 1, 0)
    delivery = read_delivery(queue.sent[0])
    assert delivery["recipients"] == [{"sub": "sub-payer", "mode": "immediate", "quiet_hours": None}]
    assert (delivery["kind"], delivery["title"]) == ("payment", "Paiement reçu")
