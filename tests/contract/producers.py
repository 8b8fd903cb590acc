"""Each producer of each event, run for real on the provisioned stacks (`cloud`) with its bundled sample (or a
write of the schools admin API), and what it put on the bus: the events the contract tests check. The runs are
the outbox tests' (`integration/test_outbox.py`: each producer, its package and the clock of its samples)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from integration.payments_world import CANTEEN, PaymentsWorld
from integration.test_outbox import ADMIN, PRODUCERS, RACINE, STAFF, Producer, World
from support import Cloud, http_api_event

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
# The payments functions: a world of the payments phase (the twin as PayFiP) runs them, not the outbox's World.
PAYMENTS = ("payments-service", "payments-processor", "payments-sweeper", "payments-finance")
RUNS: dict[str, Producer | str] = {producer.name: producer for producer in PRODUCERS}
RUNS |= {name: name for name in PAYMENTS}

Run = Callable[[Cloud, Any, Path], list[dict[str, Any]]]


class Emitter(NamedTuple):
    source: str
    detail_type: str
    producer: str  # as the registry names it (`eventtypes.EventType.producers`)
    run: Run  # the events the run put on the bus (every one of them)

    @property
    def id(self) -> str:
        return f"{self.detail_type}-{self.producer}"


def scheduled(name: str) -> Run:
    """A scheduled run of the connector `name` on its bundled sample (the admin API: a staff member's notice)."""

    def run(cloud: Cloud, context: Any, tmp_path: Path) -> list[dict[str, Any]]:
        producer = RUNS[name]
        assert isinstance(producer, Producer), f"{name} has no scheduled run"
        World(cloud, context, producer).act()
        return cloud.bus_events()

    return run


def notices_withdrawn(cloud: Cloud, context: Any, tmp_path: Path) -> list[dict[str, Any]]:
    """The département's feed, then the same feed without its snow order: those notices are withdrawn."""
    producer = RUNS["schools-notices-csv"]
    assert isinstance(producer, Producer)
    world = World(cloud, context, producer)
    world.act()
    cloud.bus_events()
    feed = tmp_path / "notices.csv"
    lines = (ROOT / "functions/connectors/schools_notices_csv/sample/notices.csv").read_bytes().split(b"\r\n")
    feed.write_bytes(b"\r\n".join(line for line in lines if not line.startswith(b"arrete-")))
    cloud.monkeypatch.setenv("POCHE_SOURCE_SCHOOLS_NOTICES_CSV", feed.as_uri())
    world.act()
    return cloud.bus_events()


def admin_writes(cloud: Cloud, context: Any, tmp_path: Path) -> list[dict[str, Any]]:
    """A school's staff publish a notice, change it, then withdraw it (one event each)."""
    producer = RUNS[ADMIN]
    assert isinstance(producer, Producer)
    world = World(cloud, context, producer)
    created = world.act()
    assert created["statusCode"] == 201, created
    notice_id = json.loads(created["body"])["id"]
    route = "/v1/admin/schools/{uai}/notices/{notice_id}"
    path = f"/v1/admin/schools/{RACINE}/notices/{notice_id}"
    params = {"uai": RACINE, "notice_id": notice_id}
    for method, body in (("PATCH", json.dumps({"title": "Sortie avancée à 14h"})), ("DELETE", None)):
        event = http_api_event(f"{method} {route}", path, path_parameters=params, body=body, claims=STAFF)
        response = world.module.handler(event, context)
        assert response["statusCode"] < 300, response
    return cloud.bus_events()


# The result the payer chooses on PayFiP's page for the fact to happen (None: no result, the idOp expires).
RESULT_OF = {
    "PaymentSucceeded": "P",
    "PaymentNotified": "P",
    "PaymentFailed": "R",
    "PaymentCancelled": "A",
    "PaymentDetailFetched": "A",
    "PaymentExpired": None,
}


def payment_run(detail_type: str, producer: str) -> Run:
    """A payment whose fact `detail_type` is recorded by `producer`: the service (a status asked while pending),
    the processor (PayFiP's notification) or the sweeper (no notification came)."""

    def run(cloud: Cloud, context: Any, tmp_path: Path) -> list[dict[str, Any]]:
        world = PaymentsWorld(cloud, context)
        world.import_debts()
        cloud.bus_events()  # the connector's: only the producer's own are checked
        if detail_type == "PaymentDuplicated":
            _pay_twice(world, producer)
            return cloud.bus_events()
        if detail_type == "PaymentStartFailed":
            world.twin.fail_next("TechIndisponibiliteErreur")
            assert world.start_signed_in(*CANTEEN)["statusCode"] == 503
            return cloud.bus_events()
        started = world.start_signed_in(*CANTEEN)  # a signed-in payer: the matcher tells them the result
        assert started["statusCode"] == 201, started
        if detail_type == "PaymentInitiated":
            return cloud.bus_events()
        cloud.bus_events()
        payment_id, idop = json.loads(started["body"])["id"], world.idop_of(started)
        result = RESULT_OF.get(detail_type)
        if result:
            world.pay(idop, result, notify=False)
        if detail_type != "PaymentDetailFetched":  # (a cancellation within its grace period: not final yet)
            world.advance(minutes=3 if result else 31)  # past a cancellation's grace; past an idOp's validity
        _settle(world, producer, payment_id, idop)
        return cloud.bus_events()

    return run


def _settle(world: PaymentsWorld, producer: str, payment_id: str, idop: str) -> None:
    if producer == "payments-service":
        assert world.status(payment_id)["statusCode"] == 200
    elif producer == "payments-processor":
        world.notify(idop)
        world.process_queue()
    else:
        world.sweep()


def _pay_twice(world: PaymentsWorld, producer: str) -> None:
    """The first payment's notification is lost; 21 minutes later a second attempt is paid and recorded; then the
    first is found paid too, by `producer`: a duplicate."""
    first = world.start(*CANTEEN)
    first_id, first_idop = json.loads(first["body"])["id"], world.idop_of(first)
    world.pay(first_idop, "P", notify=False)
    world.advance(minutes=21)
    second = world.start(*CANTEEN)
    world.pay(world.idop_of(second), "P")
    world.deliver()
    world.cloud.bus_events()  # the second payment's, by the processor
    _settle(world, producer, first_id, first_idop)


FINANCE = {"sub": "finance-staff-1", "cognito:groups": "[finance]", "token_use": "id"}


def exception_resolved(cloud: Cloud, context: Any, tmp_path: Path) -> list[dict[str, Any]]:
    """A payment, a statement of the day that lacks it, and finance staff resolving that exception."""
    world = PaymentsWorld(cloud, context)
    world.import_debts()
    started = world.start(*CANTEEN)
    world.pay(world.idop_of(started), "P")
    world.deliver()
    cloud.bus_events()
    day = world.now.astimezone(PARIS).strftime("%d/%m/%Y")
    date = world.now.astimezone(PARIS).date().isoformat()
    statement = f"date;exer;refdet;montant\n{day};2026;T2026999999;10,00\n"
    finance = world.load("payments_finance")
    uploaded = finance.handler(
        http_api_event(
            "PUT /v1/admin/finance/statements/{date}",
            f"/v1/admin/finance/statements/{date}",
            path_parameters={"date": date},
            body=statement,
            headers={"content-type": "text/csv"},
            claims=FINANCE,
        ),
        context,
    )
    assert uploaded["statusCode"] == 201, uploaded
    report = finance.handler(
        http_api_event(
            "GET /v1/admin/finance/reconciliations/{date}",
            f"/v1/admin/finance/reconciliations/{date}",
            path_parameters={"date": date},
            claims=FINANCE,
        ),
        context,
    )
    exception_id = json.loads(report["body"])["exceptions"][0]["exception_id"]
    route = "/v1/admin/finance/reconciliations/{date}/exceptions/{exception_id}/resolution"
    resolved = finance.handler(
        http_api_event(
            f"POST {route}",
            f"/v1/admin/finance/reconciliations/{date}/exceptions/{exception_id}/resolution",
            path_parameters={"date": date, "exception_id": exception_id},
            body=json.dumps({"comment": "Titre de régularisation émis."}),
            headers={"content-type": "application/json"},
            claims=FINANCE,
        ),
        context,
    )
    assert resolved["statusCode"] == 201, resolved
    return cloud.bus_events()


def _emitters() -> list[Emitter]:
    from poche_common.eventtypes import EVENTS

    special: dict[tuple[str, str], Run] = {
        ("SchoolNoticePublished", ADMIN): admin_writes,
        ("SchoolNoticeWithdrawn", ADMIN): admin_writes,
        ("SchoolNoticeWithdrawn", "schools-notices-csv"): notices_withdrawn,
        ("ExceptionResolved", "payments-finance"): exception_resolved,
    }
    for d in EVENTS.values():
        for name in d.producers:
            if name in PAYMENTS and name != "payments-finance":
                special[(d.detail_type, name)] = payment_run(d.detail_type, name)
    return [
        Emitter(d.source, d.detail_type, name, special.get((d.detail_type, name)) or scheduled(name))
        for d in EVENTS.values()
        for name in d.producers
    ]


EMITTERS = _emitters()
