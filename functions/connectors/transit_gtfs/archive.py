"""A GTFS zip read in bounded memory: checked before anything is inflated, then streamed row by row.

A GTFS zip is untrusted input: a 121 KiB zip can inflate to 40 MiB of rows, and reading a member whole
(`ZipFile.read`), decoding it and wrapping it in a `StringIO` costs about six times its inflated size
before a single row is parsed. Here nothing is ever held whole:
- before inflating, the archive's directory is checked (at most MAX_MEMBERS entries in at most
  MAX_DIRECTORY_BYTES: a zip of a million empty files would cost more to list than to read), then the
  declared inflated size of every file read: per file (`limits`), in total (`total_limit`), and against
  its compressed size (at most MAX_RATIO to 1 beyond RATIO_FLOOR bytes: a decompression bomb). The
  declared size is binding: `zipfile` never inflates more than it, and a member that would (a forged
  size) fails its CRC, a FeedFormatError;
- a member is then read through `csv` over a text wrapper of `ZipFile.open`: a few chunks in memory at
  a time, a record at most MAX_RECORD_CHARS characters (a line of a million commas would otherwise be a
  list of a million fields);
- text is UTF-8, with or without BOM; a byte sequence that is not UTF-8 is read as Windows-1252 (an
  export from a Windows tool), so a file is never decoded twice. A byte neither can read fails the feed.
Every failure here is a FeedFormatError: the feed is unusable and nothing stored changes.
"""

from __future__ import annotations

import codecs
import csv
import io
import struct
from collections.abc import Iterator, Mapping
from typing import Any, TextIO

from poche_common.errors import FeedFormatError

MAX_MEMBERS = 10_000
MAX_DIRECTORY_BYTES = 1024 * 1024
MAX_RATIO = 100  # inflated / compressed; real GTFS files deflate 5 to 30 times
RATIO_FLOOR = 1024 * 1024  # below this inflated size a file may compress as well as it likes
MAX_RECORD_CHARS = 64 * 1024  # one CSV record (all its lines); a GTFS row is a few hundred characters
FALLBACK_ERRORS = "poche-gtfs-cp1252"
MIB = 1024 * 1024

Row = dict[str, str]


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 are read as Windows-1252 (or fail if they are not that either)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("cp1252"), error.end


codecs.register_error(FALLBACK_ERRORS, _cp1252_fallback)


def _mib(size: int) -> str:
    return f"{size / MIB:.1f}".rstrip("0").rstrip(".") + " Mio"


def _directory(data: bytes) -> tuple[int, int]:
    """(entries, bytes) of the zip's central directory, from its end records found as `zipfile` finds them
    (the record ending the file, else the last one in the final 64 KiB; then the zip64 record before it)."""
    end = len(data) - 22
    if not (end >= 0 and data[end : end + 4] == b"PK\x05\x06" and data[-2:] == b"\x00\x00"):
        end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or len(data) < end + 22:
        raise FeedFormatError("Le fichier reçu n'est pas une archive zip : un GTFS est un zip de fichiers .txt.")
    entries, size = struct.unpack_from("<HL", data, end + 10)
    locator, record = end - 20, end - 20 - 56
    if record >= 0 and data[locator : locator + 4] == b"PK\x06\x07" and data[record : record + 4] == b"PK\x06\x06":
        entries, size = struct.unpack_from("<QQ", data, record + 32)
    return entries, size


class Archive:
    """The files of a GTFS zip by lower-case name (folders dropped; the shallowest wins when a name repeats)."""

    def __init__(self, data: bytes, *, limits: Mapping[str, int], total_limit: int) -> None:
        import zipfile  # lazily: zipfile pulls bz2 and lzma, a few ms of cold start the service never pays

        if data[:1024].lstrip()[:1] == b"<":
            raise FeedFormatError(
                "Le fichier reçu est une page HTML (ou du XML) et non une archive GTFS : l'adresse du jeu de "
                "données renvoie peut-être vers une page d'erreur ou de présentation."
            )
        entries, directory = _directory(data)
        if entries > MAX_MEMBERS or directory > MAX_DIRECTORY_BYTES:
            raise FeedFormatError(
                f"L'archive GTFS annonce {entries} fichiers ({_mib(directory)} de répertoire) : au-delà de "
                f"{MAX_MEMBERS} fichiers ou {_mib(MAX_DIRECTORY_BYTES)}, ce n'est pas un GTFS."
            )
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
            raise FeedFormatError(
                "Le fichier reçu n'est pas une archive zip : un GTFS est un zip de fichiers .txt."
            ) from None
        self.members: dict[str, Any] = {}
        for info in self.zip.infolist():
            if info.is_dir() or "__MACOSX" in info.filename:
                continue
            name = info.filename.rsplit("/", 1)[-1].lower()
            depth = info.filename.count("/")
            if name not in self.members or depth < self.members[name].filename.count("/"):
                self.members[name] = info
        self._check_sizes(limits, total_limit)

    def _check_sizes(self, limits: Mapping[str, int], total_limit: int) -> None:
        total = 0
        for name, info in self.members.items():
            if name not in limits:
                continue  # never read
            size, packed = info.file_size, info.compress_size
            total += size
            if size > limits[name]:
                raise FeedFormatError(
                    f"{name} ferait {_mib(size)} une fois décompressé, au-delà de la limite de "
                    f"{_mib(limits[name])} pour ce fichier."
                )
            if size > RATIO_FLOOR and size > MAX_RATIO * max(packed, 1):
                raise FeedFormatError(
                    f"{name} se décompresse {size // max(packed, 1)} fois (de {packed} octets à {_mib(size)}) : "
                    f"une bombe de décompression, pas un GTFS (au plus {MAX_RATIO} fois)."
                )
        if total > total_limit:
            raise FeedFormatError(
                f"L'archive GTFS ferait {_mib(total)} une fois décompressée, au-delà de la limite de "
                f"{_mib(total_limit)}."
            )

    def has(self, name: str) -> bool:
        return name in self.members

    def rows(self, name: str, required: tuple[str, ...]) -> Iterator[tuple[int, Row]]:
        """(physical line, row by lower-case column name) of every non-blank data row of a file, streamed."""
        import zipfile
        import zlib

        info = self.members.get(name)
        if info is None:
            return
        lines: _Lines | None = None
        try:
            with (
                self.zip.open(info) as raw,
                io.TextIOWrapper(raw, encoding="utf-8-sig", errors=FALLBACK_ERRORS, newline="") as text,
            ):
                lines = _Lines(text, name)
                reader = csv.reader(lines)
                header = next(reader, None)
                lines.pending = 0
                if header is None:
                    raise FeedFormatError(f"{name} est vide : son en-tête manque.")
                columns = [column.strip().lstrip("\ufeff").strip().lower() for column in header]
                missing = [column for column in required if column not in columns]
                if missing:
                    raise FeedFormatError(f"Colonnes obligatoires absentes de {name} : {', '.join(missing)}.")
                previous_end = reader.line_num
                for fields in reader:
                    lines.pending = 0
                    start, previous_end = previous_end + 1, reader.line_num
                    if not any(value.strip() for value in fields):
                        continue
                    yield start, {column: (fields[i] if i < len(fields) else "") for i, column in enumerate(columns)}
        except csv.Error as exc:
            line = lines.count if lines is not None else 0
            raise FeedFormatError(f"{name} est mal formé vers la ligne {line} ({exc}).") from None
        except UnicodeDecodeError:
            raise FeedFormatError(f"{name} n'est pas un fichier texte lisible (ni UTF-8 ni Windows-1252).") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
            # a CRC or size that does not match (a forged member), an unsupported compression, a password
            raise FeedFormatError(f"{name} ne peut pas être extrait de l'archive ({exc}).") from None


class _Lines:
    """The physical lines of a text stream for `csv.reader`, each record at most MAX_RECORD_CHARS long."""

    def __init__(self, text: TextIO, name: str) -> None:
        self.readline = text.readline
        self.name = name
        self.pending = 0  # characters of the record being read (reset by the consumer after each record)
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.readline(MAX_RECORD_CHARS + 1)
        if not line:
            raise StopIteration
        self.count += 1
        self.pending += len(line)
        if self.pending > MAX_RECORD_CHARS:
            raise FeedFormatError(
                f"{self.name} : la ligne {self.count} dépasse {MAX_RECORD_CHARS // 1024} Kio, ce n'est pas une "
                "ligne GTFS (fichier mal formé ou hostile)."
            )
        return line
