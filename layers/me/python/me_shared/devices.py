"""One owner per device token: the SNS platform endpoint of a token pushes to one account only.

SNS keeps one endpoint per (application, token): `CreatePlatformEndpoint` answers the existing one. So when a
second account registered a token (a shared tablet, a phone changing hands), both accounts named the same
endpoint: the first one's pushes kept reaching the device, and either account's removal deleted the other's.

The owner of a token is one item, keyed by the token's digest (the token itself is never stored):

    pk = TOKEN#<sha256(token)>   sk = OWNER   sub, device_id, platform, endpoint_arn, version (changes on every
                                              write), claimed_at; releasing_until (epoch s) while a removal runs

- **Registering** (`claim`) reads the owner (consistent), gets the endpoint from SNS (the same ARN for the same
  token: it is reused, enabled again if SNS disabled it), then in ONE transaction: the owner item put, conditional
  on the version read (absent if none); the caller's tombstone check; the caller's DEVICE item put unless it
  exists; the previous owner's DEVICE item deleted. Two concurrent registrations cannot both commit: the second
  finds the version changed, reads again and takes the token over properly (the last registration wins).
- **Removing** (`release`, for `DELETE /v1/me/devices/{id}` and the erasure) first takes a lease on the owner
  item, conditional on it naming this device (`releasing_until`, new version); only then deletes the endpoint,
  then the DEVICE item and the owner item (conditional on the lease's version). A device that is no longer the
  token's owner is only forgotten: its endpoint belongs to someone else and is never deleted. A registration that
  finds a lease waits for it (a few tenths of a second) or answers 409; a lease left by a crashed removal expires
  after `LEASE` (longer than any function's timeout), and the version check keeps the late removal harmless.

Neither the token, the device id, the endpoint nor the `sub` is ever logged.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import Any

from poche_common.clock import to_utc_iso
from poche_common.dynamo import from_item, to_item
from poche_common.errors import ConflictError, UnauthorizedError

from .keys import DEVICE, GONE_DETAIL, OWNER, TOMBSTONE, device_id_of, gone_pk, owner_pk, token_digest, user_pk
from .personal import is_conditional_failure, key
from .ports import Claim, EndpointError

LEASE = dt.timedelta(minutes=2)  # longer than the timeout of `me` (10 s) and of `me_erasure` (60 s)
CLAIM_ATTEMPTS = 6
WAIT_S = 0.15  # then 0.3, 0.45...: about 2 s in all before a 409
GONE_ENDPOINT = ("NotFound", "NotFoundException")
BUSY = "Cet appareil est en cours de retrait d'un autre compte : réessayez dans un instant."


def _code(exc: Exception) -> str:
    return str((getattr(exc, "response", None) or {}).get("Error", {}).get("Code") or type(exc).__name__)


class Devices:
    def __init__(
        self,
        dynamodb: Any,
        sns: Any,
        table: str,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.dynamodb = dynamodb
        self.sns = sns
        self.table = table
        self.clock = clock
        self.sleep = sleep

    # --- reads --------------------------------------------------------------------------------
    def owner(self, digest: str) -> dict[str, Any] | None:
        """The token's owner item (consistent read), None if nobody owns it."""
        page = self.dynamodb.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND sk = :sk",
            ExpressionAttributeValues={":pk": {"S": owner_pk(digest)}, ":sk": {"S": OWNER}},
            ConsistentRead=True,
        )
        items = page.get("Items", [])
        return from_item(items[0]) if items else None

    # --- SNS ----------------------------------------------------------------------------------
    def endpoint(self, application: str, token: str) -> str:
        """The SNS platform endpoint of the token (CreatePlatformEndpoint is idempotent for one token), enabled
        again if SNS had disabled it. EndpointError (with SNS's code only) when SNS refuses."""
        try:
            created = self.sns.create_platform_endpoint(PlatformApplicationArn=application, Token=token)
            arn = str(created["EndpointArn"])
            attributes = self.sns.get_endpoint_attributes(EndpointArn=arn).get("Attributes", {})
            if attributes.get("Enabled") != "true" or attributes.get("Token") != token:
                self.sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Token": token, "Enabled": "true"})
        except Exception as exc:
            if not hasattr(exc, "response"):
                raise
            raise EndpointError("endpoint", _code(exc)) from None
        return arn

    def delete_endpoint(self, arn: str) -> None:
        try:
            self.sns.delete_endpoint(EndpointArn=arn)
        except Exception as exc:  # already gone: nothing to do; anything else is raised without the ARN
            if not hasattr(exc, "response"):
                raise
            if _code(exc) not in GONE_ENDPOINT:
                raise EndpointError("DeleteEndpoint", _code(exc)) from None

    # --- registering --------------------------------------------------------------------------
    def claim(
        self,
        sub: str,
        platform: str,
        application: str,
        token: str,
        now: dt.datetime,
        on_endpoint: Callable[[], None] | None = None,
    ) -> Claim:
        """Registers `token` for `sub`: the token's endpoint, the owner item naming this account's device, the
        DEVICE item, and the previous owner's DEVICE item removed, in one transaction (see the module).
        UnauthorizedError for an erased account, ConflictError while another account's removal of the token
        runs, EndpointError when SNS refuses. `on_endpoint` is called once the endpoint is known (tests use it to
        interleave concurrent requests)."""
        digest = token_digest(token)
        device_id = device_id_of(sub, token)
        for attempt in range(CLAIM_ATTEMPTS):
            owner = self.owner(digest)
            if owner is not None and int(owner.get("releasing_until") or 0) > self.clock():
                self.sleep(WAIT_S * (attempt + 1))
                continue
            arn = self.endpoint(application, token)
            if on_endpoint is not None:
                on_endpoint()
            version = uuid.uuid4().hex
            item = {
                "device_id": device_id,
                "platform": platform,
                "endpoint_arn": arn,
                "token_sha256": digest,
                "created_at": to_utc_iso(now),
                "owner_version": version,
            }
            previous = owner if owner is not None and owner.get("device_id") != device_id else None
            outcome = self._claim(sub, item, owner, previous, version, now)
            if outcome == "retry":
                continue
            return Claim(item, created=outcome == "created", detached=bool(previous and previous.get("sub") != sub))
        raise ConflictError(BUSY)

    def _claim(
        self,
        sub: str,
        item: dict[str, Any],
        owner: dict[str, Any] | None,
        previous: dict[str, Any] | None,
        version: str,
        now: dt.datetime,
    ) -> str:
        """One claim transaction: "created", "exists" (the caller's DEVICE item was there) or "retry" (the owner
        changed since it was read)."""
        owner_item = {
            "pk": owner_pk(item["token_sha256"]),
            "sk": OWNER,
            "sub": sub,
            "device_id": item["device_id"],
            "platform": item["platform"],
            "endpoint_arn": item["endpoint_arn"],
            "version": version,
            "claimed_at": to_utc_iso(now),
        }
        put_owner: dict[str, Any] = {"TableName": self.table, "Item": to_item(owner_item)}
        if owner is None:
            put_owner["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put_owner["ConditionExpression"] = "#v = :version"
            put_owner["ExpressionAttributeNames"] = {"#v": "version"}
            put_owner["ExpressionAttributeValues"] = {":version": {"S": str(owner.get("version", ""))}}
        actions: list[dict[str, Any]] = [
            {"Put": put_owner},
            {
                "ConditionCheck": {
                    "TableName": self.table,
                    "Key": key(gone_pk(sub), TOMBSTONE),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": to_item({**item, "pk": user_pk(sub), "sk": DEVICE + item["device_id"]}),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        if previous is not None and previous.get("sub") and previous.get("device_id"):
            detached = key(user_pk(str(previous["sub"])), DEVICE + str(previous["device_id"]))
            actions.append({"Delete": {"TableName": self.table, "Key": detached}})
        try:
            self.dynamodb.transact_write_items(TransactItems=actions)
        except self.dynamodb.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            failed = [i for i, code in enumerate(reasons) if code == "ConditionalCheckFailed"]
            if 1 in failed:
                raise UnauthorizedError(GONE_DETAIL) from None
            if 0 in failed:
                return "retry"
            if 2 in failed:
                return "exists"
            raise
        return "created"

    def adopt(self, sub: str, device: dict[str, Any], now: dt.datetime) -> None:
        """Makes `device` the owner of its token if nobody owns it: a device registered before owner items
        existed (its DEVICE item has no `owner_version`) becomes the owner at its next registration."""
        if device.get("owner_version") or not device.get("token_sha256"):
            return
        owner_item = {
            "pk": owner_pk(str(device["token_sha256"])),
            "sk": OWNER,
            "sub": sub,
            "device_id": device["device_id"],
            "platform": device.get("platform"),
            "endpoint_arn": device.get("endpoint_arn"),
            "version": uuid.uuid4().hex,
            "claimed_at": to_utc_iso(now),
        }
        try:
            self.dynamodb.put_item(
                TableName=self.table, Item=to_item(owner_item), ConditionExpression="attribute_not_exists(pk)"
            )
        except Exception as exc:
            if not is_conditional_failure(exc):
                raise

    # --- removing -----------------------------------------------------------------------------
    def release(self, sub: str, device: dict[str, Any], before_endpoint: Callable[[], None] | None = None) -> bool:
        """Removes `device` (a DEVICE item of `sub`): its endpoint only while it owns the token (under a lease, see
        the module), the DEVICE item always. Returns whether the endpoint was deleted. `before_endpoint` is called
        between the lease and the endpoint's deletion (tests interleave a concurrent registration there)."""
        device_key = key(user_pk(sub), DEVICE + str(device["device_id"]))
        digest = device.get("token_sha256")
        version = uuid.uuid4().hex
        if not digest or not self._lease(sub, device, str(digest), version):
            self.dynamodb.delete_item(TableName=self.table, Key=device_key)  # the token is someone else's now
            return False
        if before_endpoint is not None:
            before_endpoint()
        if device.get("endpoint_arn"):
            self.delete_endpoint(str(device["endpoint_arn"]))
        try:
            self.dynamodb.transact_write_items(
                TransactItems=[
                    {"Delete": {"TableName": self.table, "Key": device_key}},
                    {
                        "Delete": {
                            "TableName": self.table,
                            "Key": key(owner_pk(str(digest)), OWNER),
                            "ConditionExpression": "#v = :version",
                            "ExpressionAttributeNames": {"#v": "version"},
                            "ExpressionAttributeValues": {":version": {"S": version}},
                        }
                    },
                ]
            )
        except self.dynamodb.exceptions.TransactionCanceledException:
            # The lease expired and another account took the token over meanwhile: only this device goes.
            self.dynamodb.delete_item(TableName=self.table, Key=device_key)
        return True

    def _lease(self, sub: str, device: dict[str, Any], digest: str, version: str) -> bool:
        """Takes the owner item for a removal, if it names this device (or is absent: a device registered before
        owner items existed). False when another device owns the token."""
        try:
            self.dynamodb.update_item(
                TableName=self.table,
                Key=key(owner_pk(digest), OWNER),
                UpdateExpression=(
                    "SET #sub = :sub, device_id = :device, endpoint_arn = :arn, #v = :version, releasing_until = :until"
                ),
                ConditionExpression="attribute_not_exists(pk) OR (device_id = :device AND #sub = :sub)",
                ExpressionAttributeNames={"#sub": "sub", "#v": "version"},
                ExpressionAttributeValues={
                    ":sub": {"S": sub},
                    ":device": {"S": str(device["device_id"])},
                    ":arn": {"S": str(device.get("endpoint_arn") or "")},
                    ":version": {"S": version},
                    ":until": {"N": str(int(self.clock() + LEASE.total_seconds()))},
                },
            )
        except Exception as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True
