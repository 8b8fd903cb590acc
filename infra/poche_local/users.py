"""`poche user create`: an account in one of the emulated user pools, and a token to try the API.

Core has two pools, told apart by the end of their name: `poche-<stage>-staff` (created by an administrator,
groups and `custom:schools`: the admin API) and `poche-<stage>-citizens` (self sign-up, no groups: `/v1/me`).
The token printed (alone on the last line) is the ID token: its `aud` is the pool's app client id, which is
what the route's JWT authorizer accepts as audience, so a citizen's token is refused on admin routes (401)
and a staff token on citizens' routes. For staff, the `cognito:groups` and `custom:schools` claims are what
the functions check (403 when the group or the school is missing); for citizens, the `sub` claim.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

UAI = re.compile(r"^[0-9]{7}[A-Z]$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserError(ValueError):
    pass


STAFF = "staff"
CITIZENS = "citizens"
POOL_KINDS = (STAFF, CITIZENS)


@dataclass
class UserPool:
    pool_id: str
    client_id: str
    groups: set[str]


def find_pool(cognito: Any, kind: str = STAFF) -> UserPool:
    """The platform's pool of that kind (its name ends in `-staff` or `-citizens`), its app client and groups."""
    if kind not in POOL_KINDS:
        raise UserError(f"unknown kind of account {kind!r}: {' or '.join(POOL_KINDS)}")
    pools = [p for p in _all_pools(cognito) if str(p["Name"]).endswith(f"-{kind}")]
    if len(pools) != 1:
        raise UserError(
            f"expected one {kind} user pool (name ending in -{kind}) in the local platform, found {len(pools)}"
        )
    pool_id = pools[0]["Id"]
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    if len(clients) != 1:
        raise UserError(f"expected one app client in the {kind} user pool, found {len(clients)}")
    groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    return UserPool(pool_id, clients[0]["ClientId"], groups)


def _all_pools(cognito: Any) -> list[dict[str, Any]]:
    pools: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"MaxResults": 60}
    while True:
        page = cognito.list_user_pools(**kwargs)
        pools += page["UserPools"]
        if not page.get("NextToken"):
            return pools
        kwargs["NextToken"] = page["NextToken"]


def generated_password() -> str:
    """Satisfies both pools' policies (staff 12+, citizens 10+ characters, with lower, upper, digit and symbol)."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(20))
    return core + secrets.choice(string.ascii_lowercase) + secrets.choice(string.ascii_uppercase) + "7!"


def create_user(cognito: Any, email: str, groups: list[str], schools: list[str]) -> dict[str, str]:
    """Creates (or updates) a member of staff, sets a permanent password, joins the groups; returns its tokens."""
    if not EMAIL.match(email):
        raise UserError(f"{email!r} is not an email address")
    bad = [s for s in schools if not UAI.match(s)]
    if bad:
        raise UserError(f"not UAI codes (7 digits and a capital letter): {', '.join(bad)}")
    pool = find_pool(cognito, STAFF)
    unknown = sorted(set(groups) - pool.groups)
    if unknown:
        raise UserError(f"unknown group(s) {', '.join(unknown)}; groups: {', '.join(sorted(pool.groups))}")
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    if schools:
        attributes.append({"Name": "custom:schools", "Value": ",".join(schools)})
    try:
        cognito.admin_create_user(
            UserPoolId=pool.pool_id, Username=email, UserAttributes=attributes, MessageAction="SUPPRESS"
        )
    except cognito.exceptions.UsernameExistsException:
        # The address is the username, so it is unchanged (and moto refuses to set an alias to itself).
        changed = [a for a in attributes if a["Name"] != "email"]
        cognito.admin_update_user_attributes(UserPoolId=pool.pool_id, Username=email, UserAttributes=changed)
    password = generated_password()
    cognito.admin_set_user_password(UserPoolId=pool.pool_id, Username=email, Password=password, Permanent=True)
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool.pool_id, Username=email, GroupName=group)
    return _sign_in(cognito, pool, email, password)


def create_citizen(cognito: Any, email: str) -> dict[str, str]:
    """Signs a citizen up as the app does (self sign-up on the citizens' client), confirms the account as the
    e-mailed code would, and signs in; an existing citizen gets a new password. Returns its tokens."""
    if not EMAIL.match(email):
        raise UserError(f"{email!r} is not an email address")
    pool = find_pool(cognito, CITIZENS)
    password = generated_password()
    try:
        cognito.sign_up(
            ClientId=pool.client_id,
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
        cognito.admin_confirm_sign_up(UserPoolId=pool.pool_id, Username=email)
    except cognito.exceptions.UsernameExistsException:
        # A permanent password also confirms an account whose sign-up was never confirmed.
        cognito.admin_set_user_password(UserPoolId=pool.pool_id, Username=email, Password=password, Permanent=True)
    cognito.admin_update_user_attributes(
        UserPoolId=pool.pool_id, Username=email, UserAttributes=[{"Name": "email_verified", "Value": "true"}]
    )
    return _sign_in(cognito, pool, email, password)


def _sign_in(cognito: Any, pool: UserPool, email: str, password: str) -> dict[str, str]:
    result = cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )["AuthenticationResult"]
    return {"id_token": result["IdToken"], "access_token": result["AccessToken"], "pool_id": pool.pool_id}


def cognito_claims(cognito: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The claims of an ID token as Cognito writes them: the emulation's ID tokens carry `email` but not
    `email_verified`, which Cognito adds from the user's attribute (the payments service lists a citizen's debts by
    their verified e-mail only). Completed from the emulated pool, once per user and process."""
    known: dict[tuple[str, str], str | None] = {}

    def complete(claims: dict[str, Any]) -> dict[str, Any]:
        if claims.get("token_use") != "id" or "email_verified" in claims or "email" not in claims:
            return claims
        pool_id = str(claims.get("iss", "")).rsplit("/", 1)[-1]
        username = str(claims.get("cognito:username") or claims.get("sub"))
        key = (pool_id, username)
        if key not in known:
            try:
                user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
                attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
                known[key] = attributes.get("email_verified")
            except Exception:  # an unknown user: leave the claims as the token says
                known[key] = None
        verified = known[key]
        return claims if verified is None else {**claims, "email_verified": verified == "true"}

    return complete
