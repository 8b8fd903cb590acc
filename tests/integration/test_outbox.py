"""Issue 9, defect 6: "data changed" and "event sent" are one guarantee, for every producer of the platform.

Each producer (the ten connectors and the schools admin API) runs on moto, provisioned from the synthesized
stacks, with faults injected where a real run dies: `PutEvents` refused once, the sandbox killed at
`PutEvents` or right after its data writes, a real-time connector's ledger write refused. Whatever happens,
the data is written once and each change is announced by exactly one event whose id never changes between
attempts (consumers deduplicate on `detail.id`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from support import Cloud, http_api_event

UTC = dt.UTC
RACINE = "0610003X"  # Collège Jean Racine, Alençon
STAFF = {
    "sub": "staff-not-stored",
    "cognito:groups": "[school-staff]",
    "custom:schools": RACINE,
    "token_use": "id",
}
NOTICE = {
    "title": "Sortie avancée à 15h",
    "body": "Les cours de l'après-midi s'arrêtent à 15 h jeudi.",
    "kind": "timetable_change",
    "starts": "2026-12-03T15:00:00+01:00",
    "ends": "2026-12-03T17:30:00+01:00",
}
ADMIN = "schools-admin"


@dataclass(frozen=True)
class Producer:
    name: str  # the connector's name (`detail.connector` of its events), or ADMIN
    package: str
    now: dt.datetime  # the clock of its samples
    realtime: bool = False

    def __str__(self) -> str:
        return self.name


PRODUCERS = [
    Producer("canteen-menus-scdl", "canteen_menus_scdl", dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),
    Producer("news-rss", "news_rss", dt.datetime(2026, 11, 29, 9, 0, tzinfo=UTC)),
    Producer("traffic-datex2", "traffic_datex2", dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)),
    Producer("agenda-openagenda", "agenda_openagenda", dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
    Producer("agenda-datatourisme", "agenda_datatourisme", dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
    Producer("agenda-cinema", "agenda_cinema", dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
    Producer("schools-notices-csv", "schools_notices_csv", dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),
    Producer("transit-gtfs", "transit_gtfs", dt.datetime(2026, 10, 24, 2, 0, tzinfo=UTC)),
    Producer("transit-gtfs-rt", "transit_gtfs_rt", dt.datetime(2026, 11, 30, 7, 30, 20, tzinfo=UTC), realtime=True),
    Producer("transit-siri-lite", "transit_siri_lite", dt.datetime(2026, 11, 30, 7, 30, 20, tzinfo=UTC), realtime=True),
    Producer("payments-debts-csv", "payments_debts_csv", dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)),
    Producer("places-finess", "places_finess", dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)),
    Producer("places-covoiturage", "places_covoiturage", dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)),
    Producer("places-irve", "places_irve", dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)),
    Producer(ADMIN, "schools_admin", dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),
]
BATCH = [p for p in PRODUCERS if not p.realtime and p.name != ADMIN]
REALTIME = [p for p in PRODUCERS if p.realtime]


class Crash(BaseException):
    """The sandbox dies (timeout, out of memory): nothing after this point of the run happens."""


class Faults:
    """Refuse chosen AWS calls, as the services do under throttling or an outage, below every client."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rules: list[tuple[Callable[[str, dict[str, Any]], bool], BaseException | None, list[int]]] = []
        self.refused: list[tuple[str, dict[str, Any]]] = []
        real = BaseClient._make_api_call

        def call(client: Any, operation: str, params: dict[str, Any]) -> Any:
            for matches, error, left in self.rules:
                if left[0] and matches(operation, params):
                    left[0] -= 1
                    self.refused.append((operation, params))
                    raise error or ClientError(
                        {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, operation
                    )
            return real(client, operation, params)

        monkeypatch.setattr(BaseClient, "_make_api_call", call)

    def refuse(
        self, matches: Callable[[str, dict[str, Any]], bool], *, times: int = 1, error: BaseException | None = None
    ) -> None:
        self.rules.append((matches, error, [times]))

    def refused_event_ids(self) -> set[str]:
        return {
            json.loads(entry["Detail"])["id"]
            for operation, params in self.refused
            if operation == "PutEvents"
            for entry in params["Entries"]
        }


def put_events(operation: str, params: dict[str, Any]) -> bool:
    return operation == "PutEvents"


def ledger_write(operation: str, params: dict[str, Any]) -> bool:
    """A write carrying the real-time ledger's head (`FEED#<connector> / DIGESTS#0`), however it is sent."""
    text = json.dumps(params, default=str)
    return operation in ("BatchWriteItem", "TransactWriteItems") and '"DIGESTS#0"' in text


class World:
    """One producer on the synthesized platform (moto)."""

    def __init__(self, cloud: Cloud, lambda_context: Any, producer: Producer) -> None:
        self.cloud = cloud
        self.context = lambda_context
        self.producer = producer
        self.now = producer.now
        self.module: Any = None

    def load(self) -> Any:
        """A new sandbox of the producer (a Lambda retry may land on a new one)."""
        module = self.cloud.load(self.producer.package)
        module.utc_now = lambda: self.now
        module.dependencies.get().outbox.clock = lambda: self.now
        self.module = module
        return module

    def act(self) -> Any:
        """The producer's work: a scheduled run, or a staff member publishing a notice."""
        module = self.load()
        if self.producer.name == ADMIN:
            route = "/v1/admin/schools/{uai}/notices"
            event = http_api_event(
                f"POST {route}",
                f"/v1/admin/schools/{RACINE}/notices",
                path_parameters={"uai": RACINE},
                body=json.dumps(NOTICE),
                claims=STAFF,
            )
            return module.handler(event, self.context)
        return module.handler({"trigger": "schedule", "connector": self.producer.name}, self.context)

    def next_run(self) -> dict[str, Any]:
        """What runs next and must send what is owed: the producer's next run (a Lambda retry, or its schedule);
        for the admin API, the domain's scheduled connector (its outbox relay)."""
        if self.producer.name != ADMIN:
            result: dict[str, Any] = self.act()
            return result
        module = self.cloud.load("schools_notices_csv")
        module.utc_now = lambda: self.now
        module.dependencies.get().outbox.clock = lambda: self.now
        report: dict[str, Any] = module.handler({"trigger": "schedule"}, self.context)
        return report

    def events(self) -> list[dict[str, Any]]:
        """The events of this producer the bus delivered so far (drained)."""
        mine = []
        for event in self.cloud.bus_events():
            detail = event["detail"]
            if self.producer.name == ADMIN:
                if detail.get("origin") == "school":
                    mine.append(event)
            elif detail.get("connector") == self.producer.name:
                mine.append(event)
        return mine

    def data(self) -> set[str]:
        """The domain data the producer is responsible for (not its run log, not the outbox)."""
        found = set()
        for item in self.cloud.items(self.producer.package):
            pk = item["pk"]["S"]
            if pk.startswith("FEED#") or pk.startswith("OUTBOX"):
                continue
            if self.producer.name == ADMIN and item.get("origin", {}).get("S") != "school":
                continue
            found.add(json.dumps(item, sort_keys=True))
        return found

    def keys(self) -> set[tuple[str, str, str]]:
        """Key and content digest of each data item: what two runs of the same change must agree on."""
        return {
            (item["pk"]["S"], item["sk"]["S"], item.get("digest", {}).get("S", ""))
            for item in map(json.loads, self.data())
        }

    def wipe(self) -> None:
        """An empty table and a drained bus, as before the first run."""
        table = self.cloud.table(self.producer.package)
        for item in self.cloud.items(self.producer.package):
            self.cloud.clients["dynamodb"].delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})
        self.cloud.bus_events()

    def staged(self) -> list[dict[str, Any]]:
        return [i for i in self.cloud.items(self.producer.package) if i["pk"]["S"].startswith("OUTBOX")]


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    return Faults(monkeypatch)


def first_attempt_fails(world: World) -> None:
    """The first attempt: a connector's invocation fails (Lambda retries it); the admin API still answers 201,
    the notice being saved."""
    if world.producer.name == ADMIN:
        response = world.act()
        assert response["statusCode"] == 201, response.get("body")
    else:
        with pytest.raises((Exception, Crash)):  # the Lambda invocation fails, whatever the error
            world.act()


@pytest.mark.parametrize("producer", PRODUCERS, ids=str)
def test_a_clean_run_writes_data_and_sends_one_event_for_it(
    cloud: Cloud, lambda_context: Any, producer: Producer
) -> None:
    world = World(cloud, lambda_context, producer)
    world.act()
    data, events = world.data(), world.events()
    assert data and len(events) >= 1
    assert len({e["detail"]["id"] for e in events}) == len(events)
    assert world.staged() == []  # nothing owed once sent


@pytest.mark.parametrize("producer", PRODUCERS, ids=str)
def test_putevents_refused_once_the_next_run_sends_each_event_once_with_the_same_id(
    cloud: Cloud, lambda_context: Any, faults: Faults, producer: Producer
) -> None:
    world = World(cloud, lambda_context, producer)
    faults.refuse(put_events)

    first_attempt_fails(world)
    refused = faults.refused_event_ids()
    written = world.data()
    assert refused and written and world.events() == []

    world.next_run()
    events = world.events()
    assert sorted(e["detail"]["id"] for e in events) == sorted(refused)  # each once, with the id first tried
    assert world.data() == written  # written once: the next run found nothing more to change
    assert world.staged() == []

    world.next_run()
    assert world.events() == []


@pytest.mark.parametrize("producer", PRODUCERS, ids=str)
def test_a_sandbox_killed_at_putevents_owes_its_events_to_the_next_run(
    cloud: Cloud, lambda_context: Any, faults: Faults, producer: Producer
) -> None:
    world = World(cloud, lambda_context, producer)
    faults.refuse(put_events, error=Crash())

    with pytest.raises(Crash):
        world.act()
    refused = faults.refused_event_ids()
    written = world.data()
    assert refused and written

    world.next_run()
    assert sorted(e["detail"]["id"] for e in world.events()) == sorted(refused)
    assert world.data() == written
    world.next_run()
    assert world.events() == []


def shape(event: dict[str, Any]) -> str:
    """An event without what differs between two runs of the same change (its id, when, a staff notice's id)."""
    detail = {k: v for k, v in event["detail"].items() if k not in ("id", "occurred_at", "notice_id")}
    detail["notices"] = [{k: v for k, v in n.items() if k != "notice_id"} for n in detail.get("notices", [])]
    return json.dumps([event["source"], event["detail-type"], detail], sort_keys=True)


@pytest.mark.parametrize("producer", PRODUCERS, ids=str)
def test_exactly_one_event_per_change_whatever_fails(
    cloud: Cloud, lambda_context: Any, faults: Faults, producer: Producer
) -> None:
    """The same change through two refused PutEvents gives the data and the events of a clean run, once."""
    world = World(cloud, lambda_context, producer)
    world.act()
    clean_events, clean_keys = sorted(map(shape, world.events())), world.keys()
    world.wipe()

    faults.refuse(put_events, times=2)
    first_attempt_fails(world)
    with pytest.raises(Exception):  # noqa: B017 - the next run's PutEvents is refused too: it fails, retried
        world.next_run()
    world.next_run()
    world.next_run()

    events = world.events()
    assert len({e["detail"]["id"] for e in events}) == len(events)
    assert sorted(map(shape, events)) == clean_events
    if producer.name == ADMIN:  # a new notice id each time
        assert len(world.keys()) == len(clean_keys)
    else:
        assert world.keys() == clean_keys


@pytest.mark.parametrize("producer", BATCH, ids=str)
def test_a_run_killed_right_after_its_data_writes_sends_its_events_on_a_later_run(
    cloud: Cloud, lambda_context: Any, producer: Producer
) -> None:
    """The run died between its writes and marking its staged events ready: they are sent once its run is surely
    over (the grace: the function's timeout), by whichever run of the domain flushes next, and only once."""
    world = World(cloud, lambda_context, producer)
    module = world.load()

    def killed() -> None:
        raise Crash()

    module.dependencies.get().outbox.confirm = killed
    with pytest.raises(Crash):
        module.handler({"trigger": "schedule", "connector": producer.name}, lambda_context)
    staged = world.staged()
    written = world.data()
    assert staged and written

    world.now += dt.timedelta(seconds=30)  # a Lambda retry, while the killed run could still be running
    world.next_run()
    assert world.events() == [] and len(world.staged()) == len(staged)

    world.now += dt.timedelta(seconds=module.dependencies.get().outbox.grace_s)
    world.next_run()
    assert sorted(e["detail"]["id"] for e in world.events()) == sorted(i["sk"]["S"] for i in staged)
    assert world.data() == written and world.staged() == []


@pytest.mark.parametrize("producer", REALTIME, ids=str)
def test_a_realtime_run_whose_ledger_write_fails_is_redone_and_announced_once(
    cloud: Cloud, lambda_context: Any, faults: Faults, producer: Producer
) -> None:
    world = World(cloud, lambda_context, producer)
    faults.refuse(ledger_write)
    with pytest.raises(Exception):  # noqa: B017 - Lambda retries the invocation
        world.act()
    assert world.staged() == []  # nothing owed: the ledger and the event are committed together or not at all

    report = world.next_run()
    assert report["status"] == "succeeded" and report["changed"] > 0  # redone whole
    events = world.events()
    assert [e["detail-type"] for e in events] == ["RealtimeUpdated"]
    world.next_run()
    assert world.events() == []


@pytest.mark.parametrize("producer", REALTIME, ids=str)
def test_a_realtime_retry_after_putevents_failed_is_unchanged_and_sends_the_same_event(
    cloud: Cloud, lambda_context: Any, faults: Faults, producer: Producer
) -> None:
    world = World(cloud, lambda_context, producer)
    faults.refuse(put_events)
    with pytest.raises(Exception):  # noqa: B017
        world.act()
    retry = world.next_run()
    assert retry["unchanged"] is True  # the payload digest was committed with the data
    assert [e["detail"]["id"] for e in world.events()] == sorted(faults.refused_event_ids())


def test_the_admin_api_answers_201_when_the_bus_is_down_and_the_connector_sends_the_event(
    cloud: Cloud, lambda_context: Any, faults: Faults
) -> None:
    producer = next(p for p in PRODUCERS if p.name == ADMIN)
    world = World(cloud, lambda_context, producer)
    faults.refuse(put_events)
    response = world.act()
    assert response["statusCode"] == 201
    notice = json.loads(response["body"])
    [staged] = world.staged()
    detail = json.loads(staged["detail"]["S"])
    assert detail["notices"][0]["notice_id"] == notice["id"]

    world.next_run()
    [event] = world.events()
    assert event["detail"]["id"] == detail["id"] and event["detail"]["occurred_at"] == detail["occurred_at"]
    assert event["detail"]["notices"][0]["title"] == "Sortie avancée à 15h"
