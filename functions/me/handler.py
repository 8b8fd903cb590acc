"""Lambda entry point of the citizen's personal API (API Gateway HTTP API, payload 2.0, citizens' JWT authorizer).

GET    /v1/me/home/layout      the saved home screen: {"tiles": [{type, params}], "updated_at"} + strong ETag
PUT    /v1/me/home/layout      replace it: If-Match (412 if not the current ETag, 428 if absent while a layout
                               exists, `*` for any); tiles checked against the tile catalogue (422 naming them)
GET    /v1/me/home             the saved tiles' content, exactly as POST /v1/home answers it
GET    /v1/me/subscriptions    topics and quiet hours
PUT    /v1/me/subscriptions    replace them (422 naming an unknown school, route or commune); the subscribers
                               index (TOPIC#...) is kept in step in the same transaction
GET    /v1/me/export           everything held about the caller (personal items, index items, Cognito record)
DELETE /v1/me                  erase the account: personal items, index items, Cognito user -> 204; afterwards
                               the caller's remaining tokens get 401 on every route (tombstone)

The caller is the `sub` claim of the token the gateway verified: never a path or body value, so a caller only
ever reaches their own partition. No e-mail, token or `sub` is ever logged. Table layout: `store.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import boto3

from home_shared.catalogue import Catalogue
from home_shared.store import BatchReader
from poche_common.api import JSON_CONTENT_TYPE, json_body, json_response, make_resolver
from poche_common.clock import to_paris_iso, utc_now
from poche_common.errors import (
    InvalidRequestError,
    PreconditionFailedError,
    PreconditionRequiredError,
    UnauthorizedError,
    UnprocessableError,
)
from poche_common.observability import logger, metrics
from poche_common.router import Response, response
from poche_common.settings import optional_int, required

from .store import LAYOUT, SUBSCRIPTIONS, Expectation, LostUpdateError, PersonalStore
from .validation import (
    expectation,
    parse_subscriptions,
    requested_routes,
    route_problems,
    unprocessable,
    validate_layout,
)
from .views import (
    EMPTY_LAYOUT_ETAG,
    account_view,
    dumps,
    index_items,
    layout_etag,
    layout_item,
    layout_view,
    subscriptions_record,
    subscriptions_view,
)

app = make_resolver()
_dynamodb = boto3.client("dynamodb")
_store = PersonalStore(_dynamodb, required("TABLE_NAME"), required("TRANSIT_TABLE"))
_catalogue = Catalogue(None, required("TILES_PARAMETER_PATH"), ttl_s=optional_int("TILES_REFRESH_SECONDS", 300))
_pool_id = required("CITIZEN_USER_POOL_ID")
_cognito: Any = None  # created on first use (export, erasure): not at cold start
SUB = re.compile(r"^[0-9A-Za-z_-]{1,128}$")


def cognito() -> Any:
    global _cognito
    if _cognito is None:
        _cognito = boto3.client("cognito-idp")
    return _cognito


class Caller:
    """Who calls, from the verified token's claims: `sub` keys the data, `cognito:username` names the
    Cognito user (the same UUID in a pool signing in by e-mail)."""

    def __init__(self, claims: Mapping[str, str]) -> None:
        sub = str(claims.get("sub") or "")
        if not SUB.match(sub):
            raise UnauthorizedError("Cette opération demande un compte citoyen connecté.")
        self.sub = sub
        username = str(claims.get("cognito:username") or "")
        self.username = username or sub


def _caller() -> Caller:
    return Caller(app.current_event.claims)


def _private(payload: dict[str, Any], status: int = 200, etag: str | None = None) -> Response:
    headers = {"Content-Type": JSON_CONTENT_TYPE, "Cache-Control": "private, no-store"}
    if etag:
        headers["ETag"] = etag
    return response(status, dumps(payload), headers)


def _validated(caller: Caller, validate: Any) -> Any:
    """Runs a validation; before refusing with 400/422, an erased account is told 401 (the validation
    itself reads nothing of the caller)."""
    try:
        return validate()
    except (InvalidRequestError, UnprocessableError):
        _store.read(caller.sub)
        raise


# --- home layout ---------------------------------------------------------------------------------
@app.get("/v1/me/home/layout")
def get_layout() -> Response:
    caller = _caller()
    view = layout_view(_store.read(caller.sub, [LAYOUT]).layout)
    return json_response(app, view, max_age=0, private=True)


@app.route("PUT", "/v1/me/home/layout")
def put_layout() -> Response:
    caller = _caller()
    body = json_body(app)
    tiles = _validated(caller, lambda: validate_layout(body, _catalogue.types()))
    expected = expectation(app.current_event.headers.get("if-match"), EMPTY_LAYOUT_ETAG)
    item = layout_item(tiles, utc_now())
    try:
        _store.put_layout(caller.sub, item, expected or Expectation(absent=True))
    except LostUpdateError:
        if expected is None:
            raise PreconditionRequiredError(
                "Un écran d'accueil est déjà enregistré : envoyez son ETag dans If-Match pour le remplacer."
            ) from None
        raise PreconditionFailedError(
            "L'écran d'accueil a changé depuis votre lecture (If-Match ne correspond plus) : relisez-le."
        ) from None
    view = layout_view(item)
    logger.info("home layout saved", extra={"tiles": len(tiles)})
    return _private(view, etag=layout_etag(view))


@app.get("/v1/me/home")
def get_home() -> Response:
    caller = _caller()
    now = utc_now()
    layout = _store.read(caller.sub, [LAYOUT]).layout
    tiles = layout_view(layout)["tiles"]
    # Imported here: composing tiles (real time merge, projections) is this route's alone; the other routes
    # do not pay for it at cold start.
    from home_shared.compose import compose

    reader = BatchReader(_dynamodb)
    answers = compose(tiles, _catalogue.types(), reader, now) if tiles else []
    logger.info("personal home composed", extra={"tiles": len(answers), "round_trips": reader.round_trips + 1})
    metrics.add_metric("HomeRoundTrips", "Count", reader.round_trips + 1)
    return response(200, dumps({"tiles": answers}), {"Content-Type": JSON_CONTENT_TYPE, "Cache-Control": "no-store"})


# --- subscriptions -------------------------------------------------------------------------------
@app.get("/v1/me/subscriptions")
def get_subscriptions() -> Response:
    caller = _caller()
    view = subscriptions_view(_store.read(caller.sub, [SUBSCRIPTIONS]).subscriptions)
    return json_response(app, view, max_age=0, private=True)


@app.route("PUT", "/v1/me/subscriptions")
def put_subscriptions() -> Response:
    caller = _caller()
    body = json_body(app)
    subscriptions, problems = _validated(caller, lambda: parse_subscriptions(body))
    # One round trip: the current subscriptions, the tombstone and the routes named.
    snapshot = _store.read(caller.sub, [SUBSCRIPTIONS], routes=requested_routes(body))
    problems += route_problems(body, snapshot.routes)
    if problems:
        raise unprocessable(sorted(problems, key=lambda p: _position(p["name"])))
    previous = snapshot.subscriptions
    record = subscriptions_record(subscriptions, _store.new_revision(), utc_now())
    put, deleted = _store.put_subscriptions(
        caller.sub,
        record,
        previous.get("revision") if previous else None,
        index_items(caller.sub, record),
        index_items(caller.sub, previous),
    )
    logger.info(
        "subscriptions saved", extra={"topics": len(subscriptions.topics), "index_put": put, "index_deleted": deleted}
    )
    return _private(subscriptions_view(record))


def _position(name: str) -> tuple[int, str]:
    found = re.match(r"^topics\[(\d+)\]", name)
    return (int(found.group(1)) if found else 1_000_000, name)


# --- personal data (RGPD) ------------------------------------------------------------------------
@app.get("/v1/me/export")
def export() -> Response:
    caller = _caller()
    now = utc_now()
    _store.read(caller.sub)  # 401 for an erased account
    items = _store.partition(caller.sub)
    by_sk = {item["sk"]: item for item in items}
    subscriptions = by_sk.get(SUBSCRIPTIONS)
    index = _store.index_items(caller.sub, subscriptions.get("topics", []) if subscriptions else [])
    try:
        user = cognito().admin_get_user(UserPoolId=_pool_id, Username=caller.username)
    except cognito().exceptions.UserNotFoundException:
        user = None
    payload = {
        "account": account_view(user),
        "home_layout": layout_view(by_sk[LAYOUT]) if LAYOUT in by_sk else None,
        "subscriptions": subscriptions_view(subscriptions) if subscriptions else None,
        "items": sorted(items, key=lambda item: str(item["sk"])),
        "subscriber_index": sorted(index, key=lambda item: str(item["pk"])),
        "as_of": to_paris_iso(now),
        "stale": False,
    }
    logger.info("personal data exported", extra={"items": len(items), "index_items": len(index)})
    return _private(payload)


@app.route("DELETE", "/v1/me")
def erase() -> Response:
    """Cognito user first (a failure leaves everything as it was: the caller can retry with the same token),
    then the items, then the tombstone, then the items again: whatever a concurrent request wrote before the
    tombstone landed is erased too, and nothing can be written after it (every write checks it)."""
    caller = _caller()
    _store.read(caller.sub)  # 401 for an erased account
    try:
        cognito().admin_delete_user(UserPoolId=_pool_id, Username=caller.username)
    except cognito().exceptions.UserNotFoundException:
        pass  # a retry after a failure past this point
    erased = _store.erase(caller.sub)
    _store.bury(caller.sub, utc_now())
    erased += _store.erase(caller.sub)
    logger.info("account erased", extra={"items": erased})
    metrics.add_metric("AccountsErased", "Count", 1)
    return response(204, "", {"Cache-Control": "no-store"})


@logger.inject_lambda_context(correlation_id_path="api")
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
