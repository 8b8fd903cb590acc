"""`Core`: what every phase shares. The one public HTTP API, the event bus, the alarm topic,
and the SSM parameters through which phase stacks find them.

Why an HTTP API (API Gateway v2) rather than a REST API: its `$default` stage deploys
automatically, so a phase stack adds routes without redeploying Core; it costs about a third
per request; JWT authorizers (Cognito) are built in. What it lacks (WAF, usage plans, response
caching) we replace with stage throttling, `ETag`/`Cache-Control` for clients and CDNs, and a
CloudFront distribution in front with WAF if the département needs it later.
"""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ..config import Settings
from ..constructs.runtime import (
    CONTRACT_ALARM_TOPIC_ARN,
    CONTRACT_API_ID,
    CONTRACT_API_URL,
    CONTRACT_BUS_ARN,
    CONTRACT_BUS_NAME,
)

ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "routeKey": "$context.routeKey",
    "path": "$context.path",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
}  # no source IP, no user agent: no personal data in logs


class CoreStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        removal = cdk.RemovalPolicy.RETAIN if settings.is_prod else cdk.RemovalPolicy.DESTROY
        methods = [
            apigwv2.CorsHttpMethod.GET,
            apigwv2.CorsHttpMethod.POST,
            apigwv2.CorsHttpMethod.PUT,
            apigwv2.CorsHttpMethod.PATCH,
            apigwv2.CorsHttpMethod.DELETE,
        ]
        self.api = apigwv2.HttpApi(
            self,
            "Api",
            api_name=f"poche-{settings.stage}",
            description=f"{settings.territory.title}: the public API of every phase",
            create_default_stage=False,
            cors_preflight=apigwv2.CorsPreflightOptions(
                allow_origins=settings.territory.cors_allow_origins,
                allow_methods=methods,
                allow_headers=["authorization", "content-type", "if-none-match", "if-match"],
                expose_headers=["etag"],
                max_age=cdk.Duration.hours(1),
            ),
        )
        access_logs = logs.LogGroup(
            self,
            "ApiAccessLogs",
            retention=logs.RetentionDays.SIX_MONTHS if settings.is_prod else logs.RetentionDays.ONE_MONTH,
            removal_policy=removal,
        )
        throttle = settings.territory.api_throttle
        stage = apigwv2.CfnStage(
            self,
            "DefaultStage",
            api_id=self.api.api_id,
            stage_name="$default",
            auto_deploy=True,
            access_log_settings=apigwv2.CfnStage.AccessLogSettingsProperty(
                destination_arn=access_logs.log_group_arn, format=json.dumps(ACCESS_LOG_FORMAT)
            ),
            default_route_settings=apigwv2.CfnStage.RouteSettingsProperty(
                throttling_rate_limit=throttle["rate_limit"], throttling_burst_limit=throttle["burst_limit"]
            ),
        )
        api_url = f"https://{self.api.api_id}.execute-api.{self.region}.{self.url_suffix}/"

        self.bus = events.EventBus(self, "Bus", event_bus_name=f"poche-{settings.stage}")

        alarm_key = kms.Key(
            self,
            "AlarmKey",
            description="Encrypts the alarm topic; CloudWatch alarms may use it to publish",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        alarm_key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        self.alarm_topic = sns.Topic(
            self, "Alarms", display_name=f"Poche {settings.stage} alarms", master_key=alarm_key, enforce_ssl=True
        )

        contracts = {
            CONTRACT_API_ID: self.api.api_id,
            CONTRACT_API_URL: api_url,
            CONTRACT_BUS_NAME: self.bus.event_bus_name,
            CONTRACT_BUS_ARN: self.bus.event_bus_arn,
            CONTRACT_ALARM_TOPIC_ARN: self.alarm_topic.topic_arn,
        }
        for path, value in contracts.items():
            ssm.StringParameter(
                self,
                "Contract-" + path.replace("/", "-"),
                parameter_name=settings.parameter(path),
                string_value=value,
                description=f"Core contract read by the phase stacks: {path}",
            )
        cdk.CfnOutput(self, "ApiUrl", value=api_url, description="Base URL of the public API (routes under /v1)")
        cdk.CfnOutput(self, "StageName", value=stage.stage_name)
