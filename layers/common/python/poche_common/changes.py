"""What a connector's run changes, and how it says so: the one diff every store uses, and the facts of the event
announcing the changes.

`diff(stored, desired, scope)` is pure: `stored` and `desired` map a key (a sort key, an id, a tuple of them) to
what decides whether an item changed (its content digest, `dynamo.content_digest`, or the whole item); `scope`
says which stored keys the run is authoritative for, so which of them it deletes when the feed no longer has them.
Each connector's rule is its scope, never a loop of its own: a canteen feed owns the (canteen, date) pairs it
mentions, a cinema file the (cinema, day) pairs it has (none when one of its rows was rejected without saying
which), a feed the ids it did not reject, a window of recent news nothing at all (articles expire).

    found = diff({"a": "d1", "b": "d2"}, {"a": "d1", "c": "d3"}, everything)
    found.puts == ["c"]; found.deletes == ["b"]; found.changes == [("c", "created"), ("b", "deleted")]

`change_facts` builds the detail of the event a run stages in its outbox (`Outbox.stage`): a few lists of what
changed, each cut to its first `limit` entries, and `truncated` saying whether one was cut, so that no run, however
large, makes an event the bus refuses (256 KiB).

Standard library only: cheap at cold start.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, Protocol, TypeVar

from .events import with_titles

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

Kind = Literal["created", "updated", "deleted"]  # as the events say it (`poche_common.eventtypes.Change`)
CREATED: Final[Kind] = "created"
UPDATED: Final[Kind] = "updated"
DELETED: Final[Kind] = "deleted"
MAX_LISTED = 500  # entries of one list in an event (of at most ~400 bytes each: far below the bus limit)

K = TypeVar("K", bound="SupportsRichComparison")
Scope = Callable[[Any], bool]  # may the run delete this stored key when the feed no longer has it?


class Diff(Generic[K]):
    """What a run must write: the desired keys to put (new or changed, in `desired`'s order), the stored keys to
    delete (sorted), and each change as (key, "created" | "updated" | "deleted"), puts first."""

    __slots__ = ("changes", "deletes", "puts")

    def __init__(self, puts: list[K], deletes: list[K], changes: list[tuple[K, Kind]]) -> None:
        self.puts = puts
        self.deletes = deletes
        self.changes = changes

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __repr__(self) -> str:
        return f"Diff(puts={self.puts!r}, deletes={self.deletes!r})"


def everything(key: Any) -> bool:
    """The scope of a feed authoritative for everything stored: what it no longer has is deleted."""
    return True


def nothing(key: Any) -> bool:
    """The scope of a feed that never deletes (a window of recent items, which expire on their own)."""
    return False


def diff(stored: Mapping[K, Any], desired: Mapping[K, Any], scope: Scope) -> Diff[K]:
    """The puts, deletes and changes that make `stored` what `desired` says within `scope` (module docstring)."""
    puts: list[K] = []
    changes: list[tuple[K, Kind]] = []
    for key, value in desired.items():
        if key not in stored:
            puts.append(key)
            changes.append((key, CREATED))
        elif stored[key] != value:
            puts.append(key)
            changes.append((key, UPDATED))
    deletes = sorted(key for key in stored if key not in desired and scope(key))
    changes += [(key, DELETED) for key in deletes]
    return Diff(puts, deletes, changes)


def change_facts(
    connector: str,
    *,
    listed: Mapping[str, Sequence[Any]],
    limit: int = MAX_LISTED,
    titled: str | None = None,
    **facts: Any,
) -> dict[str, Any]:
    """The detail of the event announcing a run's changes: `connector`, the `facts` as given, each list of `listed`
    cut to its first `limit` entries (the list `titled` names with its entries' titles made headlines,
    `events.with_titles`), and `truncated`: whether any list was cut."""
    detail: dict[str, Any] = {"connector": connector, **facts}
    for name, values in listed.items():
        kept = list(values[:limit])
        detail[name] = with_titles(kept) if name == titled else kept
    detail["truncated"] = any(len(values) > limit for values in listed.values())
    return detail


class CountedChange(Protocol):
    """A change a store made, as its run's event lists it (`as_fact`) and counts it (`kind`: its write)."""

    @property
    def kind(self) -> str: ...

    def as_fact(self) -> Any: ...


def counted_facts(connector: str, changes: Sequence[CountedChange], *, limit: int = MAX_LISTED) -> dict[str, Any]:
    """The detail of the event announcing a run's `changes`: `connector`, `changes` (each one's fact, cut to
    `limit`), `counts` of the writes (created, updated, deleted) and `truncated`."""
    facts = change_facts(connector, listed={"changes": [change.as_fact() for change in changes]}, limit=limit)
    counted = Counter(change.kind for change in changes)
    facts["counts"] = {kind: counted[kind] for kind in (CREATED, UPDATED, DELETED)}
    return facts
