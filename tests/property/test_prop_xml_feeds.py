"""Properties of the XML parsers (DATEX II, RSS/Atom) on generated documents mixing valid records/items with
hostile values: only FeedFormatError for a whole document, usable ids, times within 2000..2100, plain bounded
texts without markup; a valid record/item reads back with its values."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import zlib

from hostile_strategies import (
    GOOD_MOMENTS,
    VALID_IDS,
    assert_id,
    assert_moment,
    assert_reason,
    assert_text,
    iso_moments,
    xml_escape,
    xml_texts,
)
from hypothesis import example, given
from hypothesis import strategies as st

from news_rss import parser as news
from poche_common.bounds import MAX_URL_LENGTH
from poche_common.errors import FeedFormatError
from traffic_datex2 import parser as datex

# ---------------------------------------------------------------- DATEX II


def datex_record(sid: str, rid: str, start: str, comment: str, road: str, lat: str) -> str:
    return f"""<situation id="{xml_escape(sid)}"><situationRecord id="{xml_escape(rid)}" version="1"
 xsi:type="MaintenanceWorks">
  <situationRecordCreationTime>{xml_escape(start)}</situationRecordCreationTime>
  <validity><validityStatus>active</validityStatus><validityTimeSpecification>
    <overallStartTime>{xml_escape(start)}</overallStartTime></validityTimeSpecification></validity>
  <generalPublicComment><comment><values><value lang="fr">{xml_escape(comment)}</value></values></comment>
  </generalPublicComment>
  <groupOfLocations xsi:type="Point"><locationForDisplay><latitude>{xml_escape(lat)}</latitude>
  <longitude>0.09</longitude></locationForDisplay>
  <roadName><values><value>{xml_escape(road)}</value></values></roadName>
  <locationDescription><values><value>{xml_escape(road)}</value></values></locationDescription>
  </groupOfLocations>
</situationRecord></situation>"""


def datex_document(situations: list[str]) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<d2LogicalModel xmlns="http://datex2.eu/schema/2/2_0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<payloadPublication xsi:type="SituationPublication" lang="fr">
<publicationTime>2026-12-02T09:55:00+01:00</publicationTime>{"".join(situations)}
</payloadPublication></d2LogicalModel>""".encode()


hostile_records = st.builds(
    datex_record,
    VALID_IDS | xml_texts(20) | st.just("S" * 1500),
    VALID_IDS | xml_texts(20) | st.just("R" * 1500),
    iso_moments().map(lambda text: "".join(c for c in text if c.isprintable())),
    xml_texts(),
    xml_texts(),
    st.sampled_from(["48.43", "91", "nan", "-0", "x"]),
)


def check_datex(feed: datex.ParsedFeed) -> None:
    for event in feed.events:
        assert_id(event.situation_id)
        assert_id(event.record_id)
        assert len(event.id.encode()) < 1024  # a GSI sort key
        assert_moment(event.start)
        assert_moment(event.end)
        assert_moment(event.created_at)
        assert_moment(event.updated_at)
        assert_text(event.description, datex.MAX_DESCRIPTION)
        assert_text(event.road_name, datex.MAX_ROAD_NAME)
        assert len(event.places) <= datex.MAX_PLACES
        for place in event.places:
            assert_text(place, datex.MAX_PLACE)
    for rejected in feed.rejected:
        assert_reason(rejected.reason)
    assert_moment(feed.published_at)


@given(
    st.lists(hostile_records, max_size=5),
    st.lists(st.tuples(VALID_IDS, GOOD_MOMENTS, xml_texts(30)), max_size=3, unique_by=lambda record: record[0]),
)
def test_datex_documents_with_hostile_records(hostile: list[str], good: list[tuple[str, dt.datetime, str]]) -> None:
    valid = [
        datex_record(f"good-{sid}", "R1", moment.isoformat() + "Z", "Chantier " + comment, "N12", "48.43")
        for sid, moment, comment in good
    ]
    try:
        feed = datex.parse_feed(datex_document(hostile + valid))
    except FeedFormatError:
        assert not valid
        return
    check_datex(feed)
    events = {event.situation_id: event for event in feed.events}
    for sid, moment, _ in good:  # round trip
        event = events[f"good-{sid}"]
        assert event.start == moment.replace(tzinfo=dt.UTC)
        assert event.description.startswith("Chantier")


@given(st.binary(max_size=200) | xml_texts(100).map(str.encode))
@example(b"<a>" * 10_000 + b"</a>" * 10_000)
def test_datex_any_bytes_are_a_feed_or_a_feed_format_error(data: bytes) -> None:
    with contextlib.suppress(FeedFormatError):
        check_datex(datex.parse_feed(data))


# ---------------------------------------------------------------- RSS / Atom

RFC822_OR_ISO = st.one_of(
    iso_moments(),
    st.datetimes().map(lambda moment: email.utils.format_datetime(moment.replace(tzinfo=dt.UTC))),
    st.sampled_from(["Mon, 01 Jan 0001 00:00:00 +0100", "Fri, 31 Dec 9999 23:59:59 -0100", "31/11/2026"]),
)


def rss_item(title: str, link: str, date: str, description: str, category: str) -> str:
    return (
        f"<item><title>{xml_escape(title)}</title><link>{xml_escape(link)}</link>"
        f"<pubDate>{xml_escape(date)}</pubDate><description>{xml_escape(description)}</description>"
        f"<category>{xml_escape(category)}</category></item>"
    )


def rss(items: list[str], title: str = "Flux") -> bytes:
    channel = f"<channel><title>{xml_escape(title)}</title>{''.join(items)}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


hostile_items = st.builds(
    rss_item,
    xml_texts(),
    st.sampled_from(["https://a.example/1", "javascript:alert(1)", "https://a.example/" + "x" * 3000]) | xml_texts(20),
    RFC822_OR_ISO.map(lambda text: "".join(c for c in text if c.isprintable())),
    xml_texts(200),
    xml_texts(),
)


def check_news(feed: news.ParsedFeed) -> None:
    assert_text(feed.title, news.MAX_SOURCE)
    for item in feed.items:
        assert_text(item.title, news.TITLE_LENGTH)
        assert_text(item.summary, news.SUMMARY_LENGTH)
        assert_text(item.source, news.MAX_SOURCE)
        assert_moment(item.published)
        assert item.url is not None and len(item.url) <= MAX_URL_LENGTH
        assert item.image is None or len(item.image) <= MAX_URL_LENGTH
        assert len(item.categories) <= news.MAX_CATEGORIES
        for category in item.categories:
            assert_text(category, news.CATEGORY_LENGTH)
    for rejected in feed.rejected:
        assert_reason(rejected.reason)


@given(
    st.lists(hostile_items, max_size=5),
    st.lists(st.tuples(VALID_IDS, GOOD_MOMENTS), max_size=3, unique_by=lambda item: item[0]),
    xml_texts(),
)
def test_rss_feeds_with_hostile_items(hostile: list[str], good: list[tuple[str, dt.datetime]], title: str) -> None:
    valid = [
        rss_item(
            f"Titre {word}",
            f"https://a.example/{word}",
            email.utils.format_datetime(moment.replace(tzinfo=dt.UTC)),
            "",
            "",
        )
        for word, moment in good
    ]
    feed = news.parse_feed(rss(hostile + valid, title))
    check_news(feed)
    items = {item.url: item for item in feed.items}
    for word, moment in good:  # round trip
        item = items[f"https://a.example/{word}"]
        assert (item.title, item.published) == (f"Titre {word}", moment.replace(tzinfo=dt.UTC))


@given(st.binary(max_size=200) | xml_texts(100).map(str.encode))
def test_news_any_bytes_are_a_feed_or_a_feed_format_error(data: bytes) -> None:
    with contextlib.suppress(FeedFormatError):
        check_news(news.parse_feed(data))


def atom_entry(title: str, kind: str, content: str, date: str) -> str:
    body = content if kind == "xhtml" else xml_escape(content)
    if kind == "xhtml":  # any text as the content of a div: escaped, then a few tags around it
        body = f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{xml_escape(content)}</p></div>'
    return (
        f'<entry><title type="html">{xml_escape(title)}</title><link href="https://a.example/{zlib.crc32(title.encode())}"/>'
        f"<id>urn:{zlib.crc32(content.encode())}</id><updated>{xml_escape(date)}</updated>"
        f'<content type="{kind}">{body}</content></entry>'
    )


@given(
    st.lists(
        st.builds(
            atom_entry,
            xml_texts(),
            st.sampled_from(["html", "text", "xhtml"]),
            xml_texts(200),
            iso_moments().map(lambda text: "".join(c for c in text if c.isprintable())),
        ),
        max_size=5,
    )
)
def test_atom_feeds_with_hostile_entries(entries: list[str]) -> None:
    data = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title>{"".join(entries)}</feed>'.encode()
    check_news(news.parse_feed(data))
