"""Limits and cache lifetimes of the schools API (shared by the handler and its OpenAPI document)."""

CONNECTOR = "schools-notices-csv"  # the département's bulk notices feed
LIST_CACHE_SECONDS = 86400  # the school list is reference data shipped with the code
NOTICES_CACHE_SECONDS = 60  # staff publish at any time: a notice must show within a minute
STALE_AFTER_SECONDS = 3600  # four missed runs of the 15-minute feed
