"""Lambda entry point of the citizen's personal API (API Gateway HTTP API, payload 2.0, citizens' JWT authorizer).

GET    /v1/me/home/layout      the saved home screen: {"tiles": [{type, params}], "updated_at"} + strong ETag
PUT    /v1/me/home/layout      replace it: If-Match (412 if not the current ETag, 428 if absent while a layout
                               exists, `*` for any); tiles checked against the tile catalogue (422 naming them)
GET    /v1/me/home             the saved tiles' content, exactly as POST /v1/home answers it
GET    /v1/me/subscriptions    topics and quiet hours
PUT    /v1/me/subscriptions    replace them (422 naming an unknown school, route or commune); the subscribers
                               index (TOPIC#...) is kept in step in the same transaction
POST   /v1/me/devices      register a device token {"platform": "fcm"|"apns", "token"}: its SNS platform
                               endpoint and a DEVICE item -> 201 + Location (200: the token was registered
                               already); the token's one owner: another account that registered it loses it
                               (`me_shared.devices`); 422 beyond 10 devices; 503 "push-unavailable" when the
                               platform has no application configured (PUSH_APPLICATIONS); 409 while another
                               account's removal of the same token runs
GET    /v1/me/devices          the devices (id, platform, created_at: never the token nor the endpoint)
DELETE /v1/me/devices/{id}     the item, and the SNS endpoint unless another account owns the token now -> 204
GET    /v1/me/notifications    the inbox, newest first (?limit=&cursor=)
POST   /v1/me/notifications/{id}/read   mark an inbox item read -> 204 (idempotent)
GET    /v1/me/export           everything held about the caller (personal items, index items, Cognito record)
DELETE /v1/me                  erase the account: the erasure is recorded first (the tombstone: from then on the
                               caller's tokens get 401 on every route) and queued, then run at once (SNS endpoints,
                               personal items, index items, deferred pushes, Cognito user) -> 204; if that run
                               fails, the queue's worker (`me_erasure`) completes it with retries. 503 only when
                               neither the run nor the queue worked: DELETE again (it repeats a pending erasure)

The caller is the `sub` claim of the token the gateway verified: never a path or body value, so a caller only
ever reaches their own partition. No e-mail, token or `sub` is ever logged. Table layout: `store.py`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from collections.abc import Mapping
from typing import Any

import boto3

from home_shared.catalogue import Catalogue
from home_shared.store import BatchReader
from me_shared.devices import Devices, EndpointError, device_id_of
from poche_common.api import JSON_CONTENT_TYPE, json_body, json_response, make_resolver, problem, query, query_limit
from poche_common.clock import to_paris_iso, to_utc_iso, utc_now
from poche_common.errors import (
    InvalidRequestError,
    NotFoundError,
    PreconditionFailedError,
    PreconditionRequiredError,
    UnauthorizedError,
    UnprocessableError,
)
from poche_common.observability import logger, metrics
from poche_common.pagination import check_cursor_key, decode_cursor, encode_cursor
from poche_common.router import Response, response
from poche_common.settings import optional_int, required

from .store import (
    DEVICE,
    GONE_DETAIL,
    LAYOUT,
    NOTE,
    SUBSCRIPTIONS,
    Expectation,
    LostUpdateError,
    PersonalStore,
    note_sk,
    user_pk,
)
from .validation import (
    DEVICE_ID,
    MAX_DEVICES,
    expectation,
    parse_device,
    parse_subscriptions,
    requested_routes,
    route_problems,
    unprocessable,
    validate_layout,
)
from .views import (
    EMPTY_LAYOUT_ETAG,
    account_view,
    device_view,
    dumps,
    exported_item,
    index_items,
    layout_etag,
    layout_item,
    layout_view,
    note_view,
    subscriptions_record,
    subscriptions_view,
)

app = make_resolver()
_dynamodb = boto3.client("dynamodb")
_store = PersonalStore(_dynamodb, required("TABLE_NAME"), required("TRANSIT_TABLE"))
_catalogue = Catalogue(None, required("TILES_PARAMETER_PATH"), ttl_s=optional_int("TILES_REFRESH_SECONDS", 300))
_pool_id = required("CITIZEN_USER_POOL_ID")
_devices: Devices | None = None
# {"fcm": <platform application ARN>, "apns": <ARN>}; "{}" (or absent): push is not configured.
_push_applications: dict[str, str] = json.loads(os.environ.get("PUSH_APPLICATIONS") or "{}")
_erasure_queue = os.environ.get("ERASURE_QUEUE_URL") or ""
SUB = re.compile(r"^[0-9A-Za-z_-]{1,128}$")


@functools.cache
def _client(service: str) -> Any:
    """A boto3 client other than DynamoDB, created on first use (not at cold start), once per environment."""
    return boto3.client(service)


def cognito() -> Any:  # export, erasure
    return _client("cognito-idp")


def sns() -> Any:  # devices, erasure
    return _client("sns")


def sqs() -> Any:  # erasure
    return _client("sqs")


def devices() -> Devices:
    """Device ownership (`me_shared.devices`), built on first use with the SNS client."""
    global _devices
    if _devices is None:
        _devices = Devices(_dynamodb, sns(), _store.table)
    return _devices


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


# --- devices -------------------------------------------------------------------------------------
def _device_response(item: dict[str, Any], status: int) -> Response:
    answer = _private(device_view(item), status)
    answer["headers"]["Location"] = f"/v1/me/devices/{item['device_id']}"
    return answer


def _push_unavailable() -> Response:
    logger.info("push not configured for the platform requested")
    return problem(503, "push-unavailable", "Les notifications sur cette plateforme ne sont pas disponibles.")


@app.route("POST", "/v1/me/devices")
def register_device() -> Response:
    caller = _caller()
    body = json_body(app)
    platform, token = _validated(caller, lambda: parse_device(body))
    _store.read(caller.sub)  # 401 for an erased account
    registered = _store.devices(caller.sub)
    application = _push_applications.get(platform)
    if not application:
        return _push_unavailable()
    device_id = device_id_of(caller.sub, token)
    existing = next((d for d in registered if d["device_id"] == device_id), None)
    now = utc_now()
    if existing:
        devices().adopt(caller.sub, existing, now)  # a device registered before owner items existed
        return _device_response(existing, 200)
    if len(registered) >= MAX_DEVICES:
        raise UnprocessableError(
            f"Au plus {MAX_DEVICES} appareils par compte : retirez-en un avant d'en ajouter un autre.",
            params=[{"name": "token", "reason": f"{MAX_DEVICES} appareils sont déjà enregistrés."}],
        )
    try:
        claim = devices().claim(caller.sub, platform, application, token, now)
    except EndpointError as exc:
        logger.warning("push endpoint not created", extra={"code": exc.code})
        if exc.code == "InvalidParameter":
            raise UnprocessableError(
                "Ce jeton d'appareil est refusé par le service de notifications.",
                params=[{"name": "token", "reason": "jeton refusé"}],
            ) from None
        return _push_unavailable()
    if not claim.created:  # the same token registered by a concurrent request: its item stands
        same = next(d for d in _store.devices(caller.sub) if d["device_id"] == device_id)
        return _device_response(same, 200)
    logger.info(
        "device registered",
        extra={"platform": platform, "devices": len(registered) + 1, "taken_over": claim.detached},
    )
    metrics.add_metric("DevicesRegistered", "Count", 1)
    if claim.detached:
        metrics.add_metric("DevicesTakenOver", "Count", 1)
    return _device_response(claim.item, 201)


@app.get("/v1/me/devices")
def list_devices() -> Response:
    caller = _caller()
    now = utc_now()
    _store.read(caller.sub)
    devices = sorted(_store.devices(caller.sub), key=lambda d: (str(d["created_at"]), str(d["device_id"])))
    payload = {"items": [device_view(d) for d in devices], "next": None, "as_of": to_paris_iso(now), "stale": False}
    return _private(payload)


@app.route("DELETE", "/v1/me/devices/{device_id}")
def delete_device(device_id: str) -> Response:
    caller = _caller()
    sk = DEVICE + device_id
    device = _store.read(caller.sub, [sk] if DEVICE_ID.match(device_id) else []).items.get(sk)
    if device is None:
        raise NotFoundError("Aucun appareil de ce compte n'a cet identifiant.")
    endpoint_deleted = devices().release(caller.sub, device)
    logger.info("device removed", extra={"platform": device.get("platform"), "endpoint_deleted": endpoint_deleted})
    return response(204, "", {"Cache-Control": "no-store"})


# --- inbox ---------------------------------------------------------------------------------------
NOTES_SCOPE = "me-notifications"


@app.get("/v1/me/notifications")
def list_notifications() -> Response:
    caller = _caller()
    now = utc_now()
    limit = _validated(caller, lambda: query_limit(app, default=20, maximum=100))
    start = _validated(caller, lambda: decode_cursor(NOTES_SCOPE, query(app, "cursor")))
    if start is not None:  # a cursor never leaves the caller's inbox
        sk = start.get("sk")
        expected = {
            "pk": {"S": user_pk(caller.sub)},
            "sk": sk if isinstance(sk, dict) and str(sk.get("S", "")).startswith(NOTE) else {"S": NOTE},
        }
        _validated(caller, lambda: check_cursor_key(start, expected))
    _store.read(caller.sub)
    notes, last_key = _store.notes(caller.sub, limit, start)
    payload = {
        "items": [note_view(n) for n in notes],
        "next": encode_cursor(NOTES_SCOPE, last_key),
        "as_of": to_paris_iso(now),
        "stale": False,
    }
    return _private(payload)


@app.route("POST", "/v1/me/notifications/{note_id}/read")
def mark_read(note_id: str) -> Response:
    caller = _caller()
    sk = note_sk(note_id)
    if sk is None or not _store.mark_read(caller.sub, sk, utc_now()):
        _store.read(caller.sub)  # 401 rather than 404 for an erased account
        raise NotFoundError("Aucune notification de ce compte n'a cet identifiant.")
    return response(204, "", {"Cache-Control": "no-store"})


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
    ordered = sorted(items, key=lambda item: str(item["sk"]))
    payload = {
        "account": account_view(user),
        "home_layout": layout_view(by_sk[LAYOUT]) if LAYOUT in by_sk else None,
        "subscriptions": subscriptions_view(subscriptions) if subscriptions else None,
        "devices": [device_view(i) for i in ordered if str(i["sk"]).startswith(DEVICE)],
        "notifications": [note_view(i) for i in reversed(ordered) if str(i["sk"]).startswith(NOTE)],
        "items": [exported_item(item) for item in ordered],
        "subscriber_index": sorted(index, key=lambda item: str(item["pk"])),
        "as_of": to_paris_iso(now),
        "stale": False,
    }
    logger.info("personal data exported", extra={"items": len(items), "index_items": len(index)})
    return _private(payload)


@app.route("DELETE", "/v1/me")
def erase() -> Response:
    """Records the erasure (the tombstone, then the queue's message), then runs it at once. The run is the
    worker's (`me_shared.erasure`: every step idempotent); if it fails here, the queued message runs it again
    until it completes. A pending erasure (an earlier DELETE whose run failed) is repeated; a completed one is a
    401 like every route."""
    caller = _caller()
    if _store.erasure_state(caller.sub) == "done":
        raise UnauthorizedError(GONE_DETAIL)
    now = utc_now()
    _store.bury(caller.sub, now)  # from here every route answers 401 and no write of the account commits
    queued = _queue_erasure(caller, now)
    from me_shared.erasure import Erasure  # this route's alone: not at cold start

    try:
        outcome = Erasure(_store.personal, devices, cognito, _pool_id).run(caller.sub, caller.username, now)
    except Exception as exc:  # the queued message completes it (retries, then dead letters and an alarm)
        logger.warning("erasure not completed at once", extra={"error": type(exc).__name__, "queued": queued})
        if not queued:
            logger.error("erasure recorded but neither completed nor queued: the caller must repeat the request")
            return problem(
                503,
                "erasure-pending",
                "La suppression du compte est enregistrée mais n'a pas pu être terminée : renvoyez la demande.",
            )
        metrics.add_metric("AccountErasuresDeferred", "Count", 1)
        return response(204, "", {"Cache-Control": "no-store"})
    logger.info("account erased", extra={"items": outcome.items, "endpoints": outcome.endpoints})
    metrics.add_metric("AccountsErased", "Count", 1)
    return response(204, "", {"Cache-Control": "no-store"})


def _queue_erasure(caller: Caller, now: dt.datetime) -> bool:
    """Queues the erasure for the worker (`me_erasure`); False when it could not be queued (logged)."""
    if not _erasure_queue:
        logger.warning("no erasure queue configured")
        return False
    message = {"sub": caller.sub, "username": caller.username, "requested_at": to_utc_iso(now)}
    try:
        sqs().send_message(QueueUrl=_erasure_queue, MessageBody=json.dumps(message))
    except Exception as exc:  # botocore errors: the run below may still complete it
        logger.warning("erasure not queued", extra={"error": type(exc).__name__})
        return False
    return True


@logger.inject_lambda_context(correlation_id_path="api")
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
