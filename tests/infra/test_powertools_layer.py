"""The public Powertools layer reaches exactly the functions whose code imports Powertools or pydantic.

In Lambda, `aws_lambda_powertools` and `pydantic` come only from that layer (ARCHITECTURE.md: no second pydantic in
our layers); locally and in tests they come from the venv, so a missing layer would only show in AWS, as an
ImportError at the first call of that path. The other way round, the layer on a function that imports neither is
cold-start weight for nothing. What a function's code imports is read from the synthesized assets: its package and
our layers (not the third-party dependency layers), following its imports from `<package>.handler`, lazy ones
included, `if TYPE_CHECKING:` blocks excluded.
"""

from __future__ import annotations

import ast
import copy
import json
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template
from support import Synthesized
from test_stacks import PROXIMITY

from poche_infra.config import settings_from_context
from poche_infra.constructs.runtime import PhaseRuntime
from poche_infra.layers import MARKER

SUPPLIED_BY_THE_LAYER = {"aws_lambda_powertools", "pydantic"}
POWERTOOLS_PARAMETER = "/aws/service/powertools/"


def _module_file(name: str, roots: Iterable[Path]) -> Path | None:
    parts = name.split(".")
    for root in roots:
        for candidate in (root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts, "__init__.py")):
            if candidate.is_file():
                return candidate
    return None


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of the import nodes under `if TYPE_CHECKING:` (never run)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for branch in node.body for n in ast.walk(branch)}
    return skipped


def _imports(name: str, path: Path) -> Iterator[str]:
    """The modules `name` (in file `path`) imports, anywhere in its code, with the submodules `from x import y` may
    name; relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skipped = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def external_imports(entry: str, roots: list[Path]) -> set[str]:
    """The top-level names of the modules outside `roots` that `entry` reaches through its imports."""
    seen: set[str] = set()
    external: set[str] = set()
    pending = [entry]
    while pending:
        name = pending.pop()
        if not name or name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        pending += [".".join(parts[:i]) for i in range(1, len(parts))]  # a package's __init__ runs first
        path = _module_file(name, roots)
        if path is None:
            if _module_file(parts[0], roots) is None:
                external.add(parts[0])  # else a name imported from one of our modules, not a module
            continue
        pending += list(_imports(name, path))
    return external


def powertools_mismatches(template: dict[str, Any], asset: Callable[[str], Path]) -> list[str]:
    """Functions whose code needs the Powertools layer without having it, or has it without needing it."""
    resources, parameters = template["Resources"], template.get("Parameters", {})
    powertools = {k for k, p in parameters.items() if str(p.get("Default", "")).startswith(POWERTOOLS_PARAMETER)}
    problems: list[str] = []
    for function in (r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Function"):
        package = function["Handler"].removesuffix(".handler.handler")
        roots = [asset(function["Code"]["S3Key"])]
        has_layer = False
        for layer in function.get("Layers", []):
            ref = layer.get("Ref") if isinstance(layer, dict) else None
            if ref in powertools:
                has_layer = True
            elif ref in resources and resources[ref]["Type"] == "AWS::Lambda::LayerVersion":
                folder = asset(resources[ref]["Properties"]["Content"]["S3Key"])
                if not (folder / MARKER).exists():  # third-party dependency layers are not our code
                    roots.append(folder / "python")
        needed = external_imports(f"{package}.handler", roots) & SUPPLIED_BY_THE_LAYER
        if needed and not has_layer:
            problems.append(f"{package} imports {sorted(needed)} without the Powertools layer: pass powertools=True")
        if has_layer and not needed:
            problems.append(f"{package} has the Powertools layer but imports neither Powertools nor pydantic")
    return problems


def assets_of(outdir: Path) -> Callable[[str], Path]:
    return lambda key: outdir / f"asset.{key.removesuffix('.zip')}"


def test_the_powertools_layer_reaches_exactly_the_functions_importing_it(synthesized: Synthesized) -> None:
    assert powertools_mismatches(synthesized.templates[PROXIMITY], assets_of(synthesized.outdir)) == []


def test_the_check_sees_a_layer_without_import_and_an_import_without_layer(
    synthesized: Synthesized, tmp_path: Path
) -> None:
    template = copy.deepcopy(synthesized.templates[PROXIMITY])
    template.setdefault("Parameters", {})["Powertools"] = {"Type": "String", "Default": POWERTOOLS_PARAMETER + "x"}
    functions = {r["Properties"]["Handler"]: r["Properties"] for r in template["Resources"].values()
                 if r["Type"] == "AWS::Lambda::Function"}  # fmt: skip
    functions["communes.handler.handler"]["Layers"].append({"Ref": "Powertools"})
    agenda = functions["agenda.handler.handler"]
    real = assets_of(synthesized.outdir)
    shutil.copytree(real(agenda["Code"]["S3Key"]), tmp_path / "agenda-asset")
    handler = tmp_path / "agenda-asset" / "agenda" / "handler.py"
    handler.write_text(handler.read_text() + "\n\ndef _lazy() -> None:\n    from pydantic import BaseModel\n")
    agenda["Code"]["S3Key"] = "patched.zip"

    def asset(key: str) -> Path:
        return tmp_path / "agenda-asset" if key == "patched.zip" else real(key)

    assert sorted(powertools_mismatches(template, asset)) == [
        "agenda imports ['pydantic'] without the Powertools layer: pass powertools=True",
        "communes has the Powertools layer but imports neither Powertools nor pydantic",
    ]


def test_imports_are_followed_through_our_layers_lazy_ones_included(tmp_path: Path) -> None:
    (tmp_path / "fn" / "pkg").mkdir(parents=True)
    (tmp_path / "layer" / "shared").mkdir(parents=True)
    (tmp_path / "fn" / "pkg" / "__init__.py").write_text("")
    (tmp_path / "fn" / "pkg" / "handler.py").write_text(
        '"""Not aws_lambda_powertools: a mention is no import."""\nfrom . import logic\nfrom .rules import check\n'
    )
    (tmp_path / "fn" / "pkg" / "logic.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pydantic\nimport json\n"
    )
    (tmp_path / "fn" / "pkg" / "rules.py").write_text("def check() -> None:\n    from shared.models import M\n")
    (tmp_path / "layer" / "shared" / "__init__.py").write_text("")
    (tmp_path / "layer" / "shared" / "models.py").write_text(
        "from aws_lambda_powertools.utilities.idempotency import idempotent_function\n"
    )
    roots = [tmp_path / "fn", tmp_path / "layer"]
    assert external_imports("pkg.handler", roots) == {"json", "typing", "aws_lambda_powertools"}
    (tmp_path / "fn" / "pkg" / "rules.py").write_text("def check() -> None:\n    pass\n")
    assert external_imports("pkg.handler", roots) == {"json", "typing"}


def test_a_function_asks_for_the_powertools_layer_which_comes_first() -> None:
    stack = cdk.Stack(cdk.App(), "Phase")
    runtime = PhaseRuntime(stack, "Runtime", settings=settings_from_context({}))
    assert runtime.function_layers() == [runtime.common_layer]
    assert POWERTOOLS_PARAMETER not in json.dumps(Template.from_stack(stack).to_json())  # not read when unused
    layers = runtime.function_layers(runtime.common_layer, powertools=True)
    assert layers[0] is runtime.powertools_layer and layers[1:] == [runtime.common_layer, runtime.common_layer]
