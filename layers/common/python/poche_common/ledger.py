"""What the last run of a connector wrote, for connectors that run often (every minute).

Reading back thousands of items to find what changed costs more than the run itself. Instead a
connector keeps a ledger: the digest and expiry of every item its last run left, zlib-packed into
a few `<feed pk> / DIGESTS#<n>` items, read in one Query (paged if need be) and rewritten whole
after the items it describes. Its `STATE` item also keeps the digest of the run's payloads
(`payload_digest`, `save_payload_state`): the same payloads next time are not even parsed.

Standard library only (the client is boto3's low-level DynamoDB client, items in wire format):
cheap to import at cold start.

`write_ledger` writes a run's ledger with the run's events staged in the table's outbox in one transaction with
the ledger's head (`DIGESTS#0`, which names the ledger's generation): the event exists exactly when the diff base
has moved on, so a run that stops before finds the same changes again and stages them then, and a run that stops
after finds nothing new while its event waits in the outbox (sent once).
"""

from __future__ import annotations

import hashlib
import uuid
import zlib
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from .dynamo import batch_write
from .outbox import StagedEvent, write_with_events

LEDGER_PREFIX = "DIGESTS#"
LEDGER_CHUNK_BYTES = 300_000  # raw text per DIGESTS item, before compression (item limit: 400 KB)

Key = tuple[str, str]  # (pk, sk) of a stored item


class Known(NamedTuple):
    """What the ledger says of one stored item."""

    digest: str
    expires_at: int  # epoch seconds


def payload_digest(payloads: Sequence[bytes]) -> str:
    """One digest for the ordered payloads of a run."""
    hasher = hashlib.blake2b(digest_size=16)
    for data in payloads:
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def save_payload_state(client: Any, table: str, pk: str, payload: str, feed_timestamp: str | None) -> None:
    """Set `payload_digest` (and `feed_timestamp` when known) on `<pk> / STATE`; the RunLog writes the rest."""
    names = {"#digest": "payload_digest"}
    values: dict[str, Any] = {":digest": {"S": payload}}
    expression = "SET #digest = :digest"
    if feed_timestamp is not None:
        names["#ts"] = "feed_timestamp"
        values[":ts"] = {"S": feed_timestamp}
        expression += ", #ts = :ts"
    client.update_item(
        TableName=table,
        Key={"pk": {"S": pk}, "sk": {"S": "STATE"}},
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


class Ledger:
    """Digest and expiry of every item the previous run left, in `<pk> / DIGESTS#<n>` items.

    Each item holds zlib-packed lines `pk<TAB>sk<TAB>digest<TAB>expires_at` and the `generation`
    of the run that wrote it; chunks of another generation than `DIGESTS#0`'s are ignored (a run
    that stopped halfway), which only makes the next run write more.
    """

    def __init__(self, client: Any, table: str, pk: str, *, chunk_bytes: int = LEDGER_CHUNK_BYTES) -> None:
        self.client = client
        self.table = table
        self.pk = pk
        self.chunk_bytes = chunk_bytes
        self.chunk_keys: list[str] = []  # sort keys of the chunks found by the last `read`

    def read(self) -> dict[Key, Known]:
        chunks: dict[str, dict[str, Any]] = {}
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": self.pk}, ":prefix": {"S": LEDGER_PREFIX}},
        }
        while True:
            page = self.client.query(**kwargs)
            for item in page.get("Items", []):
                chunks[item["sk"]["S"]] = item
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        self.chunk_keys = sorted(chunks)
        head = chunks.get(f"{LEDGER_PREFIX}0")
        if head is None:
            return {}
        generation = head.get("generation", {}).get("S")
        known: dict[Key, Known] = {}
        for item in chunks.values():
            if item.get("generation", {}).get("S") != generation or "entries" not in item:
                continue
            for line in zlib.decompress(item["entries"]["B"]).decode().split("\n"):
                parts = line.split("\t")
                if len(parts) == 4:
                    known[(parts[0], parts[1])] = Known(parts[2], int(parts[3]))
        return known

    def requests(self, entries: dict[Key, Known], *, now_iso: str) -> list[dict[str, Any]]:
        """Put requests replacing the ledger by `entries` (and Delete requests for leftover chunks of
        the last `read`), `DIGESTS#0` last: written in this order, a run that stops halfway leaves
        the previous generation readable."""
        lines = [f"{pk}\t{sk}\t{k.digest}\t{k.expires_at}" for (pk, sk), k in sorted(entries.items())]
        chunks: list[list[str]] = [[]]
        size = 0
        for line in lines:
            if size + len(line) + 1 > self.chunk_bytes and chunks[-1]:
                chunks.append([])
                size = 0
            chunks[-1].append(line)
            size += len(line.encode()) + 1
        generation = uuid.uuid4().hex
        requests: list[dict[str, Any]] = []
        for number in reversed(range(len(chunks))):  # DIGESTS#0 last: it names the generation
            item = {
                "pk": {"S": self.pk},
                "sk": {"S": f"{LEDGER_PREFIX}{number}"},
                "generation": {"S": generation},
                "chunks": {"N": str(len(chunks))},
                "count": {"N": str(len(chunks[number]))},
                "written_at": {"S": now_iso},
                "entries": {"B": zlib.compress("\n".join(chunks[number]).encode(), 6)},
            }
            requests.append({"PutRequest": {"Item": item}})
        for sk in self.chunk_keys:
            if int(sk.removeprefix(LEDGER_PREFIX) or 0) >= len(chunks):
                requests.append({"DeleteRequest": {"Key": {"pk": {"S": self.pk}, "sk": {"S": sk}}}})
        return requests


def write_ledger(
    client: Any,
    table: str,
    requests: list[dict[str, Any]],
    events: Sequence[StagedEvent] = (),
    *,
    write: Callable[[list[dict[str, Any]]], None] | None = None,
) -> None:
    """Write a run's ledger (`Ledger.requests`, after the items it describes) with its `events` (module docstring):
    the other chunks first, then `DIGESTS#0` and the events in one TransactWriteItems, then the deletions of
    chunks left over. `write` writes a list of BatchWriteItem requests (default: `batch_write`)."""
    put = write or (lambda batch: batch_write(client, table, batch))
    if not events:
        put(requests)
        return
    head = [r["PutRequest"]["Item"] for r in requests if _is_head(r)]
    put([r for r in requests if "PutRequest" in r and not _is_head(r)])
    write_with_events(client, table, head, events)
    put([r for r in requests if "DeleteRequest" in r])


def _is_head(request: dict[str, Any]) -> bool:
    """The ledger's `DIGESTS#0` put (written last of its chunks: it names their generation)."""
    return "PutRequest" in request and request["PutRequest"]["Item"]["sk"]["S"] == f"{LEDGER_PREFIX}0"
