"""Personal data (RGPD): the export of everything held about the caller, and the erasure of the account."""

from __future__ import annotations

import datetime as dt
from typing import Any

from me_shared.keys import DEVICE, DONE, GONE_DETAIL, LAYOUT, NOTE, SUBSCRIPTIONS
from me_shared.ports import Eraser, Identity
from poche_common.clock import to_paris_iso, to_utc_iso
from poche_common.errors import UnauthorizedError
from poche_common.observability import logger, metrics

from ..ports import PersonalData, Queue, QueueNotConfiguredError
from ..views import account_view, device_view, exported_item, layout_view, note_view, subscriptions_view
from .caller import Caller

ERASURE_PENDING = "La suppression du compte est enregistrée mais n'a pas pu être terminée : renvoyez la demande."


class ErasurePendingError(Exception):
    """The erasure is recorded but neither completed nor queued: 503 `erasure-pending`, the caller repeats it."""


def export(store: PersonalData, identity: Identity, caller: Caller, now: dt.datetime) -> dict[str, Any]:
    """Everything held about the caller: personal items, subscribers index items, the Cognito record."""
    store.read(caller.sub)  # 401 for an erased account
    items = store.partition(caller.sub)
    by_sk = {item["sk"]: item for item in items}
    subscriptions = by_sk.get(SUBSCRIPTIONS)
    index = store.index_items(caller.sub, subscriptions.get("topics", []) if subscriptions else [])
    user = identity.user(caller.username)
    ordered = sorted(items, key=lambda item: str(item["sk"]))
    logger.info("personal data exported", extra={"items": len(items), "index_items": len(index)})
    return {
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


def erase(store: PersonalData, queue: Queue, erasure: Eraser, caller: Caller, now: dt.datetime) -> None:
    """Records the erasure (the tombstone: from then on every route answers 401 and no write of the account
    commits), queues it for the worker (`me_erasure`), then runs it at once. The run is the worker's
    (`me_shared.erasure`: every step idempotent); if it fails here, the queued message runs it again until it
    completes. A pending erasure (an earlier request whose run failed) is repeated; a completed one is a 401 like
    every route. ErasurePendingError when neither the run nor the queue worked."""
    if store.erasure_state(caller.sub) == DONE:
        raise UnauthorizedError(GONE_DETAIL)
    store.bury(caller.sub, now)
    queued = _queue(queue, caller, now)
    try:
        outcome = erasure.run(caller.sub, caller.username, now)
    except Exception as exc:  # the queued message completes it (retries, then dead letters and an alarm)
        logger.warning("erasure not completed at once", extra={"error": type(exc).__name__, "queued": queued})
        if not queued:
            logger.error("erasure recorded but neither completed nor queued: the caller must repeat the request")
            raise ErasurePendingError(ERASURE_PENDING) from None
        metrics.add_metric("AccountErasuresDeferred", "Count", 1)
        return
    logger.info("account erased", extra={"items": outcome.items, "endpoints": outcome.endpoints})
    metrics.add_metric("AccountsErased", "Count", 1)


def _queue(queue: Queue, caller: Caller, now: dt.datetime) -> bool:
    """Queues the erasure for the worker; False when it could not be queued (logged)."""
    try:
        queue.send({"sub": caller.sub, "username": caller.username, "requested_at": to_utc_iso(now)})
    except QueueNotConfiguredError:
        logger.warning("no erasure queue configured")
        return False
    except Exception as exc:  # botocore errors: the run may still complete it
        logger.warning("erasure not queued", extra={"error": type(exc).__name__})
        return False
    return True
