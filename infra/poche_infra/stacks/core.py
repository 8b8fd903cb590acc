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
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_ssm as ssm
from cdk_nag import NagPackSuppression
from constructs import Construct

from ..config import AccountEmail, Settings
from ..constructs.nag import suppress
from ..constructs.runtime import (
    CONTRACT_ALARM_TOPIC_ARN,
    CONTRACT_API_ID,
    CONTRACT_API_URL,
    CONTRACT_AUTH_CLIENT_ID,
    CONTRACT_AUTH_ISSUER,
    CONTRACT_AUTH_USER_POOL_ID,
    CONTRACT_BUS_ARN,
    CONTRACT_BUS_NAME,
    CONTRACT_CITIZENS_CLIENT_ID,
    CONTRACT_CITIZENS_ISSUER,
    CONTRACT_CITIZENS_USER_POOL_ID,
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

# Groups of the accounts: what a signed-in member of staff may do is decided by the functions from
# the `cognito:groups` claim of the ID token (the JWT authorizer only proves who the caller is).
ACCOUNT_GROUPS = {
    "school-staff": "Staff of a school: publish that school's notices (schools in custom:schools)",
    "editors": "Editors of the département: bulk publication and moderation",
    "finance": "Finance staff: reconcile payments against settlements (payments phase)",
}

# What a signed-in user may read and write of their own account with their own access token (GetUser,
# UpdateUserAttributes). Cognito reads a missing or EMPTY WriteAttributes as "every attribute writable", so each
# client lists at least one harmless attribute, and nothing granting a right (`custom:*`, `*_verified`) is ever in
# a write list: `custom:schools` is set by an administrator (AdminUpdateUserAttributes, IAM) only. The ID token
# carries the attributes the client may read, so `custom:schools` stays readable for the schools admin function.
STAFF_READ = {"email": True, "email_verified": True, "locale": True}  # StandardAttributesMask
STAFF_WRITE = {"locale": True}  # a preference; the address is the administrator's
STAFF_READ_CUSTOM = ["schools"]
# Citizens: the address is written at sign-up and changed by the app (UpdateUserAttributes, then the code sent to
# the new address; the old one stays in use until then, `keep_original`). Nothing else is held.
CITIZEN_READ = {"email": True, "email_verified": True}
CITIZEN_WRITE = {"email": True}

FEATURE_PLANS = {
    "lite": cognito.FeaturePlan.LITE,
    "essentials": cognito.FeaturePlan.ESSENTIALS,
    "plus": cognito.FeaturePlan.PLUS,
}


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

        self.user_pool, self.user_pool_client = self._accounts(settings, removal)
        self.citizen_pool, self.citizen_pool_client = self._citizen_accounts(settings, removal)

        contracts = {
            CONTRACT_API_ID: self.api.api_id,
            CONTRACT_API_URL: api_url,
            CONTRACT_BUS_NAME: self.bus.event_bus_name,
            CONTRACT_BUS_ARN: self.bus.event_bus_arn,
            CONTRACT_ALARM_TOPIC_ARN: self.alarm_topic.topic_arn,
            CONTRACT_AUTH_USER_POOL_ID: self.user_pool.user_pool_id,
            CONTRACT_AUTH_CLIENT_ID: self.user_pool_client.user_pool_client_id,
            CONTRACT_AUTH_ISSUER: self._issuer(self.user_pool),
            CONTRACT_CITIZENS_USER_POOL_ID: self.citizen_pool.user_pool_id,
            CONTRACT_CITIZENS_CLIENT_ID: self.citizen_pool_client.user_pool_client_id,
            CONTRACT_CITIZENS_ISSUER: self._issuer(self.citizen_pool),
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

    def _issuer(self, pool: cognito.UserPool) -> str:
        """The `iss` of the pool's tokens, which a JWT authorizer checks (with the pool's JWKS under it)."""
        return f"https://cognito-idp.{self.region}.{self.url_suffix}/{pool.user_pool_id}"

    def _accounts(
        self, settings: Settings, removal: cdk.RemovalPolicy
    ) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
        """Staff accounts (not citizens): created by an administrator, never by self sign-up."""
        pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"poche-{settings.stage}-staff",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            custom_attributes={
                # The schools (UAI codes, comma-separated) a member of school-staff may publish for.
                "schools": cognito.StringAttribute(min_len=0, max_len=2048, mutable=True),
            },
            # MFA optional rather than required: school staff sign in from shared school computers and
            # phones the département does not manage; TOTP is offered and required by policy for
            # the finance group's procedures (payments phase), not enforced pool-wide.
            **_hardened(settings, removal, min_password_length=12, plan=settings.territory.staff_feature_plan),
        )
        _mfa_optional(
            pool,
            "MFA is optional (TOTP offered, no SMS): school staff sign in from shared devices the département does "
            "not manage; ",
            "staff_feature_plan",
            settings.territory.staff_feature_plan,
        )
        client = _app_client(
            pool,
            "AppClient",
            name=f"poche-{settings.stage}-app",
            read=cognito.ClientAttributes()
            .with_standard_attributes(**STAFF_READ)
            .with_custom_attributes(*STAFF_READ_CUSTOM),
            write=cognito.ClientAttributes().with_standard_attributes(**STAFF_WRITE),
        )
        for name, description in ACCOUNT_GROUPS.items():
            cognito.CfnUserPoolGroup(
                self, f"Group-{name}", user_pool_id=pool.user_pool_id, group_name=name, description=description
            )
        return pool, client

    def _citizen_accounts(
        self, settings: Settings, removal: cdk.RemovalPolicy
    ) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
        """Citizens' accounts, apart from staff: anyone signs up with an e-mail address, proven by a code.

        A pool of its own rather than a group of the staff pool: a citizen's token can never reach an admin
        route (other issuer, other audience), self sign-up is never opened on staff accounts, and each pool
        keeps the policy its people need. No groups: what a citizen may touch is only their own items (`sub`).
        """
        pool = cognito.UserPool(
            self,
            "CitizenPool",
            user_pool_name=f"poche-{settings.stage}-citizens",
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),  # the e-mail address is the username
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            # A changed address stays unused (and the old one signs in) until the new one is verified.
            keep_original=cognito.KeepOriginalAttrs(email=True),
            user_verification=cognito.UserVerificationConfig(
                email_style=cognito.VerificationEmailStyle.CODE,
                email_subject="Poche : votre code de vérification",
                email_body="Votre code de vérification Poche est {####}. Il est valable 24 heures.",
            ),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            **_hardened(settings, removal, min_password_length=10, plan=settings.territory.citizen_feature_plan),
        )
        _mfa_optional(
            pool,
            "Citizens' accounts hold preferences and notifications, no procedure: MFA is offered (TOTP, no SMS) but "
            "not imposed on the public; ",
            "citizen_feature_plan",
            settings.territory.citizen_feature_plan,
        )
        client = _app_client(
            pool,
            "CitizenAppClient",
            name=f"poche-{settings.stage}-citizens-app",
            read=cognito.ClientAttributes().with_standard_attributes(**CITIZEN_READ),
            write=cognito.ClientAttributes().with_standard_attributes(**CITIZEN_WRITE),
        )
        return pool, client


def _mfa_optional(pool: cognito.UserPool, why: str, plan_field: str, plan: str) -> None:
    """The cdk-nag suppressions of a pool whose MFA is optional (`why`, then what its feature plan protects), and of
    the threat protection a plan without it cannot have (`plan_field`: the territory's setting naming the plan)."""
    suppress(
        pool,
        NagPackSuppression(id="AwsSolutions-COG2", reason=why + _protection(plan)),
        *_without_threat_protection(plan_field, plan),
    )


def _app_client(
    pool: cognito.UserPool,
    construct_id: str,
    *,
    name: str,
    read: cognito.ClientAttributes,
    write: cognito.ClientAttributes,
) -> cognito.UserPoolClient:
    """What both app clients share: public clients (web, app, curl cannot keep a secret); SRP for the apps and
    USER_PASSWORD_AUTH so `poche user create [--citizen]` and tests get tokens without an SRP implementation (the
    password travels over TLS to Cognito only); no hosted UI, so no OAuth flow (CDK's default allows implicit to
    example.com); sign-in and recovery never reveal whether an address has an account; one-hour tokens, refreshed
    for 30 days. `read` and `write`: the attributes the client may read and write."""
    return pool.add_client(
        construct_id,
        user_pool_client_name=name,
        generate_secret=False,
        auth_flows=cognito.AuthFlow(user_srp=True, user_password=True),
        disable_o_auth=True,
        prevent_user_existence_errors=True,
        id_token_validity=cdk.Duration.hours(1),
        access_token_validity=cdk.Duration.hours(1),
        refresh_token_validity=cdk.Duration.days(30),
        read_attributes=read,
        write_attributes=write,
    )


def _hardened(settings: Settings, removal: cdk.RemovalPolicy, *, min_password_length: int, plan: str) -> dict[str, Any]:
    """What both user pools share: strong passwords, TOTP offered (no SMS), recovery by e-mail only, e-mails through
    SES (the territory's `account_email`), the feature plan chosen by the territory with threat protection (full
    function) when that plan is Plus (Lite and Essentials refuse it), deletion protection in prod."""
    options: dict[str, Any] = {
        "password_policy": cognito.PasswordPolicy(
            min_length=min_password_length,
            require_lowercase=True,
            require_uppercase=True,
            require_digits=True,
            require_symbols=True,
            temp_password_validity=cdk.Duration.days(3),
        ),
        "mfa": cognito.Mfa.OPTIONAL,
        "mfa_second_factor": cognito.MfaSecondFactor(sms=False, otp=True),
        "account_recovery": cognito.AccountRecovery.EMAIL_ONLY,
        "feature_plan": FEATURE_PLANS[plan],
        "deletion_protection": settings.is_prod,
        "removal_policy": removal,
    }
    if plan == "plus":
        options["standard_threat_protection_mode"] = cognito.StandardThreatProtectionMode.FULL_FUNCTION
    if settings.territory.account_email is not None:
        options["email"] = _ses_email(settings.territory.account_email, settings.territory.region)
    return options


def _ses_email(email: AccountEmail, pool_region: str) -> cognito.UserPoolEmail:
    """Cognito sends through SES (`DEVELOPER` sending account) from an address of the verified domain identity, in
    the pools' own region unless the territory names another (always explicit: never a token of the stack)."""
    return cognito.UserPoolEmail.with_ses(
        from_email=email.from_email,
        from_name=email.from_name,
        reply_to=email.reply_to,
        ses_verified_domain=email.ses_verified_domain,
        ses_region=email.ses_region or pool_region,
    )


def _protection(plan: str) -> str:
    """The end of a COG2 reason: what protects sign-ins besides MFA, on this plan."""
    if plan == "plus":
        return "threat protection (Plus plan, full function) blocks risky and compromised-credential sign-ins."
    return (
        f"on the {plan} plan Cognito offers no threat protection; lockout after repeated failed sign-ins and the "
        "password policy remain (docs/accounts.md)."
    )


def _without_threat_protection(setting: str, plan: str) -> list[NagPackSuppression]:
    """The COG8 suppression (pool not on the Plus plan) when the territory chose a plan without threat protection.
    cdk-nag 2.38's AwsSolutions pack has no COG3 (AdvancedSecurityMode ENFORCED) any more: COG8 checks the plan."""
    if plan == "plus":
        return []
    return [
        NagPackSuppression(
            id="AwsSolutions-COG8",
            reason=f"Threat protection exists only on Cognito's Plus plan, billed for every monthly active user with "
            f"no free tier; the territory's {setting} is {plan!r} to keep the platform cheap (docs/accounts.md says "
            "what each plan buys and costs); set it to 'plus' to turn threat protection on.",
        )
    ]
