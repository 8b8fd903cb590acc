"""The personal API in the templates: its own table, routes behind the citizens' authorizer only, least privilege."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from support import Synthesized
from test_stacks import PROXIMITY, actions, function_named, resources, role_statements

from poche_infra.config import ConfigError, load_territory
from poche_infra.domains.me import endpoints_of, push_statements

FCM_APP = "arn:aws:sns:eu-west-3:123456789012:app/GCM/poche-prod-fcm"
APNS_APP = "arn:aws:sns:eu-west-3:123456789012:app/APNS/poche-prod-apns"

ME_ROUTES = {
    "GET /v1/me/home/layout",
    "PUT /v1/me/home/layout",
    "GET /v1/me/home",
    "GET /v1/me/subscriptions",
    "PUT /v1/me/subscriptions",
    "POST /v1/me/devices",
    "GET /v1/me/devices",
    "DELETE /v1/me/devices/{device_id}",
    "GET /v1/me/notifications",
    "POST /v1/me/notifications/{note_id}/read",
    "GET /v1/me/export",
    "DELETE /v1/me",
}


def me_function(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    return function_named(synthesized, "me")


def personal_table(synthesized: Synthesized) -> str:
    _, function = me_function(synthesized)
    return str(function["Properties"]["Environment"]["Variables"]["TABLE_NAME"]["Ref"])


def test_the_function_knows_its_table_the_transit_table_the_tiles_and_the_citizens_pool(
    synthesized: Synthesized,
) -> None:
    _, function = me_function(synthesized)
    environment = function["Properties"]["Environment"]["Variables"]
    assert set(environment) >= {"TABLE_NAME", "TRANSIT_TABLE", "TILES_PARAMETER_PATH", "CITIZEN_USER_POOL_ID"}
    assert environment["TILES_PARAMETER_PATH"] == "/poche/dev/tiles"
    assert (
        environment["TRANSIT_TABLE"]
        == function_named(synthesized, "transit")[1]["Properties"]["Environment"]["Variables"]["TABLE_NAME"]
    )
    parameters = synthesized.templates[PROXIMITY]["Parameters"]
    pool = parameters[environment["CITIZEN_USER_POOL_ID"]["Ref"]]
    assert pool["Default"] == "/poche/dev/auth/citizens/user-pool-id"
    table = resources(synthesized, PROXIMITY, "AWS::DynamoDB::Table")[personal_table(synthesized)]
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert [k["AttributeName"] for k in table["Properties"]["KeySchema"]] == ["pk", "sk"]


def test_every_route_is_behind_the_citizens_authorizer(synthesized: Synthesized) -> None:
    authorizers = resources(synthesized, PROXIMITY, "AWS::ApiGatewayV2::Authorizer")
    citizens = [k for k, a in authorizers.items() if a["Properties"]["Name"] == "citizen-jwt"]
    assert len(citizens) == 1
    assert "citizens/issuer" in json.dumps(synthesized.templates[PROXIMITY]["Parameters"])
    found = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in resources(synthesized, PROXIMITY, "AWS::ApiGatewayV2::Route").values()
        if r["Properties"]["RouteKey"].split(" ", 1)[1].startswith("/v1/me")
    }
    assert set(found) == ME_ROUTES
    for key, route in found.items():
        assert route["AuthorizationType"] == "JWT", key
        assert route["AuthorizerId"] == {"Ref": citizens[0]}, key


def test_least_privilege(synthesized: Synthesized) -> None:
    _, function = me_function(synthesized)
    statements = role_statements(synthesized, function)
    table = personal_table(synthesized)
    transit = function["Properties"]["Environment"]["Variables"]["TRANSIT_TABLE"]["Ref"]
    on_personal = [s for s in statements if table in json.dumps(s["Resource"])]
    assert [actions(s) for s in on_personal] == [
        {
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:BatchWriteItem",
        }
    ]
    assert "index" not in json.dumps(on_personal[0]["Resource"])
    on_transit = [s for s in statements if transit in json.dumps(s["Resource"])]
    leading = {tuple(s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]): actions(s) for s in on_transit}
    assert leading == {
        ("ROUTE#*",): {"dynamodb:GetItem", "dynamodb:BatchGetItem"},
        ("TILE#*", "FEED#*", "TRIP#*"): {"dynamodb:BatchGetItem"},
    }
    # Every other table: the tile grant only (BatchGetItem of TILE#/FEED#).
    data = [s for s in statements if any(a.startswith("dynamodb:") for a in actions(s))]
    for statement in data:
        if statement in on_personal or statement in on_transit:
            continue
        assert actions(statement) == {"dynamodb:BatchGetItem"}
        assert statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == ["TILE#*", "FEED#*"]
    cognito = [s for s in statements if any(a.startswith("cognito-idp:") for a in actions(s))]
    assert [actions(s) for s in cognito] == [{"cognito-idp:AdminGetUser", "cognito-idp:AdminDeleteUser"}]
    resource = json.dumps(cognito[0]["Resource"])
    assert "userpool/" in resource and "*" not in resource.replace('"*"', "")
    assert function_named(synthesized, "transit")[1]["Properties"]["Environment"]["Variables"]["TABLE_NAME"] != table
    ssm = [s for s in statements if any(a.startswith("ssm:") for a in actions(s))]
    assert [actions(s) for s in ssm] == [{"ssm:GetParametersByPath"}]
    granted = set().union(*(actions(s) for s in statements))
    assert not any(a.endswith(("Scan", "*")) for a in granted if not a.startswith("xray:"))


def test_the_home_function_keeps_its_grant(synthesized: Synthesized) -> None:
    _, home = function_named(synthesized, "home")
    statements = role_statements(synthesized, home)
    assert not any("cognito-idp" in json.dumps(s) for s in statements)
    assert not any("ROUTE#*" in json.dumps(s) for s in statements)


def test_without_push_applications_the_function_gets_an_empty_setting_and_no_sns_grant(
    synthesized: Synthesized,
) -> None:
    _, function = me_function(synthesized)
    assert function["Properties"]["Environment"]["Variables"]["PUSH_APPLICATIONS"] == "{}"
    statements = role_statements(synthesized, function)
    assert not [s for s in statements if any(a.startswith("sns:") for a in actions(s))]


def _rendered(statements: list[iam.PolicyStatement]) -> list[dict[str, Any]]:
    stack = cdk.Stack(cdk.App())
    return [stack.resolve(s.to_statement_json()) for s in statements]


def test_push_grants_name_the_configured_applications_and_their_endpoints_only() -> None:
    assert push_statements({}) == []
    rendered = _rendered(push_statements({"fcm": FCM_APP, "apns": APNS_APP}))
    assert rendered == [
        {"Action": "sns:CreatePlatformEndpoint", "Effect": "Allow", "Resource": [APNS_APP, FCM_APP]},
        {
            "Action": ["sns:DeleteEndpoint", "sns:GetEndpointAttributes", "sns:SetEndpointAttributes"],
            "Effect": "Allow",
            "Resource": [
                "arn:aws:sns:eu-west-3:123456789012:endpoint/APNS/poche-prod-apns/*",
                "arn:aws:sns:eu-west-3:123456789012:endpoint/GCM/poche-prod-fcm/*",
            ],
        },
    ]
    assert "sns:Publish" not in json.dumps(rendered)
    with pytest.raises(ValueError):
        endpoints_of("arn:aws:sns:eu-west-3:123456789012:poche-alarms")


def test_a_territory_names_push_applications_by_platform_and_arn(tmp_path: Any) -> None:
    base = json.loads((load_territory.__globals__["TERRITORIES_DIR"] / "orne.json").read_text())
    assert base["push_applications"] == {}
    (tmp_path / "good.json").write_text(json.dumps({**base, "push_applications": {"fcm": FCM_APP}}))
    assert load_territory("good", tmp_path).push_applications == {"fcm": FCM_APP}
    for wrong in ({"gcm": FCM_APP}, {"apns": "arn:aws:sns:eu-west-3:123456789012:poche-alarms"}):
        (tmp_path / "bad.json").write_text(json.dumps({**base, "push_applications": wrong}))
        with pytest.raises(ConfigError, match="push_applications"):
            load_territory("bad", tmp_path)


# --- durable erasure (issue 9, defect 11) --------------------------------------------------------
def erasure_queues(synthesized: Synthesized) -> tuple[str, dict[str, Any], str]:
    """(erasure queue id, its properties, its dead-letter queue id)."""
    for logical, queue in resources(synthesized, PROXIMITY, "AWS::SQS::Queue").items():
        if "Erasure" in logical and "RedrivePolicy" in queue["Properties"]:
            target = queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            return logical, queue["Properties"], target
    raise AssertionError("no erasure queue")


def test_the_erasure_is_queued_to_a_worker_with_retries_dead_letters_and_an_alarm(synthesized: Synthesized) -> None:
    queue, props, dead_letters = erasure_queues(synthesized)
    worker, function = function_named(synthesized, "me_erasure")
    assert props["SqsManagedSseEnabled"] is True and props["RedrivePolicy"]["maxReceiveCount"] >= 5
    assert props["VisibilityTimeout"] >= 6 * function["Properties"]["Timeout"]
    assert props["MessageRetentionPeriod"] == 14 * 24 * 3600
    dlq = resources(synthesized, PROXIMITY, "AWS::SQS::Queue")[dead_letters]["Properties"]
    assert dlq["SqsManagedSseEnabled"] is True and dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
    policies = resources(synthesized, PROXIMITY, "AWS::SQS::QueuePolicy").values()
    for name in (queue, dead_letters):
        document = json.dumps([p["Properties"] for p in policies if {"Ref": name} in p["Properties"]["Queues"]])
        assert '"aws:SecureTransport": "false"' in document and '"Effect": "Deny"' in document
    [alarm] = [
        a["Properties"]
        for a in resources(synthesized, PROXIMITY, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dead_letters, "QueueName"]}}]
    ]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible" and alarm["Threshold"] == 1
    assert alarm["AlarmActions"]
    [mapping] = [
        m["Properties"]
        for m in resources(synthesized, PROXIMITY, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": worker}
    ]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]

    _, me = me_function(synthesized)
    assert me["Properties"]["Environment"]["Variables"]["ERASURE_QUEUE_URL"] == {"Ref": queue}
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["TABLE_NAME"] == {"Ref": personal_table(synthesized)}
    assert variables["CITIZEN_USER_POOL_ID"] == me["Properties"]["Environment"]["Variables"]["CITIZEN_USER_POOL_ID"]
    assert variables["POWERTOOLS_SERVICE_NAME"] == "me"
    # Both share the erasure and device code of the `me` domain layer.
    me_layers, worker_layers = json.dumps(me["Properties"]["Layers"]), json.dumps(function["Properties"]["Layers"])
    assert "DomainLayerme" in me_layers and "DomainLayerme" in worker_layers


def test_the_erasure_worker_holds_only_what_the_erasure_needs(synthesized: Synthesized) -> None:
    queue, _, _ = erasure_queues(synthesized)
    _, worker = function_named(synthesized, "me_erasure")
    statements = role_statements(synthesized, worker)
    table = personal_table(synthesized)
    data = [s for s in statements if any(a.startswith("dynamodb:") for a in actions(s))]
    assert [actions(s) for s in data] == [
        {"dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    ]
    assert data[0]["Resource"] == {"Fn::GetAtt": [table, "Arn"]}
    cognito = [s for s in statements if any(a.startswith("cognito-idp:") for a in actions(s))]
    assert [actions(s) for s in cognito] == [{"cognito-idp:AdminDeleteUser"}]
    assert "userpool/" in json.dumps(cognito[0]["Resource"])
    assert not [s for s in statements if any(a.startswith(("sns:", "ssm:", "events:")) for a in actions(s))]
    consume = [s for s in statements if any(a.startswith("sqs:") for a in actions(s))]
    assert consume and all(s["Resource"] == {"Fn::GetAtt": [queue, "Arn"]} for s in consume)
    assert not any("sqs:SendMessage" in actions(s) for s in consume)

    _, me = me_function(synthesized)
    sends = [s for s in role_statements(synthesized, me) if any(a.startswith("sqs:") for a in actions(s))]
    assert [(actions(s), s["Resource"]) for s in sends] == [({"sqs:SendMessage"}, {"Fn::GetAtt": [queue, "Arn"]})]


def test_with_push_the_erasure_worker_may_only_delete_the_applications_endpoints(
    synthesized_with_push: Synthesized, push_applications: dict[str, str]
) -> None:
    _, worker = function_named(synthesized_with_push, "me_erasure")
    sns = [s for s in role_statements(synthesized_with_push, worker) if any(a.startswith("sns:") for a in actions(s))]
    assert [actions(s) for s in sns] == [{"sns:DeleteEndpoint"}]
    assert sorted(sns[0]["Resource"]) == sorted(endpoints_of(a) for a in push_applications.values())
    assert synthesized_with_push.errors == []
