"""Devices: registering a token (its SNS endpoint, one owner per token), listing, removing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from me_shared.keys import DEVICE, device_id_of
from me_shared.ports import DeviceRegistry, EndpointError
from poche_common.clock import to_paris_iso
from poche_common.errors import NotFoundError, UnprocessableError
from poche_common.observability import logger, metrics

from ..ports import Item, PersonalData
from ..validation import DEVICE_ID, MAX_DEVICES, parse_device
from ..views import device_view
from .caller import Caller, validated

PUSH_UNAVAILABLE = "Les notifications sur cette plateforme ne sont pas disponibles."


class PushUnavailableError(Exception):
    """No push on this platform (no application configured, or SNS failing): 503 `push-unavailable`."""


@dataclass(frozen=True)
class Registered:
    item: Item  # the DEVICE item
    created: bool  # False: the token was registered already (200 rather than 201)


def register(
    store: PersonalData,
    devices: DeviceRegistry,
    applications: Mapping[str, str],
    caller: Caller,
    body: Any,
    now: dt.datetime,
) -> Registered:
    """Registers a device token: its SNS platform endpoint and DEVICE item; the token's one owner (another account
    that registered it loses it); 422 beyond `MAX_DEVICES` or for a token SNS refuses; 409 while another account's
    removal of the same token runs; PushUnavailableError without an application for the platform."""
    platform, token = validated(store, caller, lambda: parse_device(body))
    store.read(caller.sub)  # 401 for an erased account
    registered = store.devices(caller.sub)
    application = applications.get(platform)
    if not application:
        logger.info("push not configured for the platform requested")
        raise PushUnavailableError(PUSH_UNAVAILABLE)
    device_id = device_id_of(caller.sub, token)
    existing = next((d for d in registered if d["device_id"] == device_id), None)
    if existing:
        devices.adopt(caller.sub, existing, now)  # a device registered before owner items existed
        return Registered(existing, created=False)
    if len(registered) >= MAX_DEVICES:
        raise UnprocessableError(
            f"Au plus {MAX_DEVICES} appareils par compte : retirez-en un avant d'en ajouter un autre.",
            params=[{"name": "token", "reason": f"{MAX_DEVICES} appareils sont déjà enregistrés."}],
        )
    try:
        claim = devices.claim(caller.sub, platform, application, token, now)
    except EndpointError as exc:
        logger.warning("push endpoint not created", extra={"code": exc.code})
        if exc.code == "InvalidParameter":
            raise UnprocessableError(
                "Ce jeton d'appareil est refusé par le service de notifications.",
                params=[{"name": "token", "reason": "jeton refusé"}],
            ) from None
        logger.info("push not configured for the platform requested")
        raise PushUnavailableError(PUSH_UNAVAILABLE) from None
    if not claim.created:  # the same token registered by a concurrent request: its item stands
        same = next(d for d in store.devices(caller.sub) if d["device_id"] == device_id)
        return Registered(same, created=False)
    logger.info(
        "device registered",
        extra={"platform": platform, "devices": len(registered) + 1, "taken_over": claim.detached},
    )
    metrics.add_metric("DevicesRegistered", "Count", 1)
    if claim.detached:
        metrics.add_metric("DevicesTakenOver", "Count", 1)
    return Registered(claim.item, created=True)


def listed(store: PersonalData, caller: Caller, now: dt.datetime) -> dict[str, Any]:
    """The devices, oldest first (id, platform, created_at: never the token nor the endpoint)."""
    store.read(caller.sub)
    found = sorted(store.devices(caller.sub), key=lambda d: (str(d["created_at"]), str(d["device_id"])))
    return {"items": [device_view(d) for d in found], "next": None, "as_of": to_paris_iso(now), "stale": False}


def remove(store: PersonalData, devices: DeviceRegistry, caller: Caller, device_id: str) -> None:
    """Removes the device, and its SNS endpoint unless another account owns the token now (404: not the
    caller's)."""
    sk = DEVICE + device_id
    device = store.read(caller.sub, [sk] if DEVICE_ID.match(device_id) else []).items.get(sk)
    if device is None:
        raise NotFoundError("Aucun appareil de ce compte n'a cet identifiant.")
    endpoint_deleted = devices.release(caller.sub, device)
    logger.info("device removed", extra={"platform": device.get("platform"), "endpoint_deleted": endpoint_deleted})
