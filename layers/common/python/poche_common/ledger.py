"""What the last run of a connector wrote, for connectors that run often (every minute).

Reading back thousands of items to find what changed costs more than the run itself. Instead a
connector keeps a ledger: the digest and expiry of every item its last run left, zlib-packed into
a few `<feed pk> / DIGESTS#<n>` items, read in one Query (paged if need be) and rewritten whole
after the items it describes. Its `STATE` item also keeps the digest of the run's payloads
(`payload_digest`, `save_payload_state`): the same payloads next time are not even parsed.

Standard library only (the client is boto3's low-level DynamoDB client, items in wire format):
cheap to import at cold start. The items such a connector writes are built directly in that format
(`wire_item`: boto3's TypeSerializer takes four times as long on the 300,000 values of 5,000 entities), and
their content digested with their size (`digest_and_size`: an item over DynamoDB's limit fails its batch).

`write_ledger` writes a run's ledger with the run's events staged in the table's outbox in one transaction with
the ledger's head (`DIGESTS#0`, which names the ledger's generation): the event exists exactly when the diff base
has moved on, so a run that stops before finds the same changes again and stages them then, and a run that stops
after finds nothing new while its event waits in the outbox (sent once).
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zlib
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from .changes import Kind, diff
from .dynamo import batch_write, query_all
from .feeds import STATE_SK
from .outbox import StagedEvent, write_with_events

LEDGER_PREFIX = "DIGESTS#"
LEDGER_CHUNK_BYTES = 300_000  # raw text per DIGESTS item, before compression (item limit: 400 KB)

Key = tuple[str, str]  # (pk, sk) of a stored item


class Known(NamedTuple):
    """What the ledger says of one stored item."""

    digest: str
    expires_at: int  # epoch seconds


class LedgerDiff(NamedTuple):
    """What a run writes, from the ledger of the previous one (`diff_ledger`)."""

    puts: list[tuple[Key, int]]  # (key, new expiry) of the items to put: changed, or refreshed
    changes: list[tuple[Key, Kind]]  # created | updated (in `desired` order), then deleted (sorted)
    refreshed: int  # unchanged items put again to push their expiry
    deletes: list[Key]
    entries: dict[Key, Known]  # the ledger this run leaves


def diff_ledger(
    previous: dict[Key, Known], desired: dict[Key, tuple[str, int]], now_s: int, protected: Callable[[Key], bool]
) -> LedgerDiff:
    """`desired`: key -> (content digest, TTL in s) of what the feed asks for. An item is put when its digest
    changed or its stored expiry is within half its TTL (a live feed keeps its items alive, a stopped one lets them
    expire); one that left the feed is deleted unless it already expired (TTL removes it) or is `protected` (an
    entity about it was rejected this run: its last good version stays, and stays in the ledger)."""
    found = diff(
        {key: known.digest for key, known in previous.items()},
        {key: digest for key, (digest, _) in desired.items()},
        lambda key: previous[key].expires_at > now_s and not protected(key),
    )
    changed = set(found.puts)
    puts: list[tuple[Key, int]] = []
    entries: dict[Key, Known] = {}
    refreshed = 0
    for key, (digest, ttl) in desired.items():
        known = previous.get(key)
        if key not in changed:
            assert known is not None
            if known.expires_at - now_s > ttl // 2:
                entries[key] = known
                continue
            refreshed += 1
        puts.append((key, now_s + ttl))
        entries[key] = Known(digest, now_s + ttl)
    gone = set(found.deletes)
    for key, known in previous.items():
        if key not in desired and key not in gone and known.expires_at > now_s:
            entries[key] = known  # protected
    return LedgerDiff(puts, found.changes, refreshed, found.deletes, entries)


def payload_digest(payloads: Sequence[bytes]) -> str:
    """One digest for the ordered payloads of a run."""
    hasher = hashlib.blake2b(digest_size=16)
    for data in payloads:
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def digest_and_size(content: dict[str, Any]) -> tuple[str, int]:
    """Digest of the content, and its size as JSON (close to, and above, its size as a DynamoDB item)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()
    return hashlib.blake2b(text, digest_size=8).hexdigest(), len(text)


def wire(value: Any) -> dict[str, Any]:
    """A plain value (str, bool, int, Decimal, bytes, lists and dicts of them) as a DynamoDB attribute value."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is bool:
        return {"BOOL": value}
    if kind is int or kind is Decimal:
        return {"N": str(value)}
    if kind is list:
        return {"L": [wire(v) for v in value]}
    if kind is dict:
        return {"M": {k: wire(v) for k, v in value.items() if v is not None}}
    if kind is bytes:
        return {"B": value}
    raise TypeError(f"cannot store {kind.__name__} in DynamoDB")


def wire_item(item: dict[str, Any]) -> dict[str, Any]:
    """A plain dict as a DynamoDB item (None values left out), keeping the attribute order."""
    return {key: wire(value) for key, value in item.items() if value is not None}


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
        Key={"pk": {"S": pk}, "sk": {"S": STATE_SK}},
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
        found = query_all(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": self.pk}, ":prefix": {"S": LEDGER_PREFIX}},
        )
        chunks = {item["sk"]["S"]: item for item in found}
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
