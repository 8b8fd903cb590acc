"""What the connector reads out of a CAP 1.2 alert and out of Meteoalarm's Atom feed.

Plain immutable records (`NamedTuple`, as in the other connectors: no dataclass cost at cold start); sequences
are tuples. Coordinates are (lat, lon) in WGS84, the order CAP writes them (not GeoJSON's). Machine values keep
CAP's own spelling (`Moderate`, `Update`, `AllClear`...); texts for people are plain text, bounded.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

LatLon = tuple[float, float]  # (lat, lon), WGS84, CAP order
Geocode = tuple[str, str]  # (valueName, value), e.g. ("NUTS3", "FRD13")

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"

# CAP 1.2 enumerations (OASIS CAP 1.2, §3.2).
STATUSES = frozenset({"Actual", "Exercise", "System", "Test", "Draft"})
MSG_TYPES = frozenset({"Alert", "Update", "Cancel"})  # Ack and Error are refused: no public alert in them
SCOPES = frozenset({"Public", "Restricted", "Private"})
CATEGORIES = frozenset(
    {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"}
)
RESPONSE_TYPES = frozenset(
    {"Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"}
)
URGENCIES = frozenset({"Immediate", "Expected", "Future", "Past", "Unknown"})
SEVERITIES = frozenset({"Extreme", "Severe", "Moderate", "Minor", "Unknown"})
CERTAINTIES = frozenset({"Observed", "Likely", "Possible", "Unlikely", "Unknown"})

# What each message type means for what is stored (see `Alert.lifecycle`).
LIFECYCLES: dict[str, str] = {"Alert": "issued", "Update": "updated", "Cancel": "cancelled"}


class Circle(NamedTuple):
    centre: LatLon
    radius_km: float


class Area(NamedTuple):
    """One `<area>` of an `<info>`: a description and any of geocodes, polygons, circles."""

    area_desc: str
    geocodes: tuple[Geocode, ...] = ()
    polygons: tuple[tuple[LatLon, ...], ...] = ()  # each closed (first point == last), at least 4 points
    circles: tuple[Circle, ...] = ()


class AwarenessLevel(NamedTuple):
    """Meteoalarm's `awareness_level` parameter, e.g. "2; yellow; Moderate"."""

    level: int  # 1 green, 2 yellow, 3 orange, 4 red
    colour: str  # "green" | "yellow" | "orange" | "red", lower case
    label: str  # "Minor" | "Moderate" | "Severe" | "Extreme" as written


class AwarenessType(NamedTuple):
    """Meteoalarm's `awareness_type` parameter, e.g. "9; avalanches"."""

    code: int  # 1 wind, 2 snow-ice, 3 thunderstorm, 4 fog, 5 high-temperature, 6 low-temperature, 7 coastal event,
    # 8 forest-fire, 9 avalanches, 10 rain, 12 flooding, 13 rain-flood
    name: str  # as written, e.g. "avalanches"


class AlertInfo(NamedTuple):
    """One `<info>` block: the alert in one language."""

    language: str  # RFC 3066 code as written ("fr-FR"); CAP's default "en-US" when absent
    categories: tuple[str, ...]  # at least one, from CATEGORIES
    event: str
    urgency: str  # from URGENCIES
    severity: str  # from SEVERITIES
    certainty: str  # from CERTAINTIES
    response_types: tuple[str, ...] = ()  # from RESPONSE_TYPES
    effective: dt.datetime | None = None  # UTC
    onset: dt.datetime | None = None  # UTC
    expires: dt.datetime | None = None  # UTC
    sender_name: str | None = None
    headline: str | None = None  # plain text, at most 200 characters
    description: str | None = None  # plain text, at most 2,000 characters
    instruction: str | None = None  # plain text, at most 2,000 characters
    web: str | None = None  # an http(s) URL, or None
    contact: str | None = None
    awareness_level: AwarenessLevel | None = None
    awareness_type: AwarenessType | None = None
    parameters: tuple[tuple[str, str], ...] = ()  # every <parameter> (valueName, value), bounded
    areas: tuple[Area, ...] = ()

    @property
    def category(self) -> str:
        """The first category (CAP allows several; Météo-France writes one, `Met`)."""
        return self.categories[0]

    @property
    def all_clear(self) -> bool:
        """Whether this info says the danger is over (`responseType` AllClear, as Météo-France's end-of-vigilance
        updates do)."""
        return "AllClear" in self.response_types


class Reference(NamedTuple):
    """One entry of `<references>`: "sender,identifier,sent" of an earlier message this one updates or cancels."""

    sender: str
    identifier: str
    sent: dt.datetime  # UTC


class Alert(NamedTuple):
    """One CAP 1.2 `<alert>`."""

    identifier: str
    sender: str
    sent: dt.datetime  # UTC
    status: str  # from STATUSES
    msg_type: str  # "Alert" | "Update" | "Cancel"
    scope: str  # from SCOPES
    references: tuple[Reference, ...] = ()
    infos: tuple[AlertInfo, ...] = ()
    note: str | None = None

    @property
    def referenced_ids(self) -> tuple[str, ...]:
        """Identifiers of the earlier messages this one updates or cancels."""
        return tuple(reference.identifier for reference in self.references)

    @property
    def lifecycle(self) -> str:
        """ "issued" (msgType Alert), "updated" (Update: replaces every referenced message), "cancelled" (Cancel:
        the referenced messages are withdrawn)."""
        return LIFECYCLES[self.msg_type]

    @property
    def is_public_actual(self) -> bool:
        """Whether this is a real alert for everyone (not a test, exercise, draft, nor restricted)."""
        return self.status == "Actual" and self.scope == "Public"

    def info_for(self, language: str = "fr") -> AlertInfo | None:
        """The info in `language` (primary subtag compared: "fr" finds "fr-FR"), else the first one; None if the
        alert has no info."""
        wanted = language.split("-")[0].lower()
        for info in self.infos:
            if info.language.split("-")[0].lower() == wanted:
                return info
        return self.infos[0] if self.infos else None


class FeedEntry(NamedTuple):
    """One `<entry>` of Meteoalarm's Atom feed: where its CAP document is, and the CAP summary it carries (enough
    to skip an entry not about the territory without fetching its document). Summary fields absent from the entry
    are None / empty."""

    id: str
    updated: dt.datetime  # UTC
    cap_url: str  # the CAP document (link type="application/cap+xml")
    title: str | None = None
    identifier: str | None = None  # cap:identifier
    geocodes: tuple[Geocode, ...] = ()  # cap:geocode (valueName, value)
    area_desc: str | None = None
    event: str | None = None
    severity: str | None = None
    urgency: str | None = None
    certainty: str | None = None
    status: str | None = None
    msg_type: str | None = None  # cap:msgType, or cap:message_type as Meteoalarm writes it
    sent: dt.datetime | None = None
    onset: dt.datetime | None = None
    expires: dt.datetime | None = None


class RejectedEntry(NamedTuple):
    id: str | None
    reason: str  # in French, for a person


class AtomFeed(NamedTuple):
    updated: dt.datetime | None
    entries: tuple[FeedEntry, ...]
    rejected: tuple[RejectedEntry, ...]
    entries_read: int  # good or bad
