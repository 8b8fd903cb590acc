"""Core's user pool provisioned into the emulation, `poche user create`, and the local gateway's JWT
authorizer: 401 without a valid token, the claims in the payload 2.0 event otherwise."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from moto.server import ThreadedMotoServer
from support import Synthesized

from poche_local.assembly import load_assembly
from poche_local.gateway import Router, make_handler, serve
from poche_local.jwt import JwtVerifier, cognito_jwks_fetcher
from poche_local.model import RouteSpec
from poche_local.platform import aws_clients, free_port
from poche_local.provision import Provisioner
from poche_local.users import UserError, create_user

ROUTE = "/v1/admin/schools/{uai}/notices"


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
    routes = [RouteSpec("POST", ROUTE, "schools", "Proximity", authorizer), RouteSpec("GET", "/v1/open", "x", "P")]
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
