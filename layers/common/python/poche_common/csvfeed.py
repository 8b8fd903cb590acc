"""One way to read a CSV feed (menus, cinema sessions, school notices): bytes to text, the text checked, the
separator found, the records with their line numbers. The domain parser then maps the header and reads each row.

Rules, the same for every CSV feed (a file broken as a whole is a `FeedFormatError`, with a reason in French for the
publisher; nothing stored changes):
- encoding: UTF-16 when the file starts with its BOM; else UTF-8 (with or without BOM); else Windows-1252 (an export
  from a Windows tool); a NUL byte outside UTF-16 is a binary file, refused. Text is NFC-normalised (exports made on
  macOS may hold decomposed accents).
- content: an empty file, a binary that decoded by chance (too many control characters), an HTML or XML page (an
  error or presentation page at the dataset's address) and JSON are refused.
- separator: the most frequent of `;`, `,` and tab outside quotes in the header line (`;` when none).
- records: `csv.reader` with `"` quotes (fields may hold separators, quotes and line breaks); blank records are
  skipped; each comes with its first physical line. A record the csv module cannot read (an unclosed quote at the
  end, a field over its limit of 128 Kio) is a `csv.Error`: the file is refused (the reader cannot skip one row).

Standard library only: cheap at cold start.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator, Sequence

from .bounds import excerpt
from .errors import FeedFormatError

SEPARATORS = (";", ",", "\t")
MAX_COLUMNS_IN_ERROR = 12
EMPTY = "Le fichier reçu est vide : ni en-tête ni ligne de données."
BINARY = "Le fichier reçu n'est pas un fichier texte (contenu binaire) : un CSV est attendu."


def decode(data: bytes) -> str:
    """The text of a CSV file (module docstring: UTF-16 with BOM, UTF-8, Windows-1252), NFC-normalised."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return unicodedata.normalize("NFC", data.decode("utf-16"))
        except UnicodeDecodeError as exc:
            raise FeedFormatError("Le fichier reçu n'est pas un fichier texte lisible (UTF-16 invalide).") from exc
    if b"\x00" in data:
        raise FeedFormatError(BINARY)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise FeedFormatError(
                "Le fichier reçu n'est pas un fichier texte lisible (ni UTF-8 ni Windows-1252) : un CSV est attendu."
            ) from exc
    return unicodedata.normalize("NFC", text)


def check_text(text: str) -> None:
    """Refuse empty input, binaries that decoded by chance, HTML/XML pages and JSON."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped.strip():
        raise FeedFormatError(EMPTY)
    head = stripped[:8192]
    controls = sum(1 for char in head if unicodedata.category(char) == "Cc" and char not in "\t\r\n\f\x1a")
    if controls > max(2, len(head) // 100):
        raise FeedFormatError(BINARY)
    lowered = head[:512].lower()
    if stripped.startswith("<") or "<html" in lowered or "<!doctype" in lowered:
        raise FeedFormatError(
            "Le fichier reçu est une page HTML (ou du XML) et non un fichier CSV : "
            "l'adresse du jeu de données renvoie peut-être vers une page d'erreur ou de présentation."
        )
    if stripped.startswith("{"):
        raise FeedFormatError("Le fichier reçu est du JSON et non un fichier CSV.")


def header_line(text: str) -> str:
    """The first non-blank logical line (newlines inside quotes do not end it)."""
    in_quotes = False
    start = 0
    for index, char in enumerate(text):
        if char == '"':
            in_quotes = not in_quotes
        elif char in "\r\n" and not in_quotes:
            if text[start:index].strip():
                return text[start:index]
            start = index + 1
    return text[start:]


def detect_delimiter(header: str) -> str:
    """The most frequent of `;`, `,` and tab outside quotes in the header line (`;` when none)."""
    counts = dict.fromkeys(SEPARATORS, 0)
    in_quotes = False
    for char in header:
        if char == '"':
            in_quotes = not in_quotes
        elif char in counts and not in_quotes:
            counts[char] += 1
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, fields) of every non-blank record, header included; `FeedFormatError` at a record the
    csv module cannot read."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    previous_end = 0
    try:
        for fields in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if any(value.strip() for value in fields):
                yield start, fields
    except csv.Error as exc:
        raise FeedFormatError(
            f"Le fichier CSV est mal formé vers la ligne {reader.line_num} ({excerpt(str(exc), 200)}) : "
            "un guillemet n'est probablement pas refermé, ou un champ est démesuré."
        ) from None


class CsvFile:
    """A CSV feed read as the module docstring says: its `delimiter`, its `header` (the first non-blank record, as
    written) and its `rows`, (first physical line, fields) of every later non-blank record, read once."""

    def __init__(self, data: bytes) -> None:
        text = decode(data)
        check_text(text)
        self.delimiter = detect_delimiter(header_line(text))
        self.rows = records(text, self.delimiter)
        first = next(self.rows, None)
        if first is None:
            raise FeedFormatError(EMPTY)
        self.header_line_number, self.header = first


def missing_columns(missing: Sequence[str], header: Sequence[str]) -> FeedFormatError:
    """The error for a header lacking required columns: what is missing, and what was found (to help the
    publisher)."""
    found = ", ".join(excerpt(name.strip(), 40) for name in header[:MAX_COLUMNS_IN_ERROR] if name.strip()) or "aucune"
    if len(header) > MAX_COLUMNS_IN_ERROR:
        found += ", …"
    return FeedFormatError(
        f"Colonnes obligatoires absentes du fichier CSV : {', '.join(missing)}. Colonnes trouvées : {found}."
    )
