"""PayFiP's notification route (believes nothing, queues the idOp), the notification processor (asks PayFiP, credits
once however often the notification comes, retries when PayFiP is away) and the sweeper (settles what no
notification settled, sends what the bus refused), over the fakes of test_record. No AWS."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from support import http_api_event
from test_record import EXER, PK, REFDET, FakeOutbox, FakeStore, debt_item

from payments_notifications import handler as notifications
from payments_processor import handler as processor
from payments_shared import keys
from payments_shared.errors import ProviderError
from payments_shared.ledger import Answer, Detail, Pending, Unknown
from payments_shared.record import Recorder
from payments_shared.settle import Settlement
from payments_sweeper import handler as sweeper
from poche_common.clock import to_utc_iso

UTC = dt.UTC
T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 10:00 in Paris
IDOP = "a1b2c3d4-0000-4000-8000-000000000001"
ROUTE = "POST /v1/payments/payfip/notifications"
PATH = "/v1/payments/payfip/notifications"
QUEUE_URL = "https://sqs.eu-west-3.amazonaws.com/123456789012/payments-notifications"
FORM = {"content-type": "application/x-www-form-urlencoded"}


# --- POST /v1/payments/payfip/notifications -------------------------------------------------------------------------
def notification(body: str | None, *, query: dict[str, str] | None = None, encoded: bool = False) -> dict[str, Any]:
    event = http_api_event(ROUTE, PATH, body=body, headers=FORM, query=query)
    if encoded:
        event["isBase64Encoded"] = True
    return event


@pytest.mark.parametrize(
    ("event", "idop"),
    [
        (notification(f"idOp={IDOP}"), IDOP),
        (notification(f"idop={IDOP}"), IDOP),
        (notification(f"IdOp={IDOP}&other=1"), IDOP),
        (notification(base64.b64encode(f"idOp={IDOP}".encode()).decode(), encoded=True), IDOP),
        (notification(None, query={"idOp": IDOP}), IDOP),
        (notification("idOp=a+b&idOp=second-1"), "second-1"),  # the first of the right shape
        (notification("idOp=" + "x" * 64), "x" * 64),
        (notification("idOp=" + "x" * 65), None),
        (notification("idOp=<script>"), None),
        (notification("idOp="), None),
        (notification("montant=4250"), None),
        (notification(None), None),
        (notification("not base64 at all!", encoded=True), None),
        (notification(base64.b64encode(b"idOp=\xff\xfe").decode(), encoded=True), None),
        (notification(f"idOp={IDOP}&pad=" + "x" * 4096), None),  # larger than PayFiP's form
    ],
)
def test_the_idop_of_a_notification(event: dict[str, Any], idop: str | None) -> None:
    assert notifications.idop_of(event) == idop


class FakeSqs:
    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []

    def send_message(self, **kwargs: str) -> dict[str, str]:
        self.messages.append(kwargs)
        return {"MessageId": "m1"}


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> FakeSqs:
    fake = FakeSqs()
    monkeypatch.setattr(notifications, "_queue", lambda: fake)
    monkeypatch.setenv("QUEUE_URL", QUEUE_URL)
    return fake


def text(status: int, body: str) -> dict[str, Any]:
    headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    return {"statusCode": status, "headers": headers, "body": body, "isBase64Encoded": False}


def test_a_notification_is_queued_and_answered_at_once(sqs: FakeSqs, lambda_context: Any) -> None:
    assert notifications.handler(notification(f"idOp={IDOP}"), lambda_context) == text(200, "OK")
    encoded = base64.b64encode(b"idOp=second-1").decode()
    assert notifications.handler(notification(encoded, encoded=True), lambda_context) == text(200, "OK")
    assert sqs.messages == [
        {"QueueUrl": QUEUE_URL, "MessageBody": json.dumps({"idop": IDOP})},
        {"QueueUrl": QUEUE_URL, "MessageBody": json.dumps({"idop": "second-1"})},
    ]


@pytest.mark.parametrize(
    "body",
    [
        "montant=4250&resultrans=P",  # no idOp
        "idOp=" + "x" * 4096,  # oversize
        "&".join(f"f{n}=1" for n in range(9)) + f"&idOp={IDOP}",  # more fields than PayFiP sends
        "",
    ],
)
def test_a_notification_without_a_usable_idop_is_a_400_and_queues_nothing(
    sqs: FakeSqs, lambda_context: Any, body: str
) -> None:
    answer = notifications.handler(notification(body), lambda_context)
    assert (answer["statusCode"], answer["headers"]) == (
        400,
        {"Content-Type": "application/problem+json", "Cache-Control": "no-store"},
    )
    assert json.loads(answer["body"]) == {
        "type": "urn:poche:problem:invalid-request",
        "title": "Bad Request",
        "status": 400,
        "detail": "idOp attendu : le formulaire de PayFiP porte `idOp`.",
    }
    assert sqs.messages == []


# --- the settlement over fakes ----------------------------------------------------------------------------------------
class FakePayfip:
    """PayFiP's detail: what `answers` holds for the idOp (P5 by default; an exception is raised)."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer | Exception] = {}
        self.asked: list[str] = []

    def create(self, request: Any) -> str:
        raise AssertionError("the workers never create a payment")

    def detail(self, idop: str) -> Answer:
        self.asked.append(idop)
        answer = self.answers.get(idop, Pending())
        if isinstance(answer, Exception):
            raise answer
        return answer

    def page(self, idop: str) -> str:
        return f"https://payfip.example.test/tpa/paiementws.web?idop={idop}"


class Ledger:
    """A settlement (`payments_shared.settle`) over the fakes, and attempts started on its debts."""

    def __init__(self, *refdets: str) -> None:
        self.store = FakeStore([debt_item(refdet) for refdet in refdets or (REFDET,)])
        self.outbox = FakeOutbox(self.store)
        self.recorder = Recorder(self.store, self.outbox)
        self.provider = FakePayfip()
        self.settlement = Settlement(
            store=self.store,
            recorder=self.recorder,
            provider=self.provider,
            outbox=self.outbox,
        )

    def start(self, refdet: str = REFDET, idop: str = IDOP, at: dt.datetime = T0) -> None:
        attempt = self.recorder.reserve(
            debt_item(refdet), self.store.ledger(EXER, refdet), f"{len(self.store.items):032x}", None, at
        )
        self.recorder.initiated(attempt, idop, at)

    def kinds(self, refdet: str = REFDET) -> list[str]:
        return sorted(sk for pk, sk in self.store.items if pk == keys.debt_pk(EXER, refdet))


def paid(idop: str = IDOP, refdet: str = REFDET, heurtrans: str = "1005") -> Detail:
    return Detail(idop, "P", 4250, EXER, refdet, "123456", "02122026", heurtrans)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dt.datetime]]:
    now = [T0 + dt.timedelta(minutes=6)]
    monkeypatch.setattr(processor, "utc_now", lambda: now[0])
    monkeypatch.setattr(sweeper, "utc_now", lambda: now[0])
    yield now


# --- the notification processor ---------------------------------------------------------------------------------------
def test_an_idop_the_ledger_does_not_know_credits_nothing(clock: list[dt.datetime]) -> None:
    ledger = Ledger()
    ledger.provider.answers["forged-1"] = paid("forged-1")
    assert processor.process(ledger.settlement, "forged-1") == "unknown"
    assert ledger.store.items == {} and ledger.provider.asked == [] and ledger.outbox.prepared == []


def test_a_known_idop_is_recorded_notified_and_settled(clock: list[dt.datetime]) -> None:
    ledger = Ledger()
    ledger.start()
    ledger.provider.answers[IDOP] = paid()
    assert processor.process(ledger.settlement, IDOP) == "succeeded"
    assert ledger.kinds() == ["ATTEMPT#0001", "FACT#0001#initiated", "FACT#0001#notified", "OUTCOME#0001"]
    assert ledger.store.item("FACT#0001#notified")["at"] == to_utc_iso(clock[0])
    assert ledger.store.item("OUTCOME#0001")["paid_at"] == "2026-12-02T09:05:00+00:00"
    assert [kind for kind, _ in ledger.outbox.events()] == ["PaymentInitiated", "PaymentNotified", "PaymentSucceeded"]


def test_a_notification_of_a_payment_still_pending_records_only_the_notification(clock: list[dt.datetime]) -> None:
    ledger = Ledger()
    ledger.start()
    assert processor.process(ledger.settlement, IDOP) == "wait"
    assert ledger.kinds() == ["ATTEMPT#0001", "FACT#0001#initiated", "FACT#0001#notified"]


def sqs_event(*bodies: str) -> dict[str, Any]:
    return {"Records": [{"messageId": f"m{n}", "body": body} for n, body in enumerate(bodies, 1)]}


def test_five_deliveries_of_the_same_notification_credit_once(clock: list[dt.datetime], lambda_context: Any) -> None:
    ledger = Ledger()
    ledger.start()
    ledger.provider.answers[IDOP] = paid()
    message = json.dumps({"idop": IDOP})
    with processor.dependencies.override(ledger.settlement):
        assert processor.handler(sqs_event(message, message, message), lambda_context) == {"batchItemFailures": []}
        assert processor.handler(sqs_event(message, message), lambda_context) == {"batchItemFailures": []}
    assert ledger.kinds() == ["ATTEMPT#0001", "FACT#0001#initiated", "FACT#0001#notified", "OUTCOME#0001"]
    successes = [facts for kind, facts in ledger.outbox.events() if kind == "PaymentSucceeded"]
    assert len(successes) == 1 and successes[0]["paid_at"] == "2026-12-02T09:05:00+00:00"
    assert ledger.provider.asked == [IDOP]  # once paid, PayFiP is not asked again


def test_payfip_unavailable_retries_the_message_and_a_refusal_drops_it(
    clock: list[dt.datetime], lambda_context: Any
) -> None:
    ledger = Ledger("A1", "B2")
    ledger.start("A1", "idop-a")
    ledger.start("B2", "idop-b")
    ledger.provider.answers["idop-a"] = ProviderError("TechIndisponibiliteErreur", "indisponible", retryable=True)
    ledger.provider.answers["idop-b"] = ProviderError("P2", "refus", retryable=False)
    event = sqs_event(json.dumps({"idop": "idop-a"}), json.dumps({"idop": "idop-b"}), "pas du JSON", "{}")
    with processor.dependencies.override(ledger.settlement):
        assert processor.handler(event, lambda_context) == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    # the notification is recorded before PayFiP is asked; nothing else
    assert ledger.kinds("A1") == ["ATTEMPT#0001", "FACT#0001#initiated", "FACT#0001#notified"]
    assert ledger.kinds("B2") == ["ATTEMPT#0001", "FACT#0001#initiated", "FACT#0001#notified"]
    ledger.provider.answers["idop-a"] = paid("idop-a", "A1")
    with processor.dependencies.override(ledger.settlement):
        assert processor.handler(sqs_event(json.dumps({"idop": "idop-a"})), lambda_context) == {"batchItemFailures": []}
    assert ledger.kinds("A1")[-1] == "OUTCOME#0001"


# --- the sweeper ----------------------------------------------------------------------------------------------------
def test_the_sweeper_settles_what_no_notification_settled_and_flushes_the_outbox() -> None:
    now = T0 + dt.timedelta(minutes=40)
    ledger = Ledger("YOUNG", "OLD", "GONE", "PAID", "DONE", "YESTERDAY", "TOOOLD")
    ledger.outbox.refuse = True  # the bus refuses the events of the starts: they stay staged
    ledger.start("YOUNG", "idop-young", now - dt.timedelta(minutes=10))
    ledger.start("OLD", "idop-old", now - dt.timedelta(minutes=31))
    ledger.start("GONE", "idop-gone", now - dt.timedelta(minutes=5))
    ledger.start("PAID", "idop-paid", now - dt.timedelta(minutes=12))
    ledger.start("DONE", "idop-done", now - dt.timedelta(minutes=20))
    ledger.start("YESTERDAY", "idop-yesterday", dt.datetime(2026, 12, 1, 23, 50, tzinfo=UTC))
    ledger.start("TOOOLD", "idop-toool", dt.datetime(2026, 11, 30, 23, 50, tzinfo=UTC))
    ledger.provider.answers["idop-done"] = Detail("idop-done", "R", 4250, EXER, "DONE", "", "02122026", "1025")
    done_ledger = ledger.store.ledger(EXER, "DONE")
    assert done_ledger is not None
    ledger.recorder.apply(done_ledger, done_ledger.attempts[0], ledger.provider.detail("idop-done"), now)
    ledger.provider.asked.clear()
    staged = len(ledger.store.outbox)
    assert staged == 8  # seven PaymentInitiated, one PaymentFailed
    ledger.outbox.refuse = False
    ledger.provider.answers["idop-gone"] = Unknown()
    ledger.provider.answers["idop-paid"] = paid("idop-paid", "PAID", "1030")
    ledger.provider.answers["idop-yesterday"] = Pending()

    counts = sweeper.sweep(ledger.settlement, now)

    assert counts == {"expired": 3, "wait": 1, "succeeded": 1, "events_sent": staged}
    # oldest first; the settled attempt (DONE) is not asked about
    assert ledger.provider.asked == ["idop-yesterday", "idop-old", "idop-paid", "idop-young", "idop-gone"]
    outcome = {refdet: ledger.store.items.get((keys.debt_pk(EXER, refdet), "OUTCOME#0001"), {}).get("kind")
               for refdet in ("YOUNG", "OLD", "GONE", "PAID", "DONE", "YESTERDAY", "TOOOLD")}  # fmt: skip
    assert outcome == {
        "YOUNG": None,
        "OLD": "expired",
        "GONE": "expired",
        "PAID": "succeeded",
        "DONE": "failed",
        "YESTERDAY": "expired",
        "TOOOLD": None,  # opened before yesterday: PayFiP has purged it, the reconciliation reports it
    }
    assert ledger.store.outbox == {}
    sent = [kind for kind, _ in ledger.outbox.events()]
    assert sorted(sent) == sorted(["PaymentInitiated"] * 7 + ["PaymentFailed"] + ["PaymentExpired"] * 3
                                  + ["PaymentSucceeded"])  # fmt: skip
    assert ledger.store.item("OUTCOME#0001", keys.debt_pk(EXER, "GONE"))["reason"] == (
        "PayFiP no longer knows the idOp (P1)"
    )


def test_a_sweep_again_changes_nothing_and_payfip_away_is_counted() -> None:
    now = T0 + dt.timedelta(minutes=40)
    ledger = Ledger("A1", "B2")
    ledger.start("A1", "idop-a", now - dt.timedelta(minutes=35))
    ledger.start("B2", "idop-b", now - dt.timedelta(minutes=5))
    ledger.provider.answers["idop-b"] = ProviderError("timeout", "no answer", retryable=True)
    assert sweeper.sweep(ledger.settlement, now) == {"expired": 1, "unavailable": 1, "events_sent": 0}
    items = dict(ledger.store.items)
    ledger.provider.answers["idop-b"] = Pending()
    assert sweeper.sweep(ledger.settlement, now) == {"wait": 1, "events_sent": 0}
    assert ledger.store.items == items
    assert [kind for kind, _ in ledger.outbox.events()] == ["PaymentInitiated", "PaymentInitiated", "PaymentExpired"]


def test_the_sweeper_handler_reports_its_counts(clock: list[dt.datetime], lambda_context: Any) -> None:
    ledger = Ledger()
    ledger.start(at=clock[0] - dt.timedelta(minutes=1))
    ledger.provider.answers[IDOP] = paid(heurtrans="1005")
    with sweeper.dependencies.override(ledger.settlement):
        assert sweeper.handler({}, lambda_context) == {"succeeded": 1, "events_sent": 0}
    assert ledger.store.item("OUTCOME#0001", PK)["kind"] == "succeeded"
