"""The `payments-debts-csv` run over in-memory fakes of DynamoDB and the bus: the Debts items, the diff (unchanged,
reduced, cancelled, withdrawn), the ledger guard (a debt paid online is never changed, and only touched debts are
looked up), the `DebtsUpdated` event, and no payer e-mail in events, logs or the run's report."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dynamo_fake import FakeBus, FakeDynamo

from payments_debts_csv import handler as debts_handler
from payments_debts_csv.ingest import ingest
from payments_debts_csv.store import DebtWriter, LedgerPaidDebts
from payments_shared import keys
from poche_common.connector import Connection, RunLog
from poche_common.dynamo import content_digest, from_item, to_item
from poche_common.errors import FeedFormatError
from poche_common.observability import metrics
from poche_common.outbox import Outbox

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "functions/connectors/payments_debts_csv/sample/debts.csv"
NOW = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
DEBTS, LEDGER = "Debts", "Ledger"
HEADER = "exer;refdet;objet;montant_centimes;code_produit;date_echeance;statut;email_redevable"
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")


class DebtsDynamo(FakeDynamo):
    """The Debts and Ledger tables: Query on `pk` (strongly consistent on the ledger, whose keys are recorded) or
    on the `by_origin` index."""

    def __init__(self) -> None:
        super().__init__(DEBTS, LEDGER, origin_index=keys.BY_ORIGIN_INDEX, origin_key="gsi2pk", consistent=(LEDGER,))
        self.ledger_queries = self.consistent_queries[LEDGER]

    def debts(self) -> dict[str, dict[str, Any]]:
        return self.rows(keys.DEBT_SK)

    def paid(self, exer: str, refdet: str, n: int = 1, outcome: str = "succeeded") -> None:
        """An attempt n on a debt in the ledger, with its outcome."""
        pk = keys.debt_pk(exer, refdet)
        attempt: dict[str, Any] = {
            "pk": pk,
            "sk": keys.attempt_sk(n),
            "payment_id": uuid.uuid4().hex,
            "created_at": "2026-11-20T10:00:00+00:00",
            "amount_cents": 14850,
            "objet": "x",
            "product": "CANTINE",
        }
        self.tables[LEDGER][(pk, keys.attempt_sk(n))] = to_item(attempt)
        fact = {"pk": pk, "sk": keys.outcome_sk(n), "kind": outcome}
        self.tables[LEDGER][(pk, keys.outcome_sk(n))] = to_item(fact)


class Run:
    """One connector's world: the fake tables, the store and its ledger port, the outbox."""

    def __init__(self) -> None:
        self.dynamo = DebtsDynamo()
        self.bus = FakeBus()
        self.writer = DebtWriter(self.dynamo, DEBTS, LedgerPaidDebts(self.dynamo, LEDGER))
        self.outbox = Outbox(
            self.dynamo,
            DEBTS,
            producer=keys.CONNECTOR,
            source=keys.SOURCE,
            bus_name="bus",
            events_client=self.bus,
            grace_s=60,
            clock=lambda: NOW,
        )

    def __call__(self, *payloads: bytes) -> Any:
        self.dynamo.calls.clear()
        self.dynamo.ledger_queries.clear()
        self.outbox.begin()
        return ingest(list(payloads), self.writer, self.outbox, NOW)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(item["detail"]) for item in self.dynamo.outbox()]

    def clear_outbox(self) -> None:
        self.dynamo.clear_outbox()


def csv(*rows: str) -> bytes:
    return ("\r\n".join((HEADER, *rows)) + "\r\n").encode()


A1 = "2026;A1;Cantine 1er trimestre;14850;CANTINE;2026-12-15;a_payer;famille.a@example.fr"
A2 = "2026;A2;Location de salle;32000;SALLE;2026-12-14;a_payer;"
A3 = "2026;A3;Redevance RD 924;45600;REDEVANCE;2026-12-31;a_payer;gerance@example.org"


@pytest.fixture(autouse=True)
def clean_metrics() -> Iterator[None]:
    metrics.clear()
    yield
    metrics.clear()


@pytest.fixture
def run() -> Run:
    world = Run()
    world(csv(A1, A2, A3))
    world.clear_outbox()
    return world


def changes_of(world: Run) -> dict[str, Any]:
    """The facts of the one event the run staged (its envelope aside)."""
    (event,) = world.events()
    return {k: event[k] for k in ("connector", "changes", "counts", "truncated")}


def test_the_items_written_for_the_sample() -> None:
    world = Run()
    outcome = world(SAMPLE.read_bytes())
    assert (outcome.read, outcome.changed, outcome.rejected, outcome.rejections) == (20, 20, 0, [])
    debts = world.dynamo.debts()
    assert len(debts) == 20
    content = {
        "exer": "2026",
        "refdet": "T2026000412",
        "objet": "Restauration scolaire collège Saint-Exupéry Alençon - septembre à novembre 2026",
        "amount_cents": 14850,
        "product": "CANTINE",
        "due_date": "2026-12-15",
        "status": "open",
        "email": "famille.lemarchand@example.fr",
    }
    assert debts["DEBT#2026#T2026000412"] == {
        "pk": "DEBT#2026#T2026000412",
        "sk": "DEBT",
        **content,
        "digest": content_digest(content),
        "origin": "payments-debts-csv",
        "gsi1pk": "PAYER#" + keys.payer_digest("famille.lemarchand@example.fr"),
        "gsi1sk": "2026-12-15#2026#T2026000412",
        "gsi2pk": "ORIGIN#payments-debts-csv",
        "gsi2sk": "2026#T2026000412",
    }
    assert isinstance(world.dynamo.tables[DEBTS][("DEBT#2026#T2026000412", "DEBT")]["amount_cents"]["N"], str)
    without_email = debts["DEBT#2026#T2026000432"]
    assert without_email == {
        "pk": "DEBT#2026#T2026000432",
        "sk": "DEBT",
        "exer": "2026",
        "refdet": "T2026000432",
        "objet": "Restauration scolaire collège Molière L'Aigle - 1er trimestre 2026-2027",
        "amount_cents": 8100,
        "product": "CANTINE",
        "due_date": "2026-12-18",
        "status": "cancelled",
        "digest": without_email["digest"],
        "origin": "payments-debts-csv",
        "gsi2pk": "ORIGIN#payments-debts-csv",
        "gsi2sk": "2026#T2026000432",
        "gsi3pk": "CANCELLED",  # the sparse `cancelled` index: the reconciliation's cancelled debts
        "gsi3sk": "2026#T2026000432",
    }
    (event,) = world.events()
    assert event["counts"] == {"created": 20, "updated": 0, "deleted": 0}
    assert event["changes"][:2] == [
        {"exer": "2026", "refdet": "T2026000412", "change": "created"},
        {"exer": "2026", "refdet": "T2026000413", "change": "created"},
    ]
    assert [c for c in event["changes"] if c["change"] != "created"] == [
        {"exer": "2026", "refdet": "T2026000432", "change": "cancelled"}
    ]
    assert world.dynamo.ledger_queries == []  # nothing stored yet: nothing paid to protect


def test_the_event_is_staged_before_the_debts_are_written() -> None:
    world = Run()
    world(csv(A1))
    writes = world.dynamo.writes()
    assert writes == [("PutItem", DEBTS), ("BatchWriteItem", DEBTS)]
    (staged,) = world.dynamo.outbox()
    assert (staged["source"], staged["detail_type"], staged["state"]) == ("poche.payments", "DebtsUpdated", "pending")


def test_an_unchanged_file_writes_nothing_and_sends_no_event(run: Run) -> None:
    outcome = run(csv(A1, A2, A3))
    assert (outcome.read, outcome.changed, outcome.rejected) == (3, 0, 0)
    assert run.dynamo.writes() == []
    assert run.dynamo.calls == [("Query", DEBTS)]  # one Query on by_origin, nothing else
    assert run.events() == []
    assert run.dynamo.ledger_queries == []


def test_a_reduced_amount_is_an_update(run: Run) -> None:
    outcome = run(csv(A1.replace(";14850;", ";10000;"), A2, A3))
    assert outcome.changed == 1
    assert run.dynamo.debts()["DEBT#2026#A1"]["amount_cents"] == 10000
    assert changes_of(run) == {
        "connector": "payments-debts-csv",
        "changes": [{"exer": "2026", "refdet": "A1", "change": "updated"}],
        "counts": {"created": 0, "updated": 1, "deleted": 0},
        "truncated": False,
    }
    assert run.dynamo.ledger_queries == ["DEBT#2026#A1"]


def test_statut_annulee_cancels(run: Run) -> None:
    outcome = run(csv(A1, A2.replace("a_payer", "annulee"), A3))
    assert outcome.changed == 1
    stored = run.dynamo.debts()["DEBT#2026#A2"]
    assert (stored["status"], stored["amount_cents"]) == ("cancelled", 32000)
    assert changes_of(run)["changes"] == [{"exer": "2026", "refdet": "A2", "change": "cancelled"}]
    assert changes_of(run)["counts"] == {"created": 0, "updated": 1, "deleted": 0}
    run.clear_outbox()
    assert run(csv(A1, A2.replace("a_payer", "annulee"), A3)).changed == 0  # still cancelled: nothing new
    assert run(csv(A1, A2, A3)).changed == 1  # payable again
    assert changes_of(run)["changes"] == [{"exer": "2026", "refdet": "A2", "change": "updated"}]
    assert run.dynamo.debts()["DEBT#2026#A2"]["status"] == "open"


def test_a_debt_absent_from_the_file_is_withdrawn(run: Run) -> None:
    new = "2026;A4;Transport scolaire;9000;TRANSPORT;2026-10-31;a_payer;"
    outcome = run(csv(A1, A3, new))
    assert outcome.changed == 2
    assert sorted(run.dynamo.debts()) == ["DEBT#2026#A1", "DEBT#2026#A3", "DEBT#2026#A4"]
    assert changes_of(run) == {
        "connector": "payments-debts-csv",
        "changes": [
            {"exer": "2026", "refdet": "A4", "change": "created"},
            {"exer": "2026", "refdet": "A2", "change": "withdrawn"},
        ],
        "counts": {"created": 1, "updated": 0, "deleted": 1},
        "truncated": False,
    }
    assert run.dynamo.ledger_queries == ["DEBT#2026#A2"]


def test_a_row_rejected_before_its_debt_could_be_told_withdraws_nothing(run: Run) -> None:
    """Its debt may be any of those the file lacks: none is withdrawn this run (the others are written as usual)."""
    unreadable = A3.replace(";A3;", ";A-3;")
    outcome = run(csv(A1.replace(";14850;", ";10000;"), unreadable))
    assert (outcome.changed, outcome.rejected) == (1, 1)
    assert sorted(run.dynamo.debts()) == ["DEBT#2026#A1", "DEBT#2026#A2", "DEBT#2026#A3"]
    assert changes_of(run)["changes"] == [{"exer": "2026", "refdet": "A1", "change": "updated"}]


def test_a_rejected_row_keeps_its_stored_debt(run: Run) -> None:
    outcome = run(csv(A1, A2.replace(";32000;", ";320,00;"), A3))
    assert (outcome.changed, outcome.rejected) == (0, 1)
    assert outcome.rejections == [
        {
            "line": 3,
            "reason": "montant_centimes « 320,00 » : un nombre entier de centimes est attendu, sans virgule ni point "
            "(1250 pour 12,50 €)",
        }
    ]
    assert run.dynamo.debts()["DEBT#2026#A2"]["amount_cents"] == 32000
    assert run.dynamo.writes() == [] and run.events() == []


def test_a_new_payer_email_moves_the_debt_in_by_payer(run: Run) -> None:
    run(csv(A1, A2.replace("a_payer;", "a_payer;nouveau@example.fr"), A3))
    stored = run.dynamo.debts()["DEBT#2026#A2"]
    assert (stored["email"], stored["gsi1pk"], stored["gsi1sk"]) == (
        "nouveau@example.fr",
        keys.payer_gsi("nouveau@example.fr"),
        "2026-12-14#2026#A2",
    )
    assert changes_of(run)["changes"] == [{"exer": "2026", "refdet": "A2", "change": "updated"}]


def test_a_debt_paid_online_is_never_changed_and_is_reported(run: Run) -> None:
    run.dynamo.paid("2026", "A1")  # an update: refused
    run.dynamo.paid("2026", "A2", n=2)  # a cancellation: refused
    run.dynamo.paid("2026", "A3")  # a withdrawal: refused
    before = {k: dict(v) for k, v in run.dynamo.tables[DEBTS].items()}
    new = "2026;A4;Transport scolaire;9000;TRANSPORT;2026-10-31;a_payer;"
    outcome = run(csv(new, A1.replace(";14850;", ";100;"), A2.replace("a_payer", "annulee")))
    assert (outcome.read, outcome.changed, outcome.rejected) == (3, 1, 3)
    assert outcome.rejections == [
        {"line": 3, "reason": "créance déjà payée en ligne : modification ignorée"},
        {"line": 4, "reason": "créance déjà payée en ligne : annulation ignorée"},
        {"record": "2026/A3", "reason": "créance 2026/A3 absente du fichier mais déjà payée en ligne : retrait ignoré"},
    ]
    after = run.dynamo.tables[DEBTS]
    for pk in ("DEBT#2026#A1", "DEBT#2026#A2", "DEBT#2026#A3"):
        assert after[(pk, "DEBT")] == before[(pk, "DEBT")]  # exactly as stored
    assert changes_of(run)["changes"] == [{"exer": "2026", "refdet": "A4", "change": "created"}]
    assert sorted(run.dynamo.ledger_queries) == ["DEBT#2026#A1", "DEBT#2026#A2", "DEBT#2026#A3"]


def test_a_paid_debt_alone_writes_nothing_and_sends_no_event(run: Run) -> None:
    run.dynamo.paid("2026", "A1")
    outcome = run(csv(A2, A3))
    assert (outcome.changed, outcome.rejected) == (0, 1)
    assert run.dynamo.writes() == [] and run.events() == []


def test_an_attempt_that_failed_does_not_protect_the_debt(run: Run) -> None:
    run.dynamo.paid("2026", "A1", outcome="failed")
    run.dynamo.paid("2026", "A3", outcome="cancelled")
    outcome = run(csv(A1.replace(";14850;", ";100;"), A2))
    assert (outcome.changed, outcome.rejected) == (2, 0)
    assert changes_of(run)["changes"] == [
        {"exer": "2026", "refdet": "A1", "change": "updated"},
        {"exer": "2026", "refdet": "A3", "change": "withdrawn"},
    ]


def test_a_late_success_protects_the_debt(run: Run) -> None:
    run.dynamo.paid("2026", "A1", outcome="expired")
    run.dynamo.tables[LEDGER][("DEBT#2026#A1", keys.late_sk(1))] = to_item(
        {"pk": "DEBT#2026#A1", "sk": keys.late_sk(1)}
    )
    assert LedgerPaidDebts(run.dynamo, LEDGER).paid("2026", "A1") is True
    assert LedgerPaidDebts(run.dynamo, LEDGER).paid("2026", "A2") is False


def test_an_unreadable_ledger_partition_counts_as_paid(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    run.dynamo.tables[LEDGER][("DEBT#2026#A1", "OUTCOME#0001")] = to_item(
        {"pk": "DEBT#2026#A1", "sk": "OUTCOME#0001", "kind": "succeeded"}
    )  # an outcome without its attempt
    assert LedgerPaidDebts(run.dynamo, LEDGER).paid("2026", "A1") is True
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert (line["level"], line["message"], line["exer"], line["refdet"]) == (
        "ERROR",
        "ledger partition unreadable: the debt is left as stored",
        "2026",
        "A1",
    )


def test_the_ledger_is_asked_only_about_touched_debts() -> None:
    world = Run()
    rows = [f"2026;R{n};Cantine;{1000 + n};CANTINE;2026-12-15;a_payer;" for n in range(2000)]
    world(csv(*rows))
    assert world.dynamo.ledger_queries == []
    world.clear_outbox()
    world(csv(*rows))
    assert world.dynamo.ledger_queries == [] and world.dynamo.writes() == []
    rows[7] = rows[7].replace(";1007;", ";7;")
    world(csv(*rows[:1500], "2026;NEW1;Salle;100;SALLE;2026-12-15;a_payer;"))
    assert world.dynamo.ledger_queries == ["DEBT#2026#R7"] + [
        f"DEBT#2026#R{n}" for n in sorted(range(1500, 2000), key=str)
    ]


def test_a_large_run_is_announced_truncated() -> None:
    world = Run()
    rows = [f"2026;R{n:04d};Cantine;100;CANTINE;2026-12-15;a_payer;" for n in range(501)]
    world(csv(*rows))
    (event,) = world.events()
    assert (len(event["changes"]), event["truncated"], event["counts"]) == (
        500,
        True,
        {"created": 501, "updated": 0, "deleted": 0},
    )
    assert event["changes"][-1] == {"exer": "2026", "refdet": "R0499", "change": "created"}


def test_the_store_reads_the_ledger_table_name_when_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_TABLE_NAME", "poche-payments-ledger")
    writer = DebtWriter.over(DebtsDynamo(), DEBTS)
    assert isinstance(writer.paid, LedgerPaidDebts)
    assert (writer.table, writer.paid.table, writer.connector) == (DEBTS, "poche-payments-ledger", "payments-debts-csv")
    monkeypatch.delenv("LEDGER_TABLE_NAME")
    with pytest.raises(Exception, match="LEDGER_TABLE_NAME"):
        DebtWriter.over(DebtsDynamo(), DEBTS)


def test_the_handler_runs_the_bundled_sample_and_no_email_leaks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lambda_context: Any, tmp_path: Path
) -> None:
    world = Run()
    connection = Connection(
        keys.CONNECTOR, world.dynamo, DEBTS, RunLog(world.dynamo, DEBTS, keys.CONNECTOR), world.outbox, world.writer
    )
    monkeypatch.setenv("POCHE_SOURCE_PAYMENTS_DEBTS_CSV", "bundled")
    with debts_handler.dependencies.override(connection):
        report = debts_handler.handler({}, lambda_context)
    assert (report["status"], report["read"], report["changed"], report["rejected"]) == ("succeeded", 20, 20, 0)
    (entry,) = world.bus.entries
    assert (entry["Source"], entry["DetailType"]) == ("poche.payments", "DebtsUpdated")
    detail = json.loads(entry["Detail"])
    assert sorted(detail) == ["changes", "connector", "counts", "id", "occurred_at", "truncated", "version"]
    assert world.dynamo.outbox() == []  # sent, then deleted

    # the next export: a paid debt changed, a bad e-mail, an address in the wrong column, a withdrawal
    world.dynamo.paid("2026", "T2026000412")
    lines = SAMPLE.read_bytes().decode("utf-8-sig").splitlines()
    lines[1] = lines[1].replace(";14850;", ";100;")  # the paid debt (famille.lemarchand@example.fr)
    lines[3] = lines[3].replace("c.dubreuil@example.org", "c.dubreuil@@example.org")
    lines[11] = lines[11].replace(";SALLE;", ";contact@club-judo-alencon.example.org;")
    del lines[6]  # T2026000447 (parents.hamon@example.fr) withdrawn
    spoiled = tmp_path / "debts.csv"
    spoiled.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    monkeypatch.setenv("POCHE_SOURCE_PAYMENTS_DEBTS_CSV", spoiled.as_uri())
    with debts_handler.dependencies.override(connection):
        report = debts_handler.handler({}, lambda_context)
    assert (report["status"], report["read"], report["changed"], report["rejected"]) == ("succeeded", 19, 1, 3)
    assert report["rejections"] == [
        {"line": 2, "reason": "créance déjà payée en ligne : modification ignorée"},
        {
            "line": 4,
            "reason": "email_redevable : adresse e-mail invalide (non reproduite ici) ; laisser vide si inconnue",
        },
        {
            "line": 11,
            "reason": "code_produit « <adresse masquée> » : 1 à 32 caractères parmi A-Z a-z 0-9 _ . - (sans espace)",
        },
    ]
    assert [json.loads(e["Detail"])["changes"] for e in world.bus.entries][1] == [
        {"exer": "2026", "refdet": "T2026000447", "change": "withdrawn"}
    ]
    logs = capsys.readouterr().out
    assert "rows rejected" in logs  # the runtime logs the rejections: they must hold no address
    runs = [
        json.dumps(from_item(item)) for (pk, _), item in world.dynamo.tables[DEBTS].items() if pk.startswith("FEED#")
    ]
    assert len(runs) == 3  # STATE and two RUN# records
    for text in (logs, *runs, *(e["Detail"] for e in world.bus.entries)):
        assert EMAIL_RE.search(text) is None, text[:300]
    stored = world.dynamo.debts()
    assert stored["DEBT#2026#T2026000412"]["amount_cents"] == 14850  # paid: left as stored
    assert "DEBT#2026#T2026000447" not in stored
    assert stored["DEBT#2026#T2026000418"]["email"] == "c.dubreuil@example.org"  # rejected row: kept as stored


def test_an_unusable_file_changes_nothing(run: Run) -> None:
    before = {k: dict(v) for k, v in run.dynamo.tables[DEBTS].items()}
    with pytest.raises(FeedFormatError, match="aucune créance"):
        run(csv())
    assert run.dynamo.tables[DEBTS] == before
    assert run.dynamo.ledger_queries == []
