"""Issue 11 §5: online payments on `make run`, over HTTP, PayFiP played by the local twin.

Debts imported at start (`payments-debts-csv`'s sample) -> a signed-in citizen finds theirs and pays on the twin's
page -> PayFiP's notification -> the debt is settled and the receipt is in the citizen's inbox -> a finance token
gets the day's journal -> the accountant's statement is uploaded -> the reconciliation is clean. Then: a lost
notification settled by the sweeper, a notification delivered twice, a forged idOp, and a statement with a missing
and an unknown line, both reported."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from platform_support import RunningPlatform

pytestmark = pytest.mark.e2e

PARIS = ZoneInfo("Europe/Paris")
PAYER = "famille.lemarchand@example.fr"  # the payer e-mail of debts of the sample
CANTEEN = {"exer": "2026", "refdet": "T2026000412", "amount_cents": 14850}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def send(
    url: str, method: str = "GET", payload: Any = None, token: str | None = None, *, form: str | None = None
) -> tuple[int, dict[str, str], Any]:
    headers = {"Content-Type": "application/x-www-form-urlencoded" if form is not None else "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = form.encode() if form is not None else json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            status, answer, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, answer, raw = exc.code, exc.headers, exc.read()
    kind = answer.get("Content-Type", "")
    return status, {k.lower(): v for k, v in answer.items()}, json.loads(raw) if "json" in kind else raw


def user(platform: RunningPlatform, email: str, *args: str) -> str:
    created = platform.poche("user", "create", "--email", email, *args)
    assert created.returncode == 0, created.stdout + created.stderr
    return created.stdout.strip().splitlines()[-1]


def eventually(check: Any, within_s: float = 30.0) -> Any:
    deadline = time.monotonic() + within_s
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(0.3)


def status_of(base: str, payment_id: str) -> str:
    return str(send(f"{base}/v1/payments/{payment_id}")[2]["status"])


def idop_of(payment: dict[str, Any]) -> str:
    return str(urllib.parse.parse_qs(urllib.parse.urlsplit(payment["payfip_url"]).query)["idop"][0])


def finance(platform: RunningPlatform, token: str, *args: str) -> Any:
    done = platform.poche("finance", *args, "--url", platform.base_url, "--token", token)
    return done


def test_a_citizen_pays_a_bill_and_finance_staff_reconcile_the_day(platform: RunningPlatform, tmp_path: Path) -> None:
    base = platform.base_url
    citizen = user(platform, PAYER, "--citizen")
    status, _, listed = send(f"{base}/v1/me/debts", token=citizen)
    assert status == 200, listed
    assert {"exer": "2026", "refdet": "T2026000412", "status": "payable"}.items() <= next(
        d for d in listed["debts"] if d["refdet"] == "T2026000412"
    ).items()

    status, _, payment = send(f"{base}/v1/me/payments", "POST", CANTEEN, citizen)
    assert status == 201, payment
    assert payment["payfip_url"].startswith(f"{base}/payfip/tpa/paiementws.web?idop=")
    status, _, page = send(payment["payfip_url"])
    assert status == 200 and "148,50" in page.decode()  # the twin's page shows the debt's amount

    # The payer pays by card on PayFiP's page: PayFiP redirects the browser and notifies urlnotif.
    status, headers, _ = send(f"{base}/payfip/tpa/paiementws.web", "POST", form=f"idop={idop_of(payment)}&choix=P")
    assert status == 302 and headers["location"].startswith(f"{base}/v1/payments/payfip/return?")
    assert eventually(lambda: platform.logged("notification processed", within_s=0.1)), "the processor ran"
    status, _, back = send(headers["location"])
    assert status == 200 and back["status"] == "paid" and back["means"] == "card"

    def receipt() -> list[dict[str, Any]]:
        items = send(f"{base}/v1/me/notifications", token=citizen)[2]["items"]
        return [item for item in items if item["kind"] == "payment"]

    (note,) = eventually(receipt)
    assert note["title"] == "Paiement reçu" and note["url"] == f"/v1/payments/{payment['id']}"

    # Finance staff: the journal has the payment; the accountant's statement lists it: the day reconciles.
    accountant = user(platform, "comptable.e2e@example.test", "--group", "finance")
    day = dt.datetime.now(PARIS).date().isoformat()
    journal = tmp_path / "journal.csv"
    done = finance(platform, accountant, "journal", "--date", day, "--csv", str(journal))
    assert done.returncode == 0, done.stdout + done.stderr
    text = journal.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff") and "T2026000412" in text and "148,50" in text
    status, _, daily = send(f"{base}/v1/admin/finance/journal?date={day}", token=accountant)
    (entry,) = [e for e in daily["entries"] if e["payment_id"] == payment["id"]]
    statement = tmp_path / "releve.csv"
    lines = ["Date de l'opération;Exercice;Référence;Montant;IdOp"]
    for e in daily["entries"]:
        lines.append(
            f"{dt.date.fromisoformat(day):%d/%m/%Y};{e['exer']};{e['refdet']};"
            f"{e['amount_cents'] // 100},{e['amount_cents'] % 100:02d};{e['idop']}"
        )
    statement.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = finance(platform, accountant, "statement", "upload", "--date", day, str(statement))
    assert done.returncode == 0, done.stdout + done.stderr
    status, _, report = send(f"{base}/v1/admin/finance/reconciliations/{day}", token=accountant)
    assert status == 200, report
    assert report["exceptions"] == [] and entry["idop"] in {m["idop"] for m in report["matched"]}

    # A citizen may not see the journal; anonymous callers are refused by the gateway.
    assert send(f"{base}/v1/admin/finance/journal?date={day}", token=citizen)[0] == 401
    assert send(f"{base}/v1/admin/finance/journal?date={day}")[0] == 401


def test_lost_duplicated_and_forged_notifications_and_an_imperfect_statement(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    base = platform.base_url
    anonymous = {"exer": "2026", "email": "payeur.anonyme@example.org"}

    # A payment whose notification is lost: the sweeper settles it.
    lost_debt = {**anonymous, "refdet": "T2026000413", "amount_cents": 9900}
    status, _, lost = send(f"{base}/v1/payments", "POST", lost_debt)
    assert status == 201, lost
    paid = platform.poche("payfip", "pay", idop_of(lost), "--result", "V", "--no-notify", "--url", base)
    assert paid.returncode == 0, paid.stdout + paid.stderr
    swept = platform.poche("invoke", "payments-sweeper")
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert '"succeeded": 1' in swept.stdout
    assert status_of(base, lost["id"]) == "paid"

    # A notification delivered twice, and a forged idOp: one credit, nothing for the forgery.
    twice_debt = {**anonymous, "refdet": "T2026000431", "amount_cents": 16200}
    status, _, twice = send(f"{base}/v1/payments", "POST", twice_debt)
    assert status == 201, twice
    platform.poche("payfip", "pay", idop_of(twice), "--result", "P", "--url", base)
    for idop in (idop_of(twice), "forged-0000-idop"):
        status, _, ack = send(f"{base}/v1/payments/payfip/notifications", "POST", form=f"idOp={idop}")
        assert status == 200 and ack == b"OK"
    assert eventually(lambda: platform.logged("idOp the ledger does not know", within_s=0.1))
    assert status_of(base, twice["id"]) == "paid"

    # The statement lacks the lost payment and lists a receipt unknown here: both reported, once each.
    accountant = user(platform, "comptable.exceptions@example.test", "--group", "finance")
    day = dt.datetime.now(PARIS).date().isoformat()
    status, _, daily = send(f"{base}/v1/admin/finance/journal?date={day}", token=accountant)
    assert status == 200
    listed = [e for e in daily["entries"] if e["payment_id"] != lost["id"]]
    assert len(listed) == len(daily["entries"]) - 1
    when = f"{dt.date.fromisoformat(day):%d/%m/%Y}"
    lines = ["date;exer;refdet;montant;idop"]
    lines += [f"{when};{e['exer']};{e['refdet']};{e['amount_cents'] / 100:.2f};{e['idop']}" for e in listed]
    lines.append(f"{when};2026;T2099000001;12,00;")
    statement = tmp_path / "releve.csv"
    statement.write_text("\n".join(lines).replace(".", ",") + "\n", encoding="utf-8")
    done = platform.poche(
        "finance", "statement", "upload", "--date", day, str(statement), "--url", base, "--token", accountant
    )
    assert done.returncode == 0, done.stdout + done.stderr
    status, _, report = send(f"{base}/v1/admin/finance/reconciliations/{day}", token=accountant)
    kinds = sorted((x["kind"], x["refdet"]) for x in report["exceptions"] if not x["resolved"])
    assert kinds == [("missing_from_statement", "T2026000413"), ("unknown_here", "T2099000001")]
    shown = platform.poche("finance", "reconcile", "--date", day, "--url", base, "--token", accountant)
    assert shown.returncode == 0 and "T2099000001" in shown.stdout
