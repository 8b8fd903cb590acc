"""`poche finance`: finance staff's routes of the running platform (or of any Poche API) from the command line.

poche finance journal --date D [--csv FILE]                the day's payments received (a summary, or the CSV)
poche finance statement upload --date D FILE              send the accountant's statement of a day (CSV)
poche finance reconcile --date D [--json]                 the day's reconciliation: counts per kind, then each
                                                          exception still to handle, one per line
poche finance resolve --date D EXCEPTION_ID --comment T   mark an exception handled

Every command takes `--url` (default $POCHE_URL or http://127.0.0.1:8000) and `--token` (default $POCHE_TOKEN): the
ID token of a staff account in the `finance` group, which `poche user create --email E --group finance` prints.
Standard library only (urllib): the command talks HTTP to the API like any client.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_URL = "http://127.0.0.1:8000"
TIMEOUT_S = 60
GROUP_HINT = (
    "`poche user create --email E --group finance` prints a token of that group; pass it with --token or $POCHE_TOKEN"
)
KIND_LABELS = {
    "missing_from_statement": "absents du relevé",
    "unknown_here": "inconnus ici",
    "amount_mismatch": "montants différents",
    "duplicate": "doubles paiements",
    "pending_too_long": "en attente trop longtemps",
    "paid_after_cancellation": "payés après annulation",
}


class FinanceCliError(Exception):
    """What went wrong, for a person; `status` is the exit status (2: nothing reached the API's rules, 1: the API
    refused the request)."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


# --- the command line -----------------------------------------------------------------------------------------------
def _date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register `finance journal|statement upload|reconcile|resolve` on the `poche` command line."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", default=None, help=f"the API's address (default $POCHE_URL or {DEFAULT_URL})")
    common.add_argument("--token", default=None, help="a finance staff ID token (default $POCHE_TOKEN)")
    common.add_argument("--date", required=True, type=_date, help="the day (Paris), YYYY-MM-DD")
    finance = commands.add_parser("finance", help="finance staff: payments journal, statements, reconciliation")
    finance.set_defaults(func=run)
    actions = finance.add_subparsers(dest="finance_command", required=True)
    journal = actions.add_parser("journal", parents=[common], help="the day's payments received")
    journal.add_argument("--csv", metavar="FILE", help="write the journal's CSV to FILE (`-`: standard output)")
    statement = actions.add_parser("statement", help="the accountant's statements")
    uploads = statement.add_subparsers(dest="statement_command", required=True)
    upload = uploads.add_parser("upload", parents=[common], help="send the accountant's statement of a day (CSV)")
    upload.add_argument("file", metavar="FILE", help="the statement (docs/finance-statement.md)")
    reconcile = actions.add_parser("reconcile", parents=[common], help="the day's reconciliation")
    reconcile.add_argument("--json", action="store_true", help="print the API's JSON answer as it is")
    resolve = actions.add_parser("resolve", parents=[common], help="mark an exception of the day handled")
    resolve.add_argument("exception_id", metavar="EXCEPTION_ID")
    resolve.add_argument("--comment", required=True, help="how it was handled (plain text, at most 1000 characters)")


def run(args: argparse.Namespace) -> int:
    """Run the `finance` command `args` names; its exit status (errors printed on standard error)."""
    try:
        client = Client(args.url or os.environ.get("POCHE_URL") or DEFAULT_URL, _token(args.token))
        command = args.finance_command
        if command == "journal":
            return journal(client, args.date, args.csv)
        if command == "statement":
            return upload(client, args.date, Path(args.file))
        if command == "reconcile":
            return reconcile(client, args.date, as_json=args.json)
        return resolve(client, args.date, args.exception_id, args.comment)
    except FinanceCliError as exc:
        print(f"poche finance: {exc}", file=sys.stderr)
        return exc.status


def _token(given: str | None) -> str:
    token = (given or os.environ.get("POCHE_TOKEN") or "").strip()
    if not token:
        raise FinanceCliError(
            f"no token: the finance routes need a staff ID token of the `finance` group; {GROUP_HINT}"
        )
    return token


# --- HTTP -----------------------------------------------------------------------------------------------------------
class Client:
    def __init__(self, url: str, token: str) -> None:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise FinanceCliError(f"--url {url!r} is not an http(s) address")
        self.url = url.rstrip("/")
        self.token = token

    def call(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[dict[str, str], bytes]:
        """The answer's headers (lower-case names) and body; FinanceCliError for anything but a 2xx."""
        request = urllib.request.Request(  # noqa: S310 (an http(s) URL: checked in __init__)
            self.url + path,
            data=body,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:  # noqa: S310 (http(s) URL of the API)
                return {k.lower(): v for k, v in answer.headers.items()}, answer.read()
        except urllib.error.HTTPError as exc:
            raise _refused(exc.code, exc.read()) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FinanceCliError(
                f"cannot reach the API at {self.url} ({reason}): is the local platform running? Start it with "
                "`make run` (or `poche run`), or give another address with --url / $POCHE_URL"
            ) from None

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        _, body = self.call(method, path, **kwargs)
        try:
            return json.loads(body)
        except ValueError:
            raise FinanceCliError(f"the API's answer to {method} {path} is not JSON") from None


def _problem_detail(body: bytes) -> str:
    try:
        problem = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace").strip()[:300]
    if not isinstance(problem, dict):
        return str(problem)[:300]
    detail = str(problem.get("detail") or problem.get("message") or problem.get("title") or "")
    for param in problem.get("invalid_params") or []:
        if isinstance(param, dict) and param.get("reason") and param.get("reason") != detail:
            detail += f"\n  {param.get('name')}: {param.get('reason')}"
    return detail


def _refused(status: int, body: bytes) -> FinanceCliError:
    detail = _problem_detail(body)
    if status == 401:
        return FinanceCliError(
            f"the token was refused (401: missing, forged or expired; tokens last 1 hour); {GROUP_HINT}"
        )
    if status == 403:
        return FinanceCliError(
            f"forbidden (403): {detail}\nthese routes need a staff account in the `finance` group; {GROUP_HINT}"
        )
    if 400 <= status < 500:
        return FinanceCliError(f"{detail} ({status})", status=1)
    return FinanceCliError(f"the API failed ({status}): {detail}", status=1)


# --- French output --------------------------------------------------------------------------------------------------
def euros(cents: int | None) -> str:
    """1 234,50 € for 123450 (a no-break space before the euro sign)."""
    if cents is None:
        return "-"
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", " ") + f",{rest:02d}\u00a0€"


def french_day(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def journal(client: Client, day: str, csv_file: str | None) -> int:
    if csv_file is not None:
        _, data = client.call("GET", f"/v1/admin/finance/journal?date={day}&format=csv", headers={"Accept": "text/csv"})
        if csv_file == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            Path(csv_file).write_bytes(data)
            print(f"journal du {french_day(day)} écrit dans {csv_file} ({plural(len(data), 'octet')})")
        return 0
    answer = client.json("GET", f"/v1/admin/finance/journal?date={day}")
    print(f"Journal du {french_day(day)} : {plural(answer['count'], 'paiement')}, {euros(answer['total_cents'])}")
    for total in answer["products"]:
        print(
            f"  {total['product'] or '(sans code)'} : {plural(total['count'], 'paiement')}, "
            f"{euros(total['total_cents'])}"
        )
    for entry in answer["entries"]:
        flags = "".join((" [tardif]" if entry["late"] else "", " [double paiement]" if entry["duplicate"] else ""))
        print(
            f"  {entry['paid_at'][11:16]}  {entry['exer']}/{entry['refdet']}  {euros(entry['amount_cents'])}  "
            f"{entry['product']}  idOp {entry['idop']}{flags}"
        )
    return 0


def upload(client: Client, day: str, path: Path) -> int:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FinanceCliError(f"cannot read {path}: {exc.strerror}") from None
    answer = client.json("PUT", f"/v1/admin/finance/statements/{day}", body=data, headers={"Content-Type": "text/csv"})
    of_date = answer["of_date"]
    print(
        f"Relevé du {french_day(day)} enregistré : {plural(answer['lines'], 'ligne lue', 'lignes lues')} "
        f"({of_date['count']} du jour, {euros(of_date['total_cents'])}), "
        f"{plural(answer['other_dates'], 'ligne')} d'une autre date, {plural(len(answer['errors']), 'erreur')}"
    )
    for error in answer["errors"]:
        print(f"  ligne {error['line']} : {error['reason']}")
    return 0


def _exception_line(exception: dict[str, Any]) -> str:
    parts = [exception["exception_id"], exception["kind"], f"{exception['exer']}/{exception['refdet']}"]
    if exception.get("amount_cents") is not None:
        parts.append(f"ici {euros(exception['amount_cents'])}")
    if exception.get("statement_amount_cents") is not None:
        parts.append(f"relevé {euros(exception['statement_amount_cents'])}")
    if exception.get("statement_line") is not None:
        parts.append(f"ligne {exception['statement_line']}")
    if exception.get("idop"):
        parts.append(f"idOp {exception['idop']}")
    return "  " + "  ".join(parts)


def reconcile(client: Client, day: str, *, as_json: bool) -> int:
    answer = client.json("GET", f"/v1/admin/finance/reconciliations/{day}" + ("" if as_json else "?matched=false"))
    if as_json:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
        return 0
    summary = answer["summary"]
    ledger, statement = summary["ledger"], summary["statement"]
    print(f"Rapprochement du {french_day(day)}")
    print(f"  Paiements reçus ici : {ledger['count']} ({euros(ledger['total_cents'])})")
    print(
        f"  Relevé du comptable : {plural(statement['count'], 'ligne')} du jour ({euros(statement['total_cents'])}), "
        f"{plural(statement['errors'], 'erreur')}, {plural(statement['other_dates'], 'ligne')} d'une autre date"
    )
    print(f"  Rapprochés : {summary['matched']}")
    total = sum(summary["exceptions"].values())
    print(f"  Écarts : {total}, dont {summary['unresolved']} à traiter")
    for kind, count in summary["exceptions"].items():
        print(f"    {KIND_LABELS.get(kind, kind)} ({kind}) : {count}")
    unresolved = [exception for exception in answer["exceptions"] if not exception["resolved"]]
    if unresolved:
        print("Écarts à traiter :")
        for exception in unresolved:
            print(_exception_line(exception))
    return 0


def resolve(client: Client, day: str, exception_id: str, comment: str) -> int:
    body = json.dumps({"comment": comment}, ensure_ascii=False).encode("utf-8")
    path = f"/v1/admin/finance/reconciliations/{day}/exceptions/{urllib.parse.quote(exception_id, safe='')}/resolution"
    answer = client.json("POST", path, body=body, headers={"Content-Type": "application/json"})
    print(f"Écart {answer['exception_id']} ({answer['kind']}, {answer['exer']}/{answer['refdet']}) marqué traité.")
    return 0
