"""RSS/Atom against hostile items: an out-of-range date rejects its item (it used to raise OverflowError and stop
every feed of the run), markup never survives in text, texts and URLs are bounded (issue 9, defects 2, 5, 10)."""

from __future__ import annotations

import re

import pytest

from news_rss.parser import MAX_SOURCE, SUMMARY_LENGTH, TITLE_LENGTH, parse_date, parse_feed
from poche_common.errors import FeedFormatError

TAG_START = re.compile(r"<[A-Za-z!/?]")


def rss(items: str, channel_title: str = "Flux test") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>{channel_title}</title>
{items}</channel></rss>""".encode()


def item(title: str = "Titre", link: str = "https://a.example/1", date: str = "Sat, 28 Nov 2026 09:30:00 +0100",
         description: str = "Texte.", extra: str = "") -> str:  # fmt: skip
    return (
        f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate>"
        f"<description>{description}</description>{extra}</item>"
    )


@pytest.mark.parametrize(
    "date",
    [
        "Mon, 01 Jan 0001 00:00:00 +0100",
        "Fri, 31 Dec 9999 23:59:59 -0100",
        "0001-01-01T00:00:00+01:00",
        "Thu, 01 Jan 1970 00:00:00 +0000",
        "Wed, 01 Jan 2170 00:00:00 +0000",
    ],
)
def test_a_date_out_of_bounds_rejects_its_item_only(date: str) -> None:
    feed = parse_feed(rss(item("Mauvais", date=date) + item("Bon", link="https://a.example/2")))
    assert [i.title for i in feed.items] == ["Bon"]
    assert [r.position for r in feed.rejected] == [1]
    assert "Mauvais" in feed.rejected[0].reason


def test_parse_date_never_raises_for_an_extreme_date() -> None:
    assert parse_date("0001-01-01T00:00:00+01:00") is None
    assert parse_date("Mon, 01 Jan 0001 00:00:00 +0100") is None


@pytest.mark.parametrize(
    "description",
    [
        "&amp;lt;img src=x onerror=alert(1)&amp;gt;Bonjour",  # the example: escaped twice in the XML
        "&amp;amp;lt;img src=x onerror=alert(1)&amp;amp;gt;Bonjour",
        "&lt;p&gt;&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;Bonjour&lt;/p&gt;",
        "<![CDATA[<p>&lt;svg onload=alert(1)&gt;Bonjour</p>]]>",
    ],
)
def test_summaries_are_text_without_markup(description: str) -> None:
    [news] = parse_feed(rss(item(description=description))).items
    assert "Bonjour" in news.summary
    assert not TAG_START.search(news.summary)


def test_titles_and_categories_are_text_without_markup() -> None:
    extra = "<category>&amp;lt;b&amp;gt;travaux</category>"
    [news] = parse_feed(rss(item(title="&amp;lt;b&amp;gt;Titre&amp;lt;/b&amp;gt;", extra=extra))).items
    assert news.title == "Titre"
    assert news.categories == ("travaux",)


@pytest.mark.parametrize("unit", ["<![", "<a<a", "<!--"])
def test_hostile_html_in_a_description_is_not_a_crash(unit: str) -> None:
    """`<![<![…` raised AssertionError from html.parser (no run record); `<a<a…` and `<!--<!--…` were quadratic."""
    description = (unit * 20_000).replace("&", "&amp;").replace("<", "&lt;")
    [news] = parse_feed(rss(item(description=description))).items
    assert len(news.summary) <= SUMMARY_LENGTH


def test_texts_and_urls_are_bounded() -> None:
    feed = parse_feed(
        rss(
            item(title="t" * 5000, description="d" * 100_000)
            + item("Lien trop long", link="https://a.example/" + "x" * 5000),
            channel_title="c" * 5000,
        )
    )
    [news] = feed.items
    assert len(news.title) <= TITLE_LENGTH and len(news.summary) <= SUMMARY_LENGTH
    assert len(news.source) <= MAX_SOURCE and len(feed.title) <= MAX_SOURCE
    assert "sans lien" in feed.rejected[0].reason


def test_atom_xhtml_content_nested_too_deep_is_a_feed_format_error() -> None:
    """ElementTree.tostring recursed once per level: 5,000 nested <div> raised RecursionError."""
    entry = (
        '<entry><title>x</title><link href="https://a.example/1"/><id>1</id><updated>2026-01-01T00:00:00Z</updated>'
        '<content type="xhtml">' + "<div>" * 5000 + "</div>" * 5000 + "</content></entry>"
    )
    data = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{entry}</feed>'.encode()
    with pytest.raises(FeedFormatError, match="profond"):
        parse_feed(data)
