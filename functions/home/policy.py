"""Cache lifetimes of the home screen API (shared by the handler and its OpenAPI document)."""

CATALOGUE_CACHE_SECONDS = 300  # the catalogue changes when a phase is deployed: five minutes is fresh enough
