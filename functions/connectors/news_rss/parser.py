"""Parse an RSS 2.0 or Atom feed into a `ParsedFeed`; HTML to plain text and short summaries.

Elements are matched by LOCAL NAME, whatever their namespace (`content:encoded`, `dc:date`,
`media:content`, Atom's default namespace...). Shapes read:

- RSS 2.0: `rss / channel / item`: `title`, `link`, `guid`, `pubDate` (RFC 822; else `dc:date`, ISO 8601),
  `description` (else `content:encoded`) for the summary, `category` (repeated), image from
  `enclosure[type=image/*]`, else `media:content|media:thumbnail`, else the first `<img>` of the HTML.
- Atom: `feed / entry`: `title` (text or html), `link[rel=alternate]` (or without `rel`), `id`,
  `published` (else `updated`), `summary` (else `content`, type `html`, `text` or `xhtml`),
  `category[@term|@label]`, image from `link[rel=enclosure][type=image/*]` or the HTML.

Safe XML with the standard library only, exactly as the traffic connector: expat with every DOCTYPE,
entity declaration and external entity refused as soon as it is seen (`FeedFormatError`).

A document that is not XML, or whose root is neither `rss` (with a `channel`) nor `feed`, is a
`FeedFormatError` for that feed. A bad item is skipped and recorded as a `RejectedItem`: it needs a title,
an http(s) link (the `guid` serves when it is a permalink URL) and a readable date.

Times: RFC 822 or ISO 8601 with an offset; a time without offset (or with an unknown zone name) is taken
as Europe/Paris. Stored in UTC. A date outside 2000..2100 (`poche_common.bounds`) is unreadable: its item is
rejected (`0001-01-01T00:00:00+01:00` used to raise OverflowError, which stopped every feed of the run).

Bounds: texts are plain text without markup, even escaped (`poche_common.plaintext`), cut with "…": title
`TITLE_LENGTH`, summary `SUMMARY_LENGTH`, categories `CATEGORY_LENGTH` (at most `MAX_CATEGORIES`), the feed's
title `MAX_SOURCE`. A link or image URL longer than `poche_common.bounds.MAX_URL_LENGTH` is not a usable URL
(an item without a usable link is rejected). The item id is a hash (`model.item_id`): always a usable key.
A document nested deeper than `poche_common.safexml.MAX_DEPTH` is a `FeedFormatError`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from poche_common.bounds import check_moment, excerpt, web_url
from poche_common.errors import FeedFormatError
from poche_common.plaintext import MAX_HTML, extract, no_markup, plain
from poche_common.safexml import parse_xml

from .model import NewsItem, ParsedFeed, RejectedItem, item_id

__all__ = ["html_to_text", "parse_date", "parse_feed", "parse_xml", "summarize"]

PARIS = ZoneInfo("Europe/Paris")
SUMMARY_LENGTH = 280
TITLE_LENGTH = 300
MAX_CATEGORIES = 10
CATEGORY_LENGTH = 80
MAX_SOURCE = 200
UNTITLED_FEED = "Flux sans titre"
_RFC822_YEAR = re.compile(r"\b\d{1,2}\s+[A-Za-z]{3,}\.?\s+(\d{4,})\b")  # "28 Nov 2026": a year written with 4 digits

# --- tree helpers (by local name) -----------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element if _local(child.tag) == name)


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next(_children(element, name), None)


def _text(element: ET.Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _attr(element: ET.Element, name: str) -> str:
    """An attribute by local name (namespaced or not), stripped; '' when absent."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value.strip()
    return ""


def _web_url(value: str) -> str | None:
    """`value` when it is an absolute http(s) URL (never `javascript:`, `data:`...) of a sane length, else None."""
    return web_url(value)


# --- HTML -> plain text ---------------------------------------------------------------------------------------


def _extract(html: str) -> tuple[str, str | None]:
    """(plain text, first image) of an HTML fragment: `poche_common.plaintext.extract`, which reads at most
    `MAX_HTML` characters in linear time (the standard library's HTMLParser used here before was quadratic on
    `<a<a<a…` and raised AssertionError on `<![<![…`), then free of markup even escaped."""
    text, image = extract(html)
    return plain(text, MAX_HTML), image


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: tags dropped (script, style, iframe... with their content), entities
    unescaped, paragraph breaks kept as a blank line, `<br>` as a line break, other whitespace collapsed; no
    markup left, even escaped (`&lt;img …&gt;` in the HTML is dropped, not turned into `<img …>`)."""
    return _extract(html)[0]


def one_line(text: str) -> str:
    return " ".join(text.split())


def summarize(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """`text` if short enough, else cut at the last word boundary before `limit` with "…" (at most `limit`);
    never markup, even escaped (a cut can turn `&ltimes;` into `&lti…`, which unescapes to `<i…`)."""
    text = text.strip()
    if len(text) <= limit:
        return no_markup(text)
    cut = text[: limit - 1]
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    if boundary >= limit // 2:
        cut = cut[:boundary]
    return no_markup(cut.rstrip(" \n,;:.-–—") + "…")


# --- dates ----------------------------------------------------------------------------------------------------


def parse_date(value: str) -> dt.datetime | None:
    """RFC 822 (RSS) or ISO 8601 (Atom, dc:date), as an aware UTC datetime within 2000..2100; None when
    unreadable or out of those bounds."""
    value = value.strip()
    if not value or len(value) > 100:
        return None
    moment: dt.datetime | None = None
    try:
        moment = email.utils.parsedate_to_datetime(value)
        written = _RFC822_YEAR.search(value)
        if written and int(written.group(1)) != moment.year:  # `0001` is not 2001 (the two-digit year rule)
            return None
    except (TypeError, ValueError, IndexError, OverflowError):
        try:
            moment = dt.datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            return None
    try:
        return check_moment(moment, zone=PARIS)
    except ValueError:
        return None


# --- feeds ----------------------------------------------------------------------------------------------------


def _categories(values: list[str]) -> tuple[str, ...]:
    seen: list[str] = []
    for value in values:
        label = plain(one_line(html_to_text(value[: CATEGORY_LENGTH * 10])), CATEGORY_LENGTH)
        if label and label not in seen:
            seen.append(label)
    return tuple(seen[:MAX_CATEGORIES])


def _media_image(element: ET.Element) -> str | None:
    for child in element:
        name = _local(child.tag)
        if name == "enclosure" and _attr(child, "type").lower().startswith("image/"):
            return _web_url(_attr(child, "url"))
        if name in ("content", "thumbnail") and child.tag.startswith("{http://search.yahoo.com/mrss"):
            medium = _attr(child, "medium").lower()
            kind = _attr(child, "type").lower()
            if name == "thumbnail" or medium == "image" or kind.startswith("image/"):
                url = _web_url(_attr(child, "url"))
                if url:
                    return url
    return None


def _build(
    position: int,
    *,
    title_html: str,
    link: str | None,
    guid: str | None,
    dates: list[str],
    body_html: str,
    image: str | None,
    categories: list[str],
    source: str,
) -> NewsItem | RejectedItem:
    title = summarize(one_line(html_to_text(title_html)), TITLE_LENGTH)
    if not title and not link:
        return RejectedItem(position, "Article sans titre ni lien : ignoré.")
    if not title:
        return RejectedItem(position, f"Article sans titre ({excerpt(link, 100)}) : ignoré.")
    if not link:
        return RejectedItem(position, f"Article « {title} » sans lien http(s) : ignoré.")
    published = next((moment for moment in map(parse_date, dates) if moment is not None), None)
    if published is None:
        shown = next((d for d in dates if d.strip()), "")
        reason = f"date « {excerpt(shown, 40)} » illisible ou hors des bornes (2000 à 2100)" if shown else "sans date"
        return RejectedItem(position, f"Article « {title} » {reason} : ignoré.")
    text, first_image = _extract(body_html)
    return NewsItem(
        id=item_id(guid, link),
        title=title,
        summary=summarize(text),
        url=link,
        published=published,
        source=source,
        image=image or first_image,
        categories=_categories(categories),
    )


def _add(feed: ParsedFeed, built: NewsItem | RejectedItem) -> None:
    if isinstance(built, NewsItem):
        feed.items.append(built)
    else:
        feed.rejected.append(built)


def _rss(channel: ET.Element, feed: ParsedFeed) -> None:
    for position, item in enumerate(_children(channel, "item"), start=1):
        feed.items_read += 1
        guid_element = _child(item, "guid")
        guid = _text(guid_element) or None
        link = _web_url(_text(_child(item, "link")))
        if link is None and guid_element is not None and _attr(guid_element, "isPermaLink").lower() != "false":
            link = _web_url(guid or "")
        description = _text(_child(item, "description"))
        body = description or _text(_child(item, "encoded"))  # content:encoded
        built = _build(
            position,
            title_html=_text(_child(item, "title")),
            link=link,
            guid=guid,
            dates=[_text(_child(item, "pubDate")), _text(_child(item, "date"))],  # dc:date
            body_html=body,
            image=_media_image(item),
            categories=[_text(c) for c in _children(item, "category")],
            source=feed.title,
        )
        _add(feed, built)


def _atom_html(element: ET.Element | None) -> str:
    """An Atom text construct as HTML: `html` is escaped markup, `xhtml` a div, `text` plain text."""
    if element is None:
        return ""
    kind = _attr(element, "type").lower() or "text"
    if kind == "xhtml":
        return "".join(ET.tostring(child, encoding="unicode") for child in element)
    if kind in ("text", "text/plain"):
        return _text(element).replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>")
    return _text(element)


def _atom(root: ET.Element, feed: ParsedFeed) -> None:
    for position, entry in enumerate(_children(root, "entry"), start=1):
        feed.items_read += 1
        link: str | None = None
        image: str | None = None
        for candidate in _children(entry, "link"):
            rel = _attr(candidate, "rel").lower() or "alternate"
            href = _web_url(_attr(candidate, "href"))
            if rel == "alternate" and link is None:
                link = href
            elif rel == "enclosure" and image is None and _attr(candidate, "type").lower().startswith("image/"):
                image = href
        guid = _text(_child(entry, "id")) or None
        if link is None:
            link = _web_url(guid or "")
        body = _atom_html(_child(entry, "summary")) or _atom_html(_child(entry, "content"))
        built = _build(
            position,
            title_html=_atom_html(_child(entry, "title")),
            link=link,
            guid=guid,
            dates=[_text(_child(entry, "published")), _text(_child(entry, "updated"))],
            body_html=body,
            image=image or _media_image(entry),
            categories=[_attr(c, "label") or _attr(c, "term") for c in _children(entry, "category")],
            source=feed.title,
        )
        _add(feed, built)


def parse_feed(data: bytes) -> ParsedFeed:
    """Every item of an RSS 2.0 or Atom document; `FeedFormatError` when it is neither."""
    root = parse_xml(data)
    kind = _local(root.tag)
    if kind == "rss":
        channel = _child(root, "channel")
        if channel is None:
            raise FeedFormatError("Le flux RSS n'a pas d'élément <channel> : ce n'est pas un flux RSS 2.0.")
        feed = ParsedFeed("rss", _feed_title(_text(_child(channel, "title"))))
        _rss(channel, feed)
        return feed
    if kind == "feed":
        feed = ParsedFeed("atom", _feed_title(_atom_html(_child(root, "title"))))
        _atom(root, feed)
        return feed
    raise FeedFormatError(
        f"Le document reçu (élément racine « {excerpt(kind, 60)} ») n'est ni un flux RSS 2.0 (<rss>) ni un flux "
        "Atom (<feed>)."
    )


def _feed_title(html: str) -> str:
    return plain(one_line(html_to_text(html)), MAX_SOURCE) or UNTITLED_FEED
