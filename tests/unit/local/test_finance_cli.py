"""`poche finance` against a fake API (http.server on 127.0.0.1, port 0): what each command sends (method, path,
token, body) and prints, and its errors (platform not running, 401, 403, a problem's detail, no token)."""

from __future__ import annotations

import argparse
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from poche_local import finance

TOKEN = "tok.en.value"
EXCEPTION_ID = "ab" * 16
PROBLEM = "application/problem+json"


class FakeApi:
    """Answers `(method, path)` with a canned (status, content type, body); records every request."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], tuple[int, str, bytes]] = {}
        self.requests: list[dict[str, Any]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                api.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "content_type": self.headers.get("Content-Type"),
                        "body": self.rfile.read(length) if length else b"",
                    }
                )
                status, content_type, body = api.answers.get((self.command, self.path), (404, PROBLEM, b"{}"))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def json(
        self, method: str, path: str, payload: Any, status: int = 200, content_type: str = "application/json"
    ) -> None:
        self.answers[(method, path)] = (status, content_type, json.dumps(payload).encode())


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi()
    thread = threading.Thread(target=fake.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()
        thread.join(timeout=5)


def poche(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="poche")
    commands = parser.add_subparsers(dest="command", required=True)
    finance.add_parser(commands)
    args = parser.parse_args(argv)
    assert args.func is finance.run
    return int(args.func(args))


def with_api(api: FakeApi, *argv: str) -> list[str]:
    return ["finance", *argv, "--url", api.url, "--token", TOKEN]


JOURNAL = {
    "date": "2026-11-30",
    "currency": "EUR",
    "count": 2,
    "total_cents": 123750,
    "products": [{"product": "CANTINE", "count": 2, "total_cents": 123750}],
    "entries": [
        {"payment_id": "1" * 32, "attempt": 1, "exer": "2026", "refdet": "T001", "objet": "Cantine",
         "product": "CANTINE", "amount_cents": 1250, "resultrans": "P", "numauto": "111111", "idop": "OP-A",
         "paid_at": "2026-11-30T09:00:00+01:00", "late": False, "duplicate": False},
        {"payment_id": "2" * 32, "attempt": 2, "exer": "2026", "refdet": "T007", "objet": "Cantine",
         "product": "CANTINE", "amount_cents": 122500, "resultrans": "P", "numauto": "", "idop": "OP-G2",
         "paid_at": "2026-11-30T12:05:00+01:00", "late": True, "duplicate": True},
    ],
}  # fmt: skip


def test_journal_prints_a_french_summary(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    api.json("GET", "/v1/admin/finance/journal?date=2026-11-30", JOURNAL)
    assert poche(with_api(api, "journal", "--date", "2026-11-30")) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Journal du 30/11/2026 : 2 paiements, 1 237,50\u00a0€",
        "  CANTINE : 2 paiements, 1 237,50\u00a0€",
        "  09:00  2026/T001  12,50\u00a0€  CANTINE  idOp OP-A",
        "  12:05  2026/T007  1 225,00\u00a0€  CANTINE  idOp OP-G2 [tardif] [double paiement]",
    ]
    assert api.requests[0]["authorization"] == f"Bearer {TOKEN}" and api.requests[0]["method"] == "GET"


def test_journal_csv_is_written_as_received(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = "\ufeffexer;refdet\r\n2026;T001\r\n".encode()
    api.answers[("GET", "/v1/admin/finance/journal?date=2026-11-30&format=csv")] = (
        200,
        "text/csv; charset=utf-8",
        data,
    )
    out = tmp_path / "journal.csv"
    assert poche(with_api(api, "journal", "--date", "2026-11-30", "--csv", str(out))) == 0
    assert out.read_bytes() == data
    assert capsys.readouterr().out == f"journal du 30/11/2026 écrit dans {out} ({len(data)} octets)\n"


def test_statement_upload_sends_the_file_and_prints_its_errors(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = "date;exer;refdet;montant\r\n30/11/2026;2026;T001;12,50\r\n".encode("cp1252")
    summary = {
        "date": "2026-11-30", "uploaded_at": "2026-11-30T23:30:00+01:00", "sha256": "0" * 64, "size_bytes": len(data),
        "columns": ["date", "exer", "refdet", "montant"], "lines": 6, "total_cents": 4550,
        "of_date": {"count": 5, "total_cents": 4450}, "other_dates": 1,
        "errors": [{"line": 8, "reason": "refdet illisible : « BAD! »"}],
    }  # fmt: skip
    api.json("PUT", "/v1/admin/finance/statements/2026-11-30", summary, status=201)
    statement = tmp_path / "releve.csv"
    statement.write_bytes(data)
    assert poche(with_api(api, "statement", "upload", "--date", "2026-11-30", str(statement))) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Relevé du 30/11/2026 enregistré : 6 lignes lues (5 du jour, 44,50\u00a0€), 1 ligne d'une autre date, 1 erreur",
        "  ligne 8 : refdet illisible : « BAD! »",
    ]
    request = api.requests[0]
    assert (request["method"], request["content_type"], request["body"]) == ("PUT", "text/csv", data)


RECONCILIATION = {
    "date": "2026-11-30",
    "summary": {
        "ledger": {"count": 5, "total_cents": 4750},
        "statement": {"count": 5, "total_cents": 4450, "errors": 1, "other_dates": 1},
        "matched": 3,
        "exceptions": {"missing_from_statement": 1, "unknown_here": 1, "amount_mismatch": 1, "duplicate": 0,
                       "pending_too_long": 0, "paid_after_cancellation": 0},
        "unresolved": 2,
    },
    "exceptions": [
        {"exception_id": "1" * 32, "kind": "missing_from_statement", "exer": "2026", "refdet": "T003",
         "amount_cents": 500, "statement_amount_cents": None, "statement_line": None, "idop": "OP-C",
         "resolved": False},
        {"exception_id": "2" * 32, "kind": "unknown_here", "exer": "2026", "refdet": "T999", "amount_cents": None,
         "statement_amount_cents": 300, "statement_line": 6, "idop": None, "resolved": True},
        {"exception_id": "3" * 32, "kind": "amount_mismatch", "exer": "2026", "refdet": "T002", "amount_cents": 2000,
         "statement_amount_cents": 1900, "statement_line": 3, "idop": "OP-B", "resolved": False},
    ],
    "statement_errors": [{"line": 8, "reason": "x"}],
    "other_dates": [{"line": 7, "date": "2026-11-29"}],
}  # fmt: skip


def test_reconcile_prints_counts_then_each_exception_to_handle(
    api: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    api.json("GET", "/v1/admin/finance/reconciliations/2026-11-30?matched=false", RECONCILIATION)
    assert poche(with_api(api, "reconcile", "--date", "2026-11-30")) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Rapprochement du 30/11/2026",
        "  Paiements reçus ici : 5 (47,50\u00a0€)",
        "  Relevé du comptable : 5 lignes du jour (44,50\u00a0€), 1 erreur, 1 ligne d'une autre date",
        "  Rapprochés : 3",
        "  Écarts : 3, dont 2 à traiter",
        "    absents du relevé (missing_from_statement) : 1",
        "    inconnus ici (unknown_here) : 1",
        "    montants différents (amount_mismatch) : 1",
        "    doubles paiements (duplicate) : 0",
        "    en attente trop longtemps (pending_too_long) : 0",
        "    payés après annulation (paid_after_cancellation) : 0",
        "Écarts à traiter :",
        f"  {'1' * 32}  missing_from_statement  2026/T003  ici 5,00\u00a0€  idOp OP-C",
        f"  {'3' * 32}  amount_mismatch  2026/T002  ici 20,00\u00a0€  relevé 19,00\u00a0€  ligne 3  idOp OP-B",
    ]


def test_reconcile_json_prints_the_whole_answer(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    api.json("GET", "/v1/admin/finance/reconciliations/2026-11-30", RECONCILIATION)
    assert poche(with_api(api, "reconcile", "--date", "2026-11-30", "--json")) == 0
    assert json.loads(capsys.readouterr().out) == RECONCILIATION


def test_resolve_sends_the_comment(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    path = f"/v1/admin/finance/reconciliations/2026-11-30/exceptions/{EXCEPTION_ID}/resolution"
    shown = {"exception_id": EXCEPTION_ID, "kind": "unknown_here", "exer": "2026", "refdet": "T999", "resolved": True}
    api.json("POST", path, shown, status=201)
    argv = with_api(api, "resolve", "--date", "2026-11-30", EXCEPTION_ID, "--comment", "Recette d'une autre régie")
    assert poche(argv) == 0
    assert capsys.readouterr().out == f"Écart {EXCEPTION_ID} (unknown_here, 2026/T999) marqué traité.\n"
    request = api.requests[0]
    assert (request["method"], request["content_type"]) == ("POST", "application/json")
    assert json.loads(request["body"]) == {"comment": "Recette d'une autre régie"}


def test_a_problem_prints_its_detail_and_exits_1(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    detail = "Aucun relevé du comptable n'a été envoyé pour le 30/11/2026."
    api.json("GET", "/v1/admin/finance/reconciliations/2026-11-30?matched=false",
             {"type": "urn:poche:problem:not-found", "title": "Not Found", "status": 404, "detail": detail},
             status=404, content_type=PROBLEM)  # fmt: skip
    assert poche(with_api(api, "reconcile", "--date", "2026-11-30")) == 1
    assert capsys.readouterr().err == f"poche finance: {detail} (404)\n"


def test_a_bad_request_names_the_field(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    empty = "Le commentaire est vide."
    problem = {"status": 400, "detail": empty, "invalid_params": [{"name": "comment", "reason": empty}]}
    path = f"/v1/admin/finance/reconciliations/2026-11-30/exceptions/{EXCEPTION_ID}/resolution"
    api.json("POST", path, problem, status=400, content_type=PROBLEM)
    assert poche(with_api(api, "resolve", "--date", "2026-11-30", EXCEPTION_ID, "--comment", " ")) == 1
    assert capsys.readouterr().err == "poche finance: Le commentaire est vide. (400)\n"


def test_403_says_which_group_is_needed(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    detail = (
        "Seul le personnel des finances (groupe finance) peut consulter le journal des paiements et les rapprochements."
    )
    api.json("GET", "/v1/admin/finance/journal?date=2026-11-30", {"status": 403, "detail": detail}, status=403,
             content_type=PROBLEM)  # fmt: skip
    assert poche(with_api(api, "journal", "--date", "2026-11-30")) == 2
    assert capsys.readouterr().err == (
        f"poche finance: forbidden (403): {detail}\n"
        f"these routes need a staff account in the `finance` group; {finance.GROUP_HINT}\n"
    )


def test_401_says_the_token_was_refused(api: FakeApi, capsys: pytest.CaptureFixture[str]) -> None:
    api.json("GET", "/v1/admin/finance/journal?date=2026-11-30", {"message": "Unauthorized"}, status=401)
    assert poche(with_api(api, "journal", "--date", "2026-11-30")) == 2
    assert capsys.readouterr().err == (
        "poche finance: the token was refused (401: missing, forged or expired; tokens last 1 hour); "
        f"{finance.GROUP_HINT}\n"
    )


def test_the_platform_not_running(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    assert poche(["finance", "journal", "--date", "2026-11-30", "--url", url, "--token", TOKEN]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"poche finance: cannot reach the API at {url} (")
    assert error.endswith(
        "): is the local platform running? Start it with `make run` (or `poche run`), or give another address with "
        "--url / $POCHE_URL\n"
    )


def test_url_and_token_default_to_the_environment(
    api: FakeApi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POCHE_URL", api.url)
    monkeypatch.setenv("POCHE_TOKEN", "from-env")
    api.json("GET", "/v1/admin/finance/journal?date=2026-11-30", {**JOURNAL, "count": 0, "products": [], "entries": []})
    assert poche(["finance", "journal", "--date", "2026-11-30"]) == 0
    assert api.requests[0]["authorization"] == "Bearer from-env"
    monkeypatch.delenv("POCHE_TOKEN")
    assert poche(["finance", "journal", "--date", "2026-11-30"]) == 2
    assert capsys.readouterr().err == (
        "poche finance: no token: the finance routes need a staff ID token of the `finance` group; "
        f"{finance.GROUP_HINT}\n"
    )


def test_a_bad_date_or_missing_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        poche(["finance", "journal", "--date", "30/11/2026", "--token", TOKEN])
    assert exited.value.code == 2 and "'30/11/2026' is not a date YYYY-MM-DD" in capsys.readouterr().err
    missing = tmp_path / "absent.csv"
    argv = ["finance", "statement", "upload", "--date", "2026-11-30", str(missing), "--token", TOKEN]
    assert poche(argv) == 2
    assert capsys.readouterr().err == f"poche finance: cannot read {missing}: No such file or directory\n"
