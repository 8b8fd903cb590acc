"""Mobile push locally: the provisioning gives the functions emulated SNS platform applications when the
territory configures none, and `poche notifications --user EMAIL` shows a citizen's inbox and the pushes the
emulated SNS recorded for their devices (read through the moto server's API)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer
from support import Synthesized
from test_provision import _aws_env, _clients, core_stack, function_resource, make_assets, phase_stack, phase_template

from poche_local.assembly import load_assembly
from poche_local.cli import main
from poche_local.platform import aws_clients, free_port
from poche_local.provision import Provisioner
from poche_local.users import create_citizen

CONFIGURED = '{"fcm": "arn:aws:sns:eu-west-3:123456789012:app/GCM/poche-prod-fcm"}'


def test_functions_without_push_applications_get_the_emulated_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _aws_env(monkeypatch)
    template = phase_template()
    template["Resources"]["Unconfigured"] = function_resource({"PUSH_APPLICATIONS": "{}"})
    template["Resources"]["AlsoUnconfigured"] = function_resource({"PUSH_APPLICATIONS": "{}"})
    template["Resources"]["Configured"] = function_resource({"PUSH_APPLICATIONS": CONFIGURED})
    with mock_aws():
        clients = _clients()
        spec = Provisioner(clients).provision([core_stack(), phase_stack(make_assets(tmp_path), template)])
        applications = clients["sns"].list_platform_applications()["PlatformApplications"]
    arns = {a["PlatformApplicationArn"] for a in applications}
    assert arns == {
        "arn:aws:sns:eu-west-3:123456789012:app/GCM/poche-fcm",
        "arn:aws:sns:eu-west-3:123456789012:app/APNS/poche-apns",
    }
    environments = {f.logical_id: f.environment for f in spec.functions.values()}
    emulated = json.loads(environments["Unconfigured"]["PUSH_APPLICATIONS"])
    assert emulated == {
        "fcm": "arn:aws:sns:eu-west-3:123456789012:app/GCM/poche-fcm",
        "apns": "arn:aws:sns:eu-west-3:123456789012:app/APNS/poche-apns",
    }
    assert environments["AlsoUnconfigured"]["PUSH_APPLICATIONS"] == environments["Unconfigured"]["PUSH_APPLICATIONS"]
    assert environments["Configured"]["PUSH_APPLICATIONS"] == CONFIGURED  # a deployment's setting is kept
    others = [e for name, e in environments.items() if name not in ("Unconfigured", "AlsoUnconfigured", "Configured")]
    assert others and not [e for e in others if "PUSH_APPLICATIONS" in e]  # no variable: none added


@pytest.fixture(scope="module")
def platform(synthesized: Synthesized) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    clients = aws_clients(endpoint)
    spec = Provisioner(clients).provision(load_assembly(synthesized.outdir))
    yield endpoint, clients, spec.to_json()
    server.stop()


def test_poche_notifications_shows_the_inbox_and_the_recorded_pushes(
    platform: tuple[str, dict[str, Any], dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    endpoint, clients, spec = platform
    me = next(f for f in spec["functions"].values() if f["handler"].startswith("me."))
    table = me["environment"]["TABLE_NAME"]
    applications = json.loads(me["environment"]["PUSH_APPLICATIONS"])
    create_citizen(clients["cognito-idp"], "parent@example.org")
    pool = next(
        p for p in clients["cognito-idp"].list_user_pools(MaxResults=60)["UserPools"] if "citizens" in p["Name"]
    )
    user = clients["cognito-idp"].admin_get_user(UserPoolId=pool["Id"], Username="parent@example.org")
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")

    arn = clients["sns"].create_platform_endpoint(PlatformApplicationArn=applications["fcm"], Token="tok-1")[
        "EndpointArn"
    ]
    other = clients["sns"].create_platform_endpoint(PlatformApplicationArn=applications["fcm"], Token="tok-2")[
        "EndpointArn"
    ]
    items = [
        {"pk": f"USER#{sub}", "sk": "DEVICE#" + "a" * 32, "platform": "fcm", "endpoint_arn": arn},
        {"pk": f"USER#{sub}", "sk": "NOTE#2026-11-28T08:00:00+00:00#e1", "kind": "school", "title": "Avis ancien",
         "body": "Réunion", "url": "/v1/schools/0610003X/notices", "occurred_at": "2026-11-28T08:00:00+00:00",
         "push": "sent", "read_at": "2026-11-28T09:00:00+00:00"},
        {"pk": f"USER#{sub}", "sk": "NOTE#2026-11-29T08:00:00+00:00#e2", "kind": "school", "title": "Avis récent",
         "body": "Sortie reportée", "url": "/v1/schools/0610003X/notices", "occurred_at": "2026-11-29T08:00:00+00:00",
         "push": "sent"},
    ]  # fmt: skip
    for item in items:
        clients["dynamodb"].put_item(TableName=table, Item={k: {"S": v} for k, v in item.items()})
    message = {
        "default": "Sortie reportée",
        "GCM": json.dumps({"notification": {"title": "Avis récent", "body": "Sortie reportée"}, "data": {}}),
        "APNS": json.dumps({"aps": {"alert": {"title": "Avis récent", "body": "Sortie reportée"}}}),
    }
    clients["sns"].publish(TargetArn=arn, MessageStructure="json", Message=json.dumps(message))
    clients["sns"].publish(TargetArn=other, Message="someone else's")

    (tmp_path / "run.json").write_text(json.dumps({"pid": os.getpid(), "endpoint": endpoint, "spec": spec}))
    monkeypatch.setenv("POCHE_STATE_DIR", str(tmp_path))
    capsys.readouterr()
    assert main(["notifications", "--user", "parent@example.org"]) == 0
    out = capsys.readouterr().out
    assert "2 notification(s)" in out and out.index("Avis récent") < out.index("Avis ancien")
    assert "(unread, push sent)" in out and "(read, push sent)" in out
    assert "pushes recorded by the emulated SNS: 1" in out and "fcm: Avis récent: Sortie reportée" in out
    assert "someone else's" not in out and sub not in out

    assert main(["notifications", "--user", "nobody@example.org"]) == 2
    assert "no citizen nobody@example.org" in capsys.readouterr().err
