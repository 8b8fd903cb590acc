"""The finance staff API's rules and routes over fakes of its port (the Ledger and Debts tables, the outbox): the
journal as JSON and CSV, a statement stored as compressed parts then a manifest (a re-upload is a new statement),
the reconciliation with every source wired (pending attempts from OPENED minus CLOSED, cancelled debts,
resolutions), an exception resolved once with its event, 403 outside the finance group. The ledger items are
written by the real `payments_shared.record.Recorder`, so they have the attributes the service reads in production.
No AWS, no environment variable (but the last test, on moto)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import random
import sys
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest
from support import http_api_event

from payments_finance import handler, logic
from payments_finance.reconcile import exception_id
from payments_finance.statement import parse_statement
from payments_shared.keys import debt_pk
from payments_shared.ledger import Detail, LedgerError, Pending, fold
from payments_shared.record import Recorder
from poche_common.errors import InvalidRequestError
from poche_common.outbox import FlushResult, StagedEvent

# The modules this file's `handler` works with. The routes import the journal, statement and reconciliation modules
# on first use (cold start), through `sys.modules`: when another test file of this worker re-imported the function
# (`support.fresh_import`, as a new Lambda sandbox would), those names would resolve to the new sandbox's modules,
# whose exceptions this handler's resolver does not know. Each test here puts this file's modules back.
GENERATION = {
    name: module
    for name, module in sys.modules.items()
    if name.split(".")[0] in ("payments_finance", "payments_shared", "poche_common")
}


@pytest.fixture(autouse=True)
def this_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, module in GENERATION.items():
        monkeypatch.setitem(sys.modules, name, module)


UTC = dt.UTC
DAY = dt.date(2026, 11, 30)  # Paris is UTC+1: the day is 2026-11-29T23:00Z .. 2026-11-30T23:00Z
NOW = dt.datetime(2026, 11, 30, 22, 30, tzinfo=UTC)  # 23:30 in Paris, the same day
FINANCE = {"sub": "sub-finance-1", "cognito:groups": "[finance]"}
SCHOOL_STAFF = {"sub": "sub-school-1", "cognito:groups": "[school-staff]", "custom:schools": "0610003X"}
Item = dict[str, Any]

STATEMENT = (
    b"date;exer;refdet;montant;numauto;idop;produit\r\n"
    b"30/11/2026;2026;T001;12,50;111111;OP-A;CANTINE\r\n"  # 2: matched by idop
    b"30/11/2026;2026;T002;19,00;222222;OP-B;CANTINE\r\n"  # 3: 20,00 paid here: amount_mismatch
    b"30/11/2026;2026;T007;5,00;;OP-G1;CANTINE\r\n"  # 4: matched (first payment of T007)
    b"30/11/2026;2026;T007;5,00;;OP-G2;CANTINE\r\n"  # 5: matched (the duplicate)
    b"30/11/2026;2026;T999;3,00;;;CANTINE\r\n"  # 6: unknown_here
    b"29/11/2026;2026;T100;1,00;;;\r\n"  # 7: another date
    b"30/11/2026;2026;BAD!;1,00;;;\r\n"  # 8: line error
)


class FakeLedger:
    """The Ledger (and the Debts table's `cancelled` index and outbox) as `logic.FinanceLedger` and the
    `Recorder`'s writer: put-once items, the events staged with each transaction."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Item] = {}
        self.cancelled: list[tuple[str, str]] = []
        self.transactions: list[tuple[list[str], list[str]]] = []  # (sort keys, staged event types)
        self.staged: list[StagedEvent] = []

    def append(self, items: Sequence[Item], events: Sequence[StagedEvent] = ()) -> bool:
        if any((item["pk"], item["sk"]) in self.items for item in items):
            return False
        for item in items:
            self.items[(item["pk"], item["sk"])] = dict(item)
        self.transactions.append(([str(item["sk"]) for item in items], [event.detail_type for event in events]))
        self.staged += events
        return True

    def partition(self, pk: str) -> list[Item]:
        return [item for (p, _), item in sorted(self.items.items()) if p == pk]

    def day(self, gsi3pk: str) -> Iterator[Item]:
        found = [item for item in self.items.values() if item.get("gsi3pk") == gsi3pk]
        return iter(sorted(found, key=lambda item: str(item["gsi3sk"])))

    def closed(self, gsi4pk: str) -> Iterator[Item]:
        found = [item for item in self.items.values() if item.get("gsi4pk") == gsi4pk]
        return iter(sorted(found, key=lambda item: str(item["gsi4sk"])))

    def cancelled_debts(self) -> Iterator[tuple[str, str]]:
        return iter(self.cancelled)

    def _prefixed(self, paris_day: str, prefix: str) -> list[Item]:
        return [item for item in self.partition(f"RECON#{paris_day}") if str(item["sk"]).startswith(prefix)]

    def statement_items(self, paris_day: str) -> Iterator[Item]:
        return iter(list(reversed(self._prefixed(paris_day, "STATEMENT#"))))

    def resolutions(self, paris_day: str) -> Iterator[Item]:
        return iter(self._prefixed(paris_day, "RESOLVED#"))


class FakeEvents:
    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.prepared: list[tuple[str, dict[str, Any], bool]] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def prepare(self, detail_type: str, facts: Mapping[str, Any], *, ready: bool = False) -> StagedEvent:
        self.prepared.append((detail_type, dict(facts), ready))
        detail = json.dumps({"facts": dict(facts)})
        number = len(self.prepared)
        return StagedEvent(f"e{number}", "payments-finance", "poche.payments", detail_type, detail, "", "ready", 0)

    def send(self, staged: Sequence[StagedEvent]) -> FlushResult:
        if self.refuse:
            raise RuntimeError("the bus is down")
        result = FlushResult()
        for event in staged:
            self.sent.append((event.detail_type, json.loads(event.detail)["facts"]))
            result.sent.append(event.id)
        return result


def paris_hhmm(moment: dt.datetime) -> tuple[str, str]:
    local = moment.astimezone(logic.PARIS)
    return local.strftime("%d%m%Y"), local.strftime("%H%M")


def attempt(ledger: FakeLedger, refdet: str, amount: int, created: dt.datetime, idop: str, number: int) -> Any:
    """An attempt reserved and initiated (OPENED#<UTC date of `created`>) by the real Recorder."""
    recorder = Recorder(ledger, FakeEvents())
    debt = {"exer": "2026", "refdet": refdet, "objet": "Cantine", "amount_cents": amount, "product": "CANTINE"}
    reserved = recorder.reserve(debt, fold(ledger.partition(debt_pk("2026", refdet))), f"{number:032x}", None, created)
    recorder.initiated(reserved, idop, created)
    return reserved


def settle(ledger: FakeLedger, refdet: str, number: int, answer: Detail | Pending, now: dt.datetime) -> None:
    debt = fold(ledger.partition(debt_pk("2026", refdet)))
    assert debt is not None
    found = next(a for a in debt.attempts if a.payment_id == f"{number:032x}")
    Recorder(ledger, FakeEvents()).apply(debt, found, answer, now)


def paid(ledger: FakeLedger, refdet: str, amount: int, at: dt.datetime, idop: str, number: int, numauto: str) -> None:
    attempt(ledger, refdet, amount, at - dt.timedelta(minutes=3), idop, number)
    date, hour = paris_hhmm(at)
    settle(ledger, refdet, number, Detail(idop, "P", amount, "2026", refdet, numauto, date, hour), at)


def the_day() -> FakeLedger:
    """A day with one discrepancy of every kind."""
    ledger = FakeLedger()
    paid(ledger, "T001", 1250, dt.datetime(2026, 11, 30, 8, 0, tzinfo=UTC), "OP-A", 1, "111111")
    paid(ledger, "T002", 2000, dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC), "OP-B", 2, "222222")
    paid(ledger, "T003", 500, dt.datetime(2026, 11, 30, 10, 0, tzinfo=UTC), "OP-C", 3, "333333")
    paid(ledger, "T007", 500, dt.datetime(2026, 11, 30, 11, 0, tzinfo=UTC), "OP-G1", 7, "777771")
    paid(ledger, "T007", 500, dt.datetime(2026, 11, 30, 11, 5, tzinfo=UTC), "OP-G2", 8, "777772")  # a duplicate
    # pending too long: opened at 00:30 Paris on the day, i.e. under OPENED#2026-11-29 (UTC)
    attempt(ledger, "T004", 900, dt.datetime(2026, 11, 29, 23, 30, tzinfo=UTC), "OP-P", 4)
    # expired (closed: CLOSED#2026-11-30): not pending
    attempt(ledger, "T005", 900, dt.datetime(2026, 11, 30, 12, 0, tzinfo=UTC), "OP-E", 5)
    settle(ledger, "T005", 5, Pending(), dt.datetime(2026, 11, 30, 12, 40, tzinfo=UTC))
    # opened 20 minutes before NOW: not yet too long
    attempt(ledger, "T006", 900, dt.datetime(2026, 11, 30, 22, 10, tzinfo=UTC), "OP-F", 6)
    # opened at 23:30 Paris the day before (OPENED#2026-11-29 too): that day's, not this one's
    attempt(ledger, "T008", 900, dt.datetime(2026, 11, 29, 22, 30, tzinfo=UTC), "OP-H", 9)
    ledger.cancelled = [("2026", "T003")]
    ledger.transactions.clear()
    ledger.staged.clear()
    return ledger


def call(
    deps: logic.Deps,
    route: str,
    path: str,
    lambda_context: Any,
    *,
    claims: dict[str, str] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    event = http_api_event(route, path, claims=FINANCE if claims is None else claims, **kwargs)
    with handler.dependencies.override(deps):
        return handler.handler(event, lambda_context)


JOURNAL = "GET /v1/admin/finance/journal"
STATEMENT_ROUTE = "PUT /v1/admin/finance/statements/{date}"
RECON = "GET /v1/admin/finance/reconciliations/{date}"
RESOLVE = "POST /v1/admin/finance/reconciliations/{date}/exceptions/{exception_id}/resolution"


def upload(deps: logic.Deps, data: bytes, lambda_context: Any, **headers: str) -> dict[str, Any]:
    return call(deps, STATEMENT_ROUTE, "/v1/admin/finance/statements/2026-11-30", lambda_context,
                path_parameters={"date": "2026-11-30"}, body=data.decode("utf-8"),
                headers={"Content-Type": "text/csv", **headers})  # fmt: skip


def reconciliation(deps: logic.Deps, lambda_context: Any, **query: str) -> dict[str, Any]:
    return call(deps, RECON, "/v1/admin/finance/reconciliations/2026-11-30", lambda_context,
                path_parameters={"date": "2026-11-30"}, query=query or None)  # fmt: skip


def resolve(deps: logic.Deps, ident: str, comment: Any, lambda_context: Any) -> dict[str, Any]:
    return call(deps, RESOLVE, f"/v1/admin/finance/reconciliations/2026-11-30/exceptions/{ident}/resolution",
                lambda_context, path_parameters={"date": "2026-11-30", "exception_id": ident},
                body=json.dumps({"comment": comment}))  # fmt: skip


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[dt.datetime]:
    moments = [NOW]
    monkeypatch.setattr(handler, "utc_now", lambda: moments[-1])
    return moments


# --- the journal ----------------------------------------------------------------------------------------------------
def test_the_journal_as_json(lambda_context: Any) -> None:
    deps = logic.Deps(the_day(), FakeEvents())
    answer = call(deps, JOURNAL, "/v1/admin/finance/journal", lambda_context, query={"date": "2026-11-30"})
    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert answer["headers"]["Cache-Control"] == "private, no-store"
    body = json.loads(answer["body"])
    assert (body["date"], body["count"], body["total_cents"]) == ("2026-11-30", 5, 4750)
    assert body["products"] == [{"product": "CANTINE", "count": 5, "total_cents": 4750}]
    assert [(e["refdet"], e["idop"], e["paid_at"], e["duplicate"]) for e in body["entries"]] == [
        ("T001", "OP-A", "2026-11-30T09:00:00+01:00", False),
        ("T002", "OP-B", "2026-11-30T10:00:00+01:00", False),
        ("T003", "OP-C", "2026-11-30T11:00:00+01:00", False),
        ("T007", "OP-G1", "2026-11-30T12:00:00+01:00", False),
        ("T007", "OP-G2", "2026-11-30T12:05:00+01:00", True),
    ]


@pytest.mark.parametrize(
    ("query", "headers"),
    [({"date": "2026-11-30", "format": "csv"}, {}), ({"date": "2026-11-30"}, {"Accept": "text/csv, */*;q=0.1"})],
)
def test_the_journal_as_csv(query: dict[str, str], headers: dict[str, str], lambda_context: Any) -> None:
    deps = logic.Deps(the_day(), FakeEvents())
    answer = call(deps, JOURNAL, "/v1/admin/finance/journal", lambda_context, query=query, headers=headers)
    assert answer["statusCode"] == 200 and answer["isBase64Encoded"] is False
    assert answer["headers"] == {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="journal-paiements-2026-11-30.csv"',
        "Cache-Control": "private, no-store",
    }
    data = answer["body"].encode("utf-8")
    lines = data.split(b"\r\n")
    assert lines[0] == b"\xef\xbb\xbfexer;refdet;objet;montant;resultrans;numauto;date;heure;idop;code produit;" + (
        b"identifiant paiement"
    )
    assert lines[1] == b"2026;T001;Cantine;12,50;P;111111;30/11/2026;09:00;OP-A;CANTINE;" + b"%032x" % 1
    assert lines[-2] == "Total journée;;5 paiements;47,50;;;30/11/2026;;;;".encode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "30/11/2026"}, "date"),
        ({"date": "1999-12-31"}, "date"),
        ({"date": "2100-01-01"}, "date"),
        ({"date": "2026-11-30", "format": "xlsx"}, "format"),
    ],
)
def test_a_bad_journal_question_is_400(query: dict[str, str], field: str, lambda_context: Any) -> None:
    answer = call(logic.Deps(FakeLedger(), FakeEvents()), JOURNAL, "/v1/admin/finance/journal", lambda_context,
                  query=query or None)  # fmt: skip
    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["invalid_params"][0]["name"] == field


# --- the statement --------------------------------------------------------------------------------------------------
def test_a_statement_is_stored_as_parts_then_manifest(clock: list[dt.datetime], lambda_context: Any) -> None:
    ledger = FakeLedger()
    answer = upload(logic.Deps(ledger, FakeEvents()), STATEMENT, lambda_context)
    assert answer["statusCode"] == 201
    assert answer["headers"]["Location"] == "/v1/admin/finance/reconciliations/2026-11-30"
    assert json.loads(answer["body"]) == {
        "date": "2026-11-30",
        "uploaded_at": "2026-11-30T23:30:00+01:00",
        "sha256": hashlib.sha256(STATEMENT).hexdigest(),
        "size_bytes": len(STATEMENT),
        "columns": ["date", "exer", "refdet", "montant", "numauto", "idop", "produit"],
        "lines": 6,
        "total_cents": 1250 + 1900 + 500 + 500 + 300 + 100,
        "of_date": {"count": 5, "total_cents": 1250 + 1900 + 500 + 500 + 300},
        "other_dates": 1,
        "errors": [{"line": 8, "reason": parse_statement(STATEMENT).errors[0].reason}],
    }
    at = "2026-11-30T22:30:00.000000+00:00"
    assert ledger.transactions == [
        ([f"STATEMENT#{at}#part-000"], []),
        ([f"STATEMENT#{at}#manifest"], []),
    ]
    part = ledger.items[("RECON#2026-11-30", f"STATEMENT#{at}#part-000")]
    assert zlib.decompress(part["data"]) == STATEMENT and part["part"] == 0
    assert ledger.items[("RECON#2026-11-30", f"STATEMENT#{at}#manifest")] == {
        "pk": "RECON#2026-11-30",
        "sk": f"STATEMENT#{at}#manifest",
        "date": "2026-11-30",
        "uploaded_at": "2026-11-30T22:30:00+00:00",
        "uploaded_by": "sub-finance-1",
        "parts": 1,
        "sha256": hashlib.sha256(STATEMENT).hexdigest(),
        "size_bytes": len(STATEMENT),
        "compressed_bytes": len(part["data"]),
        "lines": 6,
        "errors": 1,
    }


def test_a_re_upload_is_a_new_statement(clock: list[dt.datetime], lambda_context: Any) -> None:
    deps = logic.Deps(the_day(), FakeEvents())
    assert upload(deps, STATEMENT, lambda_context)["statusCode"] == 201
    corrected = STATEMENT.replace(b"T002;19,00", b"T002;20,00")
    clock.append(NOW + dt.timedelta(minutes=1))
    assert upload(deps, corrected, lambda_context)["statusCode"] == 201
    manifests = [sk for (pk, sk) in deps.ledger.items if pk == "RECON#2026-11-30" and sk.endswith("#manifest")]  # type: ignore[attr-defined]
    assert len(manifests) == 2  # the first statement is kept as it was
    summary = json.loads(reconciliation(deps, lambda_context)["body"])["summary"]
    assert summary["exceptions"]["amount_mismatch"] == 0 and summary["matched"] == 4


def test_an_upload_cut_short_is_never_read() -> None:
    ledger = FakeLedger()
    first = logic.statement_items(DAY, STATEMENT, parse_statement(STATEMENT), "s", NOW)
    second = logic.statement_items(DAY, b"x", parse_statement(STATEMENT), "s", NOW + dt.timedelta(seconds=1))
    for item in [*first, *second[:-1]]:  # the second upload died before its manifest
        assert ledger.append([item])
    manifest, statement = logic.stored_statement(ledger, DAY)
    assert manifest["sk"] == first[-1]["sk"] and len(statement.lines) == 6


def test_a_large_statement_is_cut_in_parts_of_300_kb_and_read_back_whole() -> None:
    raw = random.Random(7).randbytes(700_000)  # incompressible
    items = logic.statement_items(DAY, raw, parse_statement(STATEMENT), "s", NOW)
    parts, manifest = items[:-1], items[-1]
    assert [len(part["data"]) for part in parts[:-1]] == [300_000, 300_000] and len(parts) == manifest["parts"] == 3
    assert [part["sk"].rsplit("#", 1)[1] for part in parts] == ["part-000", "part-001", "part-002"]
    found = logic.latest_statement(sorted(items, key=lambda item: str(item["sk"]), reverse=True))  # as stored
    assert found is not None and logic.statement_bytes(*found) == raw
    tampered = {**parts[1], "data": parts[1]["data"][:-1] + b"\0"}
    with pytest.raises(LedgerError, match="the parts cannot be decompressed"):  # never a wrong statement
        logic.statement_bytes(manifest, [parts[0], tampered, parts[2]])
    with pytest.raises(LedgerError, match="the parts' content differs from the manifest's sha256"):
        logic.statement_bytes({**manifest, "sha256": "0" * 64}, parts)
    with pytest.raises(LedgerError, match="2 parts stored, manifest says 3"):
        logic.statement_bytes(manifest, parts[:2])


def test_an_unusable_statement_is_400_with_its_reason_and_nothing_is_stored(lambda_context: Any) -> None:
    ledger = FakeLedger()
    answer = upload(logic.Deps(ledger, FakeEvents()), b"date;exer;montant\r\n30/11/2026;2026;12,50\r\n", lambda_context)
    assert answer["statusCode"] == 400
    problem = json.loads(answer["body"])
    assert problem["detail"].startswith("Colonnes obligatoires absentes du fichier CSV : refdet.")
    assert problem["invalid_params"] == [{"name": "statement", "reason": problem["detail"]}]
    assert ledger.items == {}


def test_a_statement_sent_base64_encoded_is_read(clock: list[dt.datetime], lambda_context: Any) -> None:
    ledger = FakeLedger()
    cp1252 = STATEMENT.replace(b"CANTINE", "CANTINE-É".encode("cp1252"))
    event = http_api_event(STATEMENT_ROUTE, "/v1/admin/finance/statements/2026-11-30", claims=FINANCE,
                           path_parameters={"date": "2026-11-30"}, headers={"Content-Type": "text/csv"})  # fmt: skip
    event |= {"body": base64.b64encode(cp1252).decode(), "isBase64Encoded": True}
    with handler.dependencies.override(logic.Deps(ledger, FakeEvents())):
        answer = handler.handler(event, lambda_context)
    assert answer["statusCode"] == 201 and json.loads(answer["body"])["sha256"] == hashlib.sha256(cp1252).hexdigest()


def test_a_statement_too_large_or_not_csv_is_400(lambda_context: Any) -> None:
    deps = logic.Deps(FakeLedger(), FakeEvents())
    big = upload(deps, b"a" * (4 * 1024 * 1024 + 1), lambda_context)
    assert big["statusCode"] == 400
    assert (
        json.loads(big["body"])["detail"]
        == "Le relevé fait 4.0 Mio : au plus 4 Mio par envoi. Découpez-le par journée."
    )
    as_json = upload(deps, b"{}", lambda_context, **{"Content-Type": "application/json"})
    assert as_json["statusCode"] == 400 and json.loads(as_json["body"])["invalid_params"][0]["name"] == "statement"
    assert deps.ledger.items == {}  # type: ignore[attr-defined]


# --- the reconciliation ---------------------------------------------------------------------------------------------
def test_no_statement_is_404(lambda_context: Any) -> None:
    answer = reconciliation(logic.Deps(the_day(), FakeEvents()), lambda_context)
    assert answer["statusCode"] == 404
    assert json.loads(answer["body"])["detail"].startswith(
        "Aucun relevé du comptable n'a été envoyé pour le 30/11/2026"
    )


def test_the_reconciliation_wires_every_source(clock: list[dt.datetime], lambda_context: Any) -> None:
    deps = logic.Deps(the_day(), FakeEvents())
    upload(deps, STATEMENT, lambda_context)
    answer = reconciliation(deps, lambda_context)
    assert answer["statusCode"] == 200 and answer["headers"]["Cache-Control"] == "private, no-store"
    body = json.loads(answer["body"])
    assert body["summary"] == {
        "ledger": {"count": 5, "total_cents": 4750},
        "statement": {"count": 5, "total_cents": 4450, "errors": 1, "other_dates": 1},
        "matched": 3,
        "exceptions": {
            "missing_from_statement": 1,
            "unknown_here": 1,
            "amount_mismatch": 1,
            "duplicate": 1,
            "pending_too_long": 1,
            "paid_after_cancellation": 1,
        },
        "unresolved": 6,
    }
    assert [(e["kind"], e["refdet"], e["payment_id"], e["statement_line"]) for e in body["exceptions"]] == [
        ("missing_from_statement", "T003", f"{3:032x}", None),
        ("unknown_here", "T999", None, 6),
        ("amount_mismatch", "T002", f"{2:032x}", 3),
        ("duplicate", "T007", f"{8:032x}", None),
        ("pending_too_long", "T004", f"{4:032x}", None),
        ("paid_after_cancellation", "T003", f"{3:032x}", None),
    ]
    pending = body["exceptions"][4]
    assert pending["exception_id"] == exception_id(DAY, "pending_too_long", f"{4:032x}")
    assert (pending["created_at"], pending["idop"], pending["amount_cents"]) == (
        "2026-11-30T00:30:00+01:00",
        "OP-P",
        900,
    )
    assert [(m["refdet"], m["statement_line"], m["matched_by"]) for m in body["matched"]] == [
        ("T001", 2, "idop"),
        ("T007", 4, "idop"),
        ("T007", 5, "idop"),
    ]
    assert body["statement_errors"][0]["line"] == 8 and body["other_dates"] == [{"line": 7, "date": "2026-11-29"}]
    assert "matched" not in json.loads(reconciliation(deps, lambda_context, matched="false")["body"])
    assert reconciliation(deps, lambda_context, matched="peut-être")["statusCode"] == 400


def test_pending_attempts_are_opened_minus_closed_older_than_the_expiry() -> None:
    ledger = the_day()
    assert logic.utc_dates(DAY) == ["2026-11-29", "2026-11-30"]
    assert logic.utc_dates(dt.date(2026, 7, 1)) == ["2026-06-30", "2026-07-01"]
    assert logic.pending_attempts(ledger, DAY, NOW) == [
        {
            "payment_id": f"{4:032x}",
            "exer": "2026",
            "refdet": "T004",
            "amount_cents": 900,
            "created_at": "2026-11-29T23:30:00+00:00",
            "idop": "OP-P",
        }
    ]
    later = logic.pending_attempts(ledger, DAY, NOW + dt.timedelta(minutes=20))  # T006 is 40 minutes old then
    assert [p["refdet"] for p in later] == ["T004", "T006"]
    assert [p["refdet"] for p in logic.pending_attempts(ledger, dt.date(2026, 11, 29), NOW)] == ["T008"]


# --- resolving an exception -----------------------------------------------------------------------------------------
def test_an_exception_resolved_once_with_its_event(clock: list[dt.datetime], lambda_context: Any) -> None:
    deps = logic.Deps(the_day(), FakeEvents())
    upload(deps, STATEMENT, lambda_context)
    ident = exception_id(DAY, "unknown_here", "ref", "2026", "T999", "", 300, 1)
    clock.append(NOW + dt.timedelta(minutes=5))
    answer = resolve(deps, ident, "  Recette d'une autre régie, signalée au comptable.  ", lambda_context)
    assert answer["statusCode"] == 201
    shown = json.loads(answer["body"])
    assert (shown["exception_id"], shown["kind"], shown["refdet"], shown["resolved"]) == (
        ident,
        "unknown_here",
        "T999",
        True,
    )
    resolution = {"by": "sub-finance-1", "at": "2026-11-30T22:35:00+00:00",
                  "comment": "Recette d'une autre régie, signalée au comptable."}  # fmt: skip
    assert shown["resolution"] == resolution
    ledger: FakeLedger = deps.ledger  # type: ignore[assignment]
    assert ledger.transactions[-1] == ([f"RESOLVED#{ident}"], ["ExceptionResolved"])  # one transaction
    assert ledger.items[("RECON#2026-11-30", f"RESOLVED#{ident}")] == {
        "pk": "RECON#2026-11-30",
        "sk": f"RESOLVED#{ident}",
        "date": "2026-11-30",
        "exception_id": ident,
        "kind": "unknown_here",
        **resolution,
    }
    facts = {"date": "2026-11-30", "exception_id": ident, "kind": "unknown_here", "by": "sub-finance-1",
             "at": "2026-11-30T22:35:00+00:00"}  # fmt: skip
    assert deps.events.prepared == [("ExceptionResolved", facts, True)]  # type: ignore[attr-defined]
    assert deps.events.sent == [("ExceptionResolved", facts)]  # type: ignore[attr-defined]

    body = json.loads(reconciliation(deps, lambda_context)["body"])
    assert body["summary"]["unresolved"] == 5
    assert next(e for e in body["exceptions"] if e["exception_id"] == ident)["resolution"] == resolution

    again = resolve(deps, ident, "encore", lambda_context)
    assert again["statusCode"] == 409
    assert json.loads(again["body"])["detail"] == "Cet écart est déjà marqué comme traité."
    unknown = resolve(deps, "0" * 32, "rien", lambda_context)
    assert unknown["statusCode"] == 404
    assert json.loads(unknown["body"])["detail"] == f"Aucun écart {'0' * 32} dans le rapprochement du 30/11/2026."
    assert len(deps.events.prepared) == 1  # type: ignore[attr-defined]


def test_a_refused_event_leaves_the_resolution_a_success(clock: list[dt.datetime], lambda_context: Any) -> None:
    deps = logic.Deps(the_day(), FakeEvents(refuse=True))
    upload(deps, STATEMENT, lambda_context)
    ident = exception_id(DAY, "pending_too_long", f"{4:032x}")
    assert resolve(deps, ident, "Paiement abandonné par l'usager.", lambda_context)["statusCode"] == 201
    assert [event.detail_type for event in deps.ledger.staged] == ["ExceptionResolved"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("comment", "field"),
    [("", "comment"), ("   ", "comment"), ("x" * 1001, "comment"), (12, "comment"), ("<b>fait</b>", "comment"),
     ("a\x00b", "comment")],
)  # fmt: skip
def test_a_bad_comment_is_400(comment: Any, field: str, clock: list[dt.datetime], lambda_context: Any) -> None:
    deps = logic.Deps(the_day(), FakeEvents())
    upload(deps, STATEMENT, lambda_context)
    answer = resolve(deps, exception_id(DAY, "pending_too_long", f"{4:032x}"), comment, lambda_context)
    assert answer["statusCode"] == 400 and json.loads(answer["body"])["invalid_params"][0]["name"] == field


def test_parse_comment() -> None:
    assert logic.parse_comment({"comment": "a < b et AT&T\nligne 2"}) == "a < b et AT&T\nligne 2"
    assert logic.parse_comment({"comment": "x" * 1000}) == "x" * 1000
    bodies: list[Any] = [[], {"comment": "ok", "by": "moi"}, None]
    for body in bodies:
        with pytest.raises(InvalidRequestError):
            logic.parse_comment(body)


# --- who may ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("claims", [SCHOOL_STAFF, {"sub": "x", "cognito:groups": "[finance-readers]"}, {}])
def test_only_the_finance_group_may(claims: dict[str, str], lambda_context: Any) -> None:
    ledger = FakeLedger()
    deps = logic.Deps(ledger, FakeEvents())
    event = {"date": "2026-11-30"}
    answers = [
        call(deps, JOURNAL, "/v1/admin/finance/journal", lambda_context, claims=claims, query=event),
        call(deps, STATEMENT_ROUTE, "/v1/admin/finance/statements/2026-11-30", lambda_context, claims=claims,
             path_parameters=event, body=STATEMENT.decode(), headers={"Content-Type": "text/csv"}),
        call(deps, RECON, "/v1/admin/finance/reconciliations/2026-11-30", lambda_context, claims=claims,
             path_parameters=event),
        call(deps, RESOLVE, f"/v1/admin/finance/reconciliations/2026-11-30/exceptions/{'0' * 32}/resolution",
             lambda_context, claims=claims, path_parameters={**event, "exception_id": "0" * 32},
             body='{"comment": "x"}'),
    ]  # fmt: skip
    assert [answer["statusCode"] for answer in answers] == [403, 403, 403, 403]
    detail = json.loads(answers[0]["body"])["detail"]
    expected = (
        "Seul le personnel des finances (groupe finance) peut consulter le journal des paiements et les rapprochements."
        if claims
        else "Cette opération demande un compte du personnel des finances."
    )
    assert detail == expected
    assert ledger.items == {}


def test_importing_the_handler_builds_nothing_and_imports_no_boto3() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    code = (
        "import os, sys\n"
        "for name in ('TABLE_NAME', 'LEDGER_TABLE_NAME', 'EVENT_BUS_NAME'): os.environ.pop(name, None)\n"
        "import payments_finance.handler as h\n"
        "assert h.dependencies._value is None\n"
        "assert 'boto3' not in sys.modules, sorted(m for m in sys.modules if m.startswith('boto'))\n"
    )
    paths = ("functions", "layers/common/python", "layers/payments/python")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(root / p) for p in paths), "POWERTOOLS_SERVICE_NAME": "t"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)


# --- the adapter, on moto -------------------------------------------------------------------------------------------
def _table(dynamodb: Any, name: str, indexes: dict[str, tuple[str, str]]) -> None:
    attributes = {"pk", "sk", *(key for pair in indexes.values() for key in pair)}
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index,
                "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"}, {"AttributeName": sk, "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index, (pk, sk) in indexes.items()
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def test_the_dynamodb_adapter_reads_what_the_rules_wrote(monkeypatch: pytest.MonkeyPatch, lambda_context: Any) -> None:
    import boto3
    from moto import mock_aws

    from payments_finance import deps as finance_deps

    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        _table(dynamodb, "debts", {"by_payer": ("gsi1pk", "gsi1sk"), "by_origin": ("gsi2pk", "gsi2sk"),
                                   "cancelled": ("gsi3pk", "gsi3sk")})  # fmt: skip
        _table(dynamodb, "ledger", {"by_payment": ("gsi1pk", "gsi1sk"), "by_idop": ("gsi2pk", "gsi2sk"),
                                    "by_day": ("gsi3pk", "gsi3sk"), "by_closed": ("gsi4pk", "gsi4sk")})  # fmt: skip
        boto3.client("events").create_event_bus(Name="bus")
        for name, value in {"TABLE_NAME": "debts", "LEDGER_TABLE_NAME": "ledger", "EVENT_BUS_NAME": "bus"}.items():
            monkeypatch.setenv(name, value)
        built = finance_deps.build()
        fake = the_day()
        for item in fake.items.values():  # the day's facts, as the payments functions wrote them
            assert built.ledger.append([item])
        dynamodb.put_item(TableName="debts", Item={"pk": {"S": "DEBT#2026#T003"}, "sk": {"S": "DEBT"},
                          "gsi3pk": {"S": "CANCELLED"}, "gsi3sk": {"S": "2026#T003"}})  # fmt: skip
        summary = logic.upload_statement(built, DAY, STATEMENT, "sub-finance-1", NOW)
        assert summary["sha256"] == hashlib.sha256(STATEMENT).hexdigest()
        assert list(built.ledger.cancelled_debts()) == [("2026", "T003")]
        assert logic.pending_attempts(built.ledger, DAY, NOW) == logic.pending_attempts(fake, DAY, NOW)
        fake_deps = logic.Deps(fake, FakeEvents())
        logic.upload_statement(fake_deps, DAY, STATEMENT, "sub-finance-1", NOW)
        assert logic.day_reconciliation(built.ledger, DAY, NOW) == logic.day_reconciliation(fake, DAY, NOW)
        ident = exception_id(DAY, "duplicate", "2026", "T007", 2)
        resolved = logic.resolve(built, DAY, ident, "Remboursé.", "sub-finance-1", NOW)
        assert resolved.resolution is not None and resolved.resolution.by == "sub-finance-1"
        assert logic.day_reconciliation(built.ledger, DAY, NOW).unresolved == 5
        staged = dynamodb.query(TableName="debts", KeyConditionExpression="pk = :p",
                                ExpressionAttributeValues={":p": {"S": "OUTBOX"}})["Items"]  # fmt: skip
        assert staged == []  # sent at once (moto's bus took it), so no longer staged


def test_the_documented_shapes_are_the_answers_field_for_field(clock: list[dt.datetime], lambda_context: Any) -> None:
    from pydantic import BaseModel

    from payments_finance import models

    def same(model: type[BaseModel], payload: dict[str, Any]) -> None:
        model.model_validate(payload)
        assert set(model.model_fields) == set(payload), model.__name__

    deps = logic.Deps(the_day(), FakeEvents())
    summary = json.loads(upload(deps, STATEMENT, lambda_context)["body"])
    same(models.FinanceStatementSummary, summary)
    journal = json.loads(call(deps, JOURNAL, "/v1/admin/finance/journal", lambda_context,
                              query={"date": "2026-11-30"})["body"])  # fmt: skip
    same(models.FinanceJournal, journal)
    same(models.FinanceJournalEntry, journal["entries"][0])
    body = json.loads(reconciliation(deps, lambda_context)["body"])
    same(models.FinanceReconciliation, body)
    same(models.FinanceReconciliationSummary, body["summary"])
    for exception in body["exceptions"]:
        same(models.FinanceException, exception)
    same(models.FinanceMatch, body["matched"][0])
    ident = body["exceptions"][0]["exception_id"]
    same(models.FinanceException, json.loads(resolve(deps, ident, "Vu.", lambda_context)["body"]))
    models.FinanceResolutionNew.model_validate({"comment": "Vu."})
