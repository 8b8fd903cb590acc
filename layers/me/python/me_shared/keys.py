"""The key layout of the `personal` table, in one place for its writers and readers (no I/O, no boto3).

    pk = USER#<sub>             sk = LAYOUT | SUBSCRIPTIONS | DEVICE#<id> | NOTE#... | DUE#...   the user's items
    pk = TOPIC#<kind>#<id>      sk = USER#<sub>   the subscribers index (`TOPIC#emergency`: no id)
    pk = TOKEN#<sha256(token)>  sk = OWNER        the one account a device token pushes to (`me_shared.devices`)
    pk = GONE#<sha256(sub)>     sk = TOMBSTONE    an erased account (`me_shared.personal`)

`<sub>` is the Cognito `sub` claim, never the e-mail; the full layout is in `functions/me/store.py` and docs/me.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from poche_common.clock import to_utc_iso

LAYOUT = "LAYOUT"
SUBSCRIPTIONS = "SUBSCRIPTIONS"
TOMBSTONE = "TOMBSTONE"
OWNER = "OWNER"
DEVICE = "DEVICE#"
NOTE = "NOTE#"
DUE = "DUE#"
PENDING = "pending"  # the tombstone's `state`: erasure requested, not finished
DONE = "done"  # ... finished
GONE_DETAIL = "Ce compte a été supprimé : reconnectez-vous avec un autre compte."
NOTE_EVENT_ID = re.compile(r"^[0-9A-Za-z_-]{1,128}\Z")


def user_pk(sub: str) -> str:
    return f"USER#{sub}"


def topic_pk(kind: str, topic_id: str | None) -> str:
    return f"TOPIC#{kind}" if topic_id is None else f"TOPIC#{kind}#{topic_id}"


def gone_pk(sub: str) -> str:
    """The tombstone's key: a digest, so that nothing of an erased account's identifier is kept."""
    return "GONE#" + hashlib.sha256(sub.encode()).hexdigest()


def owner_pk(digest: str) -> str:
    return f"TOKEN#{digest}"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def device_id_of(sub: str, token: str) -> str:
    """The device's id: a digest of the account and the token, so that registering the same token twice
    names the same item (a conditional write keeps it unique even under concurrent requests)."""
    return hashlib.sha256(f"{sub}\n{token}".encode()).hexdigest()[:32]


def due_key(pointer_sk: str, sub: str) -> tuple[str, str] | None:
    """The DUE item named by a user's pointer `DUE#<hour>#<due>#<event_id>` (None: not a pointer)."""
    parts = pointer_sk.split("#", 3)
    if len(parts) != 4 or parts[0] != "DUE" or not all(parts[1:]):
        return None
    _, hour, due, event_id = parts
    return f"{DUE}{hour}", f"{due}#{sub}#{event_id}"


def note_sk(note_id: str) -> str | None:
    """The sort key of an inbox item from its public id `<epoch seconds of occurred_at>-<event_id>` (None: not
    an id)."""
    seconds, _, event_id = note_id.partition("-")
    if not seconds.isdigit() or len(seconds) > 11 or not event_id or not NOTE_EVENT_ID.match(event_id):
        return None
    occurred = dt.datetime.fromtimestamp(int(seconds), dt.UTC)
    return f"{NOTE}{to_utc_iso(occurred)}#{event_id}"
