"""Core's two user pools (staff, citizens) provisioned into the emulation, `poche user create` for both, and the
local gateway's JWT authorizer: 401 without a valid token or with the other pool's, the claims otherwise."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from moto.server import ThreadedMotoServer
from support import Synthesized

from poche_local.assembly import load_assembly
from poche_local.cli import main
from poche_local.gateway import Router, make_handler, serve
from poche_local.jwt import JwtVerifier, cognito_jwks_fetcher
from poche_local.model import RouteSpec
from poche_local.platform import aws_clients, free_port
from poche_local.provision import Provisioner
from poche_local.users import UserError, create_citizen, create_user, find_pool

ROUTE = "/v1/admin/schools/{uai}/notices"
ME_ROUTE = "/v1/me/home/layout"


@pytest.fixture(scope="module")
def emulation(synthesized: Synthesized) -> Iterator[tuple[str, dict[str, Any]]]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    clients = aws_clients(endpoint)
    core = [s for s in load_assembly(synthesized.outdir) if s.name.endswith("-Core")]
    Provisioner(clients).provision(core)
    yield endpoint, clients
    server.stop()


def contract(clients: dict[str, Any], name: str) -> str:
    return str(clients["ssm"].get_parameter(Name=f"/poche/dev/auth/{name}")["Parameter"]["Value"])


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def test_core_user_pool_client_and_groups_are_provisioned(emulation: tuple[str, dict[str, Any]]) -> None:
    _, clients = emulation
    cognito = clients["cognito-idp"]
    pool_id = contract(clients, "user-pool-id")
    assert contract(clients, "issuer") == f"https://cognito-idp.eu-west-3.amazonaws.com/{pool_id}"
    groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    assert groups == {"school-staff", "editors", "finance"}
    (client,) = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)["UserPoolClients"]
    assert client["ClientId"] == contract(clients, "user-pool-client-id")


def test_user_create_refuses_unknown_groups_and_bad_uai(emulation: tuple[str, dict[str, Any]]) -> None:
    cognito = emulation[1]["cognito-idp"]
    with pytest.raises(UserError, match="unknown group"):
        create_user(cognito, "agent@example.org", ["admins"], [])
    with pytest.raises(UserError, match="UAI"):
        create_user(cognito, "agent@example.org", ["school-staff"], ["61xx"])


@pytest.fixture(scope="module")
def gateway(emulation: tuple[str, dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    endpoint, clients = emulation
    authorizer = {"issuer": contract(clients, "issuer"), "audience": [contract(clients, "user-pool-client-id")]}
    citizens = {
        "issuer": contract(clients, "citizens/issuer"),
        "audience": [contract(clients, "citizens/user-pool-client-id")],
    }
    routes = [
        RouteSpec("POST", ROUTE, "schools", "Proximity", authorizer),
        RouteSpec("GET", "/v1/open", "x", "P"),
        RouteSpec("GET", ME_ROUTE, "me", "Proximity", citizens),
    ]
    events: list[dict[str, Any]] = []

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        events.append(event)
        return {"statusCode": 201, "body": "{}"}

    handler = make_handler(
        Router(routes), invoke, lambda _: None, lambda _: None, JwtVerifier(cognito_jwks_fetcher(endpoint))
    )
    server = serve(0, handler)
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", events
    server.shutdown()


def call(url: str, token: str | None, method: str = "POST") -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=b"{}" if method == "POST" else None, method=method)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_gateway_refuses_missing_and_forged_tokens(
    emulation: tuple[str, dict[str, Any]], gateway: tuple[str, list[dict[str, Any]]]
) -> None:
    base, events = gateway
    events.clear()
    url = f"{base}/v1/admin/schools/0610001A/notices"
    assert call(url, None) == (401, b'{"message":"Unauthorized"}')
    assert call(url, "not-a-token") == (401, b'{"message":"Unauthorized"}')
    token = create_user(emulation[1]["cognito-idp"], "agent@example.org", ["school-staff"], ["0610001A"])
    head, body, signature = token["id_token"].split(".")
    assert call(url, f"{head}.{body}.{signature[::-1]}")[0] == 401
    assert call(url, token["access_token"])[0] == 201  # an access token: client_id is the audience
    assert call(f"{base}/v1/open", None, method="GET")[0] == 201  # public route: no authorizer
    assert len(events) == 2


def test_gateway_passes_the_claims_of_a_valid_id_token(
    emulation: tuple[str, dict[str, Any]], gateway: tuple[str, list[dict[str, Any]]]
) -> None:
    base, events = gateway
    events.clear()
    token = create_user(emulation[1]["cognito-idp"], "staff@example.org", ["school-staff", "editors"], ["0610001A"])
    status, _ = call(f"{base}/v1/admin/schools/0610001A/notices", token["id_token"])
    assert status == 201
    jwt = events[0]["requestContext"]["authorizer"]["jwt"]
    assert jwt["claims"]["custom:schools"] == "0610001A"
    assert jwt["claims"]["cognito:groups"] in ("[school-staff editors]", "[editors school-staff]")
    assert jwt["claims"]["aud"] == contract(emulation[1], "user-pool-client-id")
    assert jwt["scopes"] is None
    assert json.loads(events[0]["body"]) == {}


# --- citizens -----------------------------------------------------------------------------------------------


def test_both_pools_are_provisioned_and_told_apart_by_name(emulation: tuple[str, dict[str, Any]]) -> None:
    _, clients = emulation
    cognito = clients["cognito-idp"]
    names = {p["Id"]: p["Name"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"]}
    assert sorted(names.values()) == ["poche-dev-citizens", "poche-dev-staff"]
    staff, citizens = find_pool(cognito, "staff"), find_pool(cognito, "citizens")
    assert names[staff.pool_id] == "poche-dev-staff" and staff.pool_id == contract(clients, "user-pool-id")
    assert names[citizens.pool_id] == "poche-dev-citizens"
    assert citizens.pool_id == contract(clients, "citizens/user-pool-id")
    assert citizens.client_id == contract(clients, "citizens/user-pool-client-id")
    assert contract(clients, "citizens/issuer") == f"https://cognito-idp.eu-west-3.amazonaws.com/{citizens.pool_id}"
    assert citizens.groups == set() and staff.groups == {"school-staff", "editors", "finance"}
    assert find_pool(cognito).pool_id == staff.pool_id  # staff by default, as before


class FakeCognito:
    """`list_user_pools` in pages of one, for the pool lookup's pagination and its refusals."""

    def __init__(self, names: list[str]) -> None:
        self.pools = [{"Id": f"eu-west-3_{i}", "Name": name} for i, name in enumerate(names)]

    def list_user_pools(self, MaxResults: int, NextToken: str = "0") -> dict[str, Any]:
        start = int(NextToken)
        page: dict[str, Any] = {"UserPools": self.pools[start : start + 1]}
        if start + 1 < len(self.pools):
            page["NextToken"] = str(start + 1)
        return page

    def list_user_pool_clients(self, UserPoolId: str, MaxResults: int) -> dict[str, Any]:
        return {"UserPoolClients": [{"ClientId": f"client-of-{UserPoolId}"}]}

    def list_groups(self, UserPoolId: str) -> dict[str, Any]:
        return {"Groups": []}


def test_find_pool_reads_every_page_and_refuses_a_missing_or_ambiguous_pool() -> None:
    found = find_pool(FakeCognito(["other", "poche-dev-staff", "poche-dev-citizens"]), "citizens")
    assert (found.pool_id, found.client_id) == ("eu-west-3_2", "client-of-eu-west-3_2")
    with pytest.raises(UserError, match=r"expected one citizens user pool .* found 0"):
        find_pool(FakeCognito(["poche-dev-staff"]), "citizens")
    with pytest.raises(UserError, match=r"expected one staff user pool .* found 2"):
        find_pool(FakeCognito(["poche-dev-staff", "poche-prod-staff"]), "staff")
    with pytest.raises(UserError, match="unknown kind"):
        find_pool(FakeCognito(["poche-dev-staff"]), "admins")


def test_a_citizen_signs_up_and_gets_a_token_of_the_citizens_pool(emulation: tuple[str, dict[str, Any]]) -> None:
    _, clients = emulation
    cognito = clients["cognito-idp"]
    tokens = create_citizen(cognito, "habitant@example.org")
    claims = claims_of(tokens["id_token"])
    assert claims["iss"] == contract(clients, "citizens/issuer")
    assert claims["aud"] == contract(clients, "citizens/user-pool-client-id")
    assert claims["token_use"] == "id" and "cognito:groups" not in claims and "custom:schools" not in claims
    assert tokens["pool_id"] == contract(clients, "citizens/user-pool-id")
    user = cognito.admin_get_user(UserPoolId=tokens["pool_id"], Username="habitant@example.org")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    staff_pool = contract(clients, "user-pool-id")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=staff_pool, Username="habitant@example.org")
    again = create_citizen(cognito, "habitant@example.org")  # an existing citizen: a new password, same account
    assert claims_of(again["id_token"])["sub"] == claims["sub"]


def test_create_citizen_refuses_a_bad_email(emulation: tuple[str, dict[str, Any]]) -> None:
    with pytest.raises(UserError, match="not an email"):
        create_citizen(emulation[1]["cognito-idp"], "habitant")


def test_each_route_accepts_only_the_tokens_of_its_own_pool(
    emulation: tuple[str, dict[str, Any]], gateway: tuple[str, list[dict[str, Any]]]
) -> None:
    base, events = gateway
    events.clear()
    cognito = emulation[1]["cognito-idp"]
    citizen = create_citizen(cognito, "lectrice@example.org")
    staff = create_user(cognito, "direction@example.org", ["school-staff"], ["0610001A"])
    admin_url, me_url = f"{base}/v1/admin/schools/0610001A/notices", f"{base}{ME_ROUTE}"
    for bearer in (citizen["id_token"], citizen["access_token"]):
        assert call(admin_url, bearer) == (401, b'{"message":"Unauthorized"}')
    for other in (staff["id_token"], staff["access_token"], None):
        assert call(me_url, other, method="GET") == (401, b'{"message":"Unauthorized"}')
    assert events == []
    assert call(me_url, citizen["id_token"], method="GET")[0] == 201
    (event,) = events
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == claims_of(citizen["id_token"])["sub"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--citizen", "--group", "editors"], "no group and no school"),
        (["--citizen", "--school", "0610001A"], "no group and no school"),
        ([], "needs --group"),
    ],
)
def test_cli_refuses_groups_and_schools_for_a_citizen(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["user", "create", "--email", "habitant@example.org", *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_cli_creates_a_citizen_of_the_running_platform(
    emulation: tuple[str, dict[str, Any]],
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import os

    endpoint, clients = emulation
    (tmp_path / "run.json").write_text(json.dumps({"pid": os.getpid(), "endpoint": endpoint}))
    monkeypatch.setenv("POCHE_STATE_DIR", str(tmp_path))
    assert main(["user", "create", "--email", "voisin@example.org", "--citizen"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("citizen voisin@example.org of pool ")
    claims = claims_of(lines[-1])
    assert (
        claims["aud"] == contract(clients, "citizens/user-pool-client-id") and claims["email"] == "voisin@example.org"
    )
    assert main(["user", "create", "--email", "redaction@example.org", "--group", "editors"]) == 0  # staff as before
    staff_claims = claims_of(capsys.readouterr().out.strip().splitlines()[-1])
    assert staff_claims["aud"] == contract(clients, "user-pool-client-id")
    assert staff_claims["cognito:groups"] == ["editors"]
