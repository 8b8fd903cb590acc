"""Lambda entry point of the payments service (API Gateway HTTP API, payload 2.0): the routes.

GET  /v1/payments/debts/{refdet}?exer=&amount=   a debt, by its reference and amount (anonymous, throttled)
POST /v1/payments                                start paying a debt (anonymous payer: `email` for PayFiP's ticket)
GET  /v1/payments/{payment_id}                   a payment's status (re-checks PayFiP while pending)
GET  /v1/payments/payfip/return?idop=            the same, where PayFiP sends the browser back (`urlredirect`)
GET  /v1/me/debts                                the signed-in citizen's debts (their verified e-mail)
POST /v1/me/payments                             start paying as the signed-in citizen (receipt in their inbox)

The rules are `logic`; the adapters (ledger, PayFiP) are built by `deps` on the first request. Nothing about the
payer is logged (no e-mail, no address, no `sub`).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from payments_shared.keys import EXER, IDOP, PAYMENT_ID, REFDET
from poche_common.api import json_body, make_resolver, query
from poche_common.clock import utc_now
from poche_common.errors import ForbiddenError, InvalidRequestError
from poche_common.observability import logger, metrics
from poche_common.router import Response

from . import logic
from .deps import dependencies
from .policy import MAX_EMAIL_LENGTH

# Every domain label starts and ends with a letter or digit: what payfip.PaymentRequest accepts (else a 500 after
# the attempt is reserved, and the debt locked for 20 minutes).
EMAIL = re.compile(r"[^@\s\x00-\x1f]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
MAX_CENTS = 100_000_000

app = make_resolver()


def _private(payload: dict[str, Any], status: int = 200) -> Response:
    import json

    from poche_common.api import JSON_CONTENT_TYPE
    from poche_common.router import response

    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return response(status, body, {"Content-Type": JSON_CONTENT_TYPE, "Cache-Control": "private, no-store"})


def _text(value: Any, name: str, pattern: re.Pattern[str], what: str) -> str:
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not pattern.fullmatch(text):
        raise InvalidRequestError(f"`{name}` : {what}.", field=name)
    return text


def _cents(value: Any, name: str) -> int:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,12}", value.strip()):  # not str.isdigit: "²" is a digit
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_CENTS:
        raise InvalidRequestError(f"`{name}` : le montant en centimes, un entier (12,50 € s'écrit 1250).", field=name)
    return value


def _caller() -> str:
    context = app.current_event.event.get("requestContext", {})
    return str(context.get("http", {}).get("sourceIp") or "unknown")


def _debt_fields(body: Any) -> tuple[str, str, int]:
    if not isinstance(body, dict):
        raise InvalidRequestError("Le corps doit être un objet JSON.", field="body")
    exer = _text(body.get("exer"), "exer", EXER, "l'année de la créance (ex. 2026)")
    refdet = _text(body.get("refdet"), "refdet", REFDET, "la référence de la créance (lettres et chiffres, 30 au plus)")
    return exer, refdet, _cents(body.get("amount_cents"), "amount_cents")


@app.route("GET", "/v1/payments/debts/{refdet}")
def find_debt(refdet: str) -> Response:
    now = utc_now()
    deps = dependencies.get()
    deps.throttle(_caller(), now)
    exer = _text(query(app, "exer"), "exer", EXER, "l'année de la créance (ex. 2026)")
    refdet = _text(refdet, "refdet", REFDET, "la référence de la créance (lettres et chiffres, 30 au plus)")
    amount = _cents(query(app, "amount"), "amount")
    return _private(logic.find_debt(deps, exer, refdet, amount, now))


@app.route("POST", "/v1/payments")
def start_payment() -> Response:
    now = utc_now()
    deps = dependencies.get()
    deps.throttle(_caller(), now)
    body = json_body(app)
    exer, refdet, amount = _debt_fields(body)
    email = body.get("email")
    if not isinstance(email, str) or len(email) > MAX_EMAIL_LENGTH or not EMAIL.fullmatch(email.strip()):
        raise InvalidRequestError("`email` : l'adresse où PayFiP enverra le ticket de paiement.", field="email")
    payment = logic.start(deps, exer, refdet, amount, email.strip(), None, uuid.uuid4().hex, now)
    metrics.add_metric(name="PaymentsStarted", unit="Count", value=1)
    return _private(payment, 201)


@app.route("GET", "/v1/payments/payfip/return")
def payfip_return() -> Response:
    deps = dependencies.get()
    idop = _text(query(app, "idop") or query(app, "idOp"), "idop", IDOP, "l'identifiant d'opération PayFiP")
    return _private(logic.status(deps, deps.store.by_idop(idop), utc_now()))


@app.route("GET", "/v1/payments/{payment_id}")
def payment_status(payment_id: str) -> Response:
    deps = dependencies.get()
    payment_id = _text(payment_id, "payment_id", PAYMENT_ID, "l'identifiant du paiement")
    return _private(logic.status(deps, deps.store.by_payment(payment_id), utc_now()))


def _verified_email() -> str:
    claims = app.current_event.claims
    email = claims.get("email", "").strip()
    if not email or claims.get("email_verified") != "true":
        raise ForbiddenError("Votre adresse e-mail n'est pas vérifiée : vos créances ne peuvent pas être retrouvées.")
    return email


@app.route("GET", "/v1/me/debts")
def my_debts() -> Response:
    return _private(logic.payer_debts(dependencies.get(), _verified_email(), utc_now()))


@app.route("POST", "/v1/me/payments")
def start_my_payment() -> Response:
    now = utc_now()
    deps = dependencies.get()
    sub = app.current_event.claims.get("sub", "")
    deps.throttle(f"sub:{sub}", now)
    exer, refdet, amount = _debt_fields(json_body(app))
    payment = logic.start(deps, exer, refdet, amount, _verified_email(), sub or None, uuid.uuid4().hex, now)
    metrics.add_metric(name="PaymentsStarted", unit="Count", value=1)
    return _private(payment, 201)


@logger.inject_lambda_context(correlation_id_path="api")
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
