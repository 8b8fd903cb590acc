"""Build the dependency layers (`layers/<name>-deps/requirements.txt`) for Lambda, without Docker.

`python -m poche_infra.layers` (what `make layers` runs). Each layer is installed into
`build/layers/<name>/python` with binary wheels for arm64 and the functions' Python version; a
stamp holding the requirements' hash skips unchanged layers. A marker file tells the local
platform that the layer holds Lambda binaries, which it leaves out of a local function's path.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from .config import PYTHON_RUNTIME
from .paths import LAYERS, ROOT

BUILD = ROOT / "build" / "layers"
MARKER = ".poche-dependencies"
PLATFORM = "manylinux2014_aarch64"


class LayerNotBuiltError(RuntimeError):
    pass


def dependency_layers() -> dict[str, Path]:
    """name -> requirements file, for every `layers/<name>/requirements.txt`."""
    return {path.parent.name: path for path in sorted(LAYERS.glob("*/requirements.txt"))}


def built_layer(name: str) -> Path:
    """The folder CDK ships for layer `name`; a clear error when it was not built."""
    folder = BUILD / name
    requirements = dependency_layers().get(name)
    if requirements is None:
        raise LayerNotBuiltError(f"no layers/{name}/requirements.txt")
    if not (folder / MARKER).exists() or (folder / MARKER).read_text().strip() != _digest(requirements):
        raise LayerNotBuiltError(f"layer {name} is not built or out of date: run `make layers`")
    return folder


def _digest(requirements: Path) -> str:
    return hashlib.sha256(requirements.read_bytes() + PYTHON_RUNTIME.encode() + PLATFORM.encode()).hexdigest()


def build(name: str, requirements: Path) -> bool:
    """Install one layer; False when it was already up to date."""
    folder = BUILD / name
    digest = _digest(requirements)
    if (folder / MARKER).exists() and (folder / MARKER).read_text().strip() == digest:
        return False
    shutil.rmtree(folder, ignore_errors=True)
    version = PYTHON_RUNTIME.removeprefix("python")
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        "--platform", PLATFORM, "--implementation", "cp", "--python-version", version,
        "--only-binary=:all:", "--target", str(folder / "python"), "-r", str(requirements),
    ]  # fmt: skip
    subprocess.run(command, check=True)
    for cache in (folder / "python").rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    (folder / MARKER).write_text(digest + "\n")
    return True


def main() -> int:
    for name, requirements in dependency_layers().items():
        try:
            changed = build(name, requirements)
        except subprocess.CalledProcessError as exc:
            print(f"layers: {name}: pip failed ({exc.returncode}); see its message above", file=sys.stderr)
            return 1
        print(f"layers: {name} {'built' if changed else 'up to date'} in {BUILD / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
