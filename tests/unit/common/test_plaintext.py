"""Unit tests of poche_common.plaintext: HTML to text in linear time, no markup surviving any unescaping."""

from __future__ import annotations

import html
import re
import time

import pytest

from poche_common import plaintext
from poche_common.plaintext import MAX_HTML, clip, extract, html_to_text, no_markup, plain

TAG_START = re.compile(r"<[A-Za-z!/?]")


def fully_unescaped(text: str) -> str:
    for _ in range(50):
        unescaped = html.unescape(text)
        if unescaped == text:
            return text
        text = unescaped
    raise AssertionError("unescaping did not settle")


def markup_free(text: str) -> bool:
    """No `<tag` in the text, nor in what any number of HTML unescapings make of it."""
    return TAG_START.search(text) is None and TAG_START.search(fully_unescaped(text)) is None


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    source = (
        "<div><h2>Titre&nbsp;!</h2><p>Un <b>texte</b>   avec\n espaces &amp; entités &#8217;.</p>"
        "<script>alert('<p>x</p>')</script><style>p{}</style><iframe src='x'><p>cadre</p></iframe>"
        "<p>Ligne 1<br/>Ligne 2</p><ul><li>un</li><li>deux</li></ul></div>"
    )
    assert html_to_text(source) == "Titre !\n\nUn texte avec espaces & entités ’.\n\nLigne 1\nLigne 2\n\nun\n\ndeux"
    assert html_to_text("texte brut < 3 et 5 > 4") == "texte brut < 3 et 5 > 4"
    assert html_to_text("<p>avant<iframe/>après</p>") == "avantaprès"
    assert html_to_text('<p title="a > b">dedans</p>') == "dedans"  # a `>` inside a quoted attribute
    assert html_to_text("<svg><g><text>dessin</text></g></svg>fin") == "fin"
    assert html_to_text("avant<!-- commentaire <p>x</p> -->après") == "avantaprès"


def test_markdown_mode_keeps_the_lines_of_the_source() -> None:
    assert html_to_text("## Titre\n\nUn   texte\nsur deux lignes", keep_newlines=True) == (
        "## Titre\n\nUn texte\nsur deux lignes"
    )


def test_first_image_is_an_http_url_only() -> None:
    assert extract('<p><img src="https://a.example/i.jpg"> <img src="https://b.example/j.jpg"></p>')[1] == (
        "https://a.example/i.jpg"
    )
    assert extract("<img src='javascript:alert(1)'>")[1] is None
    assert extract("<img src=https://a.example/x.png?a=1&amp;b=2>")[1] == "https://a.example/x.png?a=1&b=2"


@pytest.mark.parametrize(
    "hostile",
    [
        "&lt;img src=x onerror=alert(1)&gt;",  # escaped once: the extractor's unescaping made it live
        "&amp;lt;img src=x onerror=alert(1)&amp;gt;",  # escaped twice
        "&amp;amp;amp;amp;lt;script&amp;amp;amp;amp;gt;",  # escaped many times
        "&#60;svg onload=alert(1)&#62;",
        "&#x3c;a href=javascript:alert(1)&#x3e;x",
        "&ltimg src=x&gt",  # legacy entities without semicolon
        "<p>dans une balise</p>",
        "< b>espace puis <b",
    ],
)
def test_no_markup_survives_any_unescaping(hostile: str) -> None:
    for text in (no_markup(hostile), html_to_text(hostile), plain(hostile, 1000)):
        assert markup_free(text), text


def test_rss_double_escaped_description_gives_text_without_markup() -> None:
    """Defect 10: `&amp;lt;img …&amp;gt;` in an RSS description is `&lt;img …&gt;` in HTML, i.e. the text
    `<img …>`: it must not come out as live markup."""
    text = html_to_text("&lt;img src=x onerror=alert(1)&gt;Bonjour")
    assert markup_free(text)
    assert "Bonjour" in text


def test_no_markup_leaves_ordinary_text_alone() -> None:
    for text in ("budget 2027 & tarifs << restauration >>", "a < b et c > d", "AT&T", "x<3", "Fish & chips"):
        assert no_markup(text) == text


def test_plain_removes_control_characters_and_lone_surrogates() -> None:
    assert plain("a\x00b\x1bc\x85d\ud800e\tf\ng", 100) == "abcde\tf\ng"


def test_clip_cuts_with_an_ellipsis() -> None:
    assert clip("abcdef", 10) == "abcdef"
    assert clip("abcdefghijkl", 5) == "abcd…"
    assert len(clip("x" * 10_000, 200)) == 200


# --------------------------------------------------------------- hostile sizes: work stays linear and bounded


HOSTILE_UNITS = ["<a", "<!--", "</", "<?", "<![", "<a b='", '<a b="x', "[a](", "&amp;", "<", "<p>" * 2 + "</"]


@pytest.mark.parametrize("unit", HOSTILE_UNITS)
def test_hostile_markup_is_read_in_linear_steps(unit: str) -> None:
    """The standard library's HTMLParser is quadratic on unterminated constructs (`<a<a<a…`, `<!--<!--…`: 19 s
    for 160 KB here) and raises AssertionError on `<![<![`; the extractor is a linear tokenizer: one text and one tag
    at most per `<`, and it only ever reads the first MAX_HTML characters."""
    hostile = unit * (3 * MAX_HTML // len(unit))
    steps = sum(1 for _ in plaintext.tokens(hostile[:MAX_HTML]))
    assert steps <= 2 * hostile[:MAX_HTML].count("<") + 1
    started = time.process_time()
    text, _ = extract(hostile)
    assert time.process_time() - started < 5  # generous: the quadratic parser took minutes on this
    assert markup_free(no_markup(text))


def test_only_the_first_max_html_characters_are_read() -> None:
    text = html_to_text("a" * MAX_HTML + "<p>ignoré</p>")
    assert "ignoré" not in text
