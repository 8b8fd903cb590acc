"""The places service's numbers, named."""

from __future__ import annotations

MAX_RADIUS_M = 20_000  # a département-sized search: 20 km around a point
DEFAULT_RADIUS_M = 2_000
SMALL_RADIUS_M = 3_000  # up to this radius the `by_cell` index (geohash 5) answers; beyond, `by_area` (geohash 4)
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_QUERY_LENGTH = 80  # `q`: words of a name
CACHE_SECONDS = 60  # live availability changes every minute
STALE_AFTER_SECONDS = 2 * 86_400  # static sources are read daily
PLACE_ID_PATTERN = "[a-z0-9-]{1,40}:[A-Za-z0-9._-]{1,120}"  # `<source>:<source id>`
