"""Build `network.zip` from the text files of `network/`, byte for byte reproducibly.

    python functions/connectors/transit_gtfs/sample/build_sample.py          # writes network.zip
    python functions/connectors/transit_gtfs/sample/build_sample.py --check  # exit 1 if it is out of date

The files are stored as they are (BOM, CRLF and all), uncompressed (deflate output depends on the
zlib build), in name order, with a fixed date and permissions, so the same text files always give
the same zip on any machine (the tests check it).
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "network"
TARGET = HERE / "network.zip"
FIXED_DATE = (2026, 10, 1, 0, 0, 0)


def build(source: Path = SOURCE) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(source.glob("*.txt")):
            info = zipfile.ZipInfo(path.name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_STORED  # deflate output varies with the zlib build; stored does not
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever the machine building it
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that network.zip is up to date")
    args = parser.parse_args(argv)
    data = build()
    if args.check:
        current = TARGET.read_bytes() if TARGET.exists() else b""
        if current != data:
            print(f"{TARGET} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    TARGET.write_bytes(data)
    print(f"wrote {TARGET} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
