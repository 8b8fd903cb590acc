"""Following OpenAgenda's cursor pagination, bounded.

Each page has `events`, `total` and `after` (an array of values); the next page is the same URL with
`after[]=v1&after[]=v2...`. Reading stops at a page without `after` or without events, or at `MAX_PAGES`
(then the merged document says `complete: false`: the store keeps events it did not see) and refuses more than
`MAX_BYTES` in all. The pages are merged into one document `{"events": [...], "pages": n, "complete": bool}`.

The source `bundled` reads `sample/events-page<N>.json` instead (N = 1, 2...), so pagination is exercised
offline exactly as against the API. The API key (`key=` query parameter) is never logged: errors name the
source through `poche_common.sources.describe`, which drops the query string.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

from poche_common import safejson
from poche_common.bounds import excerpt
from poche_common.errors import FeedFormatError, FeedUnavailableError
from poche_common.sources import BUNDLED, describe

MAX_PAGES = 50
MAX_BYTES = 20 * 1024 * 1024
SAMPLE_DIR = Path(__file__).parent / "sample"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def page_url(first: str, after: list[Any] | None) -> str:
    """The URL of the page after `after`: the first page's URL, its `after[]` parameters replaced."""
    parts = urlparse(first)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("after[]", "after")]
    query += [("after[]", _value(v)) for v in after or []]
    return urlunparse(parts._replace(query=urlencode(query, safe="[]")))


def page_locator(source: str, number: int, after: list[Any] | None) -> str:
    """Where page `number` (1-based) of a source is: the bundled sample's file, or the API URL."""
    if source == BUNDLED:
        return (SAMPLE_DIR / f"events-page{number}.json").as_uri()
    return source if number == 1 else page_url(source, after)


def read_pages(
    source: str,
    get: Callable[[str, int], bytes],
    *,
    max_pages: int = MAX_PAGES,
    max_bytes: int = MAX_BYTES,
    locate: Callable[[str, int, list[Any] | None], str] = page_locator,
) -> bytes:
    """Every page of one source, merged. `get(url, budget)` fetches at most `budget` bytes."""
    events: list[Any] = []
    after: list[Any] | None = None
    seen: set[str] = set()
    used = 0
    complete = False
    pages = 0
    for number in range(1, max_pages + 1):
        url = locate(source, number, after)
        data = get(url, max_bytes - used)
        used += len(data)
        if used > max_bytes:
            raise FeedUnavailableError(f"{describe(source)}: pages larger than {max_bytes} bytes in all")
        try:  # nested deeper than any real page: refused (100,000 `[` raised RecursionError)
            page = safejson.loads(data.decode("utf-8-sig"), max_depth=safejson.MAX_FEED_DEPTH)
        except ValueError as exc:  # UnicodeDecodeError, JSONDecodeError, JSONDepthError, a 5,000-digit number
            raise FeedFormatError(
                f"page {number} of {describe(source)} is not JSON: {excerpt(str(exc), 200)}"
            ) from None
        if not isinstance(page, dict) or not isinstance(page.get("events"), list):
            raise FeedFormatError(f"page {number} of {describe(source)} has no `events` list")
        pages = number
        events += page["events"]
        after = page.get("after")
        marker = json.dumps(after, sort_keys=True)
        if not page["events"] or not isinstance(after, list) or not after or marker in seen:
            complete = True
            break
        seen.add(marker)
    return json.dumps({"events": events, "pages": pages, "complete": complete}, ensure_ascii=False).encode()
