"""Reading a synthesized cloud assembly (`cdk.out`): stacks, templates and asset folders."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class AssemblyError(RuntimeError):
    """cdk.out is missing or not what we expect; the message says what to run."""


@dataclass
class StackArtifact:
    name: str
    template: dict[str, Any]
    assets: dict[str, Path] = field(default_factory=dict)  # asset hash -> folder holding what is deployed
    depends_on: list[str] = field(default_factory=list)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return dict(self.template.get("Resources", {}))

    def asset_dir(self, s3_key: Any) -> Path | None:
        if not isinstance(s3_key, str) or not s3_key.endswith(".zip"):
            return None
        return self.assets.get(s3_key.removesuffix(".zip"))


def load_assembly(outdir: Path) -> list[StackArtifact]:
    """Stacks in deployment order (dependencies first)."""
    manifest_path = outdir / "manifest.json"
    if not manifest_path.exists():
        raise AssemblyError(f"{manifest_path} not found: synthesize first (make synth)")
    manifest = json.loads(manifest_path.read_text())
    artifacts = manifest.get("artifacts", {})
    stacks: dict[str, StackArtifact] = {}
    for artifact_id, artifact in artifacts.items():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        props = artifact.get("properties", {})
        template = json.loads((outdir / props["templateFile"]).read_text())
        stack = StackArtifact(
            name=props.get("stackName", artifact_id),
            template=template,
            depends_on=[
                d for d in artifact.get("dependencies", []) if artifacts.get(d, {}).get("type") == artifact["type"]
            ],
        )
        assets_file = outdir / f"{artifact_id}.assets.json"
        if assets_file.exists():
            for asset_hash, asset in json.loads(assets_file.read_text()).get("files", {}).items():
                source = asset.get("source", {})
                if source.get("packaging") == "zip" or (outdir / source.get("path", "")).is_dir():
                    stack.assets[asset_hash] = outdir / source["path"]
        stacks[artifact_id] = stack
    ordered: list[StackArtifact] = []
    seen: set[str] = set()

    def visit(artifact_id: str) -> None:
        if artifact_id in seen or artifact_id not in stacks:
            return
        seen.add(artifact_id)
        for dependency in stacks[artifact_id].depends_on:
            visit(dependency)
        ordered.append(stacks[artifact_id])

    for artifact_id in sorted(stacks):
        visit(artifact_id)
    if not ordered:
        raise AssemblyError(f"{outdir} holds no stack: synthesize first (make synth)")
    return ordered
