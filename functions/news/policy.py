"""Cache lifetime and freshness limit of the news API (shared by the handler and its OpenAPI document)."""

CACHE_SECONDS = 600  # the feeds are read hourly; ten minutes keeps a new article visible soon enough
STALE_AFTER_SECONDS = 3 * 3600  # three missed hourly runs
