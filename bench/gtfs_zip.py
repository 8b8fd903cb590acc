"""Peak memory of the `transit-gtfs` parser on hostile zips: the bundled sample, then what an attacker would send.

    .venv/bin/python bench/gtfs_zip.py [--mib 40] [--json .bench/gtfs_zip.json]

Each case is a zip written to a temporary folder, then parsed by `transit_gtfs.parser.parse_feed` in a
fresh interpreter (`python bench/gtfs_zip.py --child <zip>`), as a Lambda container would: the child
imports the parser, reads the zip (as the handler holds the fetched bytes), parses the sample once (imports
and caches warm), then resets its peak resident set (`/proc/self/clear_refs`) and parses the case. The
figures are the child's `VmRSS` before the parse and `VmHWM` (peak RSS) during it, from `/proc/self/status`:
peak memory of that process alone (unlike `ru_maxrss`, which survives fork and exec), and what the parse
added on top of the bytes it was given (`growth`), the figure the 1 GiB function has to hold.

Cases (`--mib` sets the inflated size of the large ones; default 40, the issue's figure):
- `sample`: the bundled network.zip;
- `bomb`: the issue's zip, ~120 KiB inflating to 40 MiB of stop_times rows: refused as a decompression
  bomb before anything is inflated;
- `rejected-rows`: 40 MiB of stop_times rows of unknown trips with random ids (they compress only a few
  times, so they pass the bomb check): streamed in full, every row rejected, 1,000 rejections kept;
- `long-rows`: 40 MiB of valid rows with a 60 KiB incompressible column: streamed, few rows kept;
- `overlong-record`: one 40 MiB line of fourteen million short random fields (a list of fourteen million
  strings for a plain `csv` reader; random, so it is no bomb): refused at its first 64 KiB;
- `valid-rows`: 10 MiB (a quarter of `--mib`) of valid stop_times rows, 1.4 million rows per 40 MiB: a
  large network, whose rows are kept by design; what keeping a row costs.

Goal: a hostile zip (every case but `valid-rows`, whose rows are kept by design) adds less than GOAL_MIB to
the peak RSS. A report, not a test: exits 0 even when the goal is missed (1 when a case could not run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "functions/connectors/transit_gtfs/sample/network.zip"
MIB = 1024 * 1024
GOAL_MIB = 32.0
STOP_TIMES_HEADER = "trip_id,arrival_time,departure_time,stop_id,stop_sequence,note\n"
BASE = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Réseau,https://example.org,Europe/Paris\n",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nS1,Alençon - Halle,48.43,0.09\nS2,Sées,48.60,0.17\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\nR1,A,1,Alençon - Sées,3\n",
    "trips.txt": "route_id,service_id,trip_id\nR1,WK,T1\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    "WK,1,1,1,1,1,0,0,20261020,20270430\n",
}
GOOD_TIMES = "T1,08:00:00,08:00:00,S1,1,\nT1,08:30:00,08:30:00,S2,2,\n"


def gtfs_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**BASE, **files}.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def lines_until(size: int, line: Callable[[int], str]) -> str:
    parts, total, number = [], 0, 0
    while total < size:
        number += 1
        parts.append(line(number))
        total += len(parts[-1])
    return "".join(parts)


def bomb(size: int) -> bytes:
    return gtfs_zip({"stop_times.txt": STOP_TIMES_HEADER + GOOD_TIMES + "T1,08:00:00,08:00:00,S9,1,x\n" * (size // 27)})


def rejected_rows(size: int) -> bytes:
    rng = random.Random(9)
    rows = lines_until(size, lambda n: f"X{rng.getrandbits(96):024x},08:00:00,08:00:00,S1,{n},\n")
    return gtfs_zip({"stop_times.txt": STOP_TIMES_HEADER + GOOD_TIMES + rows})


def long_rows(size: int) -> bytes:
    rng = random.Random(4)
    trips = "route_id,service_id,trip_id\n" + "".join(f"R1,WK,T{n}\n" for n in range(1, 2000))
    rows = lines_until(
        size,
        lambda n: f"T{1 + n // 2},08:{n % 2 * 30:02d}:00,,S{1 + n % 2},{n % 2 + 1},{rng.randbytes(30_000).hex()}\n",
    )
    return gtfs_zip({"trips.txt": trips, "stop_times.txt": STOP_TIMES_HEADER + rows})


def overlong_record(size: int) -> bytes:
    fields = random.Random(7).randbytes(size // 3).hex(",")  # "3f,a0,...": one line, no repetition to deflate
    return gtfs_zip({"stop_times.txt": STOP_TIMES_HEADER + GOOD_TIMES + "T1,08:00:00,08:00:00,S1,3," + fields + "\n"})


def valid_rows(size: int) -> bytes:
    size //= 4  # a quarter of --mib: a large network's stop_times, parsed in a few seconds
    per_trip = 20
    rows = lines_until(
        size,
        lambda n: (
            f"T{1 + (n - 1) // per_trip},{6 + (n % per_trip) // 2:02d}:{n % 2 * 30:02d}:00,"
            f"{6 + (n % per_trip) // 2:02d}:{n % 2 * 30:02d}:00,S{1 + n % 2},{1 + (n - 1) % per_trip},\n"
        ),
    )
    trips = (rows.count("\n") + per_trip - 1) // per_trip
    trip_rows = "route_id,service_id,trip_id\n" + "".join(f"R1,WK,T{n}\n" for n in range(1, trips + 1))
    return gtfs_zip({"trips.txt": trip_rows, "stop_times.txt": STOP_TIMES_HEADER + rows})


CASES: dict[str, Callable[[int], bytes]] = {
    "sample": lambda size: SAMPLE.read_bytes(),
    "bomb": bomb,
    "rejected-rows": rejected_rows,
    "long-rows": long_rows,
    "overlong-record": overlong_record,
    "valid-rows": valid_rows,
}
HOSTILE = ("bomb", "rejected-rows", "long-rows", "overlong-record")


# ---------------------------------------------------------------- the child: one parse, its peak RSS


def _status() -> dict[str, int]:
    text = Path("/proc/self/status").read_text()
    return {key: int(re.search(key + r":\s+(\d+)", text)[1]) for key in ("VmRSS", "VmHWM")}  # type: ignore[index]


def child(path: Path) -> None:
    sys.path[:0] = [str(ROOT / "functions/connectors"), str(ROOT / "layers/common/python")]
    from poche_common.errors import FeedFormatError
    from transit_gtfs.parser import parse_feed

    parse_feed(SAMPLE.read_bytes())  # imports, codecs, caches: what a warm container has
    data = path.read_bytes()
    Path("/proc/self/clear_refs").write_text("5")  # the peak RSS starts again from here
    before = _status()["VmRSS"]
    started, cpu = time.perf_counter(), time.process_time()
    outcome: dict[str, Any]
    try:
        feed = parse_feed(data)
        outcome = {
            "outcome": "parsed",
            "rows_read": feed.rows_read,
            "rejected": feed.rejected_count,
            "rejections_kept": len(feed.rejected),
            "stop_times_kept": sum(len(times) for times in feed.stop_times.values()),
        }
    except FeedFormatError as error:
        outcome = {"outcome": "refused", "error": str(error)}
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = _status()["VmHWM"]
    print(json.dumps({"before_kib": before, "peak_kib": peak, "elapsed_s": elapsed, "cpu_s": cpu, **outcome}))


# ---------------------------------------------------------------- the report


def measure(name: str, data: bytes, folder: Path) -> dict[str, Any]:
    path = folder / f"{name}.zip"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as archive:
        inflated = sum(info.file_size for info in archive.infolist())
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    if result.returncode != 0:
        return {"case": name, "zip_bytes": len(data), "inflated_bytes": inflated, "error": result.stderr[-2000:]}
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    growth = (measured["peak_kib"] - measured["before_kib"]) / 1024
    return {
        "case": name,
        "zip_bytes": len(data),
        "inflated_bytes": inflated,
        "rss_before_mib": round(measured["before_kib"] / 1024, 1),
        "peak_rss_mib": round(measured["peak_kib"] / 1024, 1),
        "growth_mib": round(growth, 1),
        **{k: v for k, v in measured.items() if k not in ("before_kib", "peak_kib")},
    }


def size_text(size: int) -> str:
    return f"{size / MIB:.1f} MiB" if size >= MIB else f"{size / 1024:.0f} KiB"


def print_report(rows: list[dict[str, Any]]) -> None:
    print(f"{'case':<17}{'zip':>10}{'inflated':>11}{'RSS before':>12}{'peak RSS':>10}{'growth':>9}{'s':>7}  outcome")
    print("-" * 100)
    for row in rows:
        if "error" in row and "outcome" not in row:
            print(f"{row['case']:<17}{size_text(row['zip_bytes']):>10}  ERROR: {row['error'].splitlines()[-1]}")
            continue
        if row["outcome"] == "parsed":
            what = (
                f"parsed: {row['rows_read']} rows, {row['rejected']} rejected ({row['rejections_kept']} kept), "
                f"{row['stop_times_kept']} stop times kept"
            )
        else:
            what = "refused: " + row["error"]
        print(
            f"{row['case']:<17}{size_text(row['zip_bytes']):>10}{size_text(row['inflated_bytes']):>11}"
            f"{row['rss_before_mib']:>10.1f}M{row['peak_rss_mib']:>9.1f}M{row['growth_mib']:>8.1f}M"
            f"{row['elapsed_s']:>7.2f}  {what}"
        )


def verdict(rows: list[dict[str, Any]]) -> dict[str, Any]:
    hostile = [row for row in rows if row["case"] in HOSTILE and "growth_mib" in row]
    worst = max(hostile, key=lambda row: row["growth_mib"], default=None)
    if worst is None or len(hostile) < len(HOSTILE):
        return {"status": "NOT MEASURED", "goal_mib": GOAL_MIB}
    status = "OK" if worst["growth_mib"] < GOAL_MIB else "MISSED"
    return {
        "status": status,
        "goal_mib": GOAL_MIB,
        "worst_case": worst["case"],
        "worst_growth_mib": worst["growth_mib"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=float, default=40.0, help="inflated size of the large cases (default 40)")
    parser.add_argument("--json", type=Path, default=ROOT / ".bench/gtfs_zip.json")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return 0
    if not Path("/proc/self/clear_refs").exists():
        print("bench/gtfs_zip.py needs Linux's /proc (VmHWM, clear_refs): not measured")
        return 1

    started = time.perf_counter()
    size = int(args.mib * MIB)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        for name, build in CASES.items():
            rows.append(measure(name, build(size), Path(folder)))
    total_s = time.perf_counter() - started

    print(f"transit-gtfs parser: peak memory on hostile zips ({args.mib:g} MiB inflated; each in a fresh process)")
    print()
    print_report(rows)
    result = verdict(rows)
    print()
    if result["status"] == "NOT MEASURED":
        print(f"GOAL  a hostile zip adds less than {GOAL_MIB:g} MiB to the peak RSS: NOT MEASURED (a case failed)")
    else:
        print(
            f"GOAL  a hostile zip adds less than {GOAL_MIB:g} MiB to the peak RSS: {result['status']} "
            f"(worst: {result['worst_case']}, +{result['worst_growth_mib']:.1f} MiB)"
        )
    print(f"benchmark took {total_s:.1f} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "duration_s": round(total_s, 1),
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "arch": platform.machine()},
                "inflated_mib": args.mib,
                "goal": result,
                "cases": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"results written to {args.json}")
    return 1 if any("outcome" not in row for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
