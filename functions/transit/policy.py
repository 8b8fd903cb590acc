"""Limits and cache lifetimes of the transit API (shared by the handler and its OpenAPI document)."""

from poche_common import api
from transit_shared import departures

# Caching: real-time answers a few seconds, timetable answers an hour (the feed is read daily).
CACHE_REALTIME_SECONDS = 15
CACHE_STATIC_SECONDS = 3600

# GET /v1/transit/stops
DEFAULT_RADIUS_M = 500
MAX_RADIUS_M = 2000
MAX_NEAR_LATITUDE = api.MAX_NEAR_LATITUDE  # as web maps: nearer a pole, a radius needs thousands of geohash cells
MIN_QUERY_CHARS = 2  # of the folded name
MAX_QUERY_CHARS = 100
CELL_PRECISION = 6  # geohash cells of the by_cell index (written by the transit-gtfs connector)

# GET /v1/transit/stops/{stop_id}/departures
DEPARTURES_DEFAULT_LIMIT = 10
DEPARTURES_MAX_LIMIT = 50
DEPARTURES_WINDOW_HOURS = 72  # how far ahead "next" departures are looked for (materialised: up to today + 2)
LOOKBACK_SECONDS = departures.LOOKBACK_SECONDS  # and the graces: transit_shared.departures
CANDIDATE_FACTOR = 3  # departures read per departure asked, to leave room for those already gone
CANDIDATE_EXTRA = 10
ROUTE_FILTER_READ = 400  # departures read (then filtered by route) when a route is asked for
MAX_BATCH_KEYS = 100  # BatchGetItem's limit: stop profile + feed state + real-time items of the page

# Freshness: `stale` when the source was not read for this long (overridable by the environment)
STATIC_STALE_AFTER_SECONDS = 2 * 24 * 3600
REALTIME_STALE_AFTER_SECONDS = 3 * 60
STATIC_CONNECTOR = "transit-gtfs"  # the timetable: its feed state is the `as_of` of static answers
REALTIME_CONNECTORS = ("transit-gtfs-rt", "transit-siri-lite")
