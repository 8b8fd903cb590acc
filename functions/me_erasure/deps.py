"""What the erasure worker uses, built once per execution environment on first use (not at import)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from me_shared.ports import Eraser
from poche_common.clock import utc_now
from poche_common.settings import required
from poche_common.wiring import Provider


@dataclass
class Deps:
    erasure: Eraser
    clock: Callable[[], dt.datetime] = utc_now


def build() -> Deps:
    """The erasure over DynamoDB (created now), SNS and Cognito (created on first use: an account without device
    needs no SNS client)."""
    import boto3

    from me_shared.devices import Devices
    from me_shared.erasure import Erasure
    from me_shared.identity import CognitoIdentity
    from me_shared.lazy import LazyClient
    from me_shared.personal import Personal

    dynamodb = boto3.client("dynamodb")
    table = required("TABLE_NAME")
    identity = CognitoIdentity(LazyClient("cognito-idp"), required("CITIZEN_USER_POOL_ID"))
    return Deps(Erasure(Personal(dynamodb, table), Devices(dynamodb, LazyClient("sns"), table), identity))


dependencies: Provider[Deps] = Provider(build)
