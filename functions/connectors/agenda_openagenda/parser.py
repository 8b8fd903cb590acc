"""OpenAgenda v2 events JSON -> `AgendaEvent`s.

A page (or the pages merged by `pages.py`) is `{"events": [...], ...}`. Anything else is a `FeedFormatError`
(nothing stored changes), so is JSON nested deeper than `poche_common.safejson.MAX_FEED_DEPTH`. A bad event is
rejected with its reason and skipped; the others are kept: among others a timing outside 2000..2100
(`poche_common.bounds`; `0001-01-01T00:00:00+01:00` used to raise OverflowError and stop the run).
Multilingual fields (`{"fr": ..., "en": ...}`): French first, else the first language given.

Texts are plain text: descriptions are HTML or markdown read by `plain_text` (linear time, at most
`poche_common.plaintext.MAX_HTML` characters read), short fields (title, place) taken as text; none keeps markup,
even escaped (`&lt;img …&gt;`), nor control characters. Lengths are bounded, cut with "…": title `MAX_TITLE`,
summary `MAX_SUMMARY`, description `MAX_DESCRIPTION`, keywords `MAX_KEYWORD` (at most `MAX_KEYWORDS`), other
short texts `MAX_TEXT`. URLs longer than `poche_common.bounds.MAX_URL_LENGTH` are dropped. The uid, part of the
stored key, is 1 to 64 of `A-Z a-z 0-9 _ -`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from agenda_shared.model import AgendaEvent, Location, Occurrence, Rejected
from agenda_shared.places import bounded_number, commune_of, scalar_text
from agenda_shared.vocabulary import ACCESSIBILITY, STATUSES
from poche_common import safejson
from poche_common.bounds import check_moment, excerpt, web_url
from poche_common.errors import FeedFormatError
from poche_common.plaintext import MAX_HTML, extract, plain

SOURCE = "openagenda"
MAX_TITLE = 200
MAX_SUMMARY = 1_000
MAX_DESCRIPTION = 10_000
MAX_OCCURRENCES = 1_000  # per event
MAX_KEYWORD = 100
MAX_KEYWORDS = 30
MAX_TEXT = 500
MAX_PRICE = 500
UID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
SLUG_RE = re.compile(r"[A-Za-z0-9_.~-]{1,200}")

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


# Markdown links `[text](target)`: neither part can run past the next bracket or parenthesis, so that the search
# stays linear (`\[([^\]]*)\]\([^)]*\)` re-scanned the rest of the text at every `[`: quadratic).
_MD_LINK_RE = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
_MD_MARKS_RE = re.compile(r"(\*\*|__|\*|`|^#{1,6} |^> |^[-*+] )", re.MULTILINE)


def plain_text(value: Any, limit: int) -> str | None:
    """HTML or markdown -> plain text: tags, links' targets and emphasis marks dropped, blank lines kept; no
    markup left even escaped, no control character, at most `limit` characters ("…" when cut).

    The HTML (its first `MAX_HTML` characters) is read by `poche_common.plaintext.extract`, in linear time: the
    regexes used before (`<[^>]*>`) backtracked over the rest of the text at every `<` without `>`."""
    text = localized(value)
    if not isinstance(text, str):
        return None
    text = extract(text[:MAX_HTML].replace("\r", ""), keep_newlines=True)[0]
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _MD_MARKS_RE.sub("", text)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    text = plain(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip(), limit).strip()
    return text or None


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
    """An ISO 8601 time with its offset, within 2000..2100 (`poche_common.bounds`), as given (not in UTC)."""
    if not isinstance(raw, str):
        raise ValueError("missing")
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{excerpt(raw, 40)!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{excerpt(raw, 40)!r} has no offset")
    check_moment(moment, "date")
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


def _text(value: Any, limit: int = MAX_TEXT) -> str | None:
    """A short text (title, place): one line, plain (no markup nor control character), at most `limit`."""
    text = scalar_text(localized(value))
    if text is None:
        return None
    text = plain(re.sub(r"\s+", " ", text[: limit * 4]).strip(), limit).strip()
    return text or None


def location_of(raw: Any) -> Location:
    raw = raw if isinstance(raw, dict) else {}
    insee = _text(raw.get("insee"))
    postcode = _text(raw.get("postalCode"))
    return Location(
        name=_text(raw.get("name")),
        address=_text(raw.get("address")),
        commune=commune_of(insee, postcode),
        city=_text(raw.get("city")),
        postcode=postcode,
        lat=bounded_number(raw.get("latitude"), 180),  # as before: latitude bounded like a longitude
        lon=bounded_number(raw.get("longitude"), 180),
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
    url: str | None = None
    if isinstance(raw, str):
        url = raw
    elif isinstance(raw, dict):
        base, filename = raw.get("base"), raw.get("filename")
        if isinstance(base, str) and isinstance(filename, str):
            url = base + filename
    return web_url(url) if url is not None and url.startswith("https://") else None


def _url(raw: dict[str, Any]) -> str | None:
    agenda = raw.get("originAgenda")
    agenda_slug = agenda.get("slug") if isinstance(agenda, dict) else None
    slug = raw.get("slug")
    if (
        isinstance(agenda_slug, str)
        and isinstance(slug, str)
        and SLUG_RE.fullmatch(agenda_slug)
        and SLUG_RE.fullmatch(slug)
    ):
        return f"https://openagenda.com/{agenda_slug}/events/{slug}"
    return None


def parse_event(raw: Any) -> AgendaEvent:
    """One OpenAgenda event; ValueError with a reason for people when it cannot be used."""
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    uid = _uid(raw)
    if uid is None:
        raise ValueError("missing or malformed uid")
    title = _text(raw.get("title"), MAX_TITLE)
    if not title:
        raise ValueError("no title")
    status = raw.get("status", 1)
    if isinstance(status, bool) or not isinstance(status, int) or status not in STATUSES:
        raise ValueError(f"unknown status {excerpt(status, 20)}")
    keywords_raw = localized(raw.get("keywords"))
    keywords = [
        keyword
        for keyword in (_text(k, MAX_KEYWORD) for k in (keywords_raw if isinstance(keywords_raw, list) else []))
        if keyword
    ]
    price = plain_text(raw.get("conditions"), MAX_PRICE)
    age_min, age_max = _age(raw.get("age"))
    flags_raw = raw.get("accessibility")
    flags: dict[str, Any] = flags_raw if isinstance(flags_raw, dict) else {}
    updated = raw.get("updatedAt")
    try:
        updated_at = _parse_time(updated) if updated else None
    except ValueError:  # bookkeeping: an unreadable or out-of-bounds time is not a reason to drop the event
        updated_at = None
    return AgendaEvent(
        source=SOURCE,
        uid=uid,
        title=title,
        summary=plain_text(raw.get("description"), MAX_SUMMARY),
        description=plain_text(raw.get("longDescription"), MAX_DESCRIPTION),
        categories=categories_of(keywords),
        keywords=tuple(keywords[:MAX_KEYWORDS]),
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


def _uid(raw: dict[str, Any]) -> str | None:
    uid = raw.get("uid")
    if isinstance(uid, bool) or not isinstance(uid, (int, str)):
        return None
    text = uid if isinstance(uid, str) else str(uid) if -(10**64) < uid < 10**64 else ""
    return text if UID_RE.fullmatch(text) else None


def parse_feed(data: bytes) -> Feed:
    try:
        document = safejson.loads(data.decode("utf-8-sig"), max_depth=safejson.MAX_FEED_DEPTH)
    except ValueError as exc:  # UnicodeDecodeError, JSONDecodeError, JSONDepthError, a 5,000-digit number
        raise FeedFormatError(f"not OpenAgenda JSON: {excerpt(str(exc), 200)}") from None
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise FeedFormatError("not an OpenAgenda events page: no `events` list")
    feed = Feed(complete=document.get("complete", True) is not False)
    for index, raw in enumerate(document["events"], start=1):
        feed.read += 1
        uid = _uid(raw) if isinstance(raw, dict) else None  # a usable uid only: the store keeps that event
        try:
            feed.events.append(parse_event(raw))
        except ValueError as exc:
            ref = f"event {index}" + (f" (uid {uid})" if uid is not None else "")
            feed.rejected.append(Rejected(ref, uid, excerpt(str(exc), 300)))
    return feed
