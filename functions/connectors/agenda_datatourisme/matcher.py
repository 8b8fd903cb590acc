"""Is a DATAtourisme event one already known from another source? A pure function (no AWS).

Rule (documented in the README): two events are the same when they are in the same commune (INSEE code), have
the same normalised title (accents, case, ligatures and punctuation folded) and at least one occurrence of each
begins within 30 minutes of the other. OpenAgenda wins (richer: status, accessibility, prices): the DATAtourisme
event is stored with `duplicate_of` and its occurrences are not indexed. Only this connector needs the matcher
(it runs after the other source's events are stored and re-checks every run), so it lives here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from agenda_shared.model import AgendaEvent

WINDOW = dt.timedelta(minutes=30)


class Candidate(NamedTuple):
    """An occurrence of another source's event, as read from the `by_commune` index."""

    event_id: str
    title: str
    begin: dt.datetime


def normalise_title(title: str) -> str:
    text = title.lower().replace("œ", "oe").replace("æ", "ae")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def find_duplicate(event: AgendaEvent, candidates: Iterable[Candidate]) -> str | None:
    """The id of the other source's event that `event` duplicates (the smallest id if several), else None.
    `candidates` must be occurrences of the event's commune; other sources only."""
    title = normalise_title(event.title)
    begins = [o.begin.astimezone(dt.UTC) for o in event.occurrences]
    found: set[str] = set()
    for candidate in candidates:
        if candidate.event_id.startswith(f"{event.source}:") or normalise_title(candidate.title) != title:
            continue
        moment = candidate.begin.astimezone(dt.UTC)
        if any(abs(moment - begin) <= WINDOW for begin in begins):
            found.add(candidate.event_id)
    return min(found) if found else None
