"""The finance staff API's rules over a small port: the day's journal, storing an uploaded statement (append-only,
compressed parts then a manifest), the day's reconciliation with every source wired, and an exception resolved.

No boto3, no environment, no clock: `now` is a parameter, and the ledger reads/writes and the outbox are any
`FinanceLedger` and `Events` (the adapters are `store.FinanceStore` and `poche_common.outbox.Outbox`; unit tests
pass fakes). The pure parts (journal, statement parsing, matching) are `journal.py`, `statement.py` and
`reconcile.py`: this module only gathers their inputs and writes what they decide.

Statement storage (`payments_shared.keys`, partition `RECON#<Paris date>` of the Ledger): the raw bytes as uploaded,
zlib-compressed and cut in parts of at most `PART_BYTES`, each `STATEMENT#<uploaded at>#part-<i>` (binary `data`),
then LAST `STATEMENT#<uploaded at>#manifest` (parts, sha256 of the raw bytes, lines, errors, uploaded_by). A
statement without its manifest is incomplete (an upload that died half-way) and is never read; the latest
manifest of a day is the day's statement. Nothing is ever updated: a re-upload is a new statement.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from payments_shared import keys
from payments_shared.ledger import PARIS, PENDING_EXPIRY, LedgerError, paris_date
from poche_common.api import parse_day as api_day
from poche_common.clock import to_utc_iso
from poche_common.errors import ConflictError, InvalidRequestError, NotFoundError
from poche_common.observability import logger
from poche_common.plaintext import no_markup

# The journal, the statement and the reconciliation (about 45 KB of source) are imported by the route that needs
# them, not with the handler: a finance route's cold start compiles only its own (`make bench`: ≤ 1.3x the floor).
if TYPE_CHECKING:
    from .journal import Journal
    from .reconcile import Reconciliation, ReconException, Resolution
    from .statement import Statement

if TYPE_CHECKING:  # the outbox module imports boto3: at the first write, not at cold start
    from poche_common.eventtypes import ExceptionResolvedFacts
    from poche_common.outbox import StagedEvent

Item = dict[str, Any]

MAX_UPLOAD_BYTES = 4 * 1024 * 1024  # Lambda's synchronous payload is 6 MB, and API Gateway base64-encodes binaries
PART_BYTES = 300_000  # compressed bytes per part item (DynamoDB's item limit is 400 KB)
COMMENT_MAX = 1000
RESOLVED_EVENT = "ExceptionResolved"
MANIFEST = "manifest"
PART = "part-"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # controls but tab and newline; surrogates


class FinanceLedger(Protocol):
    """What the finance routes read and write (the Ledger and Debts tables)."""

    def day(self, gsi3pk: str) -> Iterable[Item]:
        """The ledger items indexed `by_day` under `gsi3pk` (OPENED#, SETTLED#, EXCEPTION#)."""
        ...

    def closed(self, gsi4pk: str) -> Iterable[Item]:
        """The ledger items indexed `by_closed` under `gsi4pk` (CLOSED#<UTC date>)."""
        ...

    def cancelled_debts(self) -> Iterable[tuple[str, str]]:
        """(exer, refdet) of every debt the accountant cancelled (Debts index `cancelled`)."""
        ...

    def statement_items(self, paris_day: str) -> Iterable[Item]:
        """The `STATEMENT#` items of the day, newest first (sort key descending); may be left unconsumed."""
        ...

    def resolutions(self, paris_day: str) -> Iterable[Item]:
        """The `RESOLVED#` items of the day."""
        ...

    def append(self, items: Sequence[Item], events: Sequence[StagedEvent] = ()) -> bool:
        """Put each item only if absent, with the events' outbox items, in one transaction; False if one exists."""
        ...


class Events(Protocol):
    """The Debts table's outbox: an event staged with a write, then sent."""

    def prepare(self, detail_type: str, facts: Mapping[str, Any], *, ready: bool = False) -> StagedEvent: ...
    def send(self, staged: Sequence[StagedEvent]) -> Any: ...


class Deps:
    """What the routes use (a plain class: nothing generated at import)."""

    __slots__ = ("events", "ledger")

    def __init__(self, ledger: FinanceLedger, events: Events) -> None:
        self.ledger = ledger
        self.events = events


# --- parameters -----------------------------------------------------------------------------------------------------
def parse_day(raw: str | None, field: str) -> dt.date:
    """A Paris date `AAAA-MM-JJ` between 2000 and 2099; 400 naming `field` otherwise (also when absent)."""
    if raw is None or not raw.strip():
        raise InvalidRequestError(
            f"{field} est obligatoire : une date AAAA-MM-JJ, par exemple 2026-03-29.", field=field
        )
    return api_day(raw, field)


def parse_comment(body: Any) -> str:
    """The `comment` of a resolution body `{"comment": "..."}`: plain text of 1 to `COMMENT_MAX` characters (no
    markup, no control character but tab and newline), spaces around it removed; 400 naming the field otherwise."""
    if not isinstance(body, dict):
        raise InvalidRequestError('Le corps doit être un objet JSON : {"comment": "..."}.', field="body")
    unknown = sorted(set(body) - {"comment"})
    if unknown:
        raise InvalidRequestError(f"Champ inconnu : {unknown[0][:40]}.", field=unknown[0][:40])
    comment = body.get("comment")
    if not isinstance(comment, str):
        raise InvalidRequestError("Le commentaire (texte) est obligatoire.", field="comment")
    comment = comment.strip()
    if not comment:
        raise InvalidRequestError("Le commentaire est vide : dites comment l'écart a été traité.", field="comment")
    if len(comment) > COMMENT_MAX:
        raise InvalidRequestError(f"Le commentaire dépasse {COMMENT_MAX} caractères.", field="comment")
    if _CONTROL.search(comment) or no_markup(comment) != comment:
        raise InvalidRequestError(
            "Le commentaire doit être du texte simple, sans balises ni caractères de contrôle.", field="comment"
        )
    return comment


# --- the journal ----------------------------------------------------------------------------------------------------
def day_items(ledger: FinanceLedger, day: dt.date) -> list[Item]:
    """The day's successes (`SETTLED#<date>`) and duplicate markers (`EXCEPTION#<date>`)."""
    iso = day.isoformat()
    return [*ledger.day(keys.settled_gsi(iso)), *ledger.day(keys.exception_gsi(iso))]


def day_journal(ledger: FinanceLedger, day: dt.date) -> Journal:
    from .journal import journal

    return journal(day_items(ledger, day), day)


# --- the statement --------------------------------------------------------------------------------------------------
def check_upload(raw: bytes) -> None:
    if len(raw) > MAX_UPLOAD_BYTES:
        raise InvalidRequestError(
            f"Le relevé fait {len(raw) / (1024 * 1024):.1f} Mio : au plus {MAX_UPLOAD_BYTES // (1024 * 1024)} Mio "
            "par envoi. Découpez-le par journée.",
            field="statement",
        )


def uploaded_at_key(now: dt.datetime) -> str:
    """The moment of an upload in its sort keys: UTC ISO to the microsecond (sorts as it happened)."""
    return now.astimezone(dt.UTC).isoformat(timespec="microseconds")


def statement_items(day: dt.date, raw: bytes, statement: Statement, by: str, now: dt.datetime) -> list[Item]:
    """The items of an upload: the compressed parts, then the manifest (written last)."""
    pk = keys.recon_pk(day.isoformat())
    at = uploaded_at_key(now)
    packed = zlib.compress(raw, 9)
    chunks = [packed[start : start + PART_BYTES] for start in range(0, len(packed), PART_BYTES)] or [b""]
    items: list[Item] = [
        {"pk": pk, "sk": f"{keys.STATEMENT}{at}#{PART}{index:03d}", "part": index, "data": chunk}
        for index, chunk in enumerate(chunks)
    ]
    items.append(
        {
            "pk": pk,
            "sk": f"{keys.STATEMENT}{at}#{MANIFEST}",
            "date": day.isoformat(),
            "uploaded_at": to_utc_iso(now),
            "uploaded_by": by,
            "parts": len(chunks),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "size_bytes": len(raw),
            "compressed_bytes": len(packed),
            "lines": len(statement.lines),
            "errors": len(statement.errors),
        }
    )
    return items


def statement_summary(day: dt.date, statement: Statement, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """What the upload answers: the counts, the totals (all lines, and those of the day) and every line error."""
    of_day = [line for line in statement.lines if line.date == day]
    return {
        "date": day.isoformat(),
        "uploaded_at": dt.datetime.fromisoformat(str(manifest["uploaded_at"])).astimezone(PARIS).isoformat(),
        "sha256": manifest["sha256"],
        "size_bytes": manifest["size_bytes"],
        "columns": list(statement.columns),
        "lines": len(statement.lines),
        "total_cents": sum(line.amount_cents for line in statement.lines),
        "of_date": {"count": len(of_day), "total_cents": sum(line.amount_cents for line in of_day)},
        "other_dates": len(statement.lines) - len(of_day),
        "errors": [{"line": error.line, "reason": error.reason} for error in statement.errors],
    }


def upload_statement(deps: Deps, day: dt.date, raw: bytes, by: str, now: dt.datetime) -> dict[str, Any]:
    """Parse the statement (`StatementFormatError`: 400, nothing stored), store it as a new statement of the day
    (parts, then the manifest), and answer its summary. 409 when another upload took the same instant."""
    check_upload(raw)
    from .statement import parse_statement

    statement = parse_statement(raw)
    items = statement_items(day, raw, statement, by, now)
    for item in items:  # one transaction per item (a part is up to 300 KB: a transaction holds 4 MB at most)
        if not deps.ledger.append([item]):
            raise ConflictError("Un autre relevé de ce jour vient d'être envoyé au même instant ; réessayez.")
    logger.info(
        "statement stored", extra={"date": day.isoformat(), "lines": len(statement.lines), "parts": len(items) - 1}
    )
    return statement_summary(day, statement, items[-1])


def latest_statement(items: Iterable[Item]) -> tuple[Item, list[Item]] | None:
    """The latest complete statement among a day's `STATEMENT#` items given newest first: its manifest and its
    parts (in order); None when no upload of the day has its manifest. Stops reading at that manifest: in sort-key
    order `#part-…` comes after `#manifest`, so newest first an upload's parts come just before its manifest."""
    parts: dict[str, list[Item]] = {}
    for item in items:
        sk = str(item["sk"])
        prefix, _, suffix = sk.rpartition("#")
        if suffix == MANIFEST:
            found = sorted(parts.get(prefix, []), key=lambda part: str(part["sk"]))
            return item, found
        if suffix.startswith(PART):
            parts.setdefault(prefix, []).append(item)
    return None


def _binary(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    inner = getattr(value, "value", None)  # boto3's Binary
    if isinstance(inner, bytes | bytearray):
        return bytes(inner)
    raise LedgerError(f"statement part data is {type(value).__name__}, not bytes")


def statement_bytes(manifest: Mapping[str, Any], parts: Sequence[Mapping[str, Any]]) -> bytes:
    """The raw bytes of a stored statement, checked against its manifest (`LedgerError` if they differ)."""
    if len(parts) != int(manifest["parts"]):
        raise LedgerError(f"{manifest['sk']}: {len(parts)} parts stored, manifest says {manifest['parts']}")
    try:
        raw = zlib.decompress(b"".join(_binary(part["data"]) for part in parts))
    except zlib.error:
        raise LedgerError(f"{manifest['sk']}: the parts cannot be decompressed") from None
    if hashlib.sha256(raw).hexdigest() != manifest["sha256"]:
        raise LedgerError(f"{manifest['sk']}: the parts' content differs from the manifest's sha256")
    return raw


def stored_statement(ledger: FinanceLedger, day: dt.date) -> tuple[Item, Statement]:
    """The day's latest complete statement (manifest, parsed); 404 when none was uploaded."""
    found = latest_statement(ledger.statement_items(day.isoformat()))
    if found is None:
        raise NotFoundError(
            f"Aucun relevé du comptable n'a été envoyé pour le {day.strftime('%d/%m/%Y')} : envoyez-le d'abord "
            f"(PUT /v1/admin/finance/statements/{day.isoformat()})."
        )
    manifest, parts = found
    from .statement import parse_statement

    return manifest, parse_statement(statement_bytes(manifest, parts))


# --- the reconciliation ---------------------------------------------------------------------------------------------
def utc_dates(day: dt.date) -> list[str]:
    """The UTC dates a Paris day overlaps (the previous UTC date's evening and the day itself)."""
    start = dt.datetime.combine(day, dt.time(), PARIS).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), PARIS).astimezone(dt.UTC)
    dates = [start.date()]
    while dates[-1] < (end - dt.timedelta(microseconds=1)).date():
        dates.append(dates[-1] + dt.timedelta(days=1))
    return [date.isoformat() for date in dates]


def _attempt_key(item: Mapping[str, Any]) -> tuple[str, int]:
    return str(item["pk"]), keys.attempt_of(str(item["sk"]))


def pending_attempts(ledger: FinanceLedger, day: dt.date, now: dt.datetime) -> list[Item]:
    """The attempts opened on the Paris `day` (their `initiated` fact, OPENED#<UTC date>) that have no closing
    fact (CLOSED#<UTC date>) and are older than `PENDING_EXPIRY` at `now`, as `reconcile` takes them."""
    pending: list[Item] = []
    for utc_day in utc_dates(day):
        closed = {_attempt_key(item) for item in ledger.closed(keys.closed_gsi(utc_day))}
        for item in ledger.day(keys.opened_gsi(utc_day)):
            sk = str(item["sk"])
            if not (sk.startswith(keys.FACT) and sk.endswith("#initiated")) or _attempt_key(item) in closed:
                continue
            created_text = str(item.get(keys.BY_DAY_SK, "")).split("#", 1)[0]  # `<created_at>#<pk>#<n>`
            try:
                created = dt.datetime.fromisoformat(created_text)
            except ValueError:
                raise LedgerError(f"{item['pk']} {sk}: {keys.BY_DAY_SK} does not start with a moment") from None
            if created.tzinfo is None or paris_date(created) != day.isoformat() or now - created < PENDING_EXPIRY:
                continue
            exer, refdet = keys.split_debt_pk(str(item["pk"]))
            pending.append(
                {
                    "payment_id": str(item["payment_id"]),
                    "exer": str(item.get("exer") or exer),
                    "refdet": str(item.get("refdet") or refdet),
                    "amount_cents": int(item["amount_cents"]),
                    "created_at": created.astimezone(dt.UTC).isoformat(),
                    "idop": str(item["idop"]) if item.get("idop") else None,
                }
            )
    return pending


def resolutions(ledger: FinanceLedger, day: dt.date) -> dict[str, Resolution]:
    from .reconcile import Resolution

    found: dict[str, Resolution] = {}
    for item in ledger.resolutions(day.isoformat()):
        ident = str(item["sk"]).removeprefix(keys.RESOLVED)
        found[ident] = Resolution(by=str(item["by"]), at=str(item["at"]), comment=str(item["comment"]))
    return found


def day_reconciliation(ledger: FinanceLedger, day: dt.date, now: dt.datetime) -> Reconciliation:
    """The reconciliation of the Paris `day` at `now`: its latest statement (404 when none) against the day's
    successes, with the attempts pending too long, the cancelled debts and the resolutions."""
    _, statement = stored_statement(ledger, day)
    from .reconcile import reconcile

    return reconcile(
        day,
        day_items(ledger, day),
        statement,
        pending=pending_attempts(ledger, day, now),
        cancelled_debts=frozenset(ledger.cancelled_debts()),
        resolved=resolutions(ledger, day),
    )


# --- resolving an exception -----------------------------------------------------------------------------------------
def resolve(deps: Deps, day: dt.date, exception_id: str, comment: str, by: str, now: dt.datetime) -> ReconException:
    """Mark an exception of the day's current reconciliation resolved (404 unknown, 409 already resolved): the
    `RESOLVED#<id>` item and its `ExceptionResolved` event in one transaction, the event sent at once (when the bus
    refuses it, it stays staged and the payments sweeper's flush sends it)."""
    reconciliation = day_reconciliation(deps.ledger, day, now)
    exception = next((e for e in reconciliation.exceptions if e.exception_id == exception_id), None)
    if exception is None:
        raise NotFoundError(f"Aucun écart {exception_id[:40]} dans le rapprochement du {day.strftime('%d/%m/%Y')}.")
    if exception.resolved:
        raise ConflictError("Cet écart est déjà marqué comme traité.")
    at = to_utc_iso(now)
    item: Item = {
        "pk": keys.recon_pk(day.isoformat()),
        "sk": f"{keys.RESOLVED}{exception_id}",
        "date": day.isoformat(),
        "exception_id": exception_id,
        "kind": exception.kind,
        "by": by,
        "at": at,
        "comment": comment,
    }
    facts: ExceptionResolvedFacts = {
        "date": day.isoformat(),
        "exception_id": exception_id,
        "kind": exception.kind,
        "by": by,
        "at": at,
    }
    staged = deps.events.prepare(RESOLVED_EVENT, facts, ready=True)
    if not deps.ledger.append([item], [staged]):
        raise ConflictError("Cet écart est déjà marqué comme traité.")
    try:
        deps.events.send([staged])
    except Exception:  # the event stays staged: the sweeper's flush sends it
        logger.warning("exception resolution event left in the outbox", extra={"date": day.isoformat()})
    from .reconcile import Resolution

    return dataclasses.replace(exception, resolution=Resolution(by=by, at=at, comment=comment))
