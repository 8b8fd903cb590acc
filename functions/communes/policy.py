"""Limits and cache lifetimes of the communes API (shared by the handler and its OpenAPI document)."""

CACHE_SECONDS = 86400  # reference data shipped with the code: it changes at most once a year, with a deployment
MAX_QUERY_LENGTH = 100  # longer than any commune name
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
