"""The schools service's rules: pages of the reference schools, a school's current notices and their freshness.

Pure: no boto3, no environment; the clock is the `now` given and the notices' reader any `NoticeReader` (the
DynamoDB adapter is `store.DynamoNoticeReader`, unit tests pass an in-memory fake). The schools themselves are
reference data shipped in the common layer (`poche_common.schools`). Each function returns the JSON payload of
one route.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from poche_common import schools
from poche_common.clock import freshness, to_paris_iso
from poche_common.errors import InvalidRequestError
from poche_common.pagination import decode_cursor, encode_cursor

Item = dict[str, Any]


class NoticeReader(Protocol):
    """The reads of the schools table the notices route needs (layout: `poche_common.schools`)."""

    def notices(self, uai: str) -> list[Item]: ...
    def fetched_at(self) -> str | None: ...


def school_list(*, commune: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    """One page of the collèges and lycées by name, of a commune or of the whole territory (never stale)."""
    scope = f"schools|{commune or ''}"
    start = decode_cursor(scope, cursor)
    found = schools.in_commune(commune) if commune else schools.all_schools()
    offset = 0
    if start is not None:
        after = start.get("after")
        position = next((i for i, s in enumerate(found) if s.uai == after), None)
        if position is None:
            raise InvalidRequestError("Le curseur de pagination ne correspond pas à cette liste.", field="cursor")
        offset = position + 1
    page = found[offset : offset + limit]
    more = offset + limit < len(found)
    return {
        "items": [schools.school_view(school) for school in page],
        "next": encode_cursor(scope, {"after": page[-1].uai}) if more and page else None,
        "as_of": to_paris_iso(schools.as_of()),
        "stale": False,
    }


def notices_freshness(now: dt.datetime, fetched_at: str | None, stale_after_s: int) -> dict[str, Any]:
    """Notices are read live from the table staff write to, so `as_of` is now; `stale` says the département's
    feed has not been read for too long (its bulk notices may be missing or out of date)."""
    return {"as_of": to_paris_iso(now), "stale": freshness(fetched_at, stale_after_s, now)["stale"]}


def notices(reader: NoticeReader, stale_after_s: int, now: dt.datetime, *, uai: str) -> dict[str, Any]:
    """A school's notices not ended at `now` (current and upcoming), by start; 404 when not a school of the
    territory."""
    school = schools.require(uai.strip().upper())
    items = schools.current_notices(reader.notices(school.uai), now)
    return {
        "school": schools.school_view(school),
        "items": [schools.notice_view(item) for item in items],
        "next": None,
        **notices_freshness(now, reader.fetched_at(), stale_after_s),
    }
