"""DATAtourisme JSON-LD -> `AgendaEvent`s.

A feed is a JSON list of objects, or a JSON-LD document with a `@graph` list (anything else: `FeedFormatError`,
nothing stored changes). Only objects whose `@type` names an event type (`EntertainmentAndEvent` or one of its
subtypes, `schema:` prefix ignored) are events; other points of interest are skipped silently. A bad event is
rejected with its reason; the others are kept. Multilingual values: French first; a value may be a list.

Dates (`takesPlaceAt[]`): a period of one day, or without `startTime`, is one occurrence (all day: 00:00 to
23:59:59 Paris of its last day); a period of several days with a `startTime` is one occurrence a day at those
times (a show every evening). Only occurrences ending from 30 days ago to beginning within `HORIZON_DAYS` of
`now` are kept (an event may list hundreds of dates), at most `MAX_OCCURRENCES`. A date outside 2000..2100
(`poche_common.bounds`) rejects its event (a period ending on 9999-12-31 after midnight raised OverflowError and
stopped the run); JSON nested deeper than `poche_common.safejson.MAX_FEED_DEPTH` is a `FeedFormatError`.

Texts are plain text (`poche_common.plaintext`: no markup, even escaped, no control character), read in linear
time (the regex `<[^>]*>` used before was quadratic on `<<<…`), cut with "…": title `MAX_TITLE`, summary
`MAX_SUMMARY`, description `MAX_DESCRIPTION`, place fields `MAX_TEXT`. URLs longer than
`poche_common.bounds.MAX_URL_LENGTH` are dropped. The uid, part of the stored key, is 1 to 64 of
`A-Z a-z 0-9 _ -`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from agenda_shared.model import AgendaEvent, Location, Occurrence, Rejected
from agenda_shared.places import bounded_number, commune_of, scalar_text
from poche_common import safejson
from poche_common.bounds import check_date, check_moment, excerpt, web_url
from poche_common.clock import PARIS
from poche_common.errors import FeedFormatError
from poche_common.plaintext import MAX_HTML, extract, plain

SOURCE = "datatourisme"
HORIZON_DAYS = 400
KEEP_PAST_DAYS = 30
MAX_TITLE = 200
MAX_SUMMARY = 1_000
MAX_DESCRIPTION = 10_000
MAX_OCCURRENCES = 1_000
MAX_TEXT = 500
UID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")

# DATAtourisme event classes (without `schema:`) -> category code; every one of them makes an object an event.
EVENT_TYPES: dict[str, str | None] = {
    "EntertainmentAndEvent": None,
    "Event": None,
    "CulturalEvent": None,
    "BusinessEvent": "conference",
    "SocialEvent": None,
    "ShowEvent": "theatre",
    "TheaterEvent": "theatre",
    "CircusEvent": "theatre",
    "Concert": "concert",
    "MusicEvent": "concert",
    "Recital": "concert",
    "Opera": "concert",
    "DanceEvent": "danse",
    "Exhibition": "exposition",
    "ExhibitionEvent": "exposition",
    "VisualArtsEvent": "exposition",
    "ScreeningEvent": "cinema",
    "SportsEvent": "sport",
    "SportsCompetition": "sport",
    "SportsDisplay": "sport",
    "Rambling": "sport",
    "Market": "marche",
    "SaleEvent": "marche",
    "GarageSale": "marche",
    "FairOrShow": "marche",
    "Festival": "festival",
    "TraditionalCelebration": "festival",
    "Carnival": "festival",
    "Parade": "festival",
    "LocalAnimation": None,
    "Conference": "conference",
    "Seminar": "conference",
    "Reading": "conference",
    "WorkshopEvent": "atelier",
    "Course": "atelier",
    "OpenDay": "visite",
    "Visit": "visite",
    "GuidedTour": "visite",
    "ChildrensEvent": "jeune_public",
    "ReligiousEvent": None,
}


def _types(raw: dict[str, Any]) -> list[str]:
    value = raw.get("@type")
    values = value if isinstance(value, list) else [value]
    return [v.split(":", 1)[1] if v.startswith("schema:") else v for v in values if isinstance(v, str)]


def is_event(raw: Any) -> bool:
    return isinstance(raw, dict) and any(t in EVENT_TYPES for t in _types(raw))


def localized(value: Any) -> Any:
    """French first, else the first language given; a list gives its first non-empty element."""
    if isinstance(value, dict) and "@value" in value:
        value = value["@value"]
    if isinstance(value, dict):
        chosen = value.get("fr")
        if chosen in (None, "", []):
            chosen = next((v for v in value.values() if v not in (None, "", [])), None)
        value = chosen
    if isinstance(value, list):
        value = next((v for v in value if v not in (None, "", [])), None)
    return value


def _text(value: Any, limit: int = MAX_TEXT) -> str | None:
    """A short text: its HTML read as text on one line, plain, at most `limit` characters."""
    text = scalar_text(localized(value))
    if text is None:
        return None
    text = plain(re.sub(r"\s+", " ", extract(text[:MAX_HTML])[0]).strip(), limit).strip()
    return text or None


def _long_text(value: Any, limit: int) -> str | None:
    """A description: its HTML read as text, line breaks kept, plain, at most `limit` characters."""
    value = localized(value)
    if not isinstance(value, str):
        return None
    text = extract(value[:MAX_HTML].replace("\r", ""), keep_newlines=True, block_break="\n")[0]
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    text = plain(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), limit).strip()
    return text or None


def _first(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else {}


def location_of(raw: dict[str, Any]) -> Location:
    place = _first(raw.get("isLocatedAt"))
    address = _first(place.get("schema:address")) or _first(raw.get("schema:address"))
    city = _first(address.get("hasAddressCity"))
    insee = _text(city.get("insee"))
    postcode = _text(address.get("schema:postalCode"))
    geo = _first(place.get("schema:geo")) or _first(raw.get("schema:geo"))
    return Location(
        name=_text(place.get("rdfs:label")),
        address=_text(address.get("schema:streetAddress")),
        commune=commune_of(insee, postcode),
        city=_text(address.get("schema:addressLocality")),
        postcode=postcode,
        lat=bounded_number(localized(geo.get("schema:latitude")), 90),
        lon=bounded_number(localized(geo.get("schema:longitude")), 180),
        uid=None,
    )


def _date(value: Any) -> dt.date:
    value = localized(value)
    if not isinstance(value, str):
        raise ValueError("missing date")
    return check_date(dt.date.fromisoformat(value[:10]))


def _time(value: Any) -> dt.time | None:
    value = localized(value)
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9:]+|Z)?", value):
        raise ValueError(f"invalid time {excerpt(value, 20)!r}")
    return dt.time.fromisoformat(value[:8] if len(value) >= 8 and value[5] == ":" else value[:5])


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, PARIS)


def occurrences_of(periods: Any, now: dt.datetime) -> tuple[Occurrence, ...]:
    """`takesPlaceAt` -> occurrences from `KEEP_PAST_DAYS` ago to `HORIZON_DAYS` ahead (see module docstring)."""
    if isinstance(periods, dict):
        periods = [periods]
    if not isinstance(periods, list) or not periods:
        raise ValueError("no takesPlaceAt")
    earliest = now - dt.timedelta(days=KEEP_PAST_DAYS)
    latest = now + dt.timedelta(days=HORIZON_DAYS)
    found: dict[dt.datetime, Occurrence] = {}
    for period in periods:
        if not isinstance(period, dict):
            raise ValueError("a takesPlaceAt entry is not an object")
        try:
            start = _date(period.get("startDate"))
            end = _date(period.get("endDate")) if period.get("endDate") else start
            start_time, end_time = _time(period.get("startTime")), _time(period.get("endTime"))
        except ValueError as exc:
            raise ValueError(f"takesPlaceAt with an invalid date or time ({exc})") from None
        if end < start:
            raise ValueError(f"period ending before it begins ({start})")
        if start_time is None or start == end:
            begin = _at(start, start_time or dt.time())
            if end_time is not None and start_time is not None:
                finish = _at(end, end_time)
                finish = finish if finish >= begin else finish + dt.timedelta(days=1)
            else:
                finish = _at(end, dt.time(23, 59, 59))
            if finish >= earliest and begin <= latest:
                found[begin.astimezone(dt.UTC)] = Occurrence(begin, finish)
            continue
        day = max(start, earliest.astimezone(PARIS).date())
        last = min(end, latest.astimezone(PARIS).date())
        while day <= last and len(found) < MAX_OCCURRENCES:
            begin = _at(day, start_time)
            finish = _at(day, end_time) if end_time is not None else begin
            finish = finish if finish >= begin else finish + dt.timedelta(days=1)
            if finish >= earliest:
                found[begin.astimezone(dt.UTC)] = Occurrence(begin, finish)
            day += dt.timedelta(days=1)
    if not found:
        raise ValueError("no date between 30 days ago and the next 400 days")
    return tuple(found[key] for key in sorted(found)[:MAX_OCCURRENCES])


def uid_of(raw: dict[str, Any]) -> str:
    identifier = raw.get("@id")
    if not isinstance(identifier, str) or not identifier.strip():
        raise ValueError("no @id")
    uid = identifier.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    if not UID_RE.match(uid):
        raise ValueError(f"malformed @id {excerpt(identifier, 80)!r}")
    return uid


def _homepage(raw: dict[str, Any]) -> str | None:
    contacts = raw.get("hasContact")
    for contact in contacts if isinstance(contacts, list) else [contacts]:
        if isinstance(contact, dict):
            page = localized(contact.get("foaf:homepage"))
            if isinstance(page, str) and (url := web_url(page)):
                return url
    return None


def _image(raw: dict[str, Any]) -> str | None:
    resource = _first(_first(raw.get("hasMainRepresentation")).get("ebucore:hasRelatedResource"))
    locator = localized(resource.get("ebucore:locator"))
    return web_url(locator) if isinstance(locator, str) and locator.startswith("https://") else None


def _updated(raw: Any) -> dt.datetime | None:
    value = localized(raw)
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=PARIS)
        check_moment(moment, "lastUpdate")
    except ValueError:  # bookkeeping: unreadable or out of bounds, not a reason to drop the event
        return None
    return moment


def parse_event(raw: dict[str, Any], now: dt.datetime) -> AgendaEvent:
    """One DATAtourisme event; ValueError with a reason for people when it cannot be used."""
    uid = uid_of(raw)
    title = _text(raw.get("rdfs:label"), MAX_TITLE)
    if not title:
        raise ValueError("no rdfs:label")
    descriptions = raw.get("hasDescription")
    description = _first(descriptions)
    summary = _text(description.get("shortDescription"), MAX_SUMMARY) or _text(raw.get("rdfs:comment"), MAX_SUMMARY)
    categories = sorted({c for t in _types(raw) if (c := EVENT_TYPES.get(t))})
    return AgendaEvent(
        source=SOURCE,
        uid=uid,
        title=title,
        summary=summary,
        description=_long_text(description.get("dc:description"), MAX_DESCRIPTION),
        categories=tuple(categories) or ("autre",),
        keywords=(),
        status="scheduled",
        free=False,
        price=None,
        age_min=None,
        age_max=None,
        accessibility=(),
        location=location_of(raw),
        occurrences=occurrences_of(raw.get("takesPlaceAt"), now),
        updated_at=_updated(raw.get("lastUpdate")),
        url=_homepage(raw),
        image=_image(raw),
    )


@dataclass
class Feed:
    events: list[AgendaEvent] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    read: int = 0  # event objects read (other points of interest are not counted)
    ignored: int = 0  # objects that are not events


def parse_feed(data: bytes, now: dt.datetime) -> Feed:
    try:
        document = safejson.loads(data.decode("utf-8-sig"), max_depth=safejson.MAX_FEED_DEPTH)
    except ValueError as exc:  # UnicodeDecodeError, JSONDecodeError, JSONDepthError, a 5,000-digit number
        raise FeedFormatError(f"not DATAtourisme JSON: {excerpt(str(exc), 200)}") from None
    if isinstance(document, dict) and isinstance(document.get("@graph"), list):
        objects = document["@graph"]
    elif isinstance(document, list):
        objects = document
    else:
        raise FeedFormatError("not a DATAtourisme export: expected a list of objects or a JSON-LD @graph")
    feed = Feed()
    for index, raw in enumerate(objects, start=1):
        if not is_event(raw):
            feed.ignored += 1
            continue
        feed.read += 1
        try:
            feed.events.append(parse_event(raw, now))
        except ValueError as exc:
            identifier = raw.get("@id")
            try:
                uid: str | None = uid_of(raw)
            except ValueError:
                uid = None
            ref = f"object {index}" + (f" ({excerpt(identifier, 120)})" if isinstance(identifier, str) else "")
            feed.rejected.append(Rejected(ref, uid, excerpt(str(exc), 300)))
    return feed
