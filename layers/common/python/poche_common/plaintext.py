"""Plain text out of what feeds call text: HTML fragments, escaped markup, control characters, any length.

Every text a connector stores for people (titles, summaries, descriptions, names) goes through `plain`, so that:

- **no markup survives**, even escaped: a description `&amp;lt;img src=x onerror=…&amp;gt;` in RSS is the HTML
  `&lt;img …&gt;`, i.e. the text `<img …>`; an app or a notification that shows it as HTML runs it. `no_markup`
  removes what any number of HTML unescapings would turn into a tag (`<` followed by a letter, `/`, `!` or `?`);
- it holds no control character (C0 but tab and newline, DEL, C1) nor lone surrogate (boto3 cannot encode it);
- it has a bounded length (`clip`: cut with "…").

HTML is read by `extract`, a small tokenizer that works in linear time. The standard library's `HTMLParser` is
quadratic on unterminated constructs — `<a<a<a…`, `<!--<!--…`, `</</…`, `<?<?…` (each `<` re-scans the rest of
the input at `close()`: 19 s for 160 KB of `<!--` here) — and raises `AssertionError` on `<![<![…` (Python 3.11):
one item could stall or kill a run. The regex strippers `<[^>]*>` are quadratic too (every `<` without `>`
scans to the end). Here every `<` is looked at once, and only the first `MAX_HTML` characters are read (no
stored field is anywhere near that long).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import NamedTuple

from .bounds import web_url

__all__ = ["MAX_HTML", "clip", "extract", "html_to_text", "no_markup", "plain", "tokens"]

MAX_HTML = 100_000  # characters of HTML read per field
MAX_UNESCAPE_ROUNDS = 4  # deeper escaping than this is an attack: every `&` and tag start is neutralised

# Elements dropped with their content: raw text (`script`, `style`…: their content is not markup) and elements
# whose content is not text for people (`svg`, `template`…).
_RAW = frozenset({"script", "style", "iframe", "noscript", "noembed", "noframes", "xmp", "textarea", "title"})
_SKIPPED = _RAW | frozenset({"template", "object", "embed", "svg", "math", "head", "audio", "video", "canvas"})
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "aside", "blockquote", "pre", "ul", "ol", "li",
        "dl", "dt", "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "hr",
        "address", "main", "nav", "form", "fieldset", "details", "summary",
    }
)  # fmt: skip
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "source", "track", "wbr"})

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9:_.-]*")
_TAG_STOP = re.compile(r">|=[ \t\n\r\f]*([\"'])")  # the end of a tag, or the opening quote of an attribute value
_SRC = re.compile(r"""(?:^|[\s/])src[ \t\n\r\f]*=[ \t\n\r\f]*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_ANY_SPACE = re.compile(r"\s+")
_LINE_SPACE = re.compile(r"[^\S\n]+")  # whitespace but newlines
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u202f]+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v\u00a0\u202f]*\n")
_TAG_START = re.compile(r"<(?=[A-Za-z!/?])")
_CLOSED_TAG = re.compile(r"<[A-Za-z!/?][^<>]*>")  # cannot run past the next `<`: linear
_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # controls but tab and newline; surrogates


class Token(NamedTuple):
    kind: str  # "text" | "start" | "end"
    value: str  # the text (entities still escaped), or the tag's name in lower case without prefix
    attributes: str = ""  # start tags: the raw text between the name and `>`
    closed: bool = False  # start tags written `<x/>`


def tokens(source: str) -> Iterator[Token]:
    """The tokens of an HTML fragment, in one pass: each `<` is looked at once, and each step yields at most a
    text and a tag.

    Comments, declarations, processing instructions and CDATA sections are dropped; the content of a raw text
    element (`script`, `style`…) is skipped with its end tag; an unterminated tag or comment drops the rest of
    the input (as browsers do at the end of a document); a `<` that starts no tag is text."""
    position, size = 0, len(source)
    while position < size:
        opening = source.find("<", position)
        if opening < 0:
            yield Token("text", source[position:])
            return
        if opening > position:
            yield Token("text", source[position:opening])
        position = opening
        following = source[position + 1 : position + 2]
        if source.startswith("<!--", position):
            end = source.find("-->", position + 4)
            position = size if end < 0 else end + 3
        elif following in ("!", "?"):
            end = source.find(">", position + 2)
            position = size if end < 0 else end + 1
        elif following == "/":
            name = _NAME.match(source, position + 2)
            end = source.find(">", position + 2)
            if end < 0:
                return
            if name is not None:
                yield Token("end", _local(name.group()))
            position = end + 1
        else:
            name = _NAME.match(source, position + 1)
            if name is None:
                yield Token("text", "<")
                position += 1
                continue
            end = _tag_end(source, name.end())
            if end < 0:
                return
            tag, attributes = _local(name.group()), source[name.end() : end]
            closed = attributes.rstrip().endswith("/")
            yield Token("start", tag, attributes, closed)
            position = end + 1
            if tag in _RAW and not closed:
                position = _raw_end(source, name.group(), position)


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1].lower()  # xhtml re-serialized with a prefix: `ns0:p`


def _tag_end(source: str, position: int) -> int:
    """Where the tag whose attributes start at `position` ends (its `>`, not one inside a quoted value); -1."""
    while True:
        stop = _TAG_STOP.search(source, position)
        if stop is None:
            return -1
        quote = stop.group(1)
        if quote is None:
            return stop.start()
        closing = source.find(quote, stop.end())
        if closing < 0:
            return -1
        position = closing + 1


def _raw_end(source: str, name: str, position: int) -> int:
    """Where the text after the end tag `</name…>` of a raw text element starts (the end of `source` if none)."""
    closing = re.compile(rf"</{re.escape(name)}(?![A-Za-z0-9:_.-])", re.IGNORECASE).search(source, position)
    if closing is None:
        return len(source)
    end = source.find(">", closing.end())
    return len(source) if end < 0 else end + 1


def extract(
    source: str, *, keep_newlines: bool = False, block_break: str = "\n\n", max_html: int = MAX_HTML
) -> tuple[str, str | None]:
    """(plain text, first `<img>` http(s) URL) of an HTML fragment; only its first `max_html` characters are read.

    Tags are dropped (`script`, `style`, `iframe`, `svg`… with their content), entities unescaped, the bounds of
    block elements give `block_break` (a blank line: paragraphs; or "\n": lines), `<br>` a line break. Other
    whitespace collapses to one space, but with `keep_newlines` (markdown, or plain text that happens to hold a
    few tags) the source's line breaks stay. The result is not yet free of escaped markup: `plain` (or
    `no_markup`) is what makes it text."""
    parts: list[str] = []
    after_block = False  # `</p><p>` is one boundary, not two
    skipping: list[str] = []
    first_image: str | None = None
    space = _LINE_SPACE if keep_newlines else _ANY_SPACE
    for token in tokens(source[:max_html]):
        tag = token.value
        if token.kind == "text":
            if not skipping:
                parts.append(space.sub(" ", html.unescape(tag)))
                after_block = False
        elif token.kind == "end":
            if skipping:
                if tag == skipping[-1]:
                    skipping.pop()
            elif tag in _BLOCKS and not after_block:
                parts.append(block_break)
                after_block = True
        elif skipping:  # inside a skipped element: only its own nesting counts
            if tag == skipping[-1] and tag not in _VOID and not token.closed:
                skipping.append(tag)
        elif tag in _SKIPPED:
            if tag not in _RAW and tag not in _VOID and not token.closed:  # raw text: skipped by `tokens`
                skipping.append(tag)
        elif tag == "br":
            parts.append("\n")
            after_block = False
        elif tag in _BLOCKS:
            if not after_block:
                parts.append(block_break)
            after_block = True
        elif tag == "img" and first_image is None:
            found = _SRC.search(token.attributes)
            if found:
                first_image = web_url(html.unescape(next(g for g in found.groups() if g is not None)))
    return _paragraphs("".join(parts)), first_image


def _paragraphs(raw: str) -> str:
    paragraphs: list[str] = []
    for block in _PARAGRAPH_BREAK.split(raw):
        lines = [_SPACES.sub(" ", line).strip() for line in block.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def html_to_text(source: str, *, keep_newlines: bool = False) -> str:
    """The plain text of an HTML fragment (see `extract`), free of markup even escaped (see `no_markup`)."""
    return no_markup(extract(source, keep_newlines=keep_newlines)[0])


def _settled(text: str) -> str | None:
    """`text` unescaped until unescaping changes nothing more; None when that takes too many rounds."""
    for _ in range(MAX_UNESCAPE_ROUNDS + 1):
        unescaped = html.unescape(text)
        if unescaped == text:
            return text
        text = unescaped
    return None


def _strip_tags(text: str) -> str:
    """`text` without tags: whole `<…>` removed, an unterminated `<x` made harmless (`< x`)."""
    return _TAG_START.sub("< ", _CLOSED_TAG.sub("", text))


def no_markup(text: str) -> str:
    """`text` with nothing that is, or once unescaped any number of times becomes, a tag, a comment or a
    declaration: such markup is removed (an unterminated `<x` becomes `< x`). Text without markup, including
    `a < b` or `AT&amp;T`, is returned as it is."""
    if "<" not in text and "&" not in text:
        return text
    for _ in range(MAX_UNESCAPE_ROUNDS):
        settled = _settled(text)
        if settled is not None and not _TAG_START.search(settled):
            return text
        text = _strip_tags(html.unescape(text))
    # Escaped more deeply than any real feed: no entity and no tag start can remain.
    return _strip_tags(text.replace("&", ""))


def clip(text: str, limit: int) -> str:
    """`text` if at most `limit` characters, else its first `limit - 1` characters (trailing spaces dropped)
    and "…"."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def plain(text: str, limit: int) -> str:
    """A text field fit to store: control characters (but tab and newline) and lone surrogates removed, at most
    `limit` characters (`clip`), no markup (`no_markup`). Whitespace is left as it is."""
    return no_markup(clip(_UNWANTED.sub("", text), limit))
