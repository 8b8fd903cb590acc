"""Cold start counted in instructions (deterministic), for comparing two versions of the code on a noisy machine.

    python bench/instructions.py --cdk-out cdk.out [--only traffic] [--with-dependencies]
                                 [--json .bench/instructions.json] [--compare .bench/instructions-before.json]

Wall-clock cold starts (`bench/functions.py`) move by ±0.1x between runs of the same code on this machine. This
counts, with `valgrind --tool=callgrind`, the instructions a fresh interpreter executes to import each function's
handler (as deployed: its code asset, layers, environment; no `.pyc`, as on Lambda, which compiles every module at
each cold start) and to run the floor (`import boto3; boto3.client("dynamodb")`), minus the instructions of the
interpreter starting and stopping with nothing to do. The ratio is comparable to the wall-clock one, and the same
code gives the same count to a fraction of a percent. Handlers that build their clients on the first request
(`dependencies`, `poche_common.wiring`) import less: `--with-dependencies` counts that build too, which is what a
first request pays, and the figure to compare with a handler that built them at import. `--compare` prints each
function's change against a previous run's JSON. Needs valgrind (`apt-get install valgrind`); about 20 s a function.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from poche_local.assembly import AssemblyError


def _bench_functions() -> Any:
    """bench/functions.py (its platform loading and targets), loaded by path: `functions` also names a folder."""
    spec = importlib.util.spec_from_file_location("bench_functions", Path(__file__).with_name("functions.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_functions"] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


bench = _bench_functions()
CHILD: Path = bench.CHILD
BenchError: type[Exception] = bench.BenchError

COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def instructions(mode: str, env: dict[str, str], cwd: str) -> int:
    """Instructions of `python bench/_child.py <mode>` (or of an empty interpreter for mode "empty")."""
    command = [sys.executable, "-c", "pass"] if mode == "empty" else [sys.executable, str(CHILD), mode]
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out", *command],
            env={**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"},
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    found = COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        tail = "\n".join(done.stderr.strip().splitlines()[-8:])
        raise BenchError(f"{mode} under callgrind failed (exit {done.returncode}):\n{tail}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], prog="bench/instructions.py")
    parser.add_argument("--cdk-out", default="cdk.out", help="synthesized assembly (make synth)")
    parser.add_argument("--only", action="append", help="a function (label, package or name); repeatable")
    parser.add_argument("--json", default=".bench/instructions.json", help="where to write the results")
    parser.add_argument("--compare", help="a previous run's JSON: print each function's change against it")
    parser.add_argument(
        "--with-dependencies",
        action="store_true",
        help="also build what the first request builds (`dependencies.get()`: clients, settings), for handlers "
        "that defer it: the cold start a first request really pays",
    )
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("bench: valgrind is needed (apt-get install valgrind)", file=sys.stderr)
        return 2
    try:
        platform_ = bench.load_platform(Path(args.cdk_out))
        targets = bench.select([bench.target_of(f) for f in platform_.spec.functions.values()], args.only)
        base_env = {k: v for k, v in targets[0].env.items() if k not in ("PYTHONPATH", "_HANDLER")}
        cwd = targets[0].spec.code_dir
        empty = instructions("empty", base_env, cwd)
        floor = instructions("floor", base_env, cwd) - empty
        counts: dict[str, int] = {}
        for target in targets:
            env = {**target.env, **({"BENCH_BUILD_DEPENDENCIES": "1"} if args.with_dependencies else {})}
            counts[target.label] = instructions("cold", env, target.spec.code_dir) - empty
            print(f"bench: {target.label}: {counts[target.label] / floor:.3f}x", file=sys.stderr, flush=True)
    except (AssemblyError, BenchError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    before: dict[str, Any] = json.loads(Path(args.compare).read_text())["ratios"] if args.compare else {}
    ratios = {label: round(count / floor, 4) for label, count in counts.items()}
    print(f"{'function':<24}{'instructions':>14}{'ratio':>8}" + (f"{'before':>8}{'change':>8}" if before else ""))
    for label, count in counts.items():
        line = f"{label:<24}{count:>14,}{ratios[label]:>8.3f}"
        if label in before:
            line += f"{before[label]:>8.3f}{ratios[label] - before[label]:>+8.3f}"
        print(line)
    print(f"{'floor':<24}{floor:>14,}{1:>8.3f}   (interpreter start-up, {empty:,}, subtracted from each)")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"floor": floor, "empty": empty, "counts": counts, "ratios": ratios}, indent=2) + "\n")
    print(f"results written to {out}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-3")
    sys.exit(main())
