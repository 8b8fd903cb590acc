"""The DynamoDB adapter of the news service's reader port (`logic.NewsReader`); layout in `news_shared.keys`.

A commune's list merges two Queries of the `by_tag` index, newest first: `TAG#general` and
`TAG#<insee>`. An article tagged both appears in both with the same sort key: it is shown once. The
cursor holds each stream's position: the index key of the last entry taken from it, `null` when nothing
was taken from it yet, or `"end"`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from news_shared.keys import CONNECTOR, tag_key
from news_shared.store import newest
from poche_common import feeds
from poche_common.dynamo import from_item
from poche_common.errors import InvalidRequestError
from poche_common.pagination import check_cursor_key

END = "end"
_KEY = ("pk", "sk", "gsi1pk", "gsi1sk")
_BAD = "Le curseur de pagination est invalide ou ne correspond pas à cette requête ; recommencez sans curseur."


@dataclass
class _Stream:
    tag: str
    position: dict[str, Any] | None  # ExclusiveStartKey; None: from the newest
    ended: bool = False


class DynamoNewsReader:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def _query(self, stream: _Stream, limit: int) -> tuple[list[dict[str, Any]], bool]:
        """Up to `limit` raw entries after the stream's position, newest first; and whether more may follow."""
        return newest(self.client, self.table, stream.tag, limit, stream.position)

    def page(
        self, tags: list[str], limit: int, positions: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of the articles of `tags`, newest first, each once; and the positions to continue from
        (None when every stream is exhausted)."""
        if positions is not None and set(positions) != set(tags):
            raise InvalidRequestError(_BAD, field="cursor")
        streams = [self._stream(tag, positions) for tag in tags]
        candidates: list[tuple[str, int, dict[str, Any]]] = []  # (sort key, stream index, raw entry)
        more: dict[int, bool] = {}
        for index, stream in enumerate(streams):
            if stream.ended:
                continue
            raw, more[index] = self._query(stream, limit)
            candidates += [(entry["gsi1sk"]["S"], index, entry) for entry in raw]
        candidates.sort(key=lambda c: (c[0], -c[1]), reverse=True)
        taken: list[dict[str, Any]] = []
        seen: set[str] = set()
        consumed = dict.fromkeys(more, 0)
        for sort_key, index, entry in candidates:
            if sort_key not in seen and len(taken) >= limit:
                break
            if sort_key not in seen:
                seen.add(sort_key)
                taken.append(from_item(entry))
            consumed[index] += 1  # a duplicate (same article, other tag) is consumed with the original
            streams[index].position = {name: entry[name] for name in _KEY}
        for index, fetched in more.items():
            total = sum(1 for c in candidates if c[1] == index)
            if consumed[index] == total and not fetched:
                streams[index].ended = True
        if all(stream.ended for stream in streams):
            return taken, None
        return taken, {s.tag: END if s.ended else s.position for s in streams}

    def _stream(self, tag: str, positions: dict[str, Any] | None) -> _Stream:
        if positions is None:
            return _Stream(tag, None)
        position = positions[tag]
        if position == END:
            return _Stream(tag, None, ended=True)
        if position is None:  # nothing taken from this stream yet
            return _Stream(tag, None)
        if not isinstance(position, dict):
            raise InvalidRequestError(_BAD, field="cursor")
        check_cursor_key(position, {"gsi1pk": {"S": tag_key(tag)}})
        if set(position) != set(_KEY) or not all(isinstance(v, dict) and set(v) == {"S"} for v in position.values()):
            raise InvalidRequestError(_BAD, field="cursor")
        return _Stream(tag, position)

    def fetched_at(self) -> str | None:
        """When the news feeds were last read successfully: the `as_of` of every answer."""
        return feeds.fetched_at(self.client, self.table, CONNECTOR)
