"""Limits, cache lifetime and vocabulary of the agenda API (shared by the handler and its OpenAPI document)."""

from agenda_shared import vocabulary

CACHE_SECONDS = 900  # the feeds are read hourly
STALE_AFTER_SECONDS = 3 * 3600  # three missed hourly runs: the answer says `stale: true`
DEFAULT_RANGE_DAYS = 30  # from today to today + 30 (Paris)
MAX_RANGE_DAYS = 92
MAX_EXAMINED = 2_000  # occurrence items read for one page at most (category and q filter in code)
MAX_Q_LENGTH = 100
DETAIL_OCCURRENCES = 50
# Connectors writing this table: `as_of` is the oldest of their last successful reads.
CONNECTORS = ("agenda-openagenda",)
# The connector of cinema sessions: `as_of` of the cinema routes.
CINEMA_CONNECTORS = ("agenda-cinema",)
CINEMA_VERSIONS = ("VF", "VOST", "VO")
CINEMA_ACCESSIBILITY = ("audiodescription", "sous_titres_sourds", "pmr")

CATEGORIES: dict[str, str] = vocabulary.CATEGORIES  # code -> French label (the `agenda` layer's)
STATUSES = ("scheduled", "rescheduled", "moved_online", "postponed", "full", "cancelled")
ACCESSIBILITY = ("hearing", "visual", "motor", "psychic", "intellectual")
