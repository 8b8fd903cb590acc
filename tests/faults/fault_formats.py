"""Hostile payloads, built in code from a connector's good sample: edits of one item in CSV, JSON, XML, GTFS zips
and GTFS-Realtime protobuf, deep nesting in each syntax, XML entities, and decompression bombs that are small on
the wire and never inflated here.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

DEPTH = 100_000  # nesting levels: far past Python's recursion limit, a few hundred KiB on the wire
OVERLONG_ID = "z" * 1500  # 1,500 characters: what broke BatchWriteItem halfway (issue 9, §1.5)
OVERLONG_MARK = "z" * 201  # an id longer than bounds.MAX_ID_LENGTH (200) reached a key if a key holds this
ANCIENT = "0001-01-01T00:00:00+01:00"  # to UTC: OverflowError, not ValueError (issue 9, §1.2)
ANCIENT_DAY = "0001-01-01"
SECRET = "fault-matrix-secret-5d1e"  # what an external XML entity would pull in, were it resolved
SECRET_FILE = Path(__file__).resolve().parent / "fixtures" / "entity-secret.txt"  # holds SECRET
BOMB_INFLATED = 256 << 20  # 256 MiB once inflated (past every max_bytes and GTFS-RT's 64 MiB gzip cap); 260 KiB sent
MAINTENANCE_PAGE = (
    b'<!DOCTYPE html>\n<html lang="fr"><head><title>Maintenance</title></head>'
    b"<body><h1>Service momentan\xc3\xa9ment indisponible</h1><p>Revenez plus tard.</p></body></html>\n"
)


# ---------------------------------------------------------------- cutting


def truncation_point(body: bytes) -> int:
    """Where to cut a body in two: at a line end near its middle (the worst case for line formats: what is left
    still looks like a shorter, valid file), else at its middle."""
    middle = len(body) // 2
    newline = body.rfind(b"\n", 0, middle)
    return newline + 1 if newline > 0 else max(1, middle)


# ---------------------------------------------------------------- CSV


def csv_edit(
    body: bytes,
    *,
    delimiter: str,
    where: Callable[[dict[str, str]], bool],
    change: dict[str, str],
    encoding: str = "utf-8-sig",
) -> bytes:
    """Every row `where` selects, with the columns of `change` replaced (header kept, other rows as they were).
    At least one row must be selected."""
    text = body.decode(encoding)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [name.strip().lstrip("\ufeff") for name in rows[0]]
    hits = 0
    for row in rows[1:]:
        record = dict(zip(header, row, strict=False))
        if row and where(record):
            hits += 1
            for column, value in change.items():
                row[header.index(column)] = value
    assert hits, f"no row selected in the sample to edit ({change})"
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def csv_keep(body: bytes, *, delimiter: str, keep: Callable[[dict[str, str]], bool]) -> bytes:
    """The header and the rows `keep` selects (to make a sample just big enough)."""
    text = body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [name.strip().lstrip("\ufeff") for name in rows[0]]
    kept = [rows[0]] + [row for row in rows[1:] if row and keep(dict(zip(header, row, strict=False)))]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(kept)
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------- JSON

_NESTED = "__fault_matrix_nested__"


def json_edit(body: bytes, edit: Callable[[Any], None]) -> bytes:
    document = json.loads(body.decode("utf-8-sig"))
    edit(document)
    text = json.dumps(document, ensure_ascii=False)
    return text.replace(json.dumps(_NESTED), "[" * DEPTH + "]" * DEPTH).encode("utf-8")


def nested_json() -> str:
    """A placeholder value that `json_edit` replaces with DEPTH nested arrays."""
    return _NESTED


def find(items: Iterable[Any], predicate: Callable[[Any], bool]) -> Any:
    found = [item for item in items if predicate(item)]
    assert len(found) == 1, f"expected one item of the sample to edit, found {len(found)}"
    return found[0]


# ---------------------------------------------------------------- XML (edited as text: the sample stays byte-identical
# elsewhere, namespaces and all)


def xml_block(text: str, start: str, end: str) -> tuple[int, int]:
    """(start, end) offsets of the one block from `start` to the first `end` after it."""
    assert text.count(start) == 1, f"{start!r} should occur once in the sample"
    begin = text.index(start)
    return begin, text.index(end, begin) + len(end)


def xml_edit(body: bytes, start: str, end: str, edit: Callable[[str], str]) -> bytes:
    text = body.decode("utf-8")
    begin, finish = xml_block(text, start, end)
    block = text[begin:finish]
    edited = edit(block)
    assert edited != block, "the edit changed nothing"
    return (text[:begin] + edited + text[finish:]).encode("utf-8")


def nested_xml(tag: str = "x") -> str:
    return f"<{tag}>" * DEPTH + "profond" + f"</{tag}>" * DEPTH


def with_entities(body: bytes, root: str, at: str) -> bytes:
    """The document with a DOCTYPE declaring a billion-laughs entity and an external entity (SECRET_FILE, which
    holds SECRET), both referenced in the text right after `at` (which must occur once)."""
    text = body.decode("utf-8")
    declaration = (
        f"<!DOCTYPE {root} [\n"
        '  <!ENTITY lol "lol">\n'
        + "".join(f'  <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n' for n in range(1, 10))
        + f'  <!ENTITY xxe SYSTEM "{SECRET_FILE.as_uri()}">\n'
        "]>\n"
    )
    prolog_end = text.index("?>") + 2 if text.startswith("<?xml") else 0
    text = text[:prolog_end] + "\n" + declaration + text[prolog_end:]
    assert text.count(at) == 1, f"{at!r} should occur once in the sample"
    text = text.replace(at, at + "&lol9;&xxe;")
    return text.encode("utf-8")


# ---------------------------------------------------------------- GTFS-Realtime (protobuf)


def gtfs_rt_edit(body: bytes, edit: Callable[[Any], None]) -> bytes:
    from google.transit import gtfs_realtime_pb2 as pb

    message = pb.FeedMessage()
    message.ParseFromString(body)
    edit(message)
    return bytes(message.SerializeToString())


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def gtfs_rt_nested(body: bytes, entity_id: str) -> bytes:
    """The feed with one entity carrying DEPTH nested groups of an unknown field (protobuf's only recursive
    wire construct a parser must walk: unknown groups are parsed, not skipped as bytes)."""
    from google.transit import gtfs_realtime_pb2 as pb

    message = pb.FeedMessage()
    message.ParseFromString(body)
    field = 99
    nested = _varint(field << 3 | 3) * DEPTH + _varint(field << 3 | 4) * DEPTH
    out = bytearray(_varint(1 << 3 | 2))
    header = message.header.SerializeToString()
    out += _varint(len(header)) + header
    hits = 0
    for entity in message.entity:
        raw = entity.SerializeToString()
        if entity.id == entity_id:
            raw += nested
            hits += 1
        out += _varint(2 << 3 | 2) + _varint(len(raw)) + raw
    assert hits == 1
    return bytes(out)


# ---------------------------------------------------------------- GTFS (zip of CSV files)


def zip_members(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 10, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def gtfs_edit(body: bytes, edit: Callable[[dict[str, bytes]], None]) -> bytes:
    members = zip_members(body)
    edit(members)
    return zip_of(members)


# ---------------------------------------------------------------- decompression bombs (~1 KiB per MiB inflated)


def _deflate_repeated(block: bytes, count: int, wbits: int) -> tuple[bytes, int]:
    """`block` repeated `count` times, deflated (raw deflate: wbits -15; gzip: 31) without ever holding the whole:
    after a full flush the compressor starts afresh, so every block after the first deflates to the same bytes.
    Returns (the stream, CRC-32 of the inflated data)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    end = compressor.flush(zlib.Z_FINISH)
    stream = first + again * (count - 1) + end
    if wbits == 31:  # the gzip trailer the compressor wrote counted two blocks: write the true one
        stream = stream[:-8] + struct.pack("<II", crc, (len(block) * count) & 0xFFFFFFFF)
    return stream, crc


@functools.cache
def gzip_bomb() -> bytes:
    """A gzip stream of BOMB_INFLATED zero bytes."""
    block = bytes(1 << 20)
    stream, _ = _deflate_repeated(block, BOMB_INFLATED // len(block), 31)
    return stream


def zip_bomb(members: dict[str, bytes], name: str, inflated: int) -> bytes:
    """A zip with `members` (stored as they are) and `name` inflating to `inflated` zero bytes, its sizes declared
    honestly (the bomb a size check on the central directory is meant to catch)."""
    block = bytes(1 << 20)
    bomb, crc = _deflate_repeated(block, -(-inflated // len(block)), -15)
    size = -(-inflated // len(block)) * len(block)
    entries: list[tuple[str, int, int, bytes, int, int]] = [
        (member, 0, zlib.crc32(data), data, len(data), len(data)) for member, data in members.items()
    ]
    entries.append((name, 8, crc, bomb, len(bomb), size))
    out = bytearray()
    central = bytearray()
    for member, method, checksum, data, compressed, uncompressed in entries:
        encoded = member.encode()
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x5B41, checksum, compressed, uncompressed, len(encoded), 0
        )
        out += encoded + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            method,
            0,
            0x5B41,
            checksum,
            compressed,
            uncompressed,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0)
    return bytes(out)
