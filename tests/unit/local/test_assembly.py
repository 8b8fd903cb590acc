"""poche_local.assembly: reading a synthesized cloud assembly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from poche_local.assembly import AssemblyError, StackArtifact, load_assembly

CODE_HASH = "a" * 64
LAYER_HASH = "b" * 64


def write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data))


@pytest.fixture
def cdk_out(tmp_path: Path) -> Path:
    out = tmp_path / "cdk.out"
    out.mkdir()
    artifacts = {
        # B first in the manifest: the order must come from the dependencies
        "B": {
            "type": "aws:cloudformation:stack",
            "properties": {"templateFile": "B.template.json", "stackName": "poche-dev-phase"},
            "dependencies": ["A", "B.assets"],
        },
        "B.assets": {"type": "cdk:asset-manifest", "properties": {"file": "B.assets.json"}},
        "A": {
            "type": "aws:cloudformation:stack",
            "properties": {"templateFile": "A.template.json"},
            "dependencies": ["A.assets"],
        },
        "A.assets": {"type": "cdk:asset-manifest", "properties": {"file": "A.assets.json"}},
        "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
    }
    write(out / "manifest.json", {"version": "48.0.0", "artifacts": artifacts})
    write(out / "A.template.json", {"Resources": {"Bus": {"Type": "AWS::Events::EventBus"}}})
    write(out / "B.template.json", {"Resources": {"Fn": {"Type": "AWS::Lambda::Function"}}})
    write(
        out / "A.assets.json",
        {
            "version": "48.0.0",
            "files": {
                CODE_HASH: {"source": {"path": f"asset.{CODE_HASH}", "packaging": "zip"}, "destinations": {}},
                LAYER_HASH: {"source": {"path": f"asset.{LAYER_HASH}", "packaging": "zip"}, "destinations": {}},
                "c" * 64: {"source": {"path": "A.template.json", "packaging": "file"}, "destinations": {}},
            },
        },
    )
    return out


def test_stacks_in_dependency_order(cdk_out: Path) -> None:
    stacks = load_assembly(cdk_out)
    assert [s.name for s in stacks] == ["A", "poche-dev-phase"]
    a, b = stacks
    assert a.depends_on == []
    assert b.depends_on == ["A"]  # asset manifests are not stacks
    assert list(a.resources) == ["Bus"]
    assert b.resources["Fn"]["Type"] == "AWS::Lambda::Function"


def test_asset_dirs(cdk_out: Path) -> None:
    a, b = load_assembly(cdk_out)
    assert a.asset_dir(f"{CODE_HASH}.zip") == cdk_out / f"asset.{CODE_HASH}"
    assert a.asset_dir(f"{LAYER_HASH}.zip") == cdk_out / f"asset.{LAYER_HASH}"
    assert a.asset_dir("c" * 64 + ".zip") is None  # a file asset, not a folder
    assert a.asset_dir(CODE_HASH) is None  # not a zip key
    assert a.asset_dir({"Fn::Sub": "x.zip"}) is None
    assert a.asset_dir(None) is None
    assert b.assets == {}


def test_deep_dependency_chain_is_ordered(tmp_path: Path) -> None:
    artifacts = {
        name: {
            "type": "aws:cloudformation:stack",
            "properties": {"templateFile": f"{name}.json"},
            "dependencies": deps,
        }
        for name, deps in {"A": ["C"], "B": [], "C": ["B"], "D": ["A", "B"]}.items()
    }
    write(tmp_path / "manifest.json", {"artifacts": artifacts})
    for name in artifacts:
        write(tmp_path / f"{name}.json", {"Resources": {}})
    order = [s.name for s in load_assembly(tmp_path)]
    assert sorted(order) == ["A", "B", "C", "D"]
    for stack in load_assembly(tmp_path):
        for dependency in stack.depends_on:
            assert order.index(dependency) < order.index(stack.name)


def test_missing_manifest_says_to_synthesize(tmp_path: Path) -> None:
    with pytest.raises(AssemblyError, match="make synth"):
        load_assembly(tmp_path)


def test_assembly_without_stacks_says_to_synthesize(tmp_path: Path) -> None:
    write(tmp_path / "manifest.json", {"artifacts": {"Tree": {"type": "cdk:tree"}}})
    with pytest.raises(AssemblyError, match="make synth"):
        load_assembly(tmp_path)


def test_stack_artifact_resources_default() -> None:
    assert StackArtifact(name="X", template={}).resources == {}
