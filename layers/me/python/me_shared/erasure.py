"""The erasure of an account: every step idempotent, so that it can be run again until it completes.

`DELETE /v1/me` records the erasure first (the tombstone, state "pending": from then on every route answers 401
and no write of the account can commit), queues it, then runs it at once; when that run fails, the queue's
worker (`me_erasure`) runs it again, with retries, then a dead-letter queue and an alarm. A run:

1. the tombstone, if the request's was not written (a run from the queue alone);
2. the partition but the devices, with the subscribers index items and the deferred pushes (`DUE#`): first,
   because it needs DynamoDB only, so that a run failing on SNS already leaves nothing to notify (the matcher
   finds no subscription, the deferred pushes function no push due);
3. each device: its SNS endpoint deleted only while the device owns its token (`Devices.release`), the DEVICE
   item and the token's owner item deleted;
4. the partition read again (consistent) and steps 2-3 repeated if anything is left;
5. the Cognito user (already gone: fine);
6. the tombstone marked done: it expires a day later.

A failure at any step raises: nothing is marked done, and the next run starts again from step 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .keys import DEVICE, DONE
from .ports import DeviceRegistry, ErasureStore, Identity

MAX_PASSES = 3


@dataclass
class Outcome:
    items: int = 0  # deletions sent (partition, index items, deferred pushes)
    endpoints: int = 0  # SNS endpoints deleted (owned by the account)
    already_done: bool = False


class Erasure:
    """The erasure's sequence over its ports: the personal table, the devices (SNS endpoints), the user pool."""

    def __init__(self, personal: ErasureStore, devices: DeviceRegistry, identity: Identity) -> None:
        self.personal = personal
        self.devices = devices
        self.identity = identity

    def run(self, sub: str, username: str, now: dt.datetime) -> Outcome:
        outcome = Outcome()
        if self.personal.erasure_state(sub) == DONE:
            outcome.already_done = True
            return outcome
        self.personal.bury(sub, now)
        for _ in range(MAX_PASSES):
            items = self.personal.partition(sub)
            if not items:
                break
            devices = [item for item in items if str(item["sk"]).startswith(DEVICE)]
            outcome.items += self.personal.erase(sub, [item for item in items if item not in devices])
            for device in devices:
                outcome.endpoints += int(self.devices.release(sub, device))
        else:
            raise RuntimeError(f"items still written to the erased partition after {MAX_PASSES} passes")
        self.identity.delete_user(username)
        self.personal.finish(sub, now)
        return outcome
