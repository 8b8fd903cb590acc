"""Stage, territory and phase selection (CDK context), without synthesizing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from poche_infra.config import ConfigError, load_territory, settings_from_context


def test_defaults_are_dev_orne_all_phases() -> None:
    settings = settings_from_context({})
    assert (settings.stage, settings.territory.name, settings.phases) == ("dev", "orne", ("proximity",))
    assert settings.territory.departement == "61" and settings.territory.region == "eu-west-3"
    assert settings.prefix == "Poche-dev"
    assert settings.parameter("api/id") == "/poche/dev/api/id"


def test_prod_stage() -> None:
    settings = settings_from_context({"stage": "prod", "phases": "proximity"})
    assert settings.is_prod and settings.prefix == "Poche-prod"


@pytest.mark.parametrize(
    ("context", "words"),
    [
        ({"stage": "staging"}, "stage 'staging' is not one of dev, prod"),
        ({"phases": "proximity,payments"}, "unknown phase(s) payments"),
        ({"territory": "calvados"}, "unknown territory 'calvados'"),
        ({"territory": "../etc"}, "territory '../etc'"),
    ],
)
def test_wrong_context_values_are_explained(context: dict[str, str], words: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(words)):
        settings_from_context(context)


def test_a_territory_file_with_a_typo_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text(json.dumps({"name": "x", "titel": "X"}))
    with pytest.raises(ConfigError, match=r"x\.json"):
        load_territory("x", tmp_path)


def test_prod_tables_are_kept_and_protected() -> None:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from poche_infra.constructs.table import DomainTable

    for stage, policy, protected in (("prod", "Retain", True), ("dev", "Delete", False)):
        app = cdk.App()
        stack = cdk.Stack(app, f"T-{stage}")
        DomainTable(stack, "Data", settings=settings_from_context({"stage": stage}))
        (table,) = Template.from_stack(stack).find_resources("AWS::DynamoDB::Table").values()
        assert table["DeletionPolicy"] == policy
        assert table["Properties"].get("DeletionProtectionEnabled", False) is protected
