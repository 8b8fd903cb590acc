"""JSON from untrusted bytes (feeds, request bodies, cursors) without a crash on hostile nesting.

`json.loads` recurses once per nesting level: 100,000 `[` raise `RecursionError`, which no `except ValueError`
catches, so one deep document failed a whole connector run or answered 500. `loads` turns that into
`ValueError`, and with `max_depth` refuses documents nested deeper than any real one (checked without recursion).
Other hostile JSON already raises `ValueError` (not always `JSONDecodeError`: a number of more than 4,300 digits
raises a plain `ValueError`), so callers catch `ValueError`.
"""

from __future__ import annotations

import json
from typing import Any

# Deeper than any feed this platform reads (SIRI Lite, OpenAgenda, DATAtourisme nest about 10 levels), and far
# below the interpreter's recursion limit, so that code walking a parsed document recursively cannot overflow.
MAX_FEED_DEPTH = 64


class JSONDepthError(ValueError):
    """The document is nested deeper than allowed."""


def loads(raw: bytes | str, *, max_depth: int | None = None) -> Any:
    """`json.loads`, raising `ValueError` (never `RecursionError`) for a document nested too deep."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise JSONDepthError("JSON imbriqué trop profondément") from None
    if max_depth is not None and depth(value, limit=max_depth) > max_depth:
        raise JSONDepthError(f"JSON imbriqué sur plus de {max_depth} niveaux")
    return value


def depth(value: Any, *, limit: int | None = None) -> int:
    """How deeply `value` nests objects and lists (a scalar is 0, `[]` is 1); stops counting past `limit`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        if limit is not None and deepest > limit:
            return deepest
        stack.extend((child, level) for child in children)
    return deepest
