"""The département's bulk notices CSV (`schools-notices-csv`), documented in `sample/README.md` and docs/schools.md.

One row per notice, columns (header required, names case-insensitive, in any order; `body` optional):

    reference  the row's stable identifier in the publisher's file (1-64 of A-Z a-z 0-9 . _ : / -)
    target     one UAI (`0610003X`), a commune's INSEE code (`61001`: every school of that commune),
               or `*` (every school of the territory)
    kind       timetable_change, closure, transport_suspended, exam, strike, other
    title      at most 120 characters
    body       at most 2000 characters (may be empty)
    starts     ISO 8601 date-time with its offset (2026-12-03T06:00:00+01:00)
    ends       same, after `starts`

Bytes to text as every CSV feed (`poche_common.csvfeed`: UTF-16 with BOM, UTF-8 with or without BOM, else
Windows-1252; empty, binary, HTML and JSON files refused in French), `;`, `,` or tab separator (the header's
decides), CRLF or LF, quoted fields with separators, quotes and line breaks. A bad row is rejected with its line
number and reason; a file that is not such a CSV at all (empty, no header, a required column missing) is a
FeedFormatError.

Bounds (issue 9): `starts` and `ends` within 2000..2100 (`poche_common.bounds`: a year-1 time would have failed
the conversion to UTC when stored); title and body are plain text (`poche_common.plaintext.plain`: markup, even
escaped, and control characters removed) before their lengths are checked; values quoted in a reason are cut
(`poche_common.bounds.excerpt`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from poche_common import communes, csvfeed, schools
from poche_common.bounds import check_moment, excerpt
from poche_common.errors import FeedFormatError
from poche_common.plaintext import plain
from poche_common.schools import BODY_MAX, NOTICE_KINDS, TITLE_MAX, parse_moment

COLUMNS = ("reference", "target", "kind", "title", "body", "starts", "ends")
REQUIRED_COLUMNS = ("reference", "target", "kind", "title", "starts", "ends")
ALL_SCHOOLS = "*"
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}\Z")
UAI_RE = re.compile(r"^[0-9]{7}[A-Z]\Z")
INSEE_RE = re.compile(r"^[0-9][0-9AB][0-9]{3}\Z")


@dataclass(frozen=True)
class NoticeRow:
    line: int
    reference: str
    target: str
    uais: tuple[str, ...]  # sorted
    kind: str
    title: str
    body: str
    starts: dt.datetime
    ends: dt.datetime


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str
    reference: str | None = None


@dataclass
class ParsedFeed:
    rows: list[NoticeRow] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    rows_read: int = 0

    @property
    def rejected_references(self) -> set[str]:
        """References of rejected rows: their notices already stored are kept, never withdrawn."""
        return {r.reference for r in self.rejected if r.reference}


class RowError(ValueError):
    pass


def resolve_target(target: str) -> tuple[str, ...]:
    """The UAIs a target designates (sorted), or RowError."""
    value = target.strip().upper()
    if value == ALL_SCHOOLS:
        return tuple(sorted(s.uai for s in schools.all_schools()))
    if UAI_RE.match(value):
        if schools.get(value) is None:
            raise RowError(f"target {value}: no school of the territory has this UAI")
        return (value,)
    if INSEE_RE.match(value):
        if communes.get(value) is None:
            raise RowError(f"target {value}: no commune of the territory has this INSEE code")
        found = schools.in_commune(value)
        if not found:
            raise RowError(f"target {value}: the commune has no school in the reference data")
        return tuple(sorted(s.uai for s in found))
    raise RowError(f"target {excerpt(target, 40)!r}: expected a UAI, a commune's INSEE code or *")


def _moment(value: str, column: str) -> dt.datetime:
    try:
        moment = parse_moment(value)
    except (ValueError, TypeError):
        raise RowError(f"{column} {excerpt(value, 40)!r}: expected an ISO 8601 date-time with its offset") from None
    try:
        check_moment(moment, column)
    except ValueError as exc:
        raise RowError(str(exc)) from None
    return moment


def parse_row(line: int, record: dict[str, str]) -> NoticeRow:
    reference = record.get("reference", "").strip()
    if not REFERENCE_RE.match(reference):
        raise RowError(f"reference {excerpt(reference, 40)!r}: 1 to 64 characters among A-Z a-z 0-9 . _ : / -")
    kind = record.get("kind", "").strip().lower()
    if kind not in NOTICE_KINDS:
        raise RowError(f"kind {excerpt(kind, 40)!r}: expected one of {', '.join(sorted(NOTICE_KINDS))}")
    title = " ".join(plain(record.get("title", ""), TITLE_MAX + 1).split())
    if not title:
        raise RowError("title is empty")
    if len(title) > TITLE_MAX:
        raise RowError(f"title longer than {TITLE_MAX} characters ({len(record.get('title', '').strip())})")
    raw_body = record.get("body", "").replace("\r\n", "\n")
    body = plain(raw_body, BODY_MAX + 1).strip()
    if len(body) > BODY_MAX:
        raise RowError(f"body longer than {BODY_MAX} characters ({len(raw_body.strip())})")
    starts = _moment(record.get("starts", ""), "starts")
    ends = _moment(record.get("ends", ""), "ends")
    if ends <= starts:
        raise RowError("ends is not after starts")
    target = record.get("target", "").strip()
    return NoticeRow(line, reference, target, resolve_target(target), kind, title, body, starts, ends)


def parse_feed(data: bytes) -> ParsedFeed:
    text = csvfeed.decode(data)  # bytes to text, checked, as every CSV feed (French errors)
    csvfeed.check_text(text)
    delimiter = csvfeed.detect_delimiter(csvfeed.header_line(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    feed = ParsedFeed()
    seen: set[str] = set()
    previous_end = 0
    try:
        for raw in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if not any(cell.strip() for cell in raw):
                continue
            if header is None:
                header = [cell.strip().strip('"').lower() for cell in raw]
                missing = [c for c in REQUIRED_COLUMNS if c not in header]
                if missing:
                    raise csvfeed.missing_columns(missing, raw)
                duplicated = sorted({c for c in header if c and header.count(c) > 1})
                if duplicated:
                    raise FeedFormatError(f"Colonnes en double dans l'en-tête du CSV : {', '.join(duplicated)}.")
                continue
            feed.rows_read += 1
            record = {name: (raw[i] if i < len(raw) else "") for i, name in enumerate(header) if name in COLUMNS}
            reference = record.get("reference", "").strip() or None
            try:
                if any(cell.strip() for cell in raw[len(header) :]):
                    raise RowError(
                        f"{len(raw)} fields for {len(header)} columns: quote a text holding the separator {delimiter!r}"
                    )
                row = parse_row(line, record)
                if row.reference in seen:
                    raise RowError(f"reference {row.reference!r} already used by an earlier row")
            except RowError as exc:
                feed.rejected.append(Rejection(line, str(exc), reference if reference not in seen else None))
                continue
            seen.add(row.reference)
            feed.rows.append(row)
    except csv.Error as exc:  # a field over the csv module's limit, a NUL byte: it cannot skip one row
        raise FeedFormatError(
            f"Le fichier CSV est illisible à la ligne {reader.line_num} ({excerpt(str(exc), 200)}) : un guillemet "
            "n'est probablement pas refermé, ou un champ est démesuré."
        ) from None
    if header is None:
        raise FeedFormatError(csvfeed.EMPTY)
    return feed
