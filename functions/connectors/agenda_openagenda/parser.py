"""OpenAgenda v2 events JSON -> `AgendaEvent`s.

A page (or the pages merged by `pages.py`) is `{"events": [...], ...}`. Anything else is a `FeedFormatError`
(nothing stored changes). A bad event is rejected with its reason and skipped; the others are kept.
Multilingual fields (`{"fr": ..., "en": ...}`): French first, else the first language given.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from agenda_shared.model import AgendaEvent, Location, Occurrence, Rejected
from agenda_shared.vocabulary import ACCESSIBILITY, STATUSES
from poche_common import communes
from poche_common.errors import FeedFormatError

SOURCE = "openagenda"
MAX_TITLE = 200
MAX_SUMMARY = 1_000
MAX_DESCRIPTION = 10_000
MAX_OCCURRENCES = 1_000  # per event
INSEE_RE = re.compile(r"^([013-9][0-9]|2[AB1-9])[0-9]{3}$")
POSTCODE_RE = re.compile(r"^[0-9]{5}$")

# Keyword synonyms (folded: lower case, no accents, single spaces) -> category code. A whole keyword is looked
# up first (so "marche nordique" is sport, not a market), then each of its words.
PHRASES: dict[str, str] = {
    "marche nordique": "sport",
    "jeune public": "jeune_public",
    "spectacle jeune public": "jeune_public",
    "table ronde": "conference",
    "vide grenier": "marche",
    "visite guidee": "visite",
    "one man show": "theatre",
    "hip hop": "danse",
    "arts plastiques": "exposition",
    "journees du patrimoine": "visite",
    "art de la rue": "theatre",
}
_WORD_LISTS: dict[str, str] = {
    "concert": "concert concerts musique musiques recital chorale jazz rock fanfare orchestre symphonique chanson "
    "blues electro opera",
    "theatre": "theatre comedie humour impro improvisation marionnettes cirque clown spectacle",
    "exposition": "exposition expositions expo vernissage galerie peinture photographie",
    "cinema": "cinema film films projection documentaire cine",
    "sport": "sport sports sportif course randonnee trail match tournoi football rugby velo cyclisme natation "
    "handball basket",
    "conference": "conference conferences debat rencontre causerie colloque",
    "atelier": "atelier ateliers stage initiation workshop",
    "festival": "festival festivals fete fetes",
    "marche": "marche marches brocante foire braderie puces",
    "visite": "visite visites patrimoine balade",
    "danse": "danse bal ballet tango salsa",
    "jeune_public": "enfant enfants famille familial jeunesse conte contes",
}
WORDS: dict[str, str] = {word: code for code, words in _WORD_LISTS.items() for word in words.split()}
FREE_RE = re.compile(r"\b(gratuit|gratuite|entree libre|acces libre)")
AMOUNT_RE = re.compile(r"[0-9]+(?:[.,][0-9]{1,2})? ?(?:€|eur\b|euros?\b)", re.IGNORECASE)


def fold(text: str) -> str:
    """Lower case, no accents, ligatures expanded, anything else than letters and digits -> one space."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def localized(value: Any) -> Any:
    """French first, else the first language given; a plain value is returned as is."""
    if isinstance(value, dict):
        if value.get("fr") not in (None, "", []):
            return value["fr"]
        for candidate in value.values():
            if candidate not in (None, "", []):
                return candidate
        return None
    return value


_TAG_RE = re.compile(r"<[^>]*>")
_BLOCK_RE = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|p|li)\b[^>]*>", re.IGNORECASE)
_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS_RE = re.compile(r"(\*\*|__|\*|`|^#{1,6} |^> |^[-*+] )", re.MULTILINE)


def plain_text(value: Any, limit: int) -> str | None:
    """HTML or markdown -> plain text: tags, links' targets and emphasis marks dropped, blank lines kept."""
    text = localized(value)
    if not isinstance(text, str):
        return None
    text = _BLOCK_RE.sub("\n", text)
    text = _TAG_RE.sub("", text)
    text = html.unescape(text)
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _MD_MARKS_RE.sub("", text)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.replace("\r", "").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def categories_of(keywords: list[str]) -> tuple[str, ...]:
    """Category codes of an event's keywords (accents, case and punctuation ignored); `autre` when none."""
    found: set[str] = set()
    for keyword in keywords:
        folded = fold(keyword)
        if folded in PHRASES:
            found.add(PHRASES[folded])
            continue
        found |= {PHRASES[p] for p in PHRASES if f" {p} " in f" {folded} "}
        found |= {WORDS[word] for word in folded.split() if word in WORDS}
    return tuple(sorted(found)) or ("autre",)


def is_free(conditions: str | None) -> bool:
    """ "gratuit", "entrée libre"... and no amount in euros (a "gratuit pour les moins de 12 ans, 8 €" is not free)."""
    if not conditions:
        return False
    return bool(FREE_RE.search(fold(conditions))) and not AMOUNT_RE.search(conditions)


def _parse_time(raw: Any) -> dt.datetime:
    if not isinstance(raw, str):
        raise ValueError("missing")
    moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{raw!r} has no offset")
    return moment


def occurrences_of(timings: Any) -> tuple[Occurrence, ...]:
    if not isinstance(timings, list) or not timings:
        raise ValueError("no timings")
    found: dict[dt.datetime, Occurrence] = {}
    for timing in timings[:MAX_OCCURRENCES]:
        if not isinstance(timing, dict):
            raise ValueError("a timing is not an object")
        try:
            begin, end = _parse_time(timing.get("begin")), _parse_time(timing.get("end"))
        except ValueError as exc:
            raise ValueError(f"timing with an invalid begin/end ({exc})") from None
        if end < begin:
            raise ValueError(f"timing ending before it begins ({timing.get('begin')})")
        found[begin.astimezone(dt.UTC)] = Occurrence(begin, end)
    return tuple(found[key] for key in sorted(found))


def _text(value: Any, limit: int = 500) -> str | None:
    value = localized(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = re.sub(r"\s+", " ", value).strip()
    return value[:limit] or None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if -180 <= number <= 180 else None


def location_of(raw: Any) -> Location:
    raw = raw if isinstance(raw, dict) else {}
    insee = _text(raw.get("insee"))
    postcode = _text(raw.get("postalCode"))
    commune = insee.upper() if insee and INSEE_RE.match(insee.upper()) else None
    if commune is None and postcode and POSTCODE_RE.match(postcode):
        candidates = communes.search(postcode)
        if len(candidates) == 1:
            commune = candidates[0].insee
    return Location(
        name=_text(raw.get("name")),
        address=_text(raw.get("address")),
        commune=commune,
        city=_text(raw.get("city")),
        postcode=postcode,
        lat=_number(raw.get("latitude")),
        lon=_number(raw.get("longitude")),
        uid=_text(raw.get("uid")),
    )


def _age(raw: Any) -> tuple[int | None, int | None]:
    if not isinstance(raw, dict):
        return None, None
    values = []
    for key in ("min", "max"):
        value = raw.get(key)
        values.append(value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 130 else None)
    return values[0], values[1]


def _image(raw: Any) -> str | None:
    if isinstance(raw, str):
        return raw if raw.startswith("https://") else None
    if isinstance(raw, dict):
        base, filename = raw.get("base"), raw.get("filename")
        if isinstance(base, str) and isinstance(filename, str) and base.startswith("https://"):
            return base + filename
    return None


def _url(raw: dict[str, Any]) -> str | None:
    agenda = raw.get("originAgenda")
    agenda_slug = agenda.get("slug") if isinstance(agenda, dict) else None
    slug = raw.get("slug")
    if isinstance(agenda_slug, str) and isinstance(slug, str) and agenda_slug and slug:
        return f"https://openagenda.com/{agenda_slug}/events/{slug}"
    return None


def parse_event(raw: Any) -> AgendaEvent:
    """One OpenAgenda event; ValueError with a reason for people when it cannot be used."""
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    uid = raw.get("uid")
    if isinstance(uid, bool) or not isinstance(uid, (int, str)) or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(uid)):
        raise ValueError("missing or malformed uid")
    title = _text(raw.get("title"), MAX_TITLE)
    if not title:
        raise ValueError("no title")
    status = raw.get("status", 1)
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    keywords_raw = localized(raw.get("keywords"))
    keywords = (
        [k.strip() for k in keywords_raw if isinstance(k, str) and k.strip()] if isinstance(keywords_raw, list) else []
    )
    price = plain_text(raw.get("conditions"), 500)
    age_min, age_max = _age(raw.get("age"))
    flags_raw = raw.get("accessibility")
    flags: dict[str, Any] = flags_raw if isinstance(flags_raw, dict) else {}
    updated = raw.get("updatedAt")
    try:
        updated_at = _parse_time(updated) if updated else None
    except ValueError:
        updated_at = None
    return AgendaEvent(
        source=SOURCE,
        uid=str(uid),
        title=title,
        summary=plain_text(raw.get("description"), MAX_SUMMARY),
        description=plain_text(raw.get("longDescription"), MAX_DESCRIPTION),
        categories=categories_of(keywords),
        keywords=tuple(keywords[:30]),
        status=STATUSES[status][0],
        free=is_free(price),
        price=price,
        age_min=age_min,
        age_max=age_max,
        accessibility=tuple(sorted(ACCESSIBILITY[k] for k, v in flags.items() if k in ACCESSIBILITY and v is True)),
        location=location_of(raw.get("location")),
        occurrences=occurrences_of(raw.get("timings")),
        updated_at=updated_at,
        url=_url(raw),
        image=_image(raw.get("image")),
    )


@dataclass
class Feed:
    events: list[AgendaEvent] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    read: int = 0
    complete: bool = True  # every page was read (else withdrawn events must not be deleted)


def parse_feed(data: bytes) -> Feed:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedFormatError(f"not OpenAgenda JSON: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise FeedFormatError("not an OpenAgenda events page: no `events` list")
    feed = Feed(complete=document.get("complete", True) is not False)
    for index, raw in enumerate(document["events"], start=1):
        feed.read += 1
        uid = raw.get("uid") if isinstance(raw, dict) else None
        try:
            feed.events.append(parse_event(raw))
        except ValueError as exc:
            ref = f"event {index}" + (f" (uid {uid})" if uid is not None else "")
            feed.rejected.append(Rejected(ref, str(uid) if uid is not None else None, str(exc)))
    return feed
