"""Citizens' accounts in Core: their own user pool and app client, published as SSM contracts; the citizen JWT
authorizer of the phase runtime, and `AuthorizedRoutes` choosing the authorizer by audience (/v1/me for citizens,
/v1/admin for staff, anything else refused)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template
from support import Synthesized
from test_stacks import CORE, PROXIMITY, resources

from poche_infra.config import settings_from_context
from poche_infra.constructs.routes import AuthorizedRoutes, check_audience
from poche_infra.constructs.runtime import PhaseRuntime
from poche_infra.stacks.core import CoreStack

CITIZEN_CONTRACTS = {
    "/poche/dev/auth/citizens/user-pool-id",
    "/poche/dev/auth/citizens/user-pool-client-id",
    "/poche/dev/auth/citizens/issuer",
}


def citizen_pool(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    pools = resources(synthesized, CORE, "AWS::Cognito::UserPool")
    (found,) = [
        (k, p["Properties"]) for k, p in pools.items() if p["Properties"]["UserPoolName"] == "poche-dev-citizens"
    ]
    return found


def test_core_has_a_staff_pool_and_a_citizens_pool(synthesized: Synthesized) -> None:
    names = {p["Properties"]["UserPoolName"] for p in resources(synthesized, CORE, "AWS::Cognito::UserPool").values()}
    assert names == {"poche-dev-staff", "poche-dev-citizens"}


def test_citizens_sign_up_themselves_with_a_verified_email(synthesized: Synthesized) -> None:
    _, props = citizen_pool(synthesized)
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False  # self sign-up
    assert props["UsernameAttributes"] == ["email"]
    assert props["UsernameConfiguration"] == {"CaseSensitive": False}
    assert props["AutoVerifiedAttributes"] == ["email"]
    assert props["VerificationMessageTemplate"]["DefaultEmailOption"] == "CONFIRM_WITH_CODE"
    assert "{####}" in props["VerificationMessageTemplate"]["EmailMessage"]
    assert props["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}
    assert [a["Name"] for a in props["Schema"]] == ["email"]  # no custom attribute: nothing of staff's
    assert props["AccountRecoverySetting"] == {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}


def test_citizens_pool_security(synthesized: Synthesized) -> None:
    logical, props = citizen_pool(synthesized)
    policy = props["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 10
    assert props["MfaConfiguration"] == "OPTIONAL"
    assert props["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]  # TOTP, no SMS
    # The territory's citizen_feature_plan (Orne: Lite, the cheapest); threat protection needs Plus (issue 9, #16).
    assert props["UserPoolTier"] == "LITE"
    assert "UserPoolAddOns" not in props
    assert props["DeletionProtection"] == "INACTIVE"  # dev; prod below
    pool = resources(synthesized, CORE, "AWS::Cognito::UserPool")[logical]
    suppressions = {s["id"]: s["reason"] for s in pool["Metadata"]["cdk_nag"]["rules_to_suppress"]}
    assert set(suppressions) == {"AwsSolutions-COG2", "AwsSolutions-COG8"}
    assert "TOTP" in suppressions["AwsSolutions-COG2"]
    assert "citizen_feature_plan" in suppressions["AwsSolutions-COG8"]
    groups = resources(synthesized, CORE, "AWS::Cognito::UserPoolGroup").values()
    assert groups and all(g["Properties"]["UserPoolId"] != {"Ref": logical} for g in groups)  # no groups


def test_prod_citizens_pool_is_protected_and_kept() -> None:
    app = cdk.App()
    stack = CoreStack(app, "Core", settings=settings_from_context({"stage": "prod"}))
    pools = Template.from_stack(stack).find_resources("AWS::Cognito::UserPool")
    (pool,) = [p for p in pools.values() if p["Properties"]["UserPoolName"] == "poche-prod-citizens"]
    assert pool["Properties"]["DeletionProtection"] == "ACTIVE"
    assert pool["DeletionPolicy"] == "Retain" and pool["UpdateReplacePolicy"] == "Retain"


def test_citizens_app_client(synthesized: Synthesized) -> None:
    logical, _ = citizen_pool(synthesized)
    clients = resources(synthesized, CORE, "AWS::Cognito::UserPoolClient").values()
    (client,) = [c["Properties"] for c in clients if c["Properties"]["UserPoolId"] == {"Ref": logical}]
    assert client["ClientName"] == "poche-dev-citizens-app"
    assert client["GenerateSecret"] is False
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    units = {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "minutes"}
    assert client["TokenValidityUnits"] == units
    assert (client["IdTokenValidity"], client["AccessTokenValidity"]) == (60, 60)
    assert client["RefreshTokenValidity"] == 30 * 24 * 60
    assert client["AllowedOAuthFlowsUserPoolClient"] is False and "CallbackURLs" not in client  # no OAuth flow


def test_citizens_contracts_are_ssm_parameters_and_nothing_of_cognito_is_exported(synthesized: Synthesized) -> None:
    logical, _ = citizen_pool(synthesized)
    parameters = {
        p["Properties"]["Name"]: p["Properties"] for p in resources(synthesized, CORE, "AWS::SSM::Parameter").values()
    }
    assert set(parameters) >= CITIZEN_CONTRACTS
    assert parameters["/poche/dev/auth/citizens/user-pool-id"]["Value"] == {"Ref": logical}
    (client_logical,) = [
        k
        for k, c in resources(synthesized, CORE, "AWS::Cognito::UserPoolClient").items()
        if c["Properties"]["UserPoolId"] == {"Ref": logical}
    ]
    assert parameters["/poche/dev/auth/citizens/user-pool-client-id"]["Value"] == {"Ref": client_logical}
    issuer = json.dumps(parameters["/poche/dev/auth/citizens/issuer"]["Value"])
    assert "https://cognito-idp.eu-west-3." in issuer and json.dumps({"Ref": logical}) in issuer
    # Staff contracts still name the staff pool.
    staff_issuer = json.dumps(parameters["/poche/dev/auth/issuer"]["Value"])
    assert json.dumps({"Ref": logical}) not in staff_issuer
    # Phases read SSM, never a CloudFormation export (an export would lock Core while any phase imports it).
    cognito = set(resources(synthesized, CORE, "AWS::Cognito::UserPool")) | set(
        resources(synthesized, CORE, "AWS::Cognito::UserPoolClient")
    )
    for name, output in synthesized.templates[CORE].get("Outputs", {}).items():
        assert "Export" not in output, name
        assert not any(logical_id in json.dumps(output) for logical_id in cognito), name
    for template in synthesized.templates.values():
        assert "Fn::ImportValue" not in json.dumps(template)


# --- the phase side: authorizers and AuthorizedRoutes ---------------------------------------------------------


def phase() -> tuple[cdk.Stack, PhaseRuntime, lambda_.Function]:
    app = cdk.App()
    stack = cdk.Stack(app, "Phase")
    runtime = PhaseRuntime(stack, "Runtime", settings=settings_from_context({}))
    function = lambda_.Function(
        stack, "Fn", runtime=lambda_.Runtime.PYTHON_3_13, handler="x.handler", code=lambda_.Code.from_inline("x")
    )
    return stack, runtime, function


def ssm_parameter_of(template: Mapping[str, Any], value: Any) -> str:
    """The SSM path behind a `{"Ref": <parameter>}` of the template."""
    return str(template["Parameters"][value["Ref"]]["Default"])


def test_citizen_routes_use_the_citizen_authorizer_and_admin_routes_the_staff_one() -> None:
    stack, runtime, function = phase()
    AuthorizedRoutes(
        stack,
        "Me",
        runtime=runtime,
        audience="citizens",
        function=function,
        routes=[(apigwv2.HttpMethod.GET, "/v1/me/home/layout"), (apigwv2.HttpMethod.DELETE, "/v1/me")],
    )
    AuthorizedRoutes(
        stack,
        "Admin",
        runtime=runtime,
        audience="staff",
        function=function,
        routes=[(apigwv2.HttpMethod.POST, "/v1/admin/schools/{uai}/notices")],
    )
    template = Template.from_stack(stack).to_json()
    found = {k: r for k, r in template["Resources"].items() if r["Type"] == "AWS::ApiGatewayV2::Authorizer"}
    by_name = {r["Properties"]["Name"]: (k, r["Properties"]) for k, r in found.items()}
    assert set(by_name) == {"citizen-jwt", "staff-jwt"}
    citizen_id, citizen = by_name["citizen-jwt"]
    staff_id, staff = by_name["staff-jwt"]
    assert citizen["AuthorizerType"] == "JWT" and citizen["IdentitySource"] == ["$request.header.Authorization"]
    jwt, staff_jwt = citizen["JwtConfiguration"], staff["JwtConfiguration"]
    assert ssm_parameter_of(template, jwt["Issuer"]) == "/poche/dev/auth/citizens/issuer"
    assert [ssm_parameter_of(template, a) for a in jwt["Audience"]] == ["/poche/dev/auth/citizens/user-pool-client-id"]
    assert ssm_parameter_of(template, staff_jwt["Issuer"]) == "/poche/dev/auth/issuer"
    assert [ssm_parameter_of(template, a) for a in staff_jwt["Audience"]] == ["/poche/dev/auth/user-pool-client-id"]
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::ApiGatewayV2::Route"
    }
    assert routes["GET /v1/me/home/layout"]["AuthorizerId"] == {"Ref": citizen_id}
    assert routes["DELETE /v1/me"]["AuthorizerId"] == {"Ref": citizen_id}
    assert routes["POST /v1/admin/schools/{uai}/notices"]["AuthorizerId"] == {"Ref": staff_id}
    assert all(r["AuthorizationType"] == "JWT" for r in routes.values())


def test_the_citizen_authorizer_is_created_once_and_only_when_used() -> None:
    stack, runtime, function = phase()
    AuthorizedRoutes(
        stack,
        "Admin",
        runtime=runtime,
        audience="staff",
        function=function,
        routes=[(apigwv2.HttpMethod.POST, "/v1/admin/x")],
    )
    template = Template.from_stack(stack).to_json()
    defaults = {p["Default"] for p in template["Parameters"].values()}
    assert "/poche/dev/auth/issuer" in defaults and not defaults & CITIZEN_CONTRACTS  # a staff-only phase
    kinds = [r["Properties"]["Name"] for r in template["Resources"].values() if r["Type"].endswith("Authorizer")]
    assert kinds == ["staff-jwt"]
    assert runtime.citizen_authorizer is runtime.citizen_authorizer


def test_the_runtime_gives_the_citizens_pool_id_and_arn_from_the_contract() -> None:
    stack, runtime, function = phase()
    function.add_environment("CITIZEN_USER_POOL_ID", runtime.citizen_user_pool_id)
    arn = stack.resolve(runtime.citizen_user_pool_arn)
    text = json.dumps(arn)
    assert "cognito-idp" in text and ":userpool/" in text
    template = Template.from_stack(stack).to_json()
    (fn,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    variable = fn["Properties"]["Environment"]["Variables"]["CITIZEN_USER_POOL_ID"]
    assert ssm_parameter_of(template, variable) == "/poche/dev/auth/citizens/user-pool-id"


@pytest.mark.parametrize(
    ("audience", "path", "message"),
    [
        ("staff", "/v1/me/home/layout", "audience='citizens'"),
        ("staff", "/v1/me", "audience='citizens'"),
        ("citizens", "/v1/admin/schools/{uai}/notices", "audience='staff'"),
        ("citizens", "/v1/schools", "signed-in routes live under /v1/admin/ (staff) or /v1/me/ (citizens)"),
        ("citizens", "/v1/mess", "signed-in routes live under"),
        ("staff", "/v1/administration", "signed-in routes live under"),
        ("everyone", "/v1/me", "audience 'everyone'"),
    ],
)
def test_a_route_outside_its_audience_is_refused(audience: str, path: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_audience(audience, path)
    stack, runtime, function = phase()
    with pytest.raises(ValueError):
        AuthorizedRoutes(
            stack,
            "Bad",
            runtime=runtime,
            audience=audience,  # type: ignore[arg-type]
            function=function,
            routes=[
                (apigwv2.HttpMethod.GET, "/v1/me/ok" if audience == "citizens" else "/v1/admin/ok"),
                (apigwv2.HttpMethod.GET, path),
            ],
        )
    # Checked before anything is built: no half-made construct, no route.
    assert stack.node.try_find_child("Bad") is None


def test_synthesized_admin_routes_use_the_staff_authorizer(synthesized: Synthesized) -> None:
    template = synthesized.templates[PROXIMITY]
    authorizers = resources(synthesized, PROXIMITY, "AWS::ApiGatewayV2::Authorizer")
    for route in resources(synthesized, PROXIMITY, "AWS::ApiGatewayV2::Route").values():
        method_path = route["Properties"]["RouteKey"].split(" ", 1)[1]
        if route["Properties"].get("AuthorizationType") != "JWT":
            assert not method_path.startswith(("/v1/admin", "/v1/me")), method_path
            continue
        authorizer = authorizers[route["Properties"]["AuthorizerId"]["Ref"]]["Properties"]
        issuer = ssm_parameter_of(template, authorizer["JwtConfiguration"]["Issuer"])
        if method_path.startswith("/v1/admin/"):
            assert (authorizer["Name"], issuer) == ("staff-jwt", "/poche/dev/auth/issuer"), method_path
        else:
            assert method_path == "/v1/me" or method_path.startswith("/v1/me/"), method_path
            assert (authorizer["Name"], issuer) == ("citizen-jwt", "/poche/dev/auth/citizens/issuer"), method_path
