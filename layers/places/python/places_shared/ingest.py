"""One run of a places connector whose parser gives `PlaceRecord`s (carpool areas, charging stations...): every file
parsed first (an unusable file changes nothing), the records of all files as one list (a place given again by a
later file is rejected), the diff and its writes (`writer.PlaceWriter.sync`: a bad row never withdraws a stored
place), the `PlacesUpdated` event staged before the writes. The connector's own `ingest` is this with its parser."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from poche_common.changes import counted_facts
from poche_common.connector import Outcome

from . import keys
from .model import PlaceRecord
from .writer import Change, PlaceWriter

if TYPE_CHECKING:
    from poche_common.eventtypes import PlacesUpdatedFacts
    from poche_common.outbox import Outbox

EVENT = "PlacesUpdated"
MAX_CHANGES_IN_EVENT = 500


class Rejection(Protocol):
    @property
    def line(self) -> int: ...

    @property
    def reason(self) -> str: ...


class RecordFeed(Protocol):
    """What a parser of such a connector gives for one file."""

    @property
    def records(self) -> Sequence[PlaceRecord]: ...

    @property
    def rows_read(self) -> int: ...

    @property
    def rejected(self) -> Sequence[Rejection]: ...

    @property
    def rejected_ids(self) -> set[str]: ...  # source ids of rejected rows that gave no record

    @property
    def unattributed_rejections(self) -> bool: ...


def _repeated(source_id: str) -> str:
    return f"lieu {source_id} déjà donné par un autre fichier : ignoré"


def ingest_records(
    connector: str,
    source: str,
    feeds: Sequence[RecordFeed],
    writer: PlaceWriter,
    outbox: Outbox,
    *,
    repeated: Callable[[str], str] = _repeated,
) -> Outcome:
    """The run over the parsed files `feeds` of `connector`, whose places' ids are `<source>:<source id>`. The
    rejections: each file's bad rows (by line), then the places an earlier file already gave (`record`, the reason
    `repeated(source id)` says)."""
    records: list[PlaceRecord] = []
    rejections: list[dict[str, Any]] = []
    again: list[dict[str, Any]] = []
    seen: set[str] = set()
    for feed in feeds:
        rejections += [{"line": rejected.line, "reason": rejected.reason} for rejected in feed.rejected]
        for record in feed.records:
            if record.source_id in seen:
                again.append({"record": record.source_id, "reason": repeated(record.source_id)})
                continue
            seen.add(record.source_id)
            records.append(record)
    rejections += again

    def announce(changes: list[Change]) -> None:
        facts: PlacesUpdatedFacts = counted_facts(connector, changes, limit=MAX_CHANGES_IN_EVENT)  # type: ignore[assignment]
        outbox.stage(EVENT, facts)

    changes = writer.sync(
        records,
        before_write=announce,
        rejected={keys.place_id(source, i) for feed in feeds for i in feed.rejected_ids},
        unattributed=any(feed.unattributed_rejections for feed in feeds),
    )
    return Outcome(
        read=sum(feed.rows_read for feed in feeds),
        changed=len(changes),
        rejected=len(rejections),
        rejections=rejections,
    )
