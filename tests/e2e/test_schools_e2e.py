"""`make run` with accounts: a token from `poche user create` publishes a school notice that the public API then
shows; the local gateway refuses missing, forged and expired tokens (401) and the function refuses another
group or another school (403). Dates are built relative to now, so these tests hold whatever the date."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from platform_support import RunningPlatform, json_get

pytestmark = pytest.mark.e2e

RACINE = "0610003X"  # Collège Jean Racine, Alençon
MOLIERE = "0610745D"  # Collège Molière, L'Aigle
PARIS = dt.timezone(dt.timedelta(hours=1))


def token(platform: RunningPlatform, email: str, group: str, *schools: str) -> str:
    args = ["user", "create", "--email", email, "--group", group]
    for uai in schools:
        args += ["--school", uai]
    result = platform.poche(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def send(url: str, method: str, payload: Any = None, bearer: str | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": "application/json"}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def notice(title: str) -> dict[str, str]:
    start = (dt.datetime.now(PARIS) + dt.timedelta(days=1)).replace(microsecond=0)
    return {
        "title": title,
        "body": "Les cours de l'après-midi sont remplacés par une réunion d'information.",
        "kind": "timetable_change",
        "starts": start.isoformat(),
        "ends": (start + dt.timedelta(hours=3)).isoformat(),
    }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def expired_twin(valid: str) -> str:
    """The same claims, expired an hour ago, signed with the emulated user pool's own key (moto's): a token
    whose signature, issuer and audience are right, and only its expiry is wrong."""
    from joserfc import jwk, jwt
    from moto.utilities.utils import load_resource

    payload = valid.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    now = int(time.time())
    claims.update({"iat": now - 7200, "auth_time": now - 7200, "exp": now - 3600})
    key = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    return str(jwt.encode({"kid": "dummy", "alg": "RS256"}, claims, key))


def forged(valid: str) -> str:
    header, payload, signature = valid.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[10] ^= 0xFF
    return f"{header}.{payload}.{_b64(bytes(raw))}"


def test_staff_publishes_then_citizens_see_it_then_it_is_withdrawn(platform: RunningPlatform) -> None:
    staff = token(platform, "direction.racine@example.test", "school-staff", RACINE)
    admin_url = f"{platform.base_url}/v1/admin/schools/{RACINE}/notices"
    status, headers, raw = send(admin_url, "POST", notice("Réunion parents-professeurs"), staff)
    assert status == 201, raw
    created = json.loads(raw)
    assert headers["location"] == f"/v1/admin/schools/{RACINE}/notices/{created['id']}"

    public = json_get(f"{platform.base_url}/v1/schools/{RACINE}/notices")
    assert created in public["items"] and public["school"]["name"] == "Collège Jean Racine"

    status, _, raw = send(f"{admin_url}/{created['id']}", "PATCH", {"title": "Réunion reportée"}, staff)
    assert status == 200 and json.loads(raw)["title"] == "Réunion reportée"
    status, _, _ = send(f"{admin_url}/{created['id']}", "DELETE", None, staff)
    assert status == 204
    after = json_get(f"{platform.base_url}/v1/schools/{RACINE}/notices")
    assert created["id"] not in [n["id"] for n in after["items"]]

    listed = json_get(f"{platform.base_url}/v1/schools?commune=61001")
    assert RACINE in [s["uai"] for s in listed["items"]]


def test_tokens_are_verified_by_the_gateway(platform: RunningPlatform) -> None:
    staff = token(platform, "secretariat.racine@example.test", "school-staff", RACINE)
    admin_url = f"{platform.base_url}/v1/admin/schools/{RACINE}/notices"
    for bearer in (None, forged(staff), expired_twin(staff), "not-a-token"):
        status, _, raw = send(admin_url, "POST", notice("Ne doit pas paraître"), bearer)
        assert status == 401, (bearer, raw)
        assert json.loads(raw) == {"message": "Unauthorized"}


def test_other_groups_and_other_schools_are_forbidden(platform: RunningPlatform) -> None:
    editor = token(platform, "redaction@example.test", "editors", RACINE)
    other_school = token(platform, "direction.moliere@example.test", "school-staff", MOLIERE)
    admin_url = f"{platform.base_url}/v1/admin/schools/{RACINE}/notices"
    for bearer in (editor, other_school):
        status, headers, raw = send(admin_url, "POST", notice("Ne doit pas paraître"), bearer)
        assert status == 403, raw
        assert headers["content-type"].startswith("application/problem+json")
    titles = [n["title"] for n in json_get(f"{platform.base_url}/v1/schools/{RACINE}/notices")["items"]]
    assert "Ne doit pas paraître" not in titles
    status, _, _ = send(
        f"{platform.base_url}/v1/admin/schools/{MOLIERE}/notices", "POST", notice("Molière"), other_school
    )
    assert status == 201
