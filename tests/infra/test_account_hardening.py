"""Issue 9, defects 1, 15 and 16, on the two user pools of Core.

1. What a signed-in user may read and write of their own account: each app client lists its attributes, and
   nothing that grants a right (`custom:schools`, any custom attribute, a `*_verified` flag) is writable with the
   user's own access token (`UpdateUserAttributes`). An empty list would not do: Cognito reads an empty
   `WriteAttributes` as "not set", i.e. every attribute writable.
15. Verification, invitation and recovery e-mails go through SES with the territory's verified domain, not through
   Cognito's built-in sender (about 50 e-mails a day).
16. The feature plan of each pool is a territory setting (citizens: Lite by default, the cheapest; staff: Plus),
   and threat protection follows it: on for Plus only (the other plans refuse it at deployment).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from cdk_nag import AwsSolutionsChecks
from support import Synthesized
from test_stacks import CORE, all_resources, resources

from poche_infra.config import Settings, settings_from_context
from poche_infra.stacks.core import CoreStack

STAFF_POOL = "poche-dev-staff"
CITIZEN_POOL = "poche-dev-citizens"


def pool(synthesized: Synthesized, name: str) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (logical, p)
        for logical, p in resources(synthesized, CORE, "AWS::Cognito::UserPool").items()
        if p["Properties"]["UserPoolName"] == name
    ]
    return found


def client_of(synthesized: Synthesized, name: str) -> dict[str, Any]:
    logical, _ = pool(synthesized, name)
    (client,) = [
        c["Properties"]
        for c in resources(synthesized, CORE, "AWS::Cognito::UserPoolClient").values()
        if c["Properties"]["UserPoolId"] == {"Ref": logical}
    ]
    return client


# --- 1. attributes a user may write with their own token ---------------------------------------------------------


def test_the_staff_cannot_write_their_school_scope(synthesized: Synthesized) -> None:
    client = client_of(synthesized, STAFF_POOL)
    # Explicit and non-empty: without WriteAttributes (or with an empty list) every attribute is writable.
    assert client["WriteAttributes"] == ["locale"]
    assert "custom:schools" not in client["WriteAttributes"]
    # Readable, so that the ID token carries the claim the schools admin function checks (auth.SCHOOLS_CLAIM).
    assert sorted(client["ReadAttributes"]) == ["custom:schools", "email", "email_verified", "locale"]


def test_citizens_write_only_their_email_address(synthesized: Synthesized) -> None:
    client = client_of(synthesized, CITIZEN_POOL)
    # Sign-up sets the e-mail address and the app changes it (UpdateUserAttributes, then the code): nothing else.
    assert client["WriteAttributes"] == ["email"]
    assert sorted(client["ReadAttributes"]) == ["email", "email_verified"]


def test_no_client_of_any_pool_lets_a_user_write_a_right(synthesized: Synthesized) -> None:
    clients = [c["Properties"] for c in all_resources(synthesized, "AWS::Cognito::UserPoolClient").values()]
    assert len(clients) == 2
    for client in clients:
        writable = client.get("WriteAttributes")
        assert writable, f"{client['ClientName']}: no WriteAttributes means every attribute is writable"
        assert client.get("ReadAttributes"), client["ClientName"]
        assert not [a for a in writable if a.startswith("custom:") or a.endswith("_verified")], client["ClientName"]
        assert set(writable) <= set(client["ReadAttributes"]), client["ClientName"]  # what one writes, one reads


# --- 15. e-mails through SES with the territory's verified domain -------------------------------------------------


@pytest.mark.parametrize("name", [STAFF_POOL, CITIZEN_POOL])
def test_both_pools_send_their_emails_through_ses(synthesized: Synthesized, name: str) -> None:
    _, found = pool(synthesized, name)
    email = found["Properties"]["EmailConfiguration"]
    assert email["EmailSendingAccount"] == "DEVELOPER"  # SES, not Cognito's built-in sender (~50 a day)
    assert email["From"] == "L'Orne dans ma poche <ne-pas-repondre@poche.orne.fr>"
    source = json.dumps(email["SourceArn"])
    assert ":ses:eu-west-3:" in source and ":identity/poche.orne.fr" in source  # the domain identity, in Paris
    assert "ReplyToEmailAddress" not in email


def core_template(settings: Settings) -> dict[str, Any]:
    app = cdk.App()
    stack = CoreStack(app, "Core", settings=settings, env=cdk.Environment(region=settings.territory.region))
    return dict(assertions.Template.from_stack(stack).to_json())


def with_territory(settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(settings, territory=dataclasses.replace(settings.territory, **changes))


def pools_of(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        r["Properties"]["UserPoolName"]: r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Cognito::UserPool"
    }


def test_a_dev_territory_without_account_email_keeps_cognitos_sender() -> None:
    settings = with_territory(settings_from_context({}), account_email=None)
    for found in pools_of(core_template(settings)).values():
        assert "EmailConfiguration" not in found["Properties"]


def test_reply_to_and_another_ses_region_are_passed_on() -> None:
    from poche_infra.config import AccountEmail

    email = AccountEmail(
        from_email="comptes@mail.example.fr",
        from_name="Poche",
        ses_verified_domain="mail.example.fr",
        reply_to="support@example.fr",
        ses_region="eu-west-1",
    )
    settings = with_territory(settings_from_context({}), account_email=email)
    for found in pools_of(core_template(settings)).values():
        config = found["Properties"]["EmailConfiguration"]
        assert config["From"] == "Poche <comptes@mail.example.fr>"
        assert config["ReplyToEmailAddress"] == "support@example.fr"
        assert ":ses:eu-west-1:" in json.dumps(config["SourceArn"])


# --- 16. the feature plan, and threat protection following it ----------------------------------------------------


def test_the_default_plans_citizens_lite_staff_plus(synthesized: Synthesized) -> None:
    _, citizens = pool(synthesized, CITIZEN_POOL)
    assert citizens["Properties"]["UserPoolTier"] == "LITE"
    assert "UserPoolAddOns" not in citizens["Properties"]  # no threat protection: it needs Plus
    _, staff = pool(synthesized, STAFF_POOL)
    assert staff["Properties"]["UserPoolTier"] == "PLUS"
    assert staff["Properties"]["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}


def nag_errors(settings: Settings) -> tuple[list[str], dict[str, Any]]:
    app = cdk.App()
    stack = CoreStack(app, "Core", settings=settings, env=cdk.Environment(region=settings.territory.region))
    cdk.Aspects.of(app).add(AwsSolutionsChecks())
    template = dict(assertions.Template.from_stack(stack).to_json())
    errors = assertions.Annotations.from_stack(stack).find_error("*", assertions.Match.string_like_regexp(".*"))
    return [str(e.entry.data) for e in errors], template


@pytest.mark.parametrize(("plan", "tier"), [("lite", "LITE"), ("essentials", "ESSENTIALS"), ("plus", "PLUS")])
def test_threat_protection_follows_each_plan_and_nag_stays_clean(plan: str, tier: str) -> None:
    settings = with_territory(settings_from_context({}), citizen_feature_plan=plan, staff_feature_plan=plan)
    errors, template = nag_errors(settings)
    assert errors == []
    for name, found in pools_of(template).items():
        props = found["Properties"]
        assert props["UserPoolTier"] == tier, name
        if plan == "plus":
            assert props["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}, name
        else:
            assert "UserPoolAddOns" not in props, name  # Lite and Essentials refuse threat protection
        suppressions = {s["id"]: s["reason"] for s in found["Metadata"]["cdk_nag"]["rules_to_suppress"]}
        setting = "staff_feature_plan" if name.endswith("-staff") else "citizen_feature_plan"
        if plan == "plus":
            assert "AwsSolutions-COG8" not in suppressions, name
            assert "blocks risky" in suppressions["AwsSolutions-COG2"], name
        else:
            assert "Plus" in suppressions["AwsSolutions-COG8"] and setting in suppressions["AwsSolutions-COG8"], name
            assert "blocks risky" not in suppressions["AwsSolutions-COG2"], name  # no claim of what is not there
