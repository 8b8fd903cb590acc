"""Limits, cache lifetime and index layout of the traffic API (shared by the handler and its OpenAPI document)."""

CACHE_SECONDS = 60  # the feed is read every 5 minutes; an accident must show up (and go away) quickly
STALE_AFTER_SECONDS = 30 * 60  # six missed runs in a row: the answer says `stale: true`
MAX_BBOX_DEGREES = 1.0  # widest bbox (longitude and latitude), about 74 x 111 km in the Orne
# The connector indexes every event in the geohash cells it crosses at these precisions (see its store.py);
# a bbox is answered from the finest precision that needs at most MAX_CELLS Queries.
CELL_PRECISIONS = (5, 4, 3)
MAX_CELLS = 16
