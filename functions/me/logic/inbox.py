"""The inbox: notifications newest first, with cursors that never leave the caller's inbox; marking read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from me_shared.keys import NOTE, note_sk, user_pk
from poche_common.clock import to_paris_iso
from poche_common.errors import NotFoundError
from poche_common.pagination import check_cursor_key, decode_cursor, encode_cursor

from ..ports import PersonalData
from ..views import note_view
from .caller import Caller, validated

NOTES_SCOPE = "me-notifications"


def page(
    store: PersonalData, caller: Caller, limit: Callable[[], int], cursor: str | None, now: dt.datetime
) -> dict[str, Any]:
    """One page of the inbox. `limit` reads the request's limit (400 when it is not one)."""
    size = validated(store, caller, limit)
    start = validated(store, caller, lambda: decode_cursor(NOTES_SCOPE, cursor))
    if start is not None:  # a cursor never leaves the caller's inbox
        sk = start.get("sk")
        expected = {
            "pk": {"S": user_pk(caller.sub)},
            "sk": sk if isinstance(sk, dict) and str(sk.get("S", "")).startswith(NOTE) else {"S": NOTE},
        }
        validated(store, caller, lambda: check_cursor_key(start, expected))
    store.read(caller.sub)
    notes, last_key = store.notes(caller.sub, size, start)
    return {
        "items": [note_view(n) for n in notes],
        "next": encode_cursor(NOTES_SCOPE, last_key),
        "as_of": to_paris_iso(now),
        "stale": False,
    }


def mark_read(store: PersonalData, caller: Caller, note_id: str, now: dt.datetime) -> None:
    """Marks an inbox item read (the first time is kept); 404 when the caller has no such item."""
    sk = note_sk(note_id)
    if sk is None or not store.mark_read(caller.sub, sk, now):
        store.read(caller.sub)  # 401 rather than 404 for an erased account
        raise NotFoundError("Aucune notification de ce compte n'a cet identifiant.")
