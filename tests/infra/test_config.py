"""Stage, territory and phase selection (CDK context), without synthesizing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from poche_infra.config import ConfigError, load_territory, settings_from_context


def test_defaults_are_dev_orne_all_phases() -> None:
    settings = settings_from_context({})
    assert (settings.stage, settings.territory.name, settings.phases) == (
        "dev",
        "orne",
        ("proximity", "services", "payments"),
    )
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
        ({"phases": "proximity,events"}, "unknown phase(s) events"),
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


# --- accounts: the sender of the pools' e-mails and their feature plans (issue 9, defects 15 and 16) --------------

ORNE = json.loads((Path(__file__).resolve().parents[2] / "infra/territories/orne.json").read_text(encoding="utf-8"))


def territory_with(tmp_path: Path, **changes: object) -> Path:
    data = {**ORNE, **changes}
    for key in [k for k, v in changes.items() if v is None]:
        data.pop(key)
    (tmp_path / "t.json").write_text(json.dumps(data))
    return tmp_path


def test_orne_sends_through_its_verified_domain_and_keeps_citizens_on_lite() -> None:
    territory = load_territory("orne")
    email = territory.account_email
    assert email is not None
    assert (email.from_email, email.ses_verified_domain) == ("ne-pas-repondre@poche.orne.fr", "poche.orne.fr")
    assert email.from_name == "L'Orne dans ma poche" and email.reply_to is None
    assert email.ses_region is None  # the pools' own region (eu-west-3): addresses stay in France
    assert (territory.citizen_feature_plan, territory.staff_feature_plan) == ("lite", "plus")


def test_without_settings_the_plans_are_the_cheap_one_for_citizens_and_plus_for_staff(tmp_path: Path) -> None:
    directory = territory_with(tmp_path, citizen_feature_plan=None, staff_feature_plan=None, account_email=None)
    territory = load_territory("t", directory)
    assert (territory.citizen_feature_plan, territory.staff_feature_plan) == ("lite", "plus")
    assert territory.account_email is None


@pytest.mark.parametrize("key", ["citizen_feature_plan", "staff_feature_plan"])
@pytest.mark.parametrize("value", ["PLUS", "premium", "", 3])
def test_an_unknown_feature_plan_is_refused(tmp_path: Path, key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=rf"t\.json: {key} .* is not one of lite, essentials, plus"):
        load_territory("t", territory_with(tmp_path, **{key: value}))


GOOD_EMAIL = {
    "from_email": "ne-pas-repondre@poche.orne.fr",
    "from_name": "Poche",
    "ses_verified_domain": "poche.orne.fr",
}


@pytest.mark.parametrize(
    ("email", "words"),
    [
        ("ne-pas-repondre@poche.orne.fr", "account_email must be an object"),
        ({**GOOD_EMAIL, "from": "x@poche.orne.fr"}, "account_email: unknown key(s) from"),
        (
            {k: v for k, v in GOOD_EMAIL.items() if k != "ses_verified_domain"},
            "account_email.ses_verified_domain is required",
        ),
        ({k: v for k, v in GOOD_EMAIL.items() if k != "from_email"}, "account_email.from_email is required"),
        (
            {**GOOD_EMAIL, "from_email": "ne-pas-repondre"},
            "account_email.from_email 'ne-pas-repondre' is not an e-mail address",
        ),
        (
            {**GOOD_EMAIL, "from_email": "né@poche.orne.fr"},
            "account_email.from_email 'né@poche.orne.fr' is not an e-mail address",
        ),
        (
            {**GOOD_EMAIL, "from_email": "x@orne.fr"},
            "account_email.from_email must be an address of ses_verified_domain poche.orne.fr",
        ),
        (
            {**GOOD_EMAIL, "ses_verified_domain": "localhost"},
            "account_email.ses_verified_domain 'localhost' is not a domain name",
        ),
        ({**GOOD_EMAIL, "ses_verified_domain": "Poche.Orne.fr"}, "is not a domain name (lower case"),
        ({**GOOD_EMAIL, "reply_to": "support"}, "account_email.reply_to 'support' is not an e-mail address"),
        ({**GOOD_EMAIL, "from_name": "Poche\r\nBcc: x@example.org"}, "account_email.from_name"),
        ({**GOOD_EMAIL, "from_name": ""}, "account_email.from_name"),
        ({**GOOD_EMAIL, "from_name": "P" * 81}, "account_email.from_name"),
        ({**GOOD_EMAIL, "ses_region": "paris"}, "account_email.ses_region 'paris' is not an AWS region"),
    ],
)
def test_a_wrong_account_email_is_explained(tmp_path: Path, email: object, words: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(words)) as raised:
        load_territory("t", territory_with(tmp_path, account_email=email))
    assert "t.json" in str(raised.value)


def test_a_complete_account_email_is_read(tmp_path: Path) -> None:
    email = {**GOOD_EMAIL, "reply_to": "support@orne.fr", "ses_region": "eu-west-1"}
    found = load_territory("t", territory_with(tmp_path, account_email=email)).account_email
    assert found is not None and (found.reply_to, found.ses_region) == ("support@orne.fr", "eu-west-1")


def test_prod_refuses_cognitos_builtin_sender(tmp_path: Path) -> None:
    from poche_infra.config import Settings

    territory = load_territory("t", territory_with(tmp_path, account_email=None))
    assert Settings(stage="dev", territory=territory, phases=("proximity",)).territory.account_email is None
    with pytest.raises(ConfigError, match=r"prod needs account_email .* about 50 e-mails a day"):
        Settings(stage="prod", territory=territory, phases=("proximity",))
