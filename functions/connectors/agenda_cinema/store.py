"""Write side of cinemas and their sessions in the agenda table (read by `functions/agenda`).

Keys (chosen not to clash with events: events live under `EVENT#`, their commune index partitions are
`COMMUNE#<insee>` and their month/catalogue ones `ALL#<YYYY-MM>` and `SOURCE#<source>`):
- `CINEMA#<cinema_id>` / `PROFILE`: `cinema_id`, `name`, `commune`; `gsi1pk=CINEMAS#<insee>` (index
  `by_commune`: the cinemas of a commune) and `gsi2pk=CINEMAS` (index `by_month`: every cinema), both with
  `gsi1sk`/`gsi2sk = <folded name>#<cinema_id>` (by name). Expires 30 days after its last session read
  (never earlier than it was).
- `CINEMA#<cinema_id>` / `SESSION#<start UTC>#<film slug>#<version>`: `film_title`, `version`, `accessibility`,
  `duration_min`, `rating`, `start` (UTC ISO); not indexed (a cinema's day is a Query of its partition);
  TTL `expires_at` 2 days after the start.
A file is authoritative for each (cinema, Paris date) it contains: that day's sessions are replaced wholesale
(sessions no longer in the file are deleted; other days untouched), except on a day with a rejected row (or
every day, when a rejected row does not say its cinema and day): there, nothing stored is deleted.
Only what differs is written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from poche_common.changes import diff, everything, nothing
from poche_common.clock import PARIS, to_utc_iso
from poche_common.dynamo import batch_write, from_item, query_all, to_item

from .parser import Cinema, Session

SESSION_TTL = dt.timedelta(days=2)
PROFILE_TTL = dt.timedelta(days=30)


def fold(text: str) -> str:
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def partition(cinema_id: str) -> str:
    return f"CINEMA#{cinema_id}"


def profile_item(cinema: Cinema, last_start: dt.datetime) -> dict[str, Any]:
    order = f"{fold(cinema.name)}#{cinema.cinema_id}"
    return {
        "pk": partition(cinema.cinema_id),
        "sk": "PROFILE",
        "cinema_id": cinema.cinema_id,
        "name": cinema.name,
        "commune": cinema.commune,
        "gsi1pk": f"CINEMAS#{cinema.commune}",
        "gsi1sk": order,
        "gsi2pk": "CINEMAS",
        "gsi2sk": order,
        "expires_at": int((last_start + PROFILE_TTL).timestamp()),
    }


def session_item(session: Session) -> dict[str, Any]:
    start = to_utc_iso(session.start)
    slug = fold(session.film_title).replace(" ", "-")[:80]
    return {
        "pk": partition(session.cinema_id),
        "sk": f"SESSION#{start}#{slug}#{session.version.lower()}",
        "film_title": session.film_title,
        "version": session.version,
        "accessibility": list(session.accessibility),
        "duration_min": session.duration_min,
        "rating": session.rating,
        "start": start,
        "expires_at": int((session.start + SESSION_TTL).timestamp()),
    }


def day_bounds(day: dt.date) -> tuple[str, str]:
    """Sort keys bracketing the sessions of one Paris day."""
    lower = dt.datetime.combine(day, dt.time(), PARIS)
    upper = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), PARIS) - dt.timedelta(seconds=1)
    return f"SESSION#{to_utc_iso(lower)}", f"SESSION#{to_utc_iso(upper)}#~"


@dataclass
class SyncResult:
    written: int = 0
    deleted: int = 0
    past: int = 0  # sessions of the file already expired (not written)
    days: dict[str, list[str]] = field(default_factory=dict)  # cinema id -> Paris dates that changed

    @property
    def changed(self) -> int:
        return self.written + self.deleted


class CinemaWriter:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def _query(self, pk: str, lower: str, upper: str) -> list[dict[str, Any]]:
        found = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
            ExpressionAttributeValues=to_item({":pk": pk, ":lo": lower, ":hi": upper}),
        )
        return [from_item(item) for item in found]

    def _profile(self, cinema_id: str) -> dict[str, Any] | None:
        response = self.client.get_item(
            TableName=self.table, Key=to_item({"pk": partition(cinema_id), "sk": "PROFILE"})
        )
        return from_item(response["Item"]) if "Item" in response else None

    def sync(
        self,
        cinemas: dict[str, Cinema],
        sessions: Iterable[Session],
        now: dt.datetime,
        unsure_days: set[tuple[str, dt.date] | None] | None = None,
        before_write: Callable[[SyncResult], None] | None = None,
    ) -> SyncResult:
        """`unsure_days`: (cinema, day) of rejected rows, None for a rejected row that says neither: their
        stored sessions are kept (added and changed sessions are still written)."""
        unsure = unsure_days or set()
        result = SyncResult()
        days: dict[tuple[str, dt.date], dict[str, dict[str, Any]]] = {}
        last: dict[str, dt.datetime] = {}
        for session in sessions:
            if session.start + SESSION_TTL <= now:
                result.past += 1
                continue
            item = session_item(session)
            days.setdefault((session.cinema_id, session.paris_date), {})[item["sk"]] = item
            last[session.cinema_id] = max(last.get(session.cinema_id, session.start), session.start)
        stored_profiles = {c: p for c in sorted(last) if (p := self._profile(c)) is not None}
        profiles = {c: profile_item(cinemas[c], last[c]) for c in sorted(last)}
        for cinema_id, stored in stored_profiles.items():  # a file of a few days never shortens a cinema's life
            wanted = profiles[cinema_id]
            wanted["expires_at"] = max(int(wanted["expires_at"]), int(stored.get("expires_at", 0)))
        requests = [
            {"PutRequest": {"Item": to_item(profiles[c])}} for c in diff(stored_profiles, profiles, nothing).puts
        ]
        result.written = len(requests)
        for (cinema_id, day), wanted_items in sorted(days.items()):
            lower, upper = day_bounds(day)
            stored_items = {item["sk"]: item for item in self._query(partition(cinema_id), lower, upper)}
            keep_all = None in unsure or (cinema_id, day) in unsure  # a rejected row of that day: nothing deleted
            found = diff(stored_items, dict(sorted(wanted_items.items())), nothing if keep_all else everything)
            requests += [{"PutRequest": {"Item": to_item(wanted_items[sk])}} for sk in found.puts]
            requests += [
                {"DeleteRequest": {"Key": to_item({"pk": partition(cinema_id), "sk": sk})}} for sk in found.deletes
            ]
            result.written += len(found.puts)
            result.deleted += len(found.deletes)
            if found:
                result.days.setdefault(cinema_id, []).append(day.isoformat())
        if before_write is not None:  # the changes are known, nothing is written yet: the run stages its event
            before_write(result)
        batch_write(self.client, self.table, requests)
        return result
