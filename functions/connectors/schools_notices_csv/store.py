"""Write side of the connector: the département's feed is authoritative for the notices it created.

Layout of the table: `poche_common.schools`. A row of the feed becomes one notice per school it targets,
`SCHOOL#<uai> / NOTICE#dep-<hash of the reference>`, with `origin = departement` and the index keys
`gsi1pk = ORIGIN#schools-notices-csv`, `gsi1sk = <reference>#<uai>` (index `by_origin`), through which a
run finds every notice the feed created with one Query, without a Scan.

Diff (`sync`): a notice whose content digest is unchanged is not written; a new or changed one is put; a
stored notice whose row left the feed, or whose school left the row's target, is deleted (withdrawn). Rows
rejected by the parser keep their stored notices, and so do rows already ended (they are not written
again: TTL removes them some days after their end).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from poche_common.changes import DELETED, diff
from poche_common.dynamo import batch_write, from_item, query_all, to_item
from poche_common.schools import ORIGIN_INDEX, notice_item

from .parser import NoticeRow, ParsedFeed

ORIGIN = "departement"


def feed_notice_id(reference: str) -> str:
    return "dep-" + hashlib.sha256(reference.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Change:
    uai: str
    notice_id: str
    reference: str
    kind: str
    starts: str
    ends: str
    change: str  # "created" | "updated" | "withdrawn"
    title: str = ""  # the notice's title, what people are told

    def as_fact(self) -> dict[str, str]:
        return {
            "uai": self.uai,
            "notice_id": self.notice_id,
            "reference": self.reference,
            "kind": self.kind,
            "title": self.title,
            "starts": self.starts,
            "ends": self.ends,
            "change": self.change,
        }


class FeedNoticeWriter:
    def __init__(self, client: Any, table: str, connector: str) -> None:
        self.client = client
        self.table = table
        self.connector = connector

    def stored(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(reference, uai) -> the stored notice, for every notice this feed created (Query on the index)."""
        found = query_all(
            self.client,
            TableName=self.table,
            IndexName=ORIGIN_INDEX,
            KeyConditionExpression="gsi1pk = :origin",
            ExpressionAttributeValues=to_item({":origin": f"ORIGIN#{self.connector}"}),
        )
        return {(item["reference"], item["uai"]): item for item in map(from_item, found)}

    def item(self, row: NoticeRow, uai: str, now: dt.datetime) -> dict[str, Any]:
        return notice_item(
            uai=uai,
            notice_id=feed_notice_id(row.reference),
            kind=row.kind,
            title=row.title,
            body=row.body,
            starts=row.starts,
            ends=row.ends,
            origin=ORIGIN,
            updated_at=now,
            connector=self.connector,
            reference=row.reference,
        )

    def sync(
        self, feed: ParsedFeed, now: dt.datetime, before_write: Callable[[list[Change]], None] | None = None
    ) -> list[Change]:
        """Write what differs from the store; return the changes in a stable order. `before_write(changes)` is
        called once the changes are known, before anything is written (the run stages its events there)."""
        stored = self.stored()
        kept = set(feed.rejected_references)
        wanted: dict[tuple[str, str], dict[str, Any]] = {}
        for row in feed.rows:
            if row.ends <= now:
                kept.add(row.reference)  # over: not written again, left to expire
                continue
            for uai in row.uais:
                wanted[(row.reference, uai)] = self.item(row, uai, now)
        found = diff(
            {key: item.get("digest") for key, item in stored.items()},
            {key: wanted[key]["digest"] for key in sorted(wanted)},
            lambda key: key[0] not in kept,  # rejected and ended rows keep their notices
        )
        requests = [{"PutRequest": {"Item": to_item(wanted[key])}} for key in found.puts]
        requests += [
            {"DeleteRequest": {"Key": to_item({"pk": stored[key]["pk"], "sk": stored[key]["sk"]})}}
            for key in found.deletes
        ]
        changes = [
            _change(stored[key], "withdrawn") if change == DELETED else _change(wanted[key], change)
            for key, change in found.changes
        ]
        if before_write is not None:
            before_write(changes)
        batch_write(self.client, self.table, requests)
        return changes


def _change(item: dict[str, Any], change: str) -> Change:
    return Change(
        item["uai"],
        item["id"],
        item["reference"],
        item["kind"],
        item["starts"],
        item["ends"],
        change,
        str(item.get("title") or ""),
    )
