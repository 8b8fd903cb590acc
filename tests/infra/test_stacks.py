"""What the synthesized templates promise: the properties devops and security reviewers rely on."""

from __future__ import annotations

import json
from importlib.metadata import version
from typing import Any

from support import Synthesized

CORE = "Poche-dev-Core"
PROXIMITY = "Poche-dev-Proximity"
PAYMENTS = "Poche-dev-Payments"
SERVICES = "Poche-dev-Services"


def resources(synthesized: Synthesized, stack: str, kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in synthesized.templates[stack]["Resources"].items() if v["Type"] == kind}


def all_resources(synthesized: Synthesized, kind: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for stack in synthesized.templates:
        found.update(resources(synthesized, stack, kind))
    return found


def function_named(synthesized: Synthesized, package: str) -> tuple[str, dict[str, Any]]:
    return next(
        (logical, fn)
        for logical, fn in resources(synthesized, PROXIMITY, "AWS::Lambda::Function").items()
        if fn["Properties"]["Handler"] == f"{package}.handler.handler"
    )


def role_statements(synthesized: Synthesized, function: dict[str, Any]) -> list[dict[str, Any]]:
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    statements: list[dict[str, Any]] = []
    for policy in resources(synthesized, PROXIMITY, "AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def actions(statement: dict[str, Any]) -> set[str]:
    value = statement["Action"]
    return {value} if isinstance(value, str) else set(value)


def test_stacks_are_core_and_the_three_phases(synthesized: Synthesized) -> None:
    assert set(synthesized.templates) == {CORE, PROXIMITY, SERVICES, PAYMENTS}


def test_synth_needs_no_account_lookup(synthesized: Synthesized) -> None:
    assert synthesized.missing_context == []


def test_cdk_nag_finds_no_unsuppressed_error(synthesized: Synthesized) -> None:
    assert synthesized.errors == []


def test_every_nag_suppression_gives_a_reason(synthesized: Synthesized) -> None:
    suppressions = []
    for template in synthesized.templates.values():
        for resource in template["Resources"].values():
            suppressions += resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
        suppressions += template.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    assert suppressions, "the stacks are expected to carry documented suppressions"
    for suppression in suppressions:
        assert suppression["id"].startswith("AwsSolutions-")
        assert len(suppression["reason"]) > 40, suppression


def test_one_public_http_api_with_an_auto_deployed_logged_throttled_stage(synthesized: Synthesized) -> None:
    (api,) = resources(synthesized, CORE, "AWS::ApiGatewayV2::Api").values()
    assert api["Properties"]["ProtocolType"] == "HTTP"
    assert "etag" in api["Properties"]["CorsConfiguration"]["ExposeHeaders"]
    (stage,) = resources(synthesized, CORE, "AWS::ApiGatewayV2::Stage").values()
    props = stage["Properties"]
    assert props["StageName"] == "$default" and props["AutoDeploy"] is True
    log_format = json.loads(props["AccessLogSettings"]["Format"])
    assert "$context.requestId" in log_format.values()
    assert not any("sourceIp" in value or "identity" in value for value in log_format.values())  # no personal data
    assert props["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    assert (
        all_resources(synthesized, "AWS::ApiGatewayV2::Api").keys()
        == resources(synthesized, CORE, "AWS::ApiGatewayV2::Api").keys()
    )


def test_phases_find_core_through_ssm_not_exports(synthesized: Synthesized) -> None:
    names = {p["Properties"]["Name"] for p in resources(synthesized, CORE, "AWS::SSM::Parameter").values()}
    assert {"/poche/dev/api/id", "/poche/dev/bus/name", "/poche/dev/bus/arn", "/poche/dev/alarms/topic-arn"} <= names
    proximity = synthesized.templates[PROXIMITY]
    assert "Fn::ImportValue" not in json.dumps(proximity)
    assert "Export" not in json.dumps(synthesized.templates[CORE].get("Outputs", {}))
    defaults = {p.get("Default") for p in proximity["Parameters"].values()}
    assert {"/poche/dev/api/id", "/poche/dev/bus/name", "/poche/dev/alarms/topic-arn"} <= defaults


def route_keys(synthesized: Synthesized) -> set[str]:
    return {r["Properties"]["RouteKey"] for r in all_resources(synthesized, "AWS::ApiGatewayV2::Route").values()}


def test_routes_of_the_canteen_and_communes_services(synthesized: Synthesized) -> None:
    assert {"GET /v1/canteens", "GET /v1/canteens/{canteen_id}", "GET /v1/canteens/{canteen_id}/menus"} <= route_keys(
        synthesized
    )
    assert {"GET /v1/communes", "GET /v1/communes/{insee}"} <= route_keys(synthesized)
    routes = all_resources(synthesized, "AWS::ApiGatewayV2::Route").values()
    anonymous = {r["Properties"]["RouteKey"] for r in routes if r["Properties"].get("AuthorizationType") != "JWT"}
    # Anonymous routes only read; the exceptions: the home screen, a read sent as POST (its tiles in the body), an
    # anonymous payer's payment (reference and amount must match) and PayFiP's unsigned notification (only queued).
    writes = {"POST /v1/home", "POST /v1/payments", "POST /v1/payments/payfip/notifications"}
    assert all(key.startswith("GET /v1/") for key in anonymous - writes)
    assert writes <= anonymous
    for integration in resources(synthesized, PROXIMITY, "AWS::ApiGatewayV2::Integration").values():
        assert integration["Properties"]["PayloadFormatVersion"] == "2.0"


def test_communes_service_reads_no_table(synthesized: Synthesized) -> None:
    _, function = function_named(synthesized, "communes")
    granted = set().union(*(actions(s) for s in role_statements(synthesized, function)))
    assert granted <= {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def test_event_bus_and_encrypted_alarm_topic(synthesized: Synthesized) -> None:
    (bus,) = resources(synthesized, CORE, "AWS::Events::EventBus").values()
    assert bus["Properties"]["Name"] == "poche-dev"
    (topic,) = resources(synthesized, CORE, "AWS::SNS::Topic").values()
    assert "KmsMasterKeyId" in topic["Properties"]
    (key,) = resources(synthesized, CORE, "AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True


def packages(synthesized: Synthesized) -> list[str]:
    return sorted(
        fn["Properties"]["Handler"].removesuffix(".handler.handler")
        for fn in resources(synthesized, PROXIMITY, "AWS::Lambda::Function").values()
    )


def test_every_function_follows_the_house_rules(synthesized: Synthesized) -> None:
    assert {"canteen", "canteen_menus_scdl", "communes"} <= set(packages(synthesized))
    for package in packages(synthesized):
        check_house_rules(synthesized, package)


def check_house_rules(synthesized: Synthesized, package: str) -> None:
    _, function = function_named(synthesized, package)
    props = function["Properties"]
    assert props["Architectures"] == ["arm64"]
    assert props["Runtime"] == "python3.13"
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    log_group = resources(synthesized, PROXIMITY, "AWS::Logs::LogGroup")[props["LoggingConfig"]["LogGroup"]["Ref"]]
    assert log_group["Properties"]["RetentionInDays"] == 30
    assert props["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"] == "Poche"
    assert props["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == package.split("_")[0]
    layers = json.dumps(props["Layers"])
    assert "CommonLayer" in layers
    roles = [f["Properties"]["Role"] for f in resources(synthesized, PROXIMITY, "AWS::Lambda::Function").values()]
    assert roles.count(props["Role"]) == 1, "each function has its own role"
    for statement in role_statements(synthesized, function):
        assert not any(action.endswith("*") and ":" not in action for action in actions(statement))
        assert "*" not in actions(statement)


def test_the_powertools_layer_is_the_pinned_version(synthesized: Synthesized) -> None:
    """Only functions importing Powertools or pydantic get the layer (test_powertools_layer.py), so the phase reads
    its parameter only when one does; wherever a function asks for it, it is the pinned version."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from poche_infra.config import settings_from_context
    from poche_infra.constructs.runtime import PhaseRuntime

    pinned = f"/aws/service/powertools/python/arm64/python3.13/{version('aws-lambda-powertools')}"
    defaults = [p.get("Default", "") for p in synthesized.templates[PROXIMITY]["Parameters"].values()]
    assert [d for d in defaults if d.startswith("/aws/service/powertools/")] in ([], [pinned])
    stack = cdk.Stack(cdk.App(), "Phase")
    PhaseRuntime(stack, "Runtime", settings=settings_from_context({})).function_layers(powertools=True)
    defaults = [p.get("Default", "") for p in Template.from_stack(stack).to_json()["Parameters"].values()]
    (name,) = [d for d in defaults if d.startswith("/aws/service/powertools/")]
    assert name == pinned


def test_menu_service_can_only_read_its_table(synthesized: Synthesized) -> None:
    _, function = function_named(synthesized, "canteen")
    tables = resources(synthesized, PROXIMITY, "AWS::DynamoDB::Table")
    table = next(iter(tables))
    data_statements = [
        s for s in role_statements(synthesized, function) if any(a.startswith("dynamodb:") for a in actions(s))
    ]
    # One statement of reads on the table itself; its indexes only in a statement of Query alone (IAM applies nothing
    # else to an index), and on nothing else.
    on_table = [s for s in data_statements if "/index/" not in json.dumps(s["Resource"])]
    assert len(on_table) == 1
    (statement,) = on_table
    assert actions(statement) == {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
    assert statement["Resource"] == {"Fn::GetAtt": [table, "Arn"]}
    for on_indexes in (s for s in data_statements if s is not statement):
        assert actions(on_indexes) == {"dynamodb:Query"}
        for resource in on_indexes["Resource"]:
            text = json.dumps(resource)
            assert "/index/" in text and table in text and not any(t in text for t in tables if t != table)
    granted = set().union(*(actions(s) for s in role_statements(synthesized, function)))
    assert granted <= {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }


def test_connector_can_only_write_its_table_put_events_and_read_its_source(synthesized: Synthesized) -> None:
    _, function = function_named(synthesized, "canteen_menus_scdl")
    statements = role_statements(synthesized, function)
    (source_parameter,) = [
        logical
        for logical, p in resources(synthesized, PROXIMITY, "AWS::SSM::Parameter").items()
        if p["Properties"]["Name"] == "/poche/dev/connectors/canteen-menus-scdl/source"
    ]
    granted = set().union(*(actions(s) for s in statements))
    assert "dynamodb:BatchGetItem" in granted  # the `canteen-menu` tile projections' digests
    assert granted <= {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "events:PutEvents",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:DescribeParameters",
        "ssm:GetParameterHistory",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "sqs:SendMessage",
    }
    for statement in statements:
        resource = json.dumps(statement["Resource"])
        if actions(statement) & {"dynamodb:PutItem", "dynamodb:BatchGetItem", "dynamodb:Query"}:
            assert "CanteenMenusTable" in resource and "index" not in resource
        if "events:PutEvents" in actions(statement):
            assert "pochedevbusarn" in resource  # exactly the bus ARN read from Core's contract
        if any(a.startswith("ssm:") for a in actions(statement)):
            assert resource.count('"Ref": "') == 3 and f'"Ref": "{source_parameter}"' in resource
        if any(a.startswith("xray:") for a in actions(statement)):
            assert statement["Resource"] == "*"
        else:
            assert statement["Resource"] != "*"


def test_tables_are_on_demand_with_pitr_and_ttl(synthesized: Synthesized) -> None:
    tables = resources(synthesized, PROXIMITY, "AWS::DynamoDB::Table")
    for table in tables.values():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
        assert table["DeletionPolicy"] == "Delete"  # dev; prod keeps its data (see test_config)
    canteen = next(t for logical, t in tables.items() if logical.startswith("Canteen"))
    assert {i["IndexName"] for i in canteen["Properties"]["GlobalSecondaryIndexes"]} == {"by_commune", "all_canteens"}


def test_connector_runs_daily_in_paris_time_with_retries_and_dead_letters(synthesized: Synthesized) -> None:
    logical, function = function_named(synthesized, "canteen_menus_scdl")
    assert function["Properties"]["DeadLetterConfig"]["TargetArn"]["Fn::GetAtt"][1] == "Arn"
    (invoke_config,) = [
        c
        for c in resources(synthesized, PROXIMITY, "AWS::Lambda::EventInvokeConfig").values()
        if c["Properties"]["FunctionName"] == {"Ref": logical}
    ]
    assert invoke_config["Properties"]["MaximumRetryAttempts"] == 2
    (schedule,) = [
        s
        for s in resources(synthesized, PROXIMITY, "AWS::Scheduler::Schedule").values()
        if s["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": [logical, "Arn"]}
    ]
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == "cron(30 5 * * ? *)"
    assert props["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert props["Target"]["Arn"] == {"Fn::GetAtt": [logical, "Arn"]}
    assert "DeadLetterConfig" in props["Target"] and props["Target"]["RetryPolicy"]["MaximumRetryAttempts"] == 2
    assert json.loads(props["Target"]["Input"]) == {"trigger": "schedule", "connector": "canteen-menus-scdl"}
    env = function["Properties"]["Environment"]["Variables"]
    assert env["POCHE_CONNECTOR"] == "canteen-menus-scdl"
    (source,) = [
        p
        for p in resources(synthesized, PROXIMITY, "AWS::SSM::Parameter").values()
        if p["Properties"]["Name"] == "/poche/dev/connectors/canteen-menus-scdl/source"
    ]
    assert source["Properties"]["Value"] == "bundled"


def test_alarms_reach_the_alarm_topic(synthesized: Synthesized) -> None:
    alarms = list(resources(synthesized, PROXIMITY, "AWS::CloudWatch::Alarm").values())
    functions = resources(synthesized, PROXIMITY, "AWS::Lambda::Function").values()
    connectors = {
        fn["Properties"]["Environment"]["Variables"]["POCHE_CONNECTOR"]: fn["Properties"]["Environment"]["Variables"]
        for fn in functions
        if "POCHE_CONNECTOR" in fn["Properties"]["Environment"]["Variables"]
    }
    failed = [a for a in alarms if a["Properties"].get("MetricName") == "ConnectorRunFailed"]
    watched = {tuple(sorted((d["Name"], d["Value"]) for d in a["Properties"]["Dimensions"])) for a in failed}
    expected = {
        tuple(sorted({"service": env["POWERTOOLS_SERVICE_NAME"], "connector": name}.items()))
        for name, env in connectors.items()
    }
    assert watched == expected and len(failed) == len(connectors)  # one failure alarm per connector
    assert (("connector", "canteen-menus-scdl"), ("service", "canteen")) in watched
    assert all(a["Properties"]["Namespace"] == "Poche" for a in failed)
    errors = [a for a in alarms if a["Properties"].get("MetricName") == "Errors"]
    assert len(errors) == len(functions)  # one per function
    dead_letters = [a for a in alarms if a["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"]
    asynchronous = [fn for fn in functions if "DeadLetterConfig" in fn["Properties"]]
    assert len(asynchronous) >= len(connectors)  # every connector, and the other asynchronously invoked functions
    # one per asynchronously invoked function's dead-letter queue, and one per queue's dead-letter queue (the
    # notification deliveries', the account erasures')
    redriven = [
        q for q in resources(synthesized, PROXIMITY, "AWS::SQS::Queue").values() if "RedrivePolicy" in q["Properties"]
    ]
    assert len(redriven) >= 2
    assert len(dead_letters) == len(asynchronous) + len(redriven)
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"], "every alarm notifies the alarm topic"


def test_traffic_service_reads_and_connector_writes_only_their_table(synthesized: Synthesized) -> None:
    tables = resources(synthesized, PROXIMITY, "AWS::DynamoDB::Table")
    (traffic_table,) = [logical for logical in tables if logical.startswith("Traffic")]
    for package, allowed in (
        ("traffic", {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}),
        ("traffic_datex2", {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                            "dynamodb:Query", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem"}),
    ):  # fmt: skip
        _, function = function_named(synthesized, package)
        for statement in role_statements(synthesized, function):
            data_actions = {a for a in actions(statement) if a.startswith("dynamodb:")}
            if data_actions:
                assert data_actions <= allowed, (package, data_actions)
                resource = json.dumps(statement["Resource"])
                assert traffic_table in resource
                assert not any(other in resource for other in tables if other != traffic_table)
    assert {"GET /v1/traffic/events"} <= route_keys(synthesized)


def test_transit_routes_and_least_privilege(synthesized: Synthesized) -> None:
    assert {
        "GET /v1/transit/stops",
        "GET /v1/transit/stops/{stop_id}/departures",
        "GET /v1/transit/routes",
        "GET /v1/transit/routes/{route_id}/vehicles",
        "GET /v1/transit/alerts",
    } <= route_keys(synthesized)
    tables = resources(synthesized, PROXIMITY, "AWS::DynamoDB::Table")
    (transit_table,) = [logical for logical in tables if logical.startswith("Transit")]
    indexes = {i["IndexName"] for i in tables[transit_table]["Properties"]["GlobalSecondaryIndexes"]}
    assert indexes == {"by_cell", "by_list"}
    _, service = function_named(synthesized, "transit")
    for statement in role_statements(synthesized, service):
        data_actions = {a for a in actions(statement) if a.startswith("dynamodb:")}
        if data_actions:
            assert data_actions <= {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"}
            assert transit_table in json.dumps(statement["Resource"])
    for package in ("transit_gtfs", "transit_gtfs_rt", "transit_siri_lite"):
        _, connector = function_named(synthesized, package)
        assert connector["Properties"]["Environment"]["Variables"]["POCHE_CONNECTOR"] == package.replace("_", "-")
        for statement in role_statements(synthesized, connector):
            resource = json.dumps(statement["Resource"])
            if any(a.startswith("dynamodb:") for a in actions(statement)):
                assert transit_table in resource
                assert not any(other in resource for other in tables if other != transit_table)
                assert "dynamodb:Scan" not in actions(statement)


def test_realtime_connectors_run_every_minute_gtfs_rt_with_the_protobuf_layer(synthesized: Synthesized) -> None:
    layers = resources(synthesized, PROXIMITY, "AWS::Lambda::LayerVersion")
    (deps,) = [logical for logical, layer in layers.items() if "transit-deps" in layer["Properties"]["Description"]]
    for package, with_protobuf in (("transit_gtfs_rt", True), ("transit_siri_lite", False)):
        logical, function = function_named(synthesized, package)
        assert ({"Ref": deps} in function["Properties"]["Layers"]) is with_protobuf
        assert function["Properties"]["Environment"]["Variables"]["RUN_HISTORY_DAYS"] == "2"  # 1,440 runs a day
        (schedule,) = [
            s
            for s in resources(synthesized, PROXIMITY, "AWS::Scheduler::Schedule").values()
            if s["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": [logical, "Arn"]}
        ]
        assert schedule["Properties"]["ScheduleExpression"] == "rate(1 minute)"
    _, service = function_named(synthesized, "transit")
    assert (
        service["Properties"]["Environment"]["Variables"]["REALTIME_CONNECTORS"] == "transit-gtfs-rt,transit-siri-lite"
    )


def test_agenda_routes_and_least_privilege(synthesized: Synthesized) -> None:
    assert {"GET /v1/events", "GET /v1/events/{event_id}"} <= route_keys(synthesized)
    tables = resources(synthesized, PROXIMITY, "AWS::DynamoDB::Table")
    (agenda_table,) = [logical for logical in tables if logical.startswith("Agenda")]
    for package, writes in (("agenda", False), ("agenda_openagenda", True)):
        _, function = function_named(synthesized, package)
        for statement in role_statements(synthesized, function):
            data_actions = {a for a in actions(statement) if a.startswith("dynamodb:")}
            if not data_actions:
                continue
            resource = json.dumps(statement["Resource"])
            assert agenda_table in resource
            assert not any(other in resource for other in tables if other != agenda_table)
            assert "dynamodb:Scan" not in data_actions
            if not writes:
                assert data_actions <= {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}


def test_news_route_and_least_privilege(synthesized: Synthesized) -> None:
    assert "GET /v1/news" in route_keys(synthesized)
    tables = resources(synthesized, PROXIMITY, "AWS::DynamoDB::Table")
    (news_table,) = [logical for logical in tables if logical.startswith("News")]
    for package in ("news", "news_rss"):
        _, function = function_named(synthesized, package)
        for statement in role_statements(synthesized, function):
            data_actions = {a for a in actions(statement) if a.startswith("dynamodb:")}
            if data_actions:
                resource = json.dumps(statement["Resource"])
                assert news_table in resource
                assert not any(other in resource for other in tables if other != news_table)
                assert "dynamodb:Scan" not in data_actions
                if package == "news_rss" and "dynamodb:Query" in data_actions:
                    assert data_actions == {"dynamodb:Query"}
                    if "/index/by_tag" not in resource:  # else the `news` tile: a tag's newest
                        # the events' outbox (poche_common.outbox), and no other partition of the table
                        leading = statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
                        assert leading == ["OUTBOX"]


def test_core_staff_user_pool_groups_and_auth_contracts(synthesized: Synthesized) -> None:
    pools = resources(synthesized, CORE, "AWS::Cognito::UserPool")
    (staff,) = [k for k, p in pools.items() if p["Properties"]["UserPoolName"] == "poche-dev-staff"]
    props = pools[staff]["Properties"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True  # no self sign-up
    assert props["UsernameAttributes"] == ["email"]
    policy = props["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))
    assert props["MfaConfiguration"] == "OPTIONAL"
    assert props["UserPoolAddOns"]["AdvancedSecurityMode"] == "ENFORCED"
    assert {"Name": "schools", "AttributeDataType": "String", "Mutable": True}.items() <= next(
        a for a in props["Schema"] if a["Name"] == "schools"
    ).items()
    clients = resources(synthesized, CORE, "AWS::Cognito::UserPoolClient").values()
    (client,) = [c for c in clients if c["Properties"]["UserPoolId"] == {"Ref": staff}]
    assert client["Properties"]["GenerateSecret"] is False
    assert set(client["Properties"]["ExplicitAuthFlows"]) >= {"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"}
    assert (
        client["Properties"]["AllowedOAuthFlowsUserPoolClient"] is False and "CallbackURLs" not in client["Properties"]
    )
    all_groups = resources(synthesized, CORE, "AWS::Cognito::UserPoolGroup").values()
    assert all(g["Properties"]["UserPoolId"] == {"Ref": staff} for g in all_groups)
    groups = {g["Properties"]["GroupName"] for g in all_groups}
    assert groups == {"school-staff", "editors", "finance"}
    names = {p["Properties"]["Name"] for p in resources(synthesized, CORE, "AWS::SSM::Parameter").values()}
    assert {"/poche/dev/auth/user-pool-id", "/poche/dev/auth/user-pool-client-id", "/poche/dev/auth/issuer"} <= names


def test_authorized_routes_carry_the_jwt_authorizer_read_from_core_contracts() -> None:
    import aws_cdk as cdk
    from aws_cdk import assertions
    from aws_cdk import aws_apigatewayv2 as apigwv2
    from aws_cdk import aws_lambda as lambda_

    from poche_infra.config import settings_from_context
    from poche_infra.constructs.routes import AuthorizedRoutes
    from poche_infra.constructs.runtime import PhaseRuntime

    app = cdk.App()
    stack = cdk.Stack(app, "Phase")
    runtime = PhaseRuntime(stack, "Runtime", settings=settings_from_context({}))
    function = lambda_.Function(
        stack, "Fn", runtime=lambda_.Runtime.PYTHON_3_13, handler="x.handler", code=lambda_.Code.from_inline("x")
    )
    AuthorizedRoutes(
        stack,
        "Admin",
        runtime=runtime,
        audience="staff",
        function=function,
        routes=[(apigwv2.HttpMethod.POST, "/v1/admin/schools/{uai}/notices")],
    )
    template = assertions.Template.from_stack(stack).to_json()
    (authorizer,) = (r for r in template["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Authorizer")
    assert authorizer["Properties"]["AuthorizerType"] == "JWT"
    assert authorizer["Properties"]["IdentitySource"] == ["$request.header.Authorization"]
    ssm_defaults = {p["Default"] for p in template["Parameters"].values()}
    assert {"/poche/dev/auth/issuer", "/poche/dev/auth/user-pool-client-id"} <= ssm_defaults
    (route,) = (r for r in template["Resources"].values() if r["Type"] == "AWS::ApiGatewayV2::Route")
    assert route["Properties"]["AuthorizationType"] == "JWT"
    assert route["Properties"]["RouteKey"] == "POST /v1/admin/schools/{uai}/notices"
    try:
        AuthorizedRoutes(
            stack,
            "Bad",
            runtime=runtime,
            audience="staff",
            function=function,
            routes=[(apigwv2.HttpMethod.POST, "/v1/schools")],
        )
    except ValueError as exc:
        assert "/v1/admin/" in str(exc)
    else:
        raise AssertionError("a signed-in route outside /v1/admin/ or /v1/me/ must be refused")


def test_agenda_datatourisme_and_cinema_connectors_least_privilege(synthesized: Synthesized) -> None:
    assert {"GET /v1/cinemas", "GET /v1/cinemas/{cinema_id}/sessions"} <= route_keys(synthesized)
    tables = resources(synthesized, PROXIMITY, "AWS::DynamoDB::Table")
    (agenda_table,) = [logical for logical in tables if logical.startswith("Agenda")]
    schedules = resources(synthesized, PROXIMITY, "AWS::Scheduler::Schedule").values()
    for package, indexes, projects in (
        ("agenda_datatourisme", {"by_month", "by_commune"}, True),
        ("agenda_cinema", set(), False),
    ):
        logical, function = function_named(synthesized, package)
        assert function["Properties"]["Environment"]["Variables"]["POCHE_CONNECTOR"] == package.replace("_", "-")
        (schedule,) = [s for s in schedules if s["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": [logical, "Arn"]}]
        assert schedule["Properties"]["ScheduleExpression"] == "rate(1 hour)"
        granted_indexes: set[str] = set()
        for statement in role_statements(synthesized, function):
            data_actions = {a for a in actions(statement) if a.startswith("dynamodb:")}
            if not data_actions:
                continue
            resource = json.dumps(statement["Resource"])
            assert agenda_table in resource
            assert not any(other in resource for other in tables if other != agenda_table)
            assert "dynamodb:Scan" not in data_actions and "dynamodb:DeleteTable" not in data_actions
            assert data_actions <= {
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:Query",
                "dynamodb:BatchWriteItem",
                *(["dynamodb:BatchGetItem"] if projects else []),  # the stored tile projections' digests
            }
            if "/index/" in resource:
                assert data_actions == {"dynamodb:Query"}
                granted_indexes |= {name for name in ("by_month", "by_commune") if f"/index/{name}" in resource}
        assert granted_indexes == indexes


def test_canteen_and_news_functions_share_their_domain_layers(synthesized: Synthesized) -> None:
    layers = resources(synthesized, PROXIMITY, "AWS::Lambda::LayerVersion")
    for domain, packages in (("canteen", ("canteen", "canteen_menus_scdl")), ("news", ("news", "news_rss"))):
        (layer,) = [
            logical for logical, layer in layers.items() if f"layers/{domain})" in layer["Properties"]["Description"]
        ]
        for package in packages:
            _, function = function_named(synthesized, package)
            assert function["Properties"]["Layers"][-1] == {"Ref": layer}  # after Powertools and common


def test_event_connectors_share_the_agenda_domain_layer(synthesized: Synthesized) -> None:
    layers = resources(synthesized, PROXIMITY, "AWS::Lambda::LayerVersion")
    (agenda,) = [logical for logical, layer in layers.items() if "layers/agenda)" in layer["Properties"]["Description"]]
    for package, with_agenda in (("agenda_openagenda", True), ("agenda_datatourisme", True), ("agenda_cinema", False)):
        _, function = function_named(synthesized, package)
        assert "CommonLayer" in json.dumps(function["Properties"]["Layers"])
        assert ({"Ref": agenda} in function["Properties"]["Layers"]) is with_agenda
