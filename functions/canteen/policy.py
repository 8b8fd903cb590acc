"""Limits and cache lifetimes of the canteen API (shared by the handler and its OpenAPI document)."""

MAX_RANGE_DAYS = 31
CACHE_SECONDS = 3600  # the feed is read daily; an hour keeps a corrected menu visible soon enough
STALE_AFTER_SECONDS = 2 * 24 * 3600  # two missed daily runs
