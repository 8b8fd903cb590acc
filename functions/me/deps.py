"""What the personal API's routes use, built once per execution environment on first use (not at import), from
the function's environment. Tests build their own (`Deps(...)` with fakes) and pass it with
`dependencies.override(...)`, or change a field of the built one."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from me_shared.ports import DeviceRegistry, Eraser, Identity
from poche_common.clock import utc_now
from poche_common.settings import optional_int, required
from poche_common.wiring import Provider

from .ports import PersonalData, Queue, TileTypes


@dataclass
class Deps:
    store: PersonalData
    catalogue: TileTypes
    devices: DeviceRegistry
    identity: Identity
    erasure_queue: Queue
    erasure: Eraser
    tile_reader: Callable[[], Any]  # a new reader of the tiles' tables (`home_shared.store.BatchReader`) per request
    push_applications: dict[str, str]  # {"fcm": <platform application ARN>, "apns": ...}; {}: push not configured
    clock: Callable[[], dt.datetime] = utc_now


def build() -> Deps:
    """The adapters over DynamoDB (created now), SNS, Cognito and SQS (created on their first use: most requests
    need none of them). The devices, identity and erasure adapters are built, and their modules imported, by the
    first request that uses them (`me_shared.lazy.Lazy`): a home-screen request never compiles them."""
    import boto3

    from home_shared.catalogue import Catalogue
    from home_shared.store import BatchReader
    from me_shared.lazy import Lazy, LazyClient

    from .adapters import ErasureQueue
    from .store import PersonalStore

    dynamodb = boto3.client("dynamodb")
    table = required("TABLE_NAME")
    pool_id = required("CITIZEN_USER_POOL_ID")
    store = PersonalStore(dynamodb, table, required("TRANSIT_TABLE"))

    def devices() -> DeviceRegistry:
        from me_shared.devices import Devices

        return Devices(dynamodb, LazyClient("sns"), table)

    def identity() -> Identity:
        from me_shared.identity import CognitoIdentity

        return CognitoIdentity(LazyClient("cognito-idp"), pool_id)

    lazy_devices, lazy_identity = cast(DeviceRegistry, Lazy(devices)), cast(Identity, Lazy(identity))

    def erasure() -> Eraser:
        from me_shared.erasure import Erasure

        return Erasure(store.personal, lazy_devices, lazy_identity)

    return Deps(
        store=store,
        catalogue=Catalogue(None, required("TILES_PARAMETER_PATH"), ttl_s=optional_int("TILES_REFRESH_SECONDS", 300)),
        devices=lazy_devices,
        identity=lazy_identity,
        erasure_queue=ErasureQueue(LazyClient("sqs"), os.environ.get("ERASURE_QUEUE_URL") or ""),
        erasure=cast(Eraser, Lazy(erasure)),
        tile_reader=lambda: BatchReader(dynamodb),
        push_applications=json.loads(os.environ.get("PUSH_APPLICATIONS") or "{}"),
    )


dependencies: Provider[Deps] = Provider(build)
