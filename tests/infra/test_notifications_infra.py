"""The notification pipeline in the templates: the rule, the delivery queue and its dead letters, the sender's
event source, the deferred pushes' schedule, and least privilege per function."""

from __future__ import annotations

import json
from typing import Any

from support import Synthesized
from test_stacks import PROXIMITY, actions, function_named, resources, role_statements


def personal_table(synthesized: Synthesized) -> str:
    _, function = function_named(synthesized, "me")
    return str(function["Properties"]["Environment"]["Variables"]["TABLE_NAME"]["Ref"])


def queues(synthesized: Synthesized) -> tuple[str, dict[str, Any], str]:
    """(delivery queue id, its properties, its dead-letter queue id)."""
    for logical, queue in resources(synthesized, PROXIMITY, "AWS::SQS::Queue").items():
        if "Deliveries" in logical and "RedrivePolicy" in queue["Properties"]:
            target = queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            return logical, queue["Properties"], target
    raise AssertionError("no delivery queue")


def matcher_dead_letters(synthesized: Synthesized) -> str:
    _, matcher = function_named(synthesized, "notifications_match")
    return str(matcher["Properties"]["DeadLetterConfig"]["TargetArn"]["Fn::GetAtt"][0])


def leading_keys(statement: dict[str, Any]) -> list[str]:
    return list(statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])


def table_statements(synthesized: Synthesized, package: str) -> list[dict[str, Any]]:
    _, function = function_named(synthesized, package)
    return [s for s in role_statements(synthesized, function) if any(a.startswith("dynamodb:") for a in actions(s))]


def test_the_three_functions_share_the_personal_table(synthesized: Synthesized) -> None:
    table = personal_table(synthesized)
    for package in ("notifications_match", "notifications_send", "notifications_deferred"):
        environment = function_named(synthesized, package)[1]["Properties"]["Environment"]["Variables"]
        assert environment["TABLE_NAME"] == {"Ref": table}
        assert environment["POWERTOOLS_SERVICE_NAME"] == "notifications"
        statements = table_statements(synthesized, package)
        assert statements and all(s["Resource"] == {"Fn::GetAtt": [table, "Arn"]} for s in statements)
        assert all("dynamodb:Scan" not in actions(s) for s in statements)


def test_the_rule_sends_the_six_event_types_to_the_matcher_with_a_dead_letter_queue(
    synthesized: Synthesized,
) -> None:
    matcher, _ = function_named(synthesized, "notifications_match")
    rules = [
        r["Properties"]
        for r in resources(synthesized, PROXIMITY, "AWS::Events::Rule").values()
        if any(t["Arn"] == {"Fn::GetAtt": [matcher, "Arn"]} for t in r["Properties"].get("Targets", []))
    ]
    [rule] = rules
    sources = ["poche.news", "poche.payments", "poche.schools", "poche.traffic", "poche.transit"]
    assert sorted(rule["EventPattern"]["source"]) == sources
    assert sorted(rule["EventPattern"]["detail-type"]) == [
        "NewsPublished",
        "PaymentFailed",
        "PaymentSucceeded",
        "RealtimeUpdated",
        "SchoolNoticePublished",
        "TrafficEventsUpdated",
    ]
    [target] = rule["Targets"]
    assert "DeadLetterConfig" in target and target["RetryPolicy"]["MaximumRetryAttempts"] == 4


def test_the_delivery_queue_is_encrypted_tls_only_with_an_alarmed_dead_letter_queue(synthesized: Synthesized) -> None:
    queue, props, dead_letters = queues(synthesized)
    assert props["SqsManagedSseEnabled"] is True and props["RedrivePolicy"]["maxReceiveCount"] == 5
    assert props["VisibilityTimeout"] == 360  # 6 x the sender's timeout
    dlq = resources(synthesized, PROXIMITY, "AWS::SQS::Queue")[dead_letters]["Properties"]
    assert dlq["SqsManagedSseEnabled"] is True
    policies = resources(synthesized, PROXIMITY, "AWS::SQS::QueuePolicy").values()
    for name in (queue, dead_letters):
        document = json.dumps([p["Properties"] for p in policies if {"Ref": name} in p["Properties"]["Queues"]])
        assert '"aws:SecureTransport": "false"' in document and '"Effect": "Deny"' in document
    alarms = [
        a["Properties"]
        for a in resources(synthesized, PROXIMITY, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dead_letters, "QueueName"]}}]
    ]
    [alarm] = alarms
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible" and alarm["AlarmActions"]


def test_the_sender_reads_the_queue_in_batches_of_10_reporting_partial_failures(synthesized: Synthesized) -> None:
    sender, _ = function_named(synthesized, "notifications_send")
    queue, _, _ = queues(synthesized)
    [mapping] = [
        m["Properties"]
        for m in resources(synthesized, PROXIMITY, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": sender}
    ]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert mapping["BatchSize"] == 10 and mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_least_privilege(synthesized: Synthesized) -> None:
    queue, _, _ = queues(synthesized)
    _, matcher = function_named(synthesized, "notifications_match")
    query, seen = table_statements(synthesized, "notifications_match")
    assert actions(query) == {"dynamodb:Query"} and leading_keys(query) == ["TOPIC#*"]
    # the first delivery of each event id (deduplication on `detail.id`), and nothing else of the table
    assert actions(seen) == {"dynamodb:PutItem", "dynamodb:GetItem"} and leading_keys(seen) == ["EVENT#*"]
    send = [s for s in role_statements(synthesized, matcher) if any(a.startswith("sqs:") for a in actions(s))]
    # The delivery queue, and the function's own dead-letter queue (failed asynchronous invocations).
    assert {(frozenset(actions(s)), s["Resource"]["Fn::GetAtt"][0]) for s in send} == {
        (frozenset({"sqs:SendMessage"}), queue),
        (frozenset({"sqs:SendMessage"}), matcher_dead_letters(synthesized)),
    }

    [write] = table_statements(synthesized, "notifications_send")
    assert actions(write) == {
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    }
    # the token owner items (TOKEN#<sha256>/OWNER) go with a disabled device that still owns its token
    assert sorted(leading_keys(write)) == ["DUE#*", "GONE#*", "TOKEN#*", "USER#*"]
    [deferred] = table_statements(synthesized, "notifications_deferred")
    assert actions(deferred) == {"dynamodb:Query", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    assert sorted(leading_keys(deferred)) == ["DUE#*", "TOKEN#*", "USER#*"]

    for package in ("notifications_send", "notifications_deferred"):
        _, function = function_named(synthesized, package)
        statements = role_statements(synthesized, function)
        # SNS: only the platform applications' endpoints, and nothing when push is not configured (this synth):
        # see test_pushes_reach_only_the_endpoints_of_the_platform_applications_as_me_does.
        assert not [s for s in statements if any(a.startswith("sns:") for a in actions(s))]
        assert not any(a.startswith("cloudwatch:") for s in statements for a in actions(s))  # metrics: EMF logs
    _, matcher = function_named(synthesized, "notifications_match")
    assert not any(a.startswith("sns:") for s in role_statements(synthesized, matcher) for a in actions(s))


def test_the_deferred_pushes_run_every_15_minutes_with_retries_and_dead_letters(synthesized: Synthesized) -> None:
    deferred, _ = function_named(synthesized, "notifications_deferred")
    [schedule] = [
        s["Properties"]
        for s in resources(synthesized, PROXIMITY, "AWS::Scheduler::Schedule").values()
        if s["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": [deferred, "Arn"]}
    ]
    assert schedule["ScheduleExpression"] == "rate(15 minutes)"
    assert schedule["Target"]["RetryPolicy"]["MaximumRetryAttempts"] == 2
    assert "DeadLetterConfig" in schedule["Target"]


def sns_statements(synthesized: Synthesized, package: str) -> list[dict[str, Any]]:
    _, function = function_named(synthesized, package)
    return [s for s in role_statements(synthesized, function) if any(a.startswith("sns:") for a in actions(s))]


def test_without_push_applications_the_notification_functions_get_no_sns_grant(synthesized: Synthesized) -> None:
    for package in ("notifications_match", "notifications_send", "notifications_deferred"):
        assert sns_statements(synthesized, package) == [], package


def test_pushes_reach_only_the_endpoints_of_the_platform_applications_as_me_does(
    synthesized_with_push: Synthesized, push_applications: dict[str, str]
) -> None:
    """Issue 9, defect 12: `endpoint/*` let the sender publish to, and delete, any SNS endpoint of the account."""
    from poche_infra.domains.me import endpoints_of

    expected = sorted(endpoints_of(arn) for arn in push_applications.values())
    assert expected == [
        "arn:aws:sns:eu-west-3:123456789012:endpoint/APNS/poche-dev-apns/*",
        "arn:aws:sns:eu-west-3:123456789012:endpoint/GCM/poche-dev-fcm/*",
    ]
    for package in ("notifications_send", "notifications_deferred"):
        [push] = sns_statements(synthesized_with_push, package)
        assert actions(push) == {"sns:Publish", "sns:DeleteEndpoint"}
        resources_ = push["Resource"] if isinstance(push["Resource"], list) else [push["Resource"]]
        assert sorted(resources_) == expected, package
    assert sns_statements(synthesized_with_push, "notifications_match") == []
    me_endpoints = [s for s in sns_statements(synthesized_with_push, "me") if "sns:DeleteEndpoint" in actions(s)]
    assert [sorted(s["Resource"]) for s in me_endpoints] == [expected]  # the same helper, the same pattern
    assert synthesized_with_push.errors == []  # cdk-nag: each wildcard suppressed with its reason
