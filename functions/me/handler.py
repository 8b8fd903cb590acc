"""Lambda entry point of the citizen's personal API (API Gateway HTTP API, payload 2.0, citizens' JWT authorizer).

The twelve routes (home layout and content, subscriptions, devices, inbox, export, erasure) are described in
docs/me.md and in the OpenAPI document (`openapi.py`, `/docs`).

Routes only: each reads the request, calls one rule of `logic/` and answers; the rules say what each route does.
The home screen's rules are imported with the handler, the others by the first request that needs them (so the
cold start compiles only what the most frequent requests use).
Dependencies come from `deps.py`. The caller is the `sub` claim of the token the gateway verified, so a caller
only ever reaches their own partition. No e-mail, token or `sub` is ever logged. Table layout: `store.py`.
"""

from __future__ import annotations

import functools
from typing import Any

from poche_common.api import JSON_CONTENT_TYPE, json_body, json_response, make_resolver, problem, query, query_limit
from poche_common.observability import logger, metrics
from poche_common.router import Response, response

from .deps import dependencies
from .logic import layout
from .logic.caller import Caller
from .views import device_view, dumps, layout_etag

app = make_resolver()
NO_STORE = {"Cache-Control": "no-store"}


def _caller() -> Caller:
    return Caller.of(app.current_event.claims)


def _private(payload: dict[str, Any], status: int = 200, **headers: str) -> Response:
    return response(
        status, dumps(payload), {"Content-Type": JSON_CONTENT_TYPE, "Cache-Control": "private, no-store", **headers}
    )


# --- home layout ---------------------------------------------------------------------------------
@app.get("/v1/me/home/layout")
def get_layout() -> Response:
    return json_response(app, layout.current(dependencies.get().store, _caller()), max_age=0, private=True)


@app.route("PUT", "/v1/me/home/layout")
def put_layout() -> Response:
    d = dependencies.get()
    if_match = app.current_event.headers.get("if-match")
    view = layout.save(d.store, d.catalogue, _caller(), json_body(app), if_match, d.clock())
    return _private(view, ETag=layout_etag(view))


@app.get("/v1/me/home")
def get_home() -> Response:
    d = dependencies.get()
    home = layout.home(d.store, d.catalogue, d.tile_reader(), _caller(), d.clock())
    return response(200, dumps(home), {"Content-Type": JSON_CONTENT_TYPE, **NO_STORE})


# --- subscriptions -------------------------------------------------------------------------------
@app.get("/v1/me/subscriptions")
def get_subscriptions() -> Response:
    from .logic import subscriptions

    return json_response(app, subscriptions.current(dependencies.get().store, _caller()), max_age=0, private=True)


@app.route("PUT", "/v1/me/subscriptions")
def put_subscriptions() -> Response:
    from .logic import subscriptions

    d = dependencies.get()
    return _private(subscriptions.save(d.store, _caller(), json_body(app), d.clock()))


# --- devices -------------------------------------------------------------------------------------
@app.route("POST", "/v1/me/devices")
def register_device() -> Response:
    from .logic import devices

    d = dependencies.get()
    try:
        done = devices.register(d.store, d.devices, d.push_applications, _caller(), json_body(app), d.clock())
    except devices.PushUnavailableError as exc:
        return problem(503, "push-unavailable", str(exc))
    location = f"/v1/me/devices/{done.item['device_id']}"
    return _private(device_view(done.item), 201 if done.created else 200, Location=location)


@app.get("/v1/me/devices")
def list_devices() -> Response:
    from .logic import devices

    d = dependencies.get()
    return _private(devices.listed(d.store, _caller(), d.clock()))


@app.route("DELETE", "/v1/me/devices/{device_id}")
def delete_device(device_id: str) -> Response:
    from .logic import devices

    d = dependencies.get()
    devices.remove(d.store, d.devices, _caller(), device_id)
    return response(204, "", NO_STORE)


# --- inbox ---------------------------------------------------------------------------------------
@app.get("/v1/me/notifications")
def list_notifications() -> Response:
    from .logic import inbox

    d = dependencies.get()
    limit = functools.partial(query_limit, app, default=20, maximum=100)  # read under the 401-first rule
    return _private(inbox.page(d.store, _caller(), limit, query(app, "cursor"), d.clock()))


@app.route("POST", "/v1/me/notifications/{note_id}/read")
def mark_read(note_id: str) -> Response:
    from .logic import inbox

    d = dependencies.get()
    inbox.mark_read(d.store, _caller(), note_id, d.clock())
    return response(204, "", NO_STORE)


# --- personal data (RGPD) ------------------------------------------------------------------------
@app.get("/v1/me/export")
def export() -> Response:
    from .logic import account

    d = dependencies.get()
    return _private(account.export(d.store, d.identity, _caller(), d.clock()))


@app.route("DELETE", "/v1/me")
def erase() -> Response:
    from .logic import account

    d = dependencies.get()
    try:
        account.erase(d.store, d.erasure_queue, d.erasure, _caller(), d.clock())
    except account.ErasurePendingError as exc:
        return problem(503, "erasure-pending", str(exc))
    return response(204, "", NO_STORE)


@logger.inject_lambda_context(correlation_id_path="api")
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
