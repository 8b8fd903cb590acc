"""Issue 11: online payments end to end on the provisioned stacks (moto), PayFiP played by its twin.

Debts imported by the connector; found by reference and amount; paid on the twin; the notification queued, the
processor asking PayFiP and recording the result; the sweeper settling what no notification announced; every
fact once in the append-only ledger and once as an event, whatever is repeated or races."""

from __future__ import annotations

import json
from typing import Any

import pytest
from payments_world import CANCELLED, CANTEEN, CITIZEN, PaymentsWorld
from support import Cloud, body

EXER, REFDET, AMOUNT = CANTEEN


@pytest.fixture
def world(cloud: Cloud, lambda_context: Any) -> PaymentsWorld:
    world = PaymentsWorld(cloud, lambda_context)
    cloud.seed("payments-debts", world.import_debts)
    cloud.bus_events()
    return world


def kinds(world: PaymentsWorld) -> list[str]:
    return [e["detail-type"] for e in world.payment_events()]


def test_a_debt_is_found_only_by_its_reference_and_amount(world: PaymentsWorld) -> None:
    found = world.find(EXER, REFDET, AMOUNT)
    assert found["statusCode"] == 200
    assert body(found) | {"objet": ""} == {
        "exer": EXER,
        "refdet": REFDET,
        "objet": "",
        "amount_cents": AMOUNT,
        "product": "CANTINE",
        "due_date": "2026-12-15",
        "status": "payable",
    }
    assert found["headers"]["Cache-Control"] == "private, no-store"
    wrong_amount, unknown = world.find(EXER, REFDET, AMOUNT + 1), world.find(EXER, "T2026999999", AMOUNT)
    assert wrong_amount["statusCode"] == unknown["statusCode"] == 404
    assert body(wrong_amount) == body(unknown)  # nothing tells a wrong amount from an unknown reference
    assert world.find(*CANCELLED)["statusCode"] == 200 and body(world.find(*CANCELLED))["status"] == "cancelled"


def test_the_lookup_is_throttled_per_caller(world: PaymentsWorld) -> None:
    answers = [world.find(EXER, REFDET, AMOUNT + n)["statusCode"] for n in range(1, 13)]
    assert answers == [404] * 10 + [429, 429]
    throttled = world.find(EXER, REFDET, AMOUNT)
    assert throttled["headers"]["Content-Type"] == "application/problem+json"
    assert 0 < int(throttled["headers"]["Retry-After"]) <= 60
    world.advance(minutes=1)
    assert world.find(EXER, REFDET, AMOUNT)["statusCode"] == 200


def test_pay_by_card_notification_processed_debt_settled(world: PaymentsWorld) -> None:
    started = world.start(EXER, REFDET, AMOUNT)
    assert started["statusCode"] == 201, started["body"]
    payment = body(started)
    assert payment["status"] == "pending" and payment["amount_cents"] == AMOUNT
    assert payment["payfip_url"].startswith("https://www.tipi.budget.gouv.fr/tpa/paiementws.web?idop=")
    idop = world.idop_of(started)
    assert world.twin.operations()[0]["montant"] == AMOUNT  # the amount PayFiP was asked for: the debt's

    world.advance(minutes=3)
    world.pay(idop, "P")
    assert world.deliver() == 1
    assert body(world.status(payment["id"]))["status"] == "paid"
    assert body(world.find(EXER, REFDET, AMOUNT))["status"] == "paid"
    assert kinds(world) == ["PaymentInitiated", "PaymentNotified", "PaymentSucceeded"]  # every fact is an event
    assert world.facts("OUTCOME#") == ["OUTCOME#0001"]
    again = world.start(EXER, REFDET, AMOUNT)
    assert again["statusCode"] == 409 and "déjà payée" in body(again)["detail"]


def test_the_amount_always_comes_from_the_stored_debt(world: PaymentsWorld) -> None:
    other = world.request(
        "POST /v1/payments",
        "/v1/payments",
        body=json.dumps({"exer": EXER, "refdet": REFDET, "amount_cents": 1, "email": "a@example.org"}),
    )
    assert other["statusCode"] == 404  # an amount other than the debt's does not even find it
    assert world.twin.operations() == []


def test_the_same_notification_five_times_credits_once(world: PaymentsWorld) -> None:
    idop = world.idop_of(world.start(EXER, REFDET, AMOUNT))
    world.pay(idop, "V")
    for _ in range(5):
        assert world.notify(idop)["statusCode"] == 200
    assert world.process_queue() == 5
    assert world.facts("OUTCOME#") == ["OUTCOME#0001"]
    assert world.facts("FACT#0001#notified") == ["FACT#0001#notified"]
    assert kinds(world) == ["PaymentInitiated", "PaymentNotified", "PaymentSucceeded"]


def test_a_lost_notification_is_settled_by_the_sweeper(world: PaymentsWorld) -> None:
    payment = body(world.start(EXER, REFDET, AMOUNT))
    world.pay(payment["payfip_url"].rsplit("=", 1)[1], "P", notify=False)
    world.advance(minutes=5)
    counts = world.sweep()
    assert counts["succeeded"] == 1
    assert body(world.status(payment["id"]))["status"] == "paid"
    assert world.sweep().get("succeeded", 0) == 0  # settled: not asked again


def test_a_forged_idop_credits_nothing(world: PaymentsWorld) -> None:
    world.start(EXER, REFDET, AMOUNT)
    assert world.notify("forged-0000-idop")["statusCode"] == 200  # acknowledged: PayFiP expects a fast answer
    assert world.notify("<script>")["statusCode"] == 400  # a problem, queued nothing
    assert world.process_queue() == 1
    assert world.facts("OUTCOME#") == [] and world.facts("FACT#0001#notified") == []
    assert kinds(world) == ["PaymentInitiated"]


def test_the_sweeper_and_a_notification_racing_record_one_outcome(world: PaymentsWorld) -> None:
    idop = world.idop_of(world.start(EXER, REFDET, AMOUNT))
    world.pay(idop, "P")
    world.advance(minutes=1)
    assert world.sweep()["succeeded"] == 1
    assert world.deliver() == 1  # the late notification finds the outcome written
    assert world.facts("OUTCOME#") == ["OUTCOME#0001"]
    assert kinds(world) == ["PaymentInitiated", "PaymentSucceeded", "PaymentNotified"]


def test_two_starts_at_the_same_instant_make_one_attempt(world: PaymentsWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both requests read the debt's ledger before either reserves: the second reservation's put-once fails."""
    module = world.load("payments")
    deps = module.dependencies.get()
    before = deps.store.ledger(EXER, REFDET)
    monkeypatch.setattr(deps.store, "ledger", lambda exer, refdet: before)
    from support import http_api_event

    event = http_api_event(
        "POST /v1/payments",
        "/v1/payments",
        body=json.dumps({"exer": EXER, "refdet": REFDET, "amount_cents": AMOUNT, "email": "a@example.org"}),
        headers={"content-type": "application/json"},
    )
    first, second = module.handler(event, world.context), module.handler(event, world.context)
    assert (first["statusCode"], second["statusCode"]) == (201, 409)
    assert world.facts("ATTEMPT#") == ["ATTEMPT#0001"] and len(world.twin.operations()) == 1


def test_an_attempt_under_way_blocks_another_for_20_minutes(world: PaymentsWorld) -> None:
    world.start(EXER, REFDET, AMOUNT)
    world.advance(minutes=19)
    blocked = world.start(EXER, REFDET, AMOUNT)
    assert blocked["statusCode"] == 409 and "20 minutes" in body(blocked)["detail"]
    world.advance(minutes=2)
    assert world.start(EXER, REFDET, AMOUNT)["statusCode"] == 201


@pytest.mark.parametrize(
    ("result", "event", "status"),
    [("R", "PaymentFailed", "refused"), ("Z", "PaymentFailed", "refused"), ("A", "PaymentCancelled", "cancelled")],
)
def test_refused_and_cancelled_payments_leave_the_debt_payable(
    world: PaymentsWorld, result: str, event: str, status: str
) -> None:
    payment = body(world.start(EXER, REFDET, AMOUNT))
    world.pay(payment["payfip_url"].rsplit("=", 1)[1], result)
    world.deliver()
    if result == "A":  # a cancellation is final only after its grace period: the sweeper settles it
        assert body(world.status(payment["id"]))["status"] == "pending"
        world.advance(minutes=3)
        world.sweep()
    assert body(world.status(payment["id"]))["status"] == status
    waited = ["PaymentDetailFetched"] if result == "A" else []  # a cancellation seen within its grace period
    assert kinds(world) == ["PaymentInitiated", "PaymentNotified", *waited, event]
    assert body(world.find(EXER, REFDET, AMOUNT))["status"] == "payable"
    assert world.start(EXER, REFDET, AMOUNT)["statusCode"] == 201


def test_an_abandoned_attempt_expires(world: PaymentsWorld) -> None:
    payment = body(world.start(EXER, REFDET, AMOUNT))
    world.advance(minutes=10)
    assert world.sweep().get("wait") == 1  # P5 within the validity window: still pending
    world.advance(minutes=25)
    assert world.sweep()["expired"] == 1
    assert body(world.status(payment["id"]))["status"] == "expired"
    assert kinds(world) == ["PaymentInitiated", "PaymentExpired"]


def test_a_second_payment_of_a_settled_debt_is_kept_and_raised(world: PaymentsWorld) -> None:
    first = body(world.start(EXER, REFDET, AMOUNT))
    world.pay(first["payfip_url"].rsplit("=", 1)[1], "P", notify=False)  # paid, but the notification is lost
    world.advance(minutes=21)  # the sweeper did not run: the debt still looks payable
    second = world.start(EXER, REFDET, AMOUNT)
    assert second["statusCode"] == 201
    world.pay(world.idop_of(second), "P")
    world.deliver()
    world.sweep()  # now the first payment is found paid too
    assert world.facts("OUTCOME#") == ["OUTCOME#0001", "OUTCOME#0002"]
    assert world.facts("DUPLICATE#") == ["DUPLICATE#0001"]
    assert sorted(kinds(world)) == sorted(
        [
            "PaymentInitiated",
            "PaymentInitiated",
            "PaymentNotified",
            "PaymentSucceeded",
            "PaymentSucceeded",
            "PaymentDuplicated",
        ]
    )


def test_a_signed_in_citizen_lists_their_debts_and_pays_one(world: PaymentsWorld) -> None:
    listed = world.request("GET /v1/me/debts", "/v1/me/debts", claims=CITIZEN)
    debts = body(listed)["debts"]
    assert listed["statusCode"] == 200 and debts and all(d["status"] == "payable" for d in debts[:1])
    assert (EXER, REFDET) in {(d["exer"], d["refdet"]) for d in debts}
    unverified = world.request("GET /v1/me/debts", "/v1/me/debts", claims={**CITIZEN, "email_verified": "false"})
    assert unverified["statusCode"] == 403
    started = world.start_signed_in(EXER, REFDET, AMOUNT)
    assert started["statusCode"] == 201
    world.pay(world.idop_of(started), "P")
    world.deliver()
    succeeded = [e for e in world.payment_events() if e["detail-type"] == "PaymentSucceeded"]
    assert [e["detail"]["payer"] for e in succeeded] == [CITIZEN["sub"]]
    after = body(world.request("GET /v1/me/debts", "/v1/me/debts", claims=CITIZEN))["debts"]
    assert [d["status"] for d in after if d["refdet"] == REFDET] == ["paid"]
    assert after[-1]["status"] in ("paid", "cancelled")  # unpaid first


def test_payfip_down_answers_503_and_keeps_the_debt_payable(world: PaymentsWorld) -> None:
    world.twin.fail_next("TechIndisponibiliteErreur")
    down = world.start(EXER, REFDET, AMOUNT)
    assert down["statusCode"] == 503 and down["headers"]["Retry-After"]
    assert world.facts("FACT#0001#start-failed") == ["FACT#0001#start-failed"]
    assert world.start(EXER, REFDET, AMOUNT)["statusCode"] == 201  # no lock kept by an attempt that never started


def test_the_ledger_is_never_rewritten(world: PaymentsWorld) -> None:
    """Every item of a whole story stays as first written: later facts are new items."""
    idop = world.idop_of(world.start(EXER, REFDET, AMOUNT))
    first = {(i["pk"]["S"], i["sk"]["S"]): i for i in world.ledger_items()}
    world.pay(idop, "P")
    world.deliver()
    world.sweep()
    after = {(i["pk"]["S"], i["sk"]["S"]): i for i in world.ledger_items()}
    assert {key: after[key] for key in first} == first
    assert len(after) > len(first)
