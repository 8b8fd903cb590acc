"""transit_gtfs.parser against hostile zips (issue 9, defect 4): memory bounded, bombs refused, rejections capped."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from test_gtfs_parser import MINIMAL, gtfs_zip

from poche_common.errors import FeedFormatError
from transit_gtfs import archive, parser
from transit_gtfs.model import ParsedFeed
from transit_gtfs.parser import MAX_EXCERPT_CHARS, MAX_REASON_CHARS, MAX_REJECTIONS_KEPT, parse_feed

ROOT = Path(__file__).resolve().parents[3]
MIB = 1024 * 1024
STOP_TIMES_HEADER = "trip_id,arrival_time,departure_time,stop_id,stop_sequence,note\n"


def peak_mib(parse: Callable[[], object]) -> float:
    """tracemalloc's peak (MiB) of what `parse` allocates, its result included."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        parse()
        return tracemalloc.get_traced_memory()[1] / MIB
    finally:
        tracemalloc.stop()


def hex_rows(total_bytes: int, note_chars: int) -> str:
    """Valid stop_times rows of trip T1 carrying a long incompressible note: text that deflates ~2 times only."""
    rows, size, sequence = [STOP_TIMES_HEADER], 0, 0
    while size < total_bytes:
        sequence += 1
        note = os.urandom(note_chars // 2).hex()
        row = f"T1,08:00:00,08:00:00,S{1 + sequence % 2},{sequence},{note}\n"
        rows.append(row)
        size += len(row)
    return "".join(rows)


# ---------------------------------------------------------------- bombs and limits


def test_a_decompression_bomb_is_refused_before_anything_is_inflated() -> None:
    # the case: about 120 KiB of zip inflating to 40 MiB of rows
    bomb = STOP_TIMES_HEADER + "T1,08:00:00,08:00:00,S9,1,x\n" * (40 * MIB // 27)
    data = gtfs_zip({"stop_times.txt": bomb})
    assert len(data) < 200 * 1024

    def parse() -> None:
        with pytest.raises(FeedFormatError, match=r"stop_times\.txt se décompresse .* bombe de décompression"):
            parse_feed(data)

    assert peak_mib(parse) < 1


def test_a_file_beyond_its_own_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(parser.MEMBER_LIMITS, "stops.txt", 64)
    with pytest.raises(FeedFormatError, match=r"stops.txt ferait .* au-delà de la limite de .* pour ce fichier"):
        parse_feed(gtfs_zip({}))


def test_files_not_read_do_not_count() -> None:
    shapes = "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\n" + "SH,48.4,0.1,1\n" * (2 * MIB // 14)
    feed = parse_feed(gtfs_zip({"shapes.txt": shapes}))  # a 2 MiB file deflating 200 times, never opened
    assert set(feed.trips) == {"T1"}


def test_too_many_files_in_the_archive_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, text in MINIMAL.items():
            zipped.writestr(name, text)
        for number in range(archive.MAX_MEMBERS):
            zipped.writestr(f"x/{number}", b"")
    with pytest.raises(FeedFormatError, match=f"annonce {archive.MAX_MEMBERS + len(MINIMAL)} fichiers"):
        parse_feed(buffer.getvalue())


def test_a_forged_size_never_inflates_more_than_declared() -> None:
    """zipfile stops at the size the directory declares: a member lying about it cannot inflate more."""
    stops = "stop_id,stop_name,stop_lat,stop_lon\nS1,Alençon - Halle,48.43,0.09\nS2,Sées - Cathédrale,48.60,0.17\n"
    data = bytearray(gtfs_zip({"stops.txt": stops + "S3,Caché,48.5,0.1\n" * 1000}))
    entry = data.index(b"PK\x01\x02")  # central directory entries, in order: find stops.txt's
    while data[entry + 46 : entry + 46 + 9] != b"stops.txt":
        entry = data.index(b"PK\x01\x02", entry + 4)
    struct.pack_into("<L", data, entry + 24, len(stops.encode()))  # declared inflated size: the first 3 lines
    try:
        feed = parse_feed(bytes(data))
    except FeedFormatError as error:
        assert "stops.txt" in str(error)
    else:
        assert set(feed.stops) == {"S1", "S2"}


# ---------------------------------------------------------------- streaming


def test_memory_stays_flat_while_streaming_a_large_file() -> None:
    # 8 MiB of valid rows that do not compress: within every limit, so it is parsed; what is kept is small
    stop_times = hex_rows(8 * MIB, note_chars=60_000)
    data = gtfs_zip({"stop_times.txt": stop_times})
    feeds: list[ParsedFeed] = []
    peak = peak_mib(lambda: feeds.append(parse_feed(data)))
    (feed,) = feeds
    assert len(feed.stop_times["T1"]) == stop_times.count("\n") - 1
    assert peak < 4, f"peak {peak:.1f} MiB for 8 MiB inflated: the file was held whole"


def test_memory_does_not_grow_with_rejected_rows() -> None:
    """Peak RSS of a fresh interpreter: 4 MiB of rows that are all rejected (unknown trips, random ids)."""
    script = textwrap.dedent(
        """
        import os, resource, sys
        from test_gtfs_parser import gtfs_zip
        from transit_gtfs.parser import parse_feed

        rows = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence\\n"]
        size = 0
        while size < 4 * 1024 * 1024:
            rows.append(f"X{os.urandom(12).hex()},08:00:00,08:00:00,S1,1\\n")
            size += len(rows[-1])
        data = gtfs_zip({"stop_times.txt": "".join(rows) + "T1,08:00:00,08:00:00,S1,1\\nT1,08:30:00,08:30:00,S2,2\\n"})
        del rows
        parse_feed(gtfs_zip({}))  # warm: imports, caches
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        feed = parse_feed(data)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) / 1024, feed.rows_read, len(feed.rejected))
        """
    )
    paths = [ROOT / "functions/connectors", ROOT / "layers/common/python", ROOT / "tests/unit/transit"]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, paths))}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    growth, read, kept = result.stdout.split()
    assert float(growth) < 8, f"peak RSS grew by {float(growth):.0f} MiB for 4 MiB of rejected rows"
    assert int(read) > 80_000 and int(kept) == MAX_REJECTIONS_KEPT


def test_rejections_are_bounded_in_number_and_length() -> None:
    long_time = "9" * 500
    rows = [STOP_TIMES_HEADER, "T1,08:00:00,08:00:00,S1,1,\n", "T1,08:30:00,08:30:00,S2,2,\n"]
    rows += [f"T1,{long_time},{long_time},S1,{n},\n" for n in range(3, 2003)]  # bad time, quoted in the reason
    rows += [f"T{os.urandom(750).hex()},08:00:00,08:00:00,S1,1,\n" for _ in range(1000)]  # over-long trip ids
    feed = parse_feed(gtfs_zip({"stop_times.txt": "".join(rows)}))

    assert len(feed.rejected) == MAX_REJECTIONS_KEPT
    assert feed.rejected_count == 3000
    assert [r.line for r in feed.rejected] == list(range(4, 4 + MAX_REJECTIONS_KEPT))  # the first ones, in order
    first = feed.rejected[0]
    assert first.reason == f"departure_time « {'9' * (MAX_EXCERPT_CHARS - 1)}… » n'est pas une heure HH:MM:SS"
    assert all(len(r.reason) <= MAX_REASON_CHARS for r in feed.rejected)
    assert feed.rejected_trip_ids == {"T1"}  # never an unusable id: nothing can be stored under one


def test_a_whole_feed_failure_names_the_first_rejected_row_even_beyond_the_kept_ones() -> None:
    agency = "agency_id,agency_name,agency_url,agency_timezone\n" + "A,R,https://example.org,Mars/Olympus\n" * 3
    stops = "stop_id,stop_name,stop_lat,stop_lon\nS1,x,,0.1\n"
    with pytest.raises(FeedFormatError, match=r"agency.txt ne contient aucune agence"):
        parse_feed(gtfs_zip({"agency.txt": agency}))
    agency_ok = MINIMAL["agency.txt"] + "B,,https://example.org,Europe/Paris\n" * 1200  # no agency_name
    with pytest.raises(FeedFormatError, match=r"aucun arrêt valide \(ligne 2 : stop_lat est vide\)"):
        parse_feed(gtfs_zip({"agency.txt": agency_ok, "stops.txt": stops}))


def test_texts_are_cut_and_said_so() -> None:
    stops = f"stop_id,stop_name,stop_lat,stop_lon\nS1,{'Halle ' * 100},48.43,0.09\nS2,Sées,48.6,0.17\n"
    feed = parse_feed(gtfs_zip({"stops.txt": stops}))
    name = feed.stops["S1"].name
    assert len(name) == parser.MAX_TEXT_CHARS and name.endswith("…")
    assert feed.notes == [f"1 noms ou destinations coupés à {parser.MAX_TEXT_CHARS} caractères"]


@pytest.mark.parametrize(
    "stop_times",
    [
        STOP_TIMES_HEADER + "T1,08:00:00,08:00:00,S1,1," + "," * 200_000 + "\n",  # a million-field line, shortened
        STOP_TIMES_HEADER + 'T1,08:00:00,08:00:00,S1,1,"' + "a\n" * 40_000 + '"\n',  # one record over many lines
    ],
    ids=["long-line", "long-quoted-record"],
)
def test_an_overlong_record_is_refused(stop_times: str) -> None:
    def parse() -> None:
        with pytest.raises(FeedFormatError, match=r"stop_times\.txt : la ligne .* dépasse 64 Kio"):
            parse_feed(gtfs_zip({"stop_times.txt": stop_times}))

    assert peak_mib(parse) < 2


# ---------------------------------------------------------------- text decoding, streamed


def test_utf8_across_chunk_boundaries() -> None:
    rows = "".join(f"S{n},Sées - Cathédrale n°{n},48.6,0.17\n" for n in range(5000))
    feed = parse_feed(gtfs_zip({"stops.txt": "\ufeffstop_id,stop_name,stop_lat,stop_lon\n" + rows}))
    assert all(stop.name == f"Sées - Cathédrale n°{stop.stop_id[1:]}" for stop in feed.stops.values())


def test_a_stray_windows_1252_byte_in_utf8_spoils_nothing_else() -> None:
    stops = (
        "stop_id,stop_name,stop_lat,stop_lon\nS1,Alençon - Halle,48.43,0.09\n".encode()
        + "S2,Sées,48.6,0.17\n".encode("cp1252")
    )
    feed = parse_feed(gtfs_zip({"stops.txt": stops}))
    assert (feed.stops["S1"].name, feed.stops["S2"].name) == ("Alençon - Halle", "Sées")


def test_bytes_neither_utf8_nor_windows_1252_fail_the_feed() -> None:
    stops = b"stop_id,stop_name,stop_lat,stop_lon\nS1,Al\x81en,48.43,0.09\n"
    with pytest.raises(FeedFormatError, match=r"stops\.txt n'est pas un fichier texte lisible"):
        parse_feed(gtfs_zip({"stops.txt": stops}))


def test_an_encrypted_or_unsupported_member_fails_the_feed() -> None:
    data = bytearray(gtfs_zip({}))
    entry = data.index(b"PK\x01\x02")
    struct.pack_into("<H", data, entry + 10, 99)  # compression method 99 (AES): not supported
    with pytest.raises(FeedFormatError, match="ne peut pas être extrait"):
        parse_feed(bytes(data))
