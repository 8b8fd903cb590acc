"""The citizen's account in the Cognito user pool (adapter of the `Identity` port, `me_shared.ports`)."""

from __future__ import annotations

import contextlib
from typing import Any


class CognitoIdentity:
    def __init__(self, client: Any, pool_id: str) -> None:
        self.client = client  # a boto3 `cognito-idp` client (created on first use: `me_shared.lazy.LazyClient`)
        self.pool_id = pool_id

    def user(self, username: str) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = self.client.admin_get_user(UserPoolId=self.pool_id, Username=username)
        except self.client.exceptions.UserNotFoundException:
            return None
        return found

    def delete_user(self, username: str) -> None:
        with contextlib.suppress(self.client.exceptions.UserNotFoundException):  # deleted by an earlier run
            self.client.admin_delete_user(UserPoolId=self.pool_id, Username=username)
