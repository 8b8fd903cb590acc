"""`poche user create`: a staff account in the emulated user pool, and a token to try the admin API.

The token printed (alone on the last line) is the ID token: its `aud` is the app client id, which is
what the API's JWT authorizer accepts as audience; its `cognito:groups` and `custom:schools` claims
are what the functions check (403 when the group or the school is missing).
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from typing import Any

UAI = re.compile(r"^[0-9]{7}[A-Z]$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserError(ValueError):
    pass


@dataclass
class UserPool:
    pool_id: str
    client_id: str
    groups: set[str]


def find_pool(cognito: Any) -> UserPool:
    """The platform's one user pool, its app client and its groups."""
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    if len(pools) != 1:
        raise UserError(f"expected one user pool in the local platform, found {len(pools)}")
    pool_id = pools[0]["Id"]
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    if len(clients) != 1:
        raise UserError(f"expected one app client in the user pool, found {len(clients)}")
    groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    return UserPool(pool_id, clients[0]["ClientId"], groups)


def generated_password() -> str:
    """Satisfies the pool's policy: 12+ characters with lower, upper, digit and symbol."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(20))
    return core + secrets.choice(string.ascii_lowercase) + secrets.choice(string.ascii_uppercase) + "7!"


def create_user(cognito: Any, email: str, groups: list[str], schools: list[str]) -> dict[str, str]:
    """Creates (or updates) the user, sets a permanent password, joins the groups; returns its tokens."""
    if not EMAIL.match(email):
        raise UserError(f"{email!r} is not an email address")
    bad = [s for s in schools if not UAI.match(s)]
    if bad:
        raise UserError(f"not UAI codes (7 digits and a capital letter): {', '.join(bad)}")
    pool = find_pool(cognito)
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
        cognito.admin_update_user_attributes(UserPoolId=pool.pool_id, Username=email, UserAttributes=attributes)
    password = generated_password()
    cognito.admin_set_user_password(UserPoolId=pool.pool_id, Username=email, Password=password, Permanent=True)
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool.pool_id, Username=email, GroupName=group)
    result = cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )["AuthenticationResult"]
    return {"id_token": result["IdToken"], "access_token": result["AccessToken"], "pool_id": pool.pool_id}
