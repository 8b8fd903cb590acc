"""`make run` with citizens' accounts: `poche user create --citizen` signs a citizen up in the emulated citizens
pool and prints an ID token that is a valid JWT of that pool (checked against the pool's JWKS, as API Gateway
does), while the staff admin API refuses it (401: another issuer and another audience)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from platform_support import RunningPlatform

from poche_local.jwt import JwtVerifier, Unauthorized, cognito_jwks_fetcher
from poche_local.platform import STATE_FILE, aws_clients

pytestmark = pytest.mark.e2e

RACINE = "0610003X"  # Collège Jean Racine, Alençon
PARIS = dt.timezone(dt.timedelta(hours=1))


def endpoint(platform: RunningPlatform) -> str:
    """The emulation's endpoint, from the state file the running platform writes."""
    state: dict[str, Any] = json.loads((Path(platform.env["POCHE_STATE_DIR"]) / STATE_FILE).read_text())
    return str(state["endpoint"])


def contract(platform: RunningPlatform, name: str) -> str:
    ssm = aws_clients(endpoint(platform))["ssm"]
    return str(ssm.get_parameter(Name=f"/poche/dev/auth/{name}")["Parameter"]["Value"])


def last_line_token(result: Any) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return str(result.stdout.strip().splitlines()[-1])


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def post(url: str, payload: Any, bearer: str) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {bearer}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_a_citizen_token_is_a_jwt_of_the_citizens_pool(platform: RunningPlatform) -> None:
    citizen = last_line_token(platform.poche("user", "create", "--email", "habitante@example.test", "--citizen"))
    verifier = JwtVerifier(cognito_jwks_fetcher(endpoint(platform)))
    issuer, client = contract(platform, "citizens/issuer"), contract(platform, "citizens/user-pool-client-id")
    claims = verifier.verify(citizen, issuer, [client])
    assert claims["token_use"] == "id" and claims["email"] == "habitante@example.test"
    assert claims["sub"] and "cognito:groups" not in claims
    assert issuer.endswith("/" + contract(platform, "citizens/user-pool-id"))
    # Not a token of the staff pool: its issuer and its audience are the citizens'.
    with pytest.raises(Unauthorized, match="wrong issuer"):
        verifier.verify(citizen, contract(platform, "issuer"), [contract(platform, "user-pool-client-id")])
    with pytest.raises(Unauthorized, match="wrong audience"):
        verifier.verify(citizen, issuer, [contract(platform, "user-pool-client-id")])


def test_the_staff_admin_api_refuses_a_citizen_token(platform: RunningPlatform) -> None:
    citizen = last_line_token(platform.poche("user", "create", "--email", "parent@example.test", "--citizen"))
    staff = last_line_token(
        platform.poche(
            "user", "create", "--email", "direction@example.test", "--group", "school-staff", "--school", RACINE
        )
    )
    starts = (dt.datetime.now(PARIS) + dt.timedelta(days=1)).replace(microsecond=0)  # whatever today is
    notice = {
        "title": "Sortie scolaire",
        "body": "Les élèves de sixième visitent le musée.",
        "kind": "other",
        "starts": starts.isoformat(),
        "ends": (starts + dt.timedelta(hours=3)).isoformat(),
    }
    url = f"{platform.base_url}/v1/admin/schools/{RACINE}/notices"
    status, body = post(url, notice, citizen)
    assert (status, json.loads(body)) == (401, {"message": "Unauthorized"})
    assert platform.logged(f"/v1/admin/schools/{RACINE}/notices -> 401 (wrong issuer)")
    # The same request with a staff token of that school goes through: the 401 was the citizen's token.
    status, body = post(url, notice, staff)
    assert status == 201, body


def test_the_cli_refuses_a_citizen_with_a_group_or_a_school(platform: RunningPlatform) -> None:
    for extra in (["--group", "editors"], ["--school", RACINE]):
        result = platform.poche("user", "create", "--email", "habitant@example.test", "--citizen", *extra)
        assert result.returncode == 2
        assert "no group and no school" in result.stderr and result.stdout == ""
