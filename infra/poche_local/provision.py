"""Create, in the emulated AWS, what the templates describe; return what the platform runs.

Stacks are processed in deployment order, so a phase stack's SSM-typed parameters resolve to the
contracts Core wrote, as CloudFormation does at deploy time. Resources the emulation needs are
created for real (tables, buses, queues, topics, parameters); functions, routes and schedules are
collected into a `PlatformSpec` that the local gateway and scheduler run. IAM and KMS are not
emulated: least privilege is checked on the templates by the infra tests.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from .assembly import StackArtifact
from .model import FunctionSpec, PlatformSpec, QueueSourceSpec, RouteSpec, ScheduleSpec
from .resolver import ACCOUNT, REGION, Resolver, Unresolved

DEPENDENCIES_MARKER = ".poche-dependencies"  # written by poche_infra.layers
# Mobile push: a territory without SNS platform applications (PUSH_APPLICATIONS "{}", the default) gets these
# emulated ones locally, so that devices can be registered and the pushes are recorded by the emulated SNS.
EMULATED_PUSH_APPLICATIONS = {"fcm": ("poche-fcm", "GCM"), "apns": ("poche-apns", "APNS")}


class ProvisionError(RuntimeError):
    pass


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def _physical(stack: str, logical_id: str, resource: dict[str, Any], resolver: Resolver) -> dict[str, Any]:
    """The Ref and attributes of a resource, named as CloudFormation would (stable locally)."""
    kind = resource["Type"]
    props = resource.get("Properties", {})
    generated = f"{stack}-{logical_id}"[:64]

    def named(key: str) -> str:
        try:
            value = resolver.resolve(props.get(key)) if key in props else None
        except Unresolved:
            value = None
        return str(value) if value else generated

    if kind == "AWS::DynamoDB::Table":
        name = named("TableName")
        arn = _arn("dynamodb", f"table/{name}")
        return {"Ref": name, "Arn": arn, "StreamArn": f"{arn}/stream/local"}
    if kind == "AWS::Events::EventBus":
        name = named("Name")
        return {"Ref": name, "Name": name, "Arn": _arn("events", f"event-bus/{name}")}
    if kind == "AWS::SQS::Queue":
        name = named("QueueName")
        url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
        return {"Ref": url, "QueueUrl": url, "QueueName": name, "Arn": _arn("sqs", name)}
    if kind == "AWS::SNS::Topic":
        name = named("TopicName")
        return {"Ref": _arn("sns", name), "TopicArn": _arn("sns", name), "TopicName": name}
    if kind == "AWS::SSM::Parameter":
        name = named("Name")
        return {"Ref": name, "Value": None, "Type": "String"}
    if kind == "AWS::Lambda::Function":
        name = named("FunctionName")
        return {"Ref": name, "Arn": _arn("lambda", f"function:{name}")}
    if kind == "AWS::Lambda::LayerVersion":
        return {"Ref": _arn("lambda", f"layer:{generated}:1")}
    if kind == "AWS::ApiGatewayV2::Api":
        return {"Ref": "local", "ApiEndpoint": "http://127.0.0.1", "ApiId": "local"}
    if kind == "AWS::Logs::LogGroup":
        name = named("LogGroupName")
        return {"Ref": name, "Arn": _arn("logs", f"log-group:{name}:*")}
    if kind == "AWS::IAM::Role":
        return {"Ref": generated, "Arn": f"arn:aws:iam::{ACCOUNT}:role/{generated}", "RoleId": generated}
    if kind == "AWS::KMS::Key":
        return {"Ref": generated, "Arn": _arn("kms", f"key/{generated}"), "KeyId": generated}
    return {"Ref": generated, "Arn": _arn("local", generated)}


class Provisioner:
    def __init__(self, clients: dict[str, Any]) -> None:
        self.clients = clients  # dynamodb, events, sqs, sns, ssm (boto3 clients on the emulation)
        self.spec = PlatformSpec()
        self._push: str | None = None

    def provision(self, stacks: list[StackArtifact]) -> PlatformSpec:
        for stack in stacks:
            self._stack(stack)
        return self.spec

    def _parameters(self, stack: StackArtifact) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, parameter in stack.template.get("Parameters", {}).items():
            default = parameter.get("Default")
            if str(parameter.get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
                try:
                    response = self.clients["ssm"].get_parameter(Name=default)
                    values[name] = response["Parameter"]["Value"]
                except self.clients["ssm"].exceptions.ParameterNotFound:
                    values[name] = None  # only exists in AWS (e.g. the public Powertools layer)
            else:
                values[name] = default
        return values

    def _stack(self, stack: StackArtifact) -> None:
        resources = stack.resources
        physical: dict[str, dict[str, Any]] = {}
        resolver = Resolver(stack.name, physical, self._parameters(stack))
        for logical_id, resource in resources.items():
            physical[logical_id] = _physical(stack.name, logical_id, resource, resolver)
        creators = {
            "AWS::DynamoDB::Table": self._table,
            "AWS::Events::EventBus": self._bus,
            "AWS::SQS::Queue": self._queue,
            "AWS::SNS::Topic": self._topic,
            "AWS::SSM::Parameter": self._parameter,
        }
        for kind in ("AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolGroup"):
            for logical_id, resource in resources.items():
                if resource["Type"] == kind:  # first: their ids are generated, and others refer to them
                    self._cognito(kind, physical[logical_id], resolver.resolve(resource.get("Properties", {})))
        for logical_id, resource in resources.items():
            creator = creators.get(resource["Type"])
            if creator is not None:
                props = resolver.resolve(resource.get("Properties", {}))
                creator(physical[logical_id], props)
                if resource["Type"] == "AWS::SSM::Parameter":
                    physical[logical_id]["Value"] = props["Value"]
        for logical_id, resource in resources.items():
            if resource["Type"] == "AWS::Lambda::Function":
                self._function(stack, logical_id, resource, physical, resolver)
        arn_to_function = {
            physical[f.logical_id]["Arn"]: f.name for f in self.spec.functions.values() if f.stack == stack.name
        }
        for resource in resources.values():
            if resource["Type"] == "AWS::ApiGatewayV2::Route":
                self._route(stack, resource, resources, resolver, arn_to_function)
            elif resource["Type"] == "AWS::Scheduler::Schedule":
                self._schedule(resource, resolver, arn_to_function)
            elif resource["Type"] == "AWS::Events::Rule" and "ScheduleExpression" in resource.get("Properties", {}):
                self._rule_schedule(resource, resolver, arn_to_function)
            elif resource["Type"] == "AWS::Events::Rule" and "EventPattern" in resource.get("Properties", {}):
                self._rule_relay(resource, resolver, arn_to_function)
            elif resource["Type"] == "AWS::Lambda::EventSourceMapping":
                self._queue_source(resource, resolver, arn_to_function)

    # --- resources created in the emulation ---------------------------------------------------
    def _table(self, physical: dict[str, Any], props: dict[str, Any]) -> None:
        kwargs: dict[str, Any] = {
            "TableName": physical["Ref"],
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if props.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = [
                {k: v for k, v in index.items() if k in ("IndexName", "KeySchema", "Projection")}
                for index in props["GlobalSecondaryIndexes"]
            ]
        client = self.clients["dynamodb"]
        try:
            client.create_table(**kwargs)
        except client.exceptions.ResourceInUseException:
            return
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            client.update_time_to_live(
                TableName=physical["Ref"],
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )

    def _bus(self, physical: dict[str, Any], props: dict[str, Any]) -> None:
        client = self.clients["events"]
        with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
            client.create_event_bus(Name=physical["Ref"])

    def _queue(self, physical: dict[str, Any], props: dict[str, Any]) -> None:
        self.clients["sqs"].create_queue(QueueName=physical["QueueName"])

    def _topic(self, physical: dict[str, Any], props: dict[str, Any]) -> None:
        self.clients["sns"].create_topic(Name=physical["TopicName"])

    def _push_applications(self) -> str:
        """The emulated SNS platform applications (created once), as the PUSH_APPLICATIONS JSON."""
        if self._push is None:
            arns = {}
            for platform, (name, kind) in EMULATED_PUSH_APPLICATIONS.items():
                attributes = {"PlatformCredential": "local"}
                if kind == "APNS":
                    attributes["PlatformPrincipal"] = "local"
                created = self.clients["sns"].create_platform_application(
                    Name=name, Platform=kind, Attributes=attributes
                )
                arns[platform] = created["PlatformApplicationArn"]
            self._push = json.dumps(arns, sort_keys=True)
        return self._push

    def _parameter(self, physical: dict[str, Any], props: dict[str, Any]) -> None:
        self.clients["ssm"].put_parameter(
            Name=physical["Ref"], Value=str(props["Value"]), Type=props.get("Type", "String"), Overwrite=True
        )

    def _cognito(self, kind: str, physical: dict[str, Any], props: dict[str, Any]) -> None:
        client = self.clients.get("cognito-idp")
        if client is None:  # a caller that needs no accounts (e.g. the integration tests): names only
            return
        if kind == "AWS::Cognito::UserPool":
            kwargs: dict[str, Any] = {"PoolName": props.get("UserPoolName") or physical["Ref"]}
            for key in ("Schema", "UsernameAttributes", "AutoVerifiedAttributes", "Policies"):
                if props.get(key):
                    kwargs[key] = props[key]
            pool = client.create_user_pool(**kwargs)["UserPool"]
            physical.update(
                Ref=pool["Id"], Arn=pool["Arn"], ProviderName=f"cognito-idp.{REGION}.amazonaws.com/{pool['Id']}"
            )
        elif kind == "AWS::Cognito::UserPoolClient":
            created = client.create_user_pool_client(
                UserPoolId=props["UserPoolId"],
                ClientName=props.get("ClientName") or physical["Ref"],
                GenerateSecret=bool(props.get("GenerateSecret", False)),
                ExplicitAuthFlows=props.get("ExplicitAuthFlows", []),
            )["UserPoolClient"]
            physical.update(Ref=created["ClientId"], ClientId=created["ClientId"])
        else:
            client.create_group(
                UserPoolId=props["UserPoolId"], GroupName=props["GroupName"], Description=props.get("Description", "")
            )
            physical["Ref"] = props["GroupName"]

    # --- what the platform runs ---------------------------------------------------------------
    def _function(
        self,
        stack: StackArtifact,
        logical_id: str,
        resource: dict[str, Any],
        physical: dict[str, dict[str, Any]],
        resolver: Resolver,
    ) -> None:
        props = resource["Properties"]
        code_dir = stack.asset_dir(props.get("Code", {}).get("S3Key"))
        if code_dir is None:
            raise ProvisionError(f"{stack.name}/{logical_id}: its code asset is not in the assembly")
        layer_dirs: list[str] = []
        for layer in props.get("Layers", []):
            ref = layer.get("Ref") if isinstance(layer, dict) else None
            layer_resource = stack.resources.get(ref or "")
            if layer_resource and layer_resource["Type"] == "AWS::Lambda::LayerVersion":
                layer_dir = stack.asset_dir(layer_resource["Properties"]["Content"]["S3Key"])
                if layer_dir is not None and not (layer_dir / DEPENDENCIES_MARKER).exists():
                    layer_dirs.append(str(layer_dir / "python"))
            # Other layers are provided by the project's venv: the public Powertools layer, and the
            # dependency layers built for Lambda's arm64 (`make layers`), which hold foreign binaries.
        environment: dict[str, str] = {}
        for key, value in props.get("Environment", {}).get("Variables", {}).items():
            try:
                environment[key] = str(resolver.resolve(value))
            except Unresolved as exc:
                raise ProvisionError(
                    f"{stack.name}/{logical_id}: environment {key} cannot be resolved ({exc})"
                ) from None
        if environment.get("PUSH_APPLICATIONS") == "{}" and "sns" in self.clients:
            environment["PUSH_APPLICATIONS"] = self._push_applications()
        name = physical[logical_id]["Ref"]
        self.spec.functions[name] = FunctionSpec(
            stack=stack.name,
            logical_id=logical_id,
            name=name,
            handler=props["Handler"],
            code_dir=str(code_dir),
            layer_dirs=layer_dirs,
            environment=environment,
            memory_mb=int(props.get("MemorySize", 128)),
            timeout_s=int(props.get("Timeout", 3)),
        )

    def _route(
        self,
        stack: StackArtifact,
        resource: dict[str, Any],
        resources: dict[str, Any],
        resolver: Resolver,
        arn_to_function: dict[str, str],
    ) -> None:
        props = resource["Properties"]
        method, path = str(resolver.resolve(props["RouteKey"])).split(" ", 1)
        integration_id = _referenced_integration(props.get("Target"))
        integration = resources.get(integration_id or "", {})
        uri = resolver.resolve(integration.get("Properties", {}).get("IntegrationUri"))
        function = arn_to_function.get(str(uri))
        if function is None:
            raise ProvisionError(f"{stack.name}: route {method} {path} has no local Lambda integration")
        authorizer: dict[str, Any] | None = None
        if props.get("AuthorizationType") == "JWT":
            authorizer_id = _referenced_integration(props.get("AuthorizerId"))
            found = resources.get(authorizer_id or "", {})
            if found.get("Type") != "AWS::ApiGatewayV2::Authorizer":
                raise ProvisionError(f"{stack.name}: route {method} {path} has no JWT authorizer in its stack")
            config = resolver.resolve(found["Properties"]["JwtConfiguration"])
            authorizer = {"issuer": str(config["Issuer"]), "audience": [str(a) for a in config.get("Audience", [])]}
        elif props.get("AuthorizationType") not in (None, "NONE"):
            raise ProvisionError(f"{stack.name}: route {method} {path}: {props['AuthorizationType']} is not emulated")
        self.spec.routes.append(
            RouteSpec(method=method, path=path, function=function, stack=stack.name, authorizer=authorizer)
        )

    def _schedule(self, resource: dict[str, Any], resolver: Resolver, arn_to_function: dict[str, str]) -> None:
        props = resource["Properties"]
        target = props["Target"]
        function = arn_to_function.get(str(resolver.resolve(target["Arn"])))
        if function is None:
            return
        raw_input = resolver.resolve(target.get("Input", "{}"))
        self.spec.schedules.append(
            ScheduleSpec(
                function=function,
                expression=str(resolver.resolve(props["ScheduleExpression"])),
                timezone=str(props.get("ScheduleExpressionTimezone", "UTC")),
                input=json.loads(raw_input) if isinstance(raw_input, str) else raw_input,
            )
        )

    def _rule_schedule(self, resource: dict[str, Any], resolver: Resolver, arn_to_function: dict[str, str]) -> None:
        props = resource["Properties"]
        for target in props.get("Targets", []):
            function = arn_to_function.get(str(resolver.resolve(target["Arn"])))
            if function is not None:
                raw_input = resolver.resolve(target.get("Input", "{}"))
                self.spec.schedules.append(
                    ScheduleSpec(function, str(props["ScheduleExpression"]), "UTC", json.loads(raw_input))
                )

    def _rule_relay(self, resource: dict[str, Any], resolver: Resolver, arn_to_function: dict[str, str]) -> None:
        """A bus rule invoking a function: the same rule in the emulation, targeting a relay queue the platform
        reads (the emulation cannot run Lambda functions itself)."""
        props = resolver.resolve(resource["Properties"])
        bus = str(props.get("EventBusName", "default")).rsplit("/", 1)[-1]
        for target in props.get("Targets", []):
            function = arn_to_function.get(str(target["Arn"]))
            if function is None:
                continue
            queue = f"poche-relay-{len(self.spec.queue_sources)}"
            sqs, events = self.clients["sqs"], self.clients["events"]
            url = sqs.create_queue(QueueName=queue)["QueueUrl"]
            queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            rule = f"{queue}-rule"
            pattern = props["EventPattern"]
            events.put_rule(
                Name=rule, EventBusName=bus, EventPattern=pattern if isinstance(pattern, str) else json.dumps(pattern)
            )
            events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "relay", "Arn": queue_arn}])
            self.spec.queue_sources.append(QueueSourceSpec(function, queue, batch_size=1, relay=True))

    def _queue_source(self, resource: dict[str, Any], resolver: Resolver, arn_to_function: dict[str, str]) -> None:
        props = resolver.resolve(resource["Properties"])
        source = str(props.get("EventSourceArn", ""))
        if ":sqs:" not in source:
            return
        name = str(props["FunctionName"])
        function = arn_to_function.get(name) or next(
            (f for f in arn_to_function.values() if f == name or name.endswith(f":function:{f}")), None
        )
        if function is None:
            raise ProvisionError(f"event source mapping of {source} names no function of its stack: {name}")
        self.spec.queue_sources.append(
            QueueSourceSpec(
                function,
                source.rsplit(":", 1)[-1],
                batch_size=int(props.get("BatchSize", 10)),
                report_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
            )
        )


def _referenced_integration(target: Any) -> str | None:
    """`integrations/<Ref Integration>` as a Fn::Join: the logical id of the integration."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "Ref" in value and isinstance(value["Ref"], str):
                found.append(value["Ref"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(target)
    return found[0] if found else None
