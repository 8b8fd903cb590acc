"""Dependency layers are built for Lambda (arm64, binary wheels) without Docker, and only when needed."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from poche_infra import layers


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "layers" / "demo-deps").mkdir(parents=True)
    (tmp_path / "layers" / "demo-deps" / "requirements.txt").write_text("six==1.16.0\n")
    (tmp_path / "layers" / "common").mkdir()
    monkeypatch.setattr(layers, "LAYERS", tmp_path / "layers")
    monkeypatch.setattr(layers, "BUILD", tmp_path / "build")
    return tmp_path


def fake_pip(calls: list[list[str]]) -> Any:
    def run(command: list[str], check: bool) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        target = Path(command[command.index("--target") + 1])
        (target / "six.py").parent.mkdir(parents=True, exist_ok=True)
        (target / "six.py").write_text("")
        return subprocess.CompletedProcess(command, 0)

    return run


def test_only_folders_with_requirements_are_dependency_layers(tree: Path) -> None:
    assert list(layers.dependency_layers()) == ["demo-deps"]


def test_build_targets_lambda_and_skips_when_unchanged(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(layers.subprocess, "run", fake_pip(calls))
    requirements = tree / "layers" / "demo-deps" / "requirements.txt"

    with pytest.raises(layers.LayerNotBuiltError, match="make layers"):
        layers.built_layer("demo-deps")
    assert layers.build("demo-deps", requirements) is True
    (command,) = calls
    for flag, value in (
        ("--platform", "manylinux2014_aarch64"),
        ("--python-version", "3.13"),
        ("--implementation", "cp"),
    ):
        assert command[command.index(flag) + 1] == value
    assert "--only-binary=:all:" in command
    assert layers.built_layer("demo-deps") == tree / "build" / "demo-deps"
    assert (tree / "build" / "demo-deps" / "python" / "six.py").exists()

    assert layers.build("demo-deps", requirements) is False  # unchanged: pip not called again
    assert len(calls) == 1

    requirements.write_text("six==1.17.0\n")
    with pytest.raises(layers.LayerNotBuiltError, match="out of date"):
        layers.built_layer("demo-deps")
    assert layers.build("demo-deps", requirements) is True and len(calls) == 2


def test_unknown_layer(tree: Path) -> None:
    with pytest.raises(layers.LayerNotBuiltError, match=r"no layers/nope/requirements\.txt"):
        layers.built_layer("nope")
