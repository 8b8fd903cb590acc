"""CloudFormation intrinsic functions, resolved the way CloudFormation would for the local platform."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

REGION = "eu-west-3"
ACCOUNT = "123456789012"


class Unresolved(Exception):
    """A value that only exists in AWS (e.g. a public SSM parameter): the caller decides."""


class Resolver:
    def __init__(
        self,
        stack: str,
        physical: dict[str, dict[str, Any]],
        parameters: dict[str, Any],
    ) -> None:
        self.stack = stack
        self.physical = physical  # logical id -> {"Ref": ..., attribute: ...}
        self.parameters = parameters
        self.pseudo: dict[str, str] = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": stack,
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{stack}/local",
        }

    def ref(self, name: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            value = self.parameters[name]
            if value is None:
                raise Unresolved(f"parameter {name}")
            return value
        if name in self.physical:
            return self.physical[name]["Ref"]
        raise Unresolved(f"Ref {name}")

    def get_att(self, name: str, attribute: str) -> Any:
        attributes = self.physical.get(name)
        if attributes is None or attribute not in attributes:
            raise Unresolved(f"Fn::GetAtt {name}.{attribute}")
        return attributes[attribute]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            handler = self._intrinsics().get(key)
            if handler is not None:
                return handler(arg)
        return {k: self.resolve(v) for k, v in value.items()}

    def _intrinsics(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "Ref": lambda arg: self.ref(arg),
            "Fn::GetAtt": lambda arg: self.get_att(*(arg.split(".", 1) if isinstance(arg, str) else arg)),
            "Fn::Join": lambda arg: str(arg[0]).join(str(self.resolve(v)) for v in self.resolve(arg[1])),
            "Fn::Select": lambda arg: self.resolve(arg[1])[int(self.resolve(arg[0]))],
            "Fn::Split": lambda arg: str(self.resolve(arg[1])).split(arg[0]),
            "Fn::Sub": self._sub,
            "Fn::ToJsonString": lambda arg: json.dumps(self.resolve(arg)),
        }

    def _sub(self, arg: Any) -> str:
        template, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and name.split(".", 1)[0] not in self.pseudo:
                return str(self.get_att(*name.split(".", 1)))
            return str(self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, template)
