"""One owner per device token (issue 9, defect 7), on moto: the personal API with emulated SNS platform endpoints.

SNS keeps one endpoint per token. Before the fix, a token registered on two accounts (a shared tablet) named the
same endpoint in both: the first account's pushes kept reaching the device, and either account's device removal
or erasure deleted the endpoint the other one still used. Now registering a token takes it over (the previous
owner's device goes, the endpoint is reused), and a removal never deletes an endpoint another account owns, even
when the two requests interleave."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from support import Cloud, body
from test_me import Citizen, Me, every_item
from test_me_devices import device_items, endpoints

from notifications_shared.push import Pusher

TABLET = "fcm-token-of-the-family-tablet:APA91bH-0123456789abcdef"


@pytest.fixture
def me(cloud: Cloud, lambda_context: Any) -> Me:
    me = Me(cloud, lambda_context)
    me.devices.sleep = lambda seconds: None  # a registration waiting for a removal does not sleep here
    return me


def register(me: Me, who: Citizen, token: str = TABLET) -> dict[str, Any]:
    return me.call("POST", "/v1/me/devices", who, {"platform": "fcm", "token": token})


def push_targets(cloud: Cloud, who: Citizen) -> list[str]:
    """The endpoints the notifications sender pushes to for this account (the sender's own reader)."""
    pusher = Pusher(cloud.clients["dynamodb"], cloud.clients["sns"], cloud.table("me"))
    return [device["endpoint_arn"] for device in pusher.devices(who.sub)]


def owner_items(cloud: Cloud) -> list[dict[str, Any]]:
    return [item for item in every_item(cloud) if str(item["pk"]).startswith("TOKEN#")]


def test_a_token_registered_on_a_second_account_is_taken_over_and_pushes_reach_that_account_only(
    me: Me, cloud: Cloud
) -> None:
    alice, bob = me.citizen("alice@example.org"), me.citizen("bob@example.org")
    assert register(me, alice)["statusCode"] == 201
    [endpoint] = endpoints(cloud)
    assert push_targets(cloud, alice) == [endpoint]

    taken = register(me, bob)
    assert taken["statusCode"] == 201, body(taken)
    assert endpoints(cloud) == [endpoint]  # the same endpoint, reused for the new owner
    assert push_targets(cloud, bob) == [endpoint]
    assert push_targets(cloud, alice) == []  # Alice's pushes no longer reach the tablet
    assert body(me.call("GET", "/v1/me/devices", alice))["items"] == []
    [owner] = owner_items(cloud)
    assert owner["pk"] == "TOKEN#" + hashlib.sha256(TABLET.encode()).hexdigest() and owner["sub"] == bob.sub
    assert TABLET not in str(every_item(cloud))

    back = register(me, alice)  # Alice signs in on the tablet again: the last registration wins
    assert back["statusCode"] == 201
    assert push_targets(cloud, alice) == [endpoint] and push_targets(cloud, bob) == []
    assert len(owner_items(cloud)) == 1 and len(endpoints(cloud)) == 1


def test_removing_or_erasing_the_previous_owner_never_deletes_the_new_owners_endpoint(me: Me, cloud: Cloud) -> None:
    alice, bob = me.citizen("alice@example.org"), me.citizen("bob@example.org")
    alices = body(register(me, alice))
    assert register(me, bob)["statusCode"] == 201
    [endpoint] = endpoints(cloud)

    # Alice's device went with the token: she has nothing to remove (before: 204, and Bob's endpoint deleted).
    assert me.call("DELETE", f"/v1/me/devices/{alices['id']}", alice)["statusCode"] == 404
    assert endpoints(cloud) == [endpoint]
    # Alice erases her account: Bob keeps his device and endpoint.
    assert me.call("DELETE", "/v1/me", alice)["statusCode"] == 204
    assert endpoints(cloud) == [endpoint] and push_targets(cloud, bob) == [endpoint]
    assert [i for i in every_item(cloud) if alice.sub in str(i)] == []

    # Bob removes his device: he owns the token, so the endpoint goes, with the owner item.
    [bobs] = body(me.call("GET", "/v1/me/devices", bob))["items"]
    assert me.call("DELETE", f"/v1/me/devices/{bobs['id']}", bob)["statusCode"] == 204
    assert endpoints(cloud) == [] and owner_items(cloud) == [] and device_items(cloud, bob) == []


def test_concurrent_registrations_of_one_token_leave_one_owner(me: Me, cloud: Cloud) -> None:
    """Alice's registration reads "no owner" and gets the endpoint; before it commits, Bob's registration of the
    same token commits. Alice's transaction then fails on the owner's version, reads again and takes the token
    over from Bob: one owner, one device, one endpoint."""
    alice, bob = me.citizen("alice@example.org"), me.citizen("bob@example.org")
    devices = me.devices
    real_endpoint = devices.endpoint
    interleaved: list[str] = []

    def endpoint(application: str, token: str) -> str:
        arn = real_endpoint(application, token)
        if not interleaved:
            interleaved.append("bob")
            devices.endpoint = real_endpoint
            claim = devices.claim(bob.sub, "fcm", application, token, me.now)
            assert claim.created
            devices.endpoint = endpoint
        return arn

    devices.endpoint = endpoint
    assert register(me, alice)["statusCode"] == 201
    assert interleaved == ["bob"]
    assert [d["sub"] for d in owner_items(cloud)] == [alice.sub]
    assert len(device_items(cloud, alice)) == 1 and device_items(cloud, bob) == []
    assert len(endpoints(cloud)) == 1


def test_a_registration_during_another_accounts_removal_waits_then_gets_its_own_endpoint(me: Me, cloud: Cloud) -> None:
    """Alice removes her device: she holds the token's lease when Bob registers the same token. Bob is told to
    retry (409) rather than being given the endpoint about to be deleted; once the removal is done, he gets an
    endpoint of his own, and pushes reach him."""
    alice, bob = me.citizen("alice@example.org"), me.citizen("bob@example.org")
    alices = body(register(me, alice))
    [first] = endpoints(cloud)
    devices = me.devices
    [device] = device_items(cloud, alice)
    answers: list[int] = []

    def bob_registers() -> None:
        answers.append(register(me, bob)["statusCode"])

    assert devices.release(alice.sub, device, before_endpoint=bob_registers) is True
    assert answers == [409]
    assert first not in endpoints(cloud) and owner_items(cloud) == []
    assert device_items(cloud, alice) == [] and alices["id"]

    assert register(me, bob)["statusCode"] == 201
    [second] = endpoints(cloud)
    assert push_targets(cloud, bob) == [second] and [o["sub"] for o in owner_items(cloud)] == [bob.sub]


def test_a_removal_that_lost_the_token_meanwhile_leaves_the_endpoint(me: Me, cloud: Cloud) -> None:
    """Bob's registration commits after Alice's removal read her device but before it took the lease: the lease
    is refused (the token names Bob's device), so Alice's removal only forgets her device."""
    alice, bob = me.citizen("alice@example.org"), me.citizen("bob@example.org")
    register(me, alice)
    [device] = device_items(cloud, alice)
    assert register(me, bob)["statusCode"] == 201
    [endpoint] = endpoints(cloud)

    assert me.devices.release(alice.sub, device) is False
    assert endpoints(cloud) == [endpoint] and push_targets(cloud, bob) == [endpoint]


def test_a_device_registered_before_owner_items_is_adopted_then_taken_over(me: Me, cloud: Cloud) -> None:
    """Devices registered before this change have no owner item: registering again adopts the token, so that a
    later registration by another account detaches it."""
    from poche_common.dynamo import to_item

    alice, bob = me.citizen("alice@example.org"), me.citizen("bob@example.org")
    register(me, alice)
    table = cloud.table("me")
    client = cloud.clients["dynamodb"]
    [device] = device_items(cloud, alice)
    legacy = {k: v for k, v in device.items() if k != "owner_version"}
    client.put_item(TableName=table, Item=to_item(legacy))
    for owner in owner_items(cloud):
        client.delete_item(TableName=table, Key=to_item({"pk": owner["pk"], "sk": owner["sk"]}))

    assert register(me, alice)["statusCode"] == 200  # the same token again: adopted
    assert [o["sub"] for o in owner_items(cloud)] == [alice.sub]
    assert register(me, bob)["statusCode"] == 201
    assert push_targets(cloud, alice) == [] and len(push_targets(cloud, bob)) == 1
