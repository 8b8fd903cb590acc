"""poche_local.resolver.Resolver: CloudFormation intrinsic functions, resolved locally."""

from __future__ import annotations

from typing import Any

import pytest

from poche_local.resolver import ACCOUNT, REGION, Resolver, Unresolved

BUS_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/poche-dev-bus"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Phase-Table"


@pytest.fixture
def resolver() -> Resolver:
    physical = {
        "Bus": {"Ref": "poche-dev-bus", "Name": "poche-dev-bus", "Arn": BUS_ARN},
        "Table": {"Ref": "Phase-Table", "Arn": TABLE_ARN, "StreamArn": f"{TABLE_ARN}/stream/local"},
        "Db": {"Ref": "db", "Endpoint.Address": "db.local"},
    }
    parameters = {"Stage": "dev", "BusName": "poche-dev-bus", "PowertoolsLayer": None, "Zones": "a,b,c"}
    return Resolver("Phase", physical, parameters)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AWS::Region", "eu-west-3"),
        ("AWS::AccountId", ACCOUNT),
        ("AWS::Partition", "aws"),
        ("AWS::URLSuffix", "amazonaws.com"),
        ("AWS::StackName", "Phase"),
        ("AWS::StackId", f"arn:aws:cloudformation:eu-west-3:{ACCOUNT}:stack/Phase/local"),
    ],
)
def test_ref_pseudo_parameters(resolver: Resolver, name: str, expected: str) -> None:
    assert resolver.resolve({"Ref": name}) == expected


def test_ref_parameters_and_resources(resolver: Resolver) -> None:
    assert resolver.resolve({"Ref": "Stage"}) == "dev"
    assert resolver.resolve({"Ref": "Bus"}) == "poche-dev-bus"
    assert resolver.resolve({"Ref": "Table"}) == "Phase-Table"


@pytest.mark.parametrize("name", ["PowertoolsLayer", "NoSuchThing"])
def test_ref_unresolved(resolver: Resolver, name: str) -> None:
    with pytest.raises(Unresolved, match=name):
        resolver.resolve({"Ref": name})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Fn::GetAtt": "Bus.Arn"}, BUS_ARN),
        ({"Fn::GetAtt": ["Bus", "Arn"]}, BUS_ARN),
        ({"Fn::GetAtt": ["Table", "StreamArn"]}, f"{TABLE_ARN}/stream/local"),
        ({"Fn::GetAtt": "Db.Endpoint.Address"}, "db.local"),
    ],
)
def test_get_att(resolver: Resolver, value: dict[str, Any], expected: str) -> None:
    assert resolver.resolve(value) == expected


@pytest.mark.parametrize("value", [{"Fn::GetAtt": "Bus.Nope"}, {"Fn::GetAtt": ["Ghost", "Arn"]}])
def test_get_att_unresolved(resolver: Resolver, value: dict[str, Any]) -> None:
    with pytest.raises(Unresolved):
        resolver.resolve(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Fn::Join": ["", ["integrations/", {"Ref": "Bus"}]]}, "integrations/poche-dev-bus"),
        ({"Fn::Join": [":", ["a", {"Ref": "AWS::Region"}, 3]]}, "a:eu-west-3:3"),
        ({"Fn::Join": ["-", []]}, ""),
        ({"Fn::Join": [",", {"Fn::Split": [",", {"Ref": "Zones"}]}]}, "a,b,c"),
        ({"Fn::Select": [1, ["x", {"Ref": "Stage"}, "z"]]}, "dev"),
        ({"Fn::Select": ["0", ["x", "y"]]}, "x"),
        ({"Fn::Select": [2, {"Fn::Split": [",", {"Ref": "Zones"}]}]}, "c"),
        ({"Fn::Split": ["/", "a/b/c"]}, ["a", "b", "c"]),
        ({"Fn::Split": [":", {"Fn::GetAtt": ["Bus", "Arn"]}]}, BUS_ARN.split(":")),
        ({"Fn::Select": [5, {"Fn::Split": [":", {"Fn::GetAtt": ["Table", "Arn"]}]}]}, "table/Phase-Table"),
    ],
)
def test_join_select_split(resolver: Resolver, value: dict[str, Any], expected: Any) -> None:
    assert resolver.resolve(value) == expected


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("arn:${AWS::Partition}:s3:::poche-${Stage}-${AWS::Region}", "arn:aws:s3:::poche-dev-eu-west-3"),
        ("${Bus.Arn}/rules", f"{BUS_ARN}/rules"),
        ("bus=${Bus}", "bus=poche-dev-bus"),
        ("${!Literal} and ${!AWS::Region}", "${Literal} and ${AWS::Region}"),
        ("no variables at all", "no variables at all"),
        ("${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}", f"{ACCOUNT}.dkr.ecr.eu-west-3.amazonaws.com"),
    ],
)
def test_sub_string_form(resolver: Resolver, template: str, expected: str) -> None:
    assert resolver.resolve({"Fn::Sub": template}) == expected


def test_sub_list_form_with_variables(resolver: Resolver) -> None:
    value = {
        "Fn::Sub": [
            "${Prefix}/${Name}/${AWS::Region}/${Table.Arn}",
            {"Prefix": {"Fn::Join": ["-", ["poche", {"Ref": "Stage"}]]}, "Name": {"Ref": "Bus"}},
        ]
    }
    assert resolver.resolve(value) == f"poche-dev/poche-dev-bus/eu-west-3/{TABLE_ARN}"


def test_sub_variables_shadow_resources(resolver: Resolver) -> None:
    assert resolver.resolve({"Fn::Sub": ["${Bus}", {"Bus": "mine"}]}) == "mine"


def test_sub_unresolved(resolver: Resolver) -> None:
    with pytest.raises(Unresolved):
        resolver.resolve({"Fn::Sub": "${Ghost}"})
    with pytest.raises(Unresolved):
        resolver.resolve({"Fn::Sub": "${Ghost.Arn}"})


def test_to_json_string(resolver: Resolver) -> None:
    assert resolver.resolve({"Fn::ToJsonString": {"bus": {"Ref": "Bus"}}}) == '{"bus": "poche-dev-bus"}'


def test_nested_structures(resolver: Resolver) -> None:
    value = {
        "Environment": {
            "Variables": {
                "TABLE": {"Ref": "Table"},
                "URL": {"Fn::Sub": ["https://${Host}/${Stage}", {"Host": {"Fn::Select": [0, ["h.local"]]}}]},
                "LIST": [{"Ref": "AWS::Region"}, {"Fn::GetAtt": "Bus.Name"}, 7, True, None],
            }
        },
        "Plain": {"Key": "Value", "Ref2": "not an intrinsic"},
    }
    assert resolver.resolve(value) == {
        "Environment": {
            "Variables": {
                "TABLE": "Phase-Table",
                "URL": "https://h.local/dev",
                "LIST": ["eu-west-3", "poche-dev-bus", 7, True, None],
            }
        },
        "Plain": {"Key": "Value", "Ref2": "not an intrinsic"},
    }


def test_single_key_dict_that_is_not_an_intrinsic_is_kept(resolver: Resolver) -> None:
    assert resolver.resolve({"Name": {"Ref": "Stage"}}) == {"Name": "dev"}


def test_physical_resources_added_later_are_seen() -> None:
    physical: dict[str, dict[str, Any]] = {}
    resolver = Resolver("S", physical, {})
    with pytest.raises(Unresolved):
        resolver.resolve({"Ref": "Late"})
    physical["Late"] = {"Ref": "late-name"}
    assert resolver.resolve({"Ref": "Late"}) == "late-name"
