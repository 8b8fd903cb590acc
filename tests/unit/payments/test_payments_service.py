"""The payments service's routes through `payments.handler.handler`, wired to fakes (`dependencies.override`): the
in-memory put-once ledger of test_record, a real `Recorder`, a fake PayFiP and a fake throttle, with API Gateway
HTTP API (payload 2.0) events. No AWS, no environment variable."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import http_api_event
from test_record import EMAIL, EXER, IDOP, OBJET, PK, REFDET, FakeOutbox, FakeStore, debt_item

from payments import handler
from payments.logic import Deps
from payments_shared.errors import ProviderError
from payments_shared.ledger import Answer, Detail, Pending
from payments_shared.payfip import PaymentRequest
from payments_shared.record import Recorder
from poche_common.errors import TooManyRequestsError
from poche_common.problems import problem_dict

UTC = dt.UTC
T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 10:00 in Paris
PAGE = "https://payfip.example.test/tpa/paiementws.web"
API = "https://api.example.test"
SOURCE_IP = "192.0.2.1"  # support.http_api_event's
CITIZEN = {"sub": "sub-1", "email": EMAIL, "email_verified": "true"}
PRIVATE = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "private, no-store"}
PROBLEM = {"Content-Type": "application/problem+json", "Cache-Control": "no-store"}


class FakeProvider:
    """PayFiP: `create` gives idop-1, idop-2... (or raises `fail`), `detail` answers what `answers` holds for the
    idOp (P5 by default; an exception is raised), `page` is the payment page of the idOp."""

    def __init__(self) -> None:
        self.requests: list[PaymentRequest] = []
        self.answers: dict[str, Answer | Exception] = {}
        self.asked: list[str] = []
        self.fail: ProviderError | None = None

    def create(self, request: PaymentRequest) -> str:
        if self.fail is not None:
            raise self.fail
        self.requests.append(request)
        return f"idop-{len(self.requests)}"

    def detail(self, idop: str) -> Answer:
        self.asked.append(idop)
        answer = self.answers.get(idop, Pending())
        if isinstance(answer, Exception):
            raise answer
        return answer

    def page(self, idop: str) -> str:
        return f"{PAGE}?idop={idop}"


class FakeThrottle:
    def __init__(self) -> None:
        self.callers: list[tuple[str, dt.datetime]] = []
        self.refuse: TooManyRequestsError | None = None

    def __call__(self, caller: str, now: dt.datetime) -> None:
        self.callers.append((caller, now))
        if self.refuse is not None:
            raise self.refuse


class Service:
    """The handler over the fakes, with a clock the test moves."""

    def __init__(self, store: FakeStore, context: Any) -> None:
        self.store = store
        self.outbox = FakeOutbox(store)
        self.provider = FakeProvider()
        self.throttle = FakeThrottle()
        self.now = T0
        self.context = context
        self.deps = Deps(
            store=store,
            recorder=Recorder(store, self.outbox),
            provider=self.provider,
            request=partial(
                PaymentRequest,
                urlnotif=f"{API}/v1/payments/payfip/notifications",
                urlredirect=f"{API}/v1/payments/payfip/return",
            ),
            throttle=self.throttle,
        )

    def call(self, event: dict[str, Any]) -> dict[str, Any]:
        with handler.dependencies.override(self.deps):
            return handler.handler(event, self.context)

    def find(self, refdet: str = REFDET, **query: str) -> dict[str, Any]:
        route, path = "GET /v1/payments/debts/{refdet}", f"/v1/payments/debts/{refdet}"
        query = query or {"exer": EXER, "amount": "4250"}
        return self.call(http_api_event(route, path, path_parameters={"refdet": refdet}, query=query))

    def start(self, body: Any = None, **fields: Any) -> dict[str, Any]:
        payload = body if body is not None else {"exer": EXER, "refdet": REFDET, "amount_cents": 4250, "email": EMAIL}
        payload = {**payload, **fields} if isinstance(payload, dict) else payload
        return self.call(http_api_event("POST /v1/payments", "/v1/payments", body=json.dumps(payload)))

    def status(self, payment_id: str) -> dict[str, Any]:
        route, path = "GET /v1/payments/{payment_id}", f"/v1/payments/{payment_id}"
        return self.call(http_api_event(route, path, path_parameters={"payment_id": payment_id}))

    def back(self, query: dict[str, str]) -> dict[str, Any]:
        route = "GET /v1/payments/payfip/return"
        return self.call(http_api_event(route, "/v1/payments/payfip/return", query=query))

    def my_debts(self, claims: dict[str, str] = CITIZEN) -> dict[str, Any]:
        return self.call(http_api_event("GET /v1/me/debts", "/v1/me/debts", claims=claims))

    def start_mine(self, claims: dict[str, str] = CITIZEN, **fields: Any) -> dict[str, Any]:
        payload = {"exer": EXER, "refdet": REFDET, "amount_cents": 4250, **fields}
        event = http_api_event("POST /v1/me/payments", "/v1/me/payments", body=json.dumps(payload), claims=claims)
        return self.call(event)


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch, lambda_context: Any) -> Iterator[Service]:
    for name in ("TABLE_NAME", "LEDGER_TABLE_NAME", "EVENT_BUS_NAME", "PUBLIC_API_URL"):
        monkeypatch.delenv(name, raising=False)
    built = Service(FakeStore([debt_item()]), lambda_context)
    monkeypatch.setattr(handler, "utc_now", lambda: built.now)
    yield built


def body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def problem(status: int, slug: str, detail: str, **extensions: Any) -> dict[str, Any]:
    return problem_dict(status, slug, detail, **extensions)


DEBT_VIEW = {
    "exer": EXER,
    "refdet": REFDET,
    "objet": OBJET,
    "amount_cents": 4250,
    "product": "CANTINE",
    "due_date": "2026-12-15",
    "status": "payable",
}
UNKNOWN_DEBT = problem(404, "not-found", "Aucune créance ne correspond à cette référence et à ce montant.")


# --- GET /v1/payments/debts/{refdet} ----------------------------------------------------------------------------------
def test_a_debt_is_found_by_its_reference_and_amount(service: Service) -> None:
    found = service.find()
    assert (found["statusCode"], found["headers"], body(found)) == (200, PRIVATE, DEBT_VIEW)
    assert service.throttle.callers == [(SOURCE_IP, T0)]


def test_a_wrong_amount_and_an_unknown_reference_are_the_same_404(service: Service) -> None:
    wrong_amount = service.find(exer=EXER, amount="4251")
    unknown = service.find("TR2026999999")
    other_year = service.find(exer="2025", amount="4250")
    for answer in (wrong_amount, unknown, other_year):
        assert (answer["statusCode"], answer["headers"], body(answer)) == (404, PROBLEM, UNKNOWN_DEBT)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"exer": "26", "amount": "4250"}, "exer"),
        ({"exer": "1999", "amount": "4250"}, "exer"),
        ({"amount": "4250"}, "exer"),
        ({"exer": EXER, "amount": "42,50"}, "amount"),
        ({"exer": EXER, "amount": "0"}, "amount"),
        ({"exer": EXER, "amount": "100000001"}, "amount"),
        ({"exer": EXER, "amount": "²"}, "amount"),  # a digit for str.isdigit, not for int()
        ({"exer": EXER, "amount": "٤٢٥٠"}, "amount"),  # Arabic-Indic digits: not the integer the API describes
        ({"exer": EXER, "amount": "9" * 5000}, "amount"),  # more digits than int() converts
        ({"exer": EXER, "amount": "-4250"}, "amount"),
        ({"exer": EXER}, "amount"),
    ],
)
def test_a_bad_year_or_amount_is_a_400_naming_it(service: Service, query: dict[str, str], field: str) -> None:
    answer = service.find(**query)
    assert answer["statusCode"] == 400 and answer["headers"] == PROBLEM
    assert [p["name"] for p in body(answer)["invalid_params"]] == [field]


def test_a_bad_reference_is_a_400(service: Service) -> None:
    answer = service.find("TR-2026")
    assert answer["statusCode"] == 400 and body(answer)["invalid_params"][0]["name"] == "refdet"


def test_too_many_lookups_is_a_429_with_retry_after(service: Service) -> None:
    service.throttle.refuse = TooManyRequestsError("Trop de recherches.", retry_after_s=42)
    for answer in (service.find(), service.start()):
        assert answer["statusCode"] == 429
        assert answer["headers"] == {**PROBLEM, "Retry-After": "42"}
        assert body(answer) == problem(429, "too-many-requests", "Trop de recherches.")
    assert service.store.items == {} and service.provider.requests == []


# --- POST /v1/payments ---------------------------------------------------------------------------------------------
def test_a_payment_starts_with_the_payfip_page_and_the_stored_amount(service: Service) -> None:
    started = service.start(amount_cents="4250")  # digits in a string are taken too
    assert started["statusCode"] == 201 and started["headers"] == PRIVATE
    payment = body(started)
    assert payment == {
        "id": payment["id"],
        "status": "pending",
        "exer": EXER,
        "refdet": REFDET,
        "objet": OBJET,
        "amount_cents": 4250,
        "created_at": "2026-12-02T10:00:00+01:00",
        "payfip_url": f"{PAGE}?idop=idop-1",
    }
    assert len(payment["id"]) == 32
    assert service.provider.requests == [
        PaymentRequest(
            exer=EXER,
            refdet=REFDET,
            objet=OBJET,
            amount_cents=4250,
            email=EMAIL,
            urlnotif=f"{API}/v1/payments/payfip/notifications",
            urlredirect=f"{API}/v1/payments/payfip/return",
        )
    ]
    assert service.store.sks() == ["ATTEMPT#0001", "FACT#0001#initiated"]
    assert service.store.item("ATTEMPT#0001")["payment_id"] == payment["id"]
    assert "payer" not in service.store.item("ATTEMPT#0001")
    ((kind, facts),) = service.outbox.events()
    assert kind == "PaymentInitiated" and "payer" not in facts and facts["idop"] == "idop-1"
    assert service.throttle.callers == [(SOURCE_IP, T0)]


def test_the_amount_charged_is_the_stored_debt_s(monkeypatch: pytest.MonkeyPatch, lambda_context: Any) -> None:
    stored = debt_item(amount=1250)
    stored["amount_cents"] = 1250.0  # read back from DynamoDB as a number, not an int
    service = Service(FakeStore([stored]), lambda_context)
    monkeypatch.setattr(handler, "utc_now", lambda: service.now)
    assert service.start(amount_cents=1250)["statusCode"] == 201
    assert service.provider.requests[0].amount_cents == 1250 and isinstance(
        service.store.item("ATTEMPT#0001")["amount_cents"], int
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "pas-une-adresse"}, "email"),
        ({"email": None}, "email"),
        ({"email": "a" * 250 + "@example.fr"}, "email"),
        ({"email": "camille@exemple-.fr"}, "email"),  # PayFiP's request refuses it: never reserve for it
        ({"email": "camille@a.-b.fr"}, "email"),
        ({"amount_cents": 42.5}, "amount_cents"),
        ({"amount_cents": True}, "amount_cents"),
        ({"amount_cents": "²"}, "amount_cents"),
        ({"exer": "2026 "}, None),  # spaces are trimmed: found
        ({"refdet": ""}, "refdet"),
    ],
)
def test_a_bad_body_is_a_400_naming_the_field(service: Service, fields: dict[str, Any], field: str | None) -> None:
    answer = service.start(**fields)
    if field is None:
        assert answer["statusCode"] == 201
        return
    assert answer["statusCode"] == 400 and [p["name"] for p in body(answer)["invalid_params"]] == [field]
    assert service.store.items == {}


def test_a_body_that_is_not_an_object_is_a_400(service: Service) -> None:
    answer = service.start(["2026", REFDET])
    assert answer["statusCode"] == 400 and body(answer)["invalid_params"] == [
        {"name": "body", "reason": "Le corps doit être un objet JSON."}
    ]


def test_a_payment_of_an_unknown_debt_or_another_amount_is_a_404(service: Service) -> None:
    for answer in (service.start(amount_cents=4000), service.start(refdet="TR2026999999")):
        assert (answer["statusCode"], body(answer)) == (404, UNKNOWN_DEBT)
    assert service.store.items == {}


def test_a_paid_debt_cannot_be_paid_again(service: Service) -> None:
    payment = body(service.start())
    service.provider.answers["idop-1"] = Detail("idop-1", "P", 4250, EXER, REFDET, "123456", "02122026", "1003")
    service.now = T0 + dt.timedelta(minutes=4)
    assert body(service.status(payment["id"]))["status"] == "paid"
    service.now = T0 + dt.timedelta(hours=1)
    refused = service.start()
    assert (refused["statusCode"], body(refused)) == (409, problem(409, "conflict", "Cette créance est déjà payée."))
    found = body(service.find())
    assert found == {
        **DEBT_VIEW,
        "status": "paid",
        "paid_at": "2026-12-02T10:03:00+01:00",
        "payment_id": payment["id"],
    }


def test_a_cancelled_debt_cannot_be_paid(monkeypatch: pytest.MonkeyPatch, lambda_context: Any) -> None:
    service = Service(FakeStore([debt_item(status="cancelled")]), lambda_context)
    monkeypatch.setattr(handler, "utc_now", lambda: service.now)
    refused = service.start()
    assert (refused["statusCode"], body(refused)) == (
        409,
        problem(409, "conflict", "Cette créance a été annulée : il n'y a rien à payer."),
    )
    assert body(service.find())["status"] == "cancelled" and service.provider.requests == []


def test_a_new_attempt_waits_twenty_minutes_after_an_unsettled_one(service: Service) -> None:
    first = body(service.start())
    service.now = T0 + dt.timedelta(minutes=19, seconds=59)
    refused = service.start()
    assert (refused["statusCode"], body(refused)) == (
        409,
        problem(
            409,
            "conflict",
            "Un paiement de cette créance est en cours depuis moins de 20 minutes ; terminez-le ou réessayez plus "
            "tard.",
        ),
    )
    assert body(service.find())["status"] == "pending"
    service.now = T0 + dt.timedelta(minutes=20)
    assert body(service.find())["status"] == "payable"
    second = service.start()
    assert second["statusCode"] == 201 and body(second)["id"] != first["id"]
    assert body(second)["payfip_url"] == f"{PAGE}?idop=idop-2"
    assert service.store.item("ATTEMPT#0002")["created_at"] == "2026-12-02T09:20:00+00:00"


def test_payfip_failing_is_a_503_and_a_new_attempt_is_possible_at_once(service: Service) -> None:
    service.provider.fail = ProviderError("timeout", "no answer in 10 s", retryable=True)
    failed = service.start()
    assert failed["statusCode"] == 503 and failed["headers"] == {**PROBLEM, "Retry-After": "30"}
    assert body(failed) == problem(
        503,
        "upstream-unavailable",
        "Le service de paiement de la DGFiP (PayFiP) ne répond pas ; réessayez dans quelques minutes.",
    )
    assert service.store.sks() == ["ATTEMPT#0001", "FACT#0001#start-failed"]
    assert service.store.item("FACT#0001#start-failed")["reason"] == "PayFiP: timeout"
    assert [kind for kind, _ in service.outbox.events()] == ["PaymentStartFailed"]  # every fact is an event
    service.provider.fail = None
    again = service.start()
    assert again["statusCode"] == 201 and body(again)["payfip_url"] == f"{PAGE}?idop=idop-1"
    assert service.store.sks() == ["ATTEMPT#0001", "ATTEMPT#0002", "FACT#0001#start-failed", "FACT#0002#initiated"]
    failed_id = service.store.item("ATTEMPT#0001")["payment_id"]
    assert body(service.status(failed_id))["status"] == "error"


# --- GET /v1/payments/{payment_id} and the return from PayFiP ---------------------------------------------------------
def test_a_pending_payment_is_checked_again_and_becomes_paid(service: Service) -> None:
    payment = body(service.start())
    service.now = T0 + dt.timedelta(minutes=2)
    pending = service.status(payment["id"])
    assert (pending["statusCode"], pending["headers"], body(pending)) == (200, PRIVATE, payment)
    assert service.provider.asked == ["idop-1"] and service.store.sks() == ["ATTEMPT#0001", "FACT#0001#initiated"]
    service.provider.answers["idop-1"] = Detail("idop-1", "P", 4250, EXER, REFDET, "123456", "02122026", "1003")
    service.now = T0 + dt.timedelta(minutes=4)
    paid = service.status(payment["id"])
    expected = {
        **{k: v for k, v in payment.items() if k != "payfip_url"},
        "status": "paid",
        "paid_at": "2026-12-02T10:03:00+01:00",
        "means": "card",
    }
    assert (paid["statusCode"], body(paid)) == (200, expected)
    assert service.store.item("OUTCOME#0001")["kind"] == "succeeded"
    service.now = T0 + dt.timedelta(minutes=5)
    assert body(service.status(payment["id"])) == expected  # paid: PayFiP is not asked again
    assert service.provider.asked == ["idop-1", "idop-1"]
    assert [kind for kind, _ in service.outbox.events()] == ["PaymentInitiated", "PaymentSucceeded"]


def test_a_debit_is_shown_as_such_and_a_refusal_as_refused(service: Service) -> None:
    payment = body(service.start())
    service.provider.answers["idop-1"] = Detail("idop-1", "V", 4250, EXER, REFDET, "", "02122026", "1003")
    assert body(service.status(payment["id"]))["means"] == "debit"
    other = Service(FakeStore([debt_item()]), service.context)
    other.now = service.now
    refused = body(other.start())
    other.provider.answers["idop-1"] = Detail("idop-1", "R", 4250, EXER, REFDET, "", "02122026", "1003")
    assert body(other.status(refused["id"])) == {
        **{k: v for k, v in refused.items() if k != "payfip_url"},
        "status": "refused",
    }


def test_the_payfip_page_is_offered_only_while_payfip_accepts_the_idop(service: Service) -> None:
    payment = body(service.start())
    service.now = T0 + dt.timedelta(minutes=14, seconds=59)
    assert body(service.status(payment["id"]))["payfip_url"] == f"{PAGE}?idop=idop-1"
    service.now = T0 + dt.timedelta(minutes=15)
    late = body(service.status(payment["id"]))
    assert late["status"] == "pending" and "payfip_url" not in late


def test_payfip_unavailable_during_a_check_leaves_the_payment_pending(service: Service) -> None:
    payment = body(service.start())
    service.provider.answers["idop-1"] = ProviderError("network", "connection reset", retryable=True)
    checked = service.status(payment["id"])
    assert (checked["statusCode"], body(checked)) == (200, payment)


def test_an_unknown_or_malformed_payment_id(service: Service) -> None:
    unknown = service.status("f" * 32)
    assert (unknown["statusCode"], body(unknown)) == (404, problem(404, "not-found", "Paiement inconnu."))
    malformed = service.status("ABC")
    assert malformed["statusCode"] == 400 and body(malformed)["invalid_params"][0]["name"] == "payment_id"


def test_the_return_from_payfip_finds_the_payment_by_its_idop(service: Service) -> None:
    payment = body(service.start())
    service.provider.answers["idop-1"] = Detail("idop-1", "P", 4250, EXER, REFDET, "123456", "02122026", "1003")
    service.now = T0 + dt.timedelta(minutes=4)
    for query in ({"idop": "idop-1"}, {"idOp": "idop-1"}):
        back = service.back(query)
        assert (back["statusCode"], back["headers"]) == (200, PRIVATE)
        assert body(back) == {
            **{k: v for k, v in payment.items() if k != "payfip_url"},
            "status": "paid",
            "paid_at": "2026-12-02T10:03:00+01:00",
            "means": "card",
        }
    unknown = service.back({"idop": IDOP})
    assert (unknown["statusCode"], body(unknown)) == (404, problem(404, "not-found", "Paiement inconnu."))
    for query in ({}, {"idop": "idop 1"}):
        missing = service.back(query)
        assert missing["statusCode"] == 400 and body(missing)["invalid_params"][0]["name"] == "idop"


# --- the signed-in citizen ------------------------------------------------------------------------------------------
def test_my_debts_are_those_of_my_verified_email_unpaid_first(
    monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    debts = [
        debt_item("A1", due_date="2026-10-01"),  # paid below
        debt_item("B2", due_date="2026-12-20"),
        debt_item("C3", due_date="2026-11-01", status="cancelled"),
        debt_item("D4", due_date="2026-12-01"),
        debt_item("E5", due_date=None),
        debt_item("F6", email="quelqu.un@example.fr"),
    ]
    service = Service(FakeStore(debts), lambda_context)
    monkeypatch.setattr(handler, "utc_now", lambda: service.now)
    payment = body(service.start(refdet="A1"))
    service.provider.answers["idop-1"] = Detail("idop-1", "P", 4250, EXER, "A1", "123456", "02122026", "1003")
    service.now = T0 + dt.timedelta(minutes=4)
    service.status(payment["id"])
    service.start(refdet="D4")  # pending
    service.throttle.callers.clear()
    mine = service.my_debts({**CITIZEN, "email": "  CAMILLE.Martin@example.fr "})
    assert (mine["statusCode"], mine["headers"]) == (200, PRIVATE)

    def view(refdet: str, due_date: str | None, status: str) -> dict[str, Any]:
        return {**DEBT_VIEW, "refdet": refdet, "due_date": due_date, "status": status}

    assert body(mine) == {
        "debts": [
            view("E5", None, "payable"),
            view("B2", "2026-12-20", "payable"),
            view("D4", "2026-12-01", "pending"),
            {**view("A1", "2026-10-01", "paid"), "paid_at": "2026-12-02T10:03:00+01:00", "payment_id": payment["id"]},
            view("C3", "2026-11-01", "cancelled"),
        ],
        "count": 5,
    }
    assert service.throttle.callers == []  # a signed-in list is not throttled


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "sub-1", "email": EMAIL, "email_verified": "false"},
        {"sub": "sub-1", "email": EMAIL},
        {"sub": "sub-1", "email": " ", "email_verified": "true"},
        {"sub": "sub-1", "email_verified": "true"},
    ],
)
def test_an_unverified_email_finds_no_debts_and_cannot_pay(service: Service, claims: dict[str, str]) -> None:
    forbidden = problem(
        403, "forbidden", "Votre adresse e-mail n'est pas vérifiée : vos créances ne peuvent pas être retrouvées."
    )
    for answer in (service.my_debts(claims), service.start_mine(claims)):
        assert (answer["statusCode"], answer["headers"], body(answer)) == (403, PROBLEM, forbidden)
    assert service.store.items == {}


def test_a_signed_in_payment_is_the_citizen_s_with_the_ticket_to_their_email(service: Service) -> None:
    started = service.start_mine(email="autre@example.fr")  # an e-mail in the body is not used
    assert started["statusCode"] == 201 and started["headers"] == PRIVATE
    payment = body(started)
    assert payment["status"] == "pending" and payment["payfip_url"] == f"{PAGE}?idop=idop-1"
    assert service.provider.requests[0].email == EMAIL
    assert service.store.item("ATTEMPT#0001")["payer"] == "sub-1"
    assert service.outbox.events() == [
        (
            "PaymentInitiated",
            {
                "payment_id": payment["id"],
                "attempt": 1,
                "exer": EXER,
                "refdet": REFDET,
                "product": "CANTINE",
                "amount_cents": 4250,
                "at": "2026-12-02T09:00:00+00:00",
                "payer": "sub-1",
                "idop": "idop-1",
            },
        )
    ]
    assert service.throttle.callers == [("sub:sub-1", T0)]
    assert service.store.item("FACT#0001#initiated")["pk"] == PK


def test_a_signed_in_payment_is_throttled_by_account(service: Service) -> None:
    service.throttle.refuse = TooManyRequestsError("Trop de recherches.", retry_after_s=7)
    refused = service.start_mine()
    assert refused["statusCode"] == 429 and refused["headers"]["Retry-After"] == "7"
    assert service.throttle.callers == [("sub:sub-1", T0)] and service.store.items == {}


# --- what the route takes, PayFiP's request takes; the document says the same -----------------------------------------
@settings(max_examples=200, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.from_regex(handler.EMAIL, fullmatch=True).filter(lambda e: len(e) <= 254 and e == e.strip()))
def test_every_email_the_route_takes_payfip_s_request_takes(email: str) -> None:
    request = PaymentRequest(EXER, REFDET, OBJET, 4250, email, f"{API}/n", f"{API}/r")
    assert request.email == email


def test_the_document_s_patterns_are_the_route_s() -> None:
    from payments import models

    assert f"^{handler.EMAIL.pattern}$" == models.EMAIL_PATTERN
    assert f"^{handler.REFDET.pattern}$" == models.REFDET_PATTERN
    assert f"^{handler.IDOP.pattern}$" == models.IDOP_PATTERN
    assert f"^{handler.PAYMENT_ID.pattern}$" == models.PAYMENT_ID_PATTERN
    assert (models.MAX_CENTS, models.MAX_EMAIL_LENGTH) == (handler.MAX_CENTS, 254)


def test_a_debt_payfip_would_refuse_is_a_422_and_locks_nothing(service: Service) -> None:
    """A label with nothing PayFiP's alphabet keeps: refused before any attempt is reserved, so nothing is locked."""
    service.store.debts[(EXER, REFDET)] = {**debt_item(), "objet": "€€ — ?!"}
    refused = service.start()
    assert refused["statusCode"] == 422
    assert body(refused)["invalid_params"][0]["name"] == "debt"
    assert service.store.sks() == [] and service.provider.requests == []
