"""Unit tests of the RSS 2.0 / Atom parser, HTML to text and summaries (offline, deterministic)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from news_rss.model import item_id
from news_rss.parser import html_to_text, parse_date, parse_feed, summarize
from poche_common.errors import FeedFormatError

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "functions/connectors/news_rss/sample"
UTC = dt.UTC


def rss(items: str, channel_title: str = "Flux test") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>{channel_title}</title>
{items}</channel></rss>""".encode()


def atom(entries: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom test</title><id>urn:test</id>{entries}</feed>""".encode()


ITEM = """<item><title>Titre</title><link>https://a.example/1</link><guid>g-1</guid>
<pubDate>Sat, 28 Nov 2026 09:30:00 +0100</pubDate>{extra}</item>"""


def test_rss_sample() -> None:
    feed = parse_feed((SAMPLES / "orne-actualites.xml").read_bytes())
    assert (feed.kind, feed.title, feed.items_read) == ("rss", "Département de l’Orne – Actualités", 8)
    assert [r.position for r in feed.rejected] == [7, 8]
    assert "31/11/2026 10h00" in feed.rejected[0].reason
    assert "sans titre ni lien" in feed.rejected[1].reason
    assert len(feed.items) == 6 and len({i.id for i in feed.items}) == 5  # item 6 repeats item 1
    first = feed.items[0]
    assert first.id == item_id("orne-actu-2026-0412", None)
    assert first.published == dt.datetime(2026, 11, 28, 8, 30, tzinfo=UTC)
    assert first.summary == (
        "Depuis le 28 novembre, les équipes des routes sont en astreinte jour et nuit.\n\n"
        "Consultez l’état des routes sur notre carte."
    )
    assert "trackVisit" not in first.summary
    assert first.categories == ("Routes", "Hiver & sécurité")
    assert first.image == "https://www.orne.example/medias/saleuse.jpg"
    assert first.source == "Département de l’Orne – Actualités"
    college = feed.items[1]
    assert college.title == "Collèges : des repas de Noël 100 % locaux"
    assert len(college.summary) <= 280 and college.summary.endswith("…")
    assert ".pub" not in college.summary
    no_guid = feed.items[2]
    assert no_guid.id == item_id(None, "https://www.orne.example/actualites/mediatheque-ressources-numeriques")
    assert no_guid.summary == (
        "Films, presse et cours en ligne : l’offre numérique s’enrichit.\nInscription gratuite dans votre bibliothèque."
    )
    assert no_guid.published == dt.datetime(2026, 11, 26, 11, 15, tzinfo=UTC)
    dc_date = feed.items[3]
    assert dc_date.published == dt.datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert dc_date.summary == "Observation des oiseaux hivernants, taille des haies… Le programme est en ligne."
    assert dc_date.image == "https://www.orne.example/medias/ens-decembre.jpg"
    permalink = feed.items[4]
    assert permalink.url == "https://www.orne.example/actualites/cross-departemental-alencon"
    assert permalink.image == "https://www.orne.example/medias/cross.jpg"


def test_atom_sample() -> None:
    feed = parse_feed((SAMPLES / "alencon-actualites.xml").read_bytes())
    assert (feed.kind, feed.title, feed.items_read, feed.rejected) == ("atom", "Ville d'Alençon – Actualités", 5, [])
    market, works, cross, council, rink = feed.items
    assert market.url == "https://www.alencon.example/actualites/marche-de-noel-2026"
    assert market.image == "https://www.alencon.example/medias/marche-noel.jpg"
    assert market.published == dt.datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # published, not updated
    assert market.categories == ("Fêtes et animations",)
    assert works.title == "Travaux rue aux Sieurs : circulation alternée"
    assert works.published == dt.datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
    assert works.summary.startswith("Remplacement des canalisations") and "\n\nStationnement" in works.summary
    assert works.categories == ("travaux",)
    assert cross.id == item_id("https://www.orne.example/actualites/cross-departemental-alencon", None)
    assert council.summary == "Ordre du jour : budget 2027 & tarifs << restauration scolaire >>."
    assert rink.summary == "Ouverte tous les jours de 14 h à 19 h.\n\nFermée le 25 décembre."


def test_html_to_text() -> None:
    html = (
        "<div><h2>Titre&nbsp;!</h2><p>Un <b>texte</b>   avec\n espaces &amp; entités &#8217;.</p>"
        "<script>alert('x')</script><style>p{}</style><iframe src='x'><p>cadre</p></iframe>"
        "<p>Ligne 1<br/>Ligne 2</p><ul><li>un</li><li>deux</li></ul></div>"
    )
    assert html_to_text(html) == "Titre !\n\nUn texte avec espaces & entités ’.\n\nLigne 1\nLigne 2\n\nun\n\ndeux"
    assert html_to_text("texte brut < 3") == "texte brut < 3"
    assert html_to_text("<p>avant<iframe/>après</p>") == "avantaprès"


def test_summarize_cuts_at_a_word() -> None:
    text = "mot " * 100
    summary = summarize(text)
    assert len(summary) <= 280 and summary.endswith("mot…")
    assert summarize("court") == "court"
    exact = "a" * 280
    assert summarize(exact) == exact
    assert summarize("b" * 300) == "b" * 279 + "…"  # one very long word: cut inside it


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sat, 28 Nov 2026 09:30:00 +0100", dt.datetime(2026, 11, 28, 8, 30, tzinfo=UTC)),
        ("28 Nov 2026 09:30:00 GMT", dt.datetime(2026, 11, 28, 9, 30, tzinfo=UTC)),
        ("Sam, 28 Nov 2026 09:30:00 +0100", dt.datetime(2026, 11, 28, 8, 30, tzinfo=UTC)),
        ("Sat, 28 Nov 2026 09:30:00", dt.datetime(2026, 11, 28, 8, 30, tzinfo=UTC)),  # no zone: Paris
        ("2026-07-01T12:00:00Z", dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC)),
        ("2026-07-01T12:00:00", dt.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)),  # summer in Paris
        ("31/11/2026 10h00", None),
        ("", None),
    ],
)
def test_parse_date(raw: str, expected: dt.datetime | None) -> None:
    assert parse_date(raw) == expected


def test_rejections() -> None:
    feed = parse_feed(
        rss(
            "<item><title>Sans lien</title><pubDate>Sat, 28 Nov 2026 09:30:00 +0100</pubDate></item>"
            "<item><link>https://a.example/2</link><pubDate>Sat, 28 Nov 2026 09:30:00 +0100</pubDate></item>"
            "<item><title>Script</title><link>javascript:alert(1)</link>"
            "<pubDate>Sat, 28 Nov 2026 09:30:00 +0100</pubDate></item>"
            "<item><title>Sans date</title><link>https://a.example/3</link></item>" + ITEM.format(extra="")
        )
    )
    assert feed.items_read == 5 and [i.title for i in feed.items] == ["Titre"]
    reasons = [r.reason for r in feed.rejected]
    assert "sans lien" in reasons[0] and "sans titre" in reasons[1].lower() and "sans lien" in reasons[2]
    assert "sans date" in reasons[3]


def test_guid_permalink_false_is_not_a_link_and_unsafe_images_are_dropped() -> None:
    feed = parse_feed(
        rss(
            '<item><title>T</title><guid isPermaLink="false">https://a.example/g</guid>'
            "<pubDate>Sat, 28 Nov 2026 09:30:00 +0100</pubDate></item>"
            + ITEM.format(extra='<enclosure url="javascript:x" type="image/png"/>')
        )
    )
    assert len(feed.rejected) == 1 and feed.items[0].image is None


def test_content_encoded_when_no_description_and_html_title() -> None:
    feed = parse_feed(
        rss(ITEM.format(extra="<content:encoded><![CDATA[<p>Corps <i>riche</i></p>]]></content:encoded>")).replace(
            b"<title>Titre</title>", b"<title>&lt;b&gt;Gras&lt;/b&gt; &amp;amp; fin</title>"
        )
    )
    assert feed.items[0].summary == "Corps riche"
    assert feed.items[0].title == "Gras & fin"


def test_atom_links_and_dates() -> None:
    feed = parse_feed(
        atom(
            '<entry><title type="text">A &lt; B</title><link rel="self" href="https://a.example/self"/>'
            '<link rel="alternate" href="https://a.example/page"/><id>urn:x:1</id>'
            "<updated>2026-11-28T10:00:00+01:00</updated><published>2026-11-27T10:00:00+01:00</published>"
            '<content type="text">1 &lt; 2 &amp; 3</content></entry>'
            "<entry><title>Id seul</title><id>https://a.example/from-id</id>"
            "<updated>2026-11-28T10:00:00Z</updated></entry>"
        )
    )
    first, second = feed.items
    assert first.title == "A < B" and first.url == "https://a.example/page" and first.summary == "1 < 2 & 3"
    assert first.published == dt.datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert first.id == item_id("urn:x:1", None)
    assert second.url == "https://a.example/from-id"


@pytest.mark.parametrize(
    "data",
    [
        b"not xml at all",
        b"<html><body>Page</body></html>",
        b'<?xml version="1.0"?><rss version="2.0"></rss>',
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "y">]><rss><channel/></rss>',
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>',
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aa"><!ENTITY b "&a;&a;&a;">]><feed>&b;</feed>',
    ],
)
def test_not_a_feed_is_a_feed_format_error(data: bytes) -> None:
    with pytest.raises(FeedFormatError):
        parse_feed(data)


def test_empty_channel_is_an_empty_feed() -> None:
    feed = parse_feed(rss(""))
    assert (feed.kind, feed.items, feed.items_read) == ("rss", [], 0)
