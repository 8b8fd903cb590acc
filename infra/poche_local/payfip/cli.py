"""`poche payfip pay <idOp> --result P|V|R|Z|A [--no-notify] [--url http://127.0.0.1:8000]`: play the payer on the
local PayFiP twin of a running platform, without a browser (demos, end-to-end scripts, "lost notification" runs
with `--no-notify`). It calls the twin's control endpoint, which records the choice exactly as the payment page's
buttons do.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

RESULTS = {
    "P": "paid by card",
    "V": "paid by one-off debit",
    "R": "card refused",
    "Z": "debit refused",
    "A": "cancelled",
}


def _default_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('POCHE_PORT', '8000')}"


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register `payfip pay` on the `poche` command line."""
    payfip = commands.add_parser("payfip", help="the local PayFiP twin: play the payer of an idOp")
    actions = payfip.add_subparsers(dest="payfip_command", required=True)
    pay = actions.add_parser("pay", help="record the payer's choice for an idOp, as the payment page does")
    pay.add_argument("idop", help="the idOp returned by creerPaiementSecurise")
    pay.add_argument(
        "--result",
        required=True,
        choices=sorted(RESULTS),
        help="P paid by card, V paid by debit, R card refused, Z debit refused, A cancelled",
    )
    pay.add_argument("--no-notify", action="store_true", help="record the result without notifying urlnotif")
    pay.add_argument(
        "--url", default=_default_url(), help="the running platform (default http://127.0.0.1:$POCHE_PORT)"
    )
    pay.set_defaults(func=run)


def _fail(text: str) -> int:
    print(f"poche payfip: {text}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Call the twin's control endpoint; 0 when the choice is recorded, 2 with a clear message otherwise."""
    if urlsplit(str(args.url)).scheme not in ("http", "https"):
        return _fail(f"--url must be an http(s) URL, got {args.url!r}")
    url = str(args.url).rstrip("/") + "/payfip/_control/pay"
    payload = json.dumps({"idop": args.idop, "result": args.result, "notify": not args.no_notify}).encode()
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=payload, method="POST", headers=headers)  # noqa: S310 (local http)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (http(s) checked above)
            status, body = response.status, response.read(65536)
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read(65536)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return _fail(f"the local platform is not running at {args.url} ({reason}): start it with `make run`")
    try:
        answer: Any = json.loads(body or b"{}")
    except ValueError:
        answer = {}
    message = answer.get("error") if isinstance(answer, dict) else None
    if status == 404 and message is None:
        return _fail(f"{args.url} has no PayFiP twin (HTTP 404): is it the local platform?")
    if status == 404:
        return _fail(f"unknown idOp {args.idop!r} ({message})")
    if status != 200 or not isinstance(answer, dict):
        return _fail(f"the twin refused: {message or f'HTTP {status}'}")
    notified = "notification sent to urlnotif" if answer.get("notified") else "no notification (--no-notify)"
    print(f"{args.idop}: {args.result} ({RESULTS[args.result]}), {notified}")
    print(f"browser return: {answer.get('redirect', '')}")
    return 0
