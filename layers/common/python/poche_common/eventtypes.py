"""Every event on the platform's bus, defined once: its source, detail-type, version and the `TypedDict` of its
`detail` (the house envelope, `events.envelope`, and the facts), with who produces it and who consumes it.

Producers annotate the facts they build with the event's `...Facts` type (the detail without the envelope),
imported under `if TYPE_CHECKING:` (this module is not on their cold start);
consumers read an event through `read`, which checks its detail against the definition: a missing or mistyped
field raises `MalformedEvent` (the consumer fails, the event goes to its dead-letter queue), it is never read as a
default. A field a consumer may find absent is `NotRequired` here, and says why.

`EVENTS` is the registry, by (source, detail-type): the contract tests (tests/contract) check each producer's
events against it with pydantic (strict, no extra field), and the catalogue `docs/events.md` is generated from it
(`python -m poche_infra.events_catalogue`).

Standard library only, and no `from __future__ import annotations` (the TypedDicts' `NotRequired` keys must be
known at run time): cheap at cold start. (Before Python 3.12 pydantic wants typing_extensions' TypedDicts: the
catalogue and the tests convert these, `poche_infra.events_catalogue.pydantic_ready`; Lambda's runtime never
imports typing_extensions.)
"""

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple, NotRequired, TypedDict, TypeVar

from .typedcheck import MalformedEvent, conform

__all__ = ["MalformedEvent", "conform"]  # re-exported: consumers read events through this module

Change = Literal["created", "updated", "deleted"]
NewsChange = Literal["created", "tagged", "updated"]


class Envelope(TypedDict):
    """The house envelope of every detail (CONVENTIONS.md): consumers deduplicate on `id`."""

    id: str
    occurred_at: str  # UTC ISO, when the producer staged the event
    version: int


class Counts(TypedDict):
    created: int
    updated: int
    deleted: int


# ---------------------------------------------------------------- poche.canteen
class MenuChange(TypedDict):
    canteen_id: str
    kind: Literal["canteen", "meal"]
    change: Change
    date: NotRequired[str]  # YYYY-MM-DD, a meal's (absent for a canteen)
    meal: NotRequired[str]  # a meal's (absent for a canteen)


class MenusUpdatedFacts(TypedDict):
    connector: str
    canteen_ids: list[str]
    dates: list[str]
    changes: list[MenuChange]  # the first `MAX_CHANGES_IN_EVENT`
    truncated: bool


class MenusUpdated(Envelope, MenusUpdatedFacts):
    pass


# ---------------------------------------------------------------- poche.agenda
class AgendaChange(TypedDict):
    event_id: str
    change: Change
    communes: list[str]  # INSEE codes, before and after a move


class EventsUpdatedFacts(TypedDict):
    connector: str
    source: str  # the agenda source of the ids (`openagenda`, `datatourisme`)
    event_ids: list[str]
    communes: list[str]
    changes: list[AgendaChange]
    truncated: bool


class EventsUpdated(Envelope, EventsUpdatedFacts):
    pass


class SessionsUpdatedFacts(TypedDict):
    connector: str
    cinema_ids: list[str]
    communes: list[str]
    days: dict[str, list[str]]  # cinema id -> the days (YYYY-MM-DD) whose sessions changed


class SessionsUpdated(Envelope, SessionsUpdatedFacts):
    pass


# ---------------------------------------------------------------- poche.traffic
class TrafficChange(TypedDict):
    id: str
    change: Change
    type: str
    communes: list[str]
    title: NotRequired[str]  # the event's description as a headline; absent past the titles budget


class TrafficEventsUpdatedFacts(TypedDict):
    connector: str
    event_ids: list[str]
    communes: list[str]  # every commune of the run's changes, even those past the listed ones
    changes: list[TrafficChange]
    truncated: bool


class TrafficEventsUpdated(Envelope, TrafficEventsUpdatedFacts):
    pass


# ---------------------------------------------------------------- poche.news
class NewsEntry(TypedDict):
    id: str
    change: NewsChange
    tags: list[str]  # INSEE codes, or `general`
    title: NotRequired[str]  # the article's headline; absent past the titles budget


class NewsPublishedFacts(TypedDict):
    connector: str
    item_ids: list[str]
    tags: list[str]
    items: list[NewsEntry]
    truncated: bool


class NewsPublished(Envelope, NewsPublishedFacts):
    pass


# ---------------------------------------------------------------- poche.schools
class NoticeEntry(TypedDict):
    uai: str
    notice_id: str
    reference: NotRequired[str]  # the département's feed's own reference (absent from a school's notice)
    kind: str
    title: NotRequired[str]  # the notice's title; absent past the titles budget, or when blank
    starts: str
    ends: str
    change: Literal["created", "updated", "withdrawn"]


class SchoolNoticeFacts(TypedDict):
    origin: Literal["school", "departement"]
    connector: str | None  # None: published by a school's staff (never a person's name)
    uais: list[str]
    notices: list[NoticeEntry]
    truncated: bool
    uai: NotRequired[str]  # one notice of a school's staff: its school ...
    notice_id: NotRequired[str]  # ... its id ...
    change: NotRequired[Literal["created", "updated", "withdrawn"]]  # ... and what changed


class SchoolNoticePublished(Envelope, SchoolNoticeFacts):
    pass


class SchoolNoticeWithdrawn(Envelope, SchoolNoticeFacts):
    pass


# ---------------------------------------------------------------- poche.transit
class WindowCounts(TypedDict):
    stops: Counts
    routes: Counts
    departures: Counts
    trip_maps: Counts


class TimetableUpdatedFacts(TypedDict):
    connector: str
    counts: WindowCounts
    dates: list[str]  # service dates whose departures changed
    window: list[str]  # the service dates materialised
    stop_ids: list[str]
    route_ids: list[str]
    truncated: bool


class TimetableUpdated(Envelope, TimetableUpdatedFacts):
    pass


class AlertChange(TypedDict):
    alert_id: str
    change: Change
    title: NotRequired[str]  # the alert's header (absent for a deleted alert, or one without header)
    route_ids: NotRequired[list[str]]  # events before `alert_routes`: the alert's routes


class RealtimeUpdatedFacts(TypedDict):
    connector: str
    feed_timestamp: str | None  # the oldest timestamp the payloads gave
    trips: Counts
    cancelled_trip_ids: list[str]
    truncated: bool
    vehicles: NotRequired[Counts]  # GTFS-RT only (SIRI Lite has trips only) ...
    alerts: NotRequired[Counts]
    alert_changes: NotRequired[list[AlertChange]]
    alert_routes: NotRequired[dict[str, list[str]]]  # alert id -> its routes, for created or updated alerts


class RealtimeUpdated(Envelope, RealtimeUpdatedFacts):
    pass


# ---------------------------------------------------------------- poche.places
class PlaceChange(TypedDict):
    id: str  # `<source>:<source id>`
    change: Change
    category: str
    commune: NotRequired[str]  # INSEE, when the place has one


class PlacesUpdatedFacts(TypedDict):
    connector: str
    changes: list[PlaceChange]
    counts: Counts
    truncated: bool


class PlacesUpdated(Envelope, PlacesUpdatedFacts):
    pass


# ---------------------------------------------------------------- poche.payments
class DebtChange(TypedDict):
    exer: str
    refdet: str
    change: Literal["created", "updated", "cancelled", "withdrawn"]  # updated: amount, label or due date changed


class DebtsUpdatedFacts(TypedDict):
    connector: str
    changes: list[DebtChange]
    counts: Counts
    truncated: bool


class DebtsUpdated(Envelope, DebtsUpdatedFacts):
    pass


class PaymentFacts(TypedDict):
    """One fact of the payments ledger, as an event (the ledger item is the record; the event tells the others)."""

    payment_id: str
    attempt: int
    exer: str
    refdet: str
    product: str
    amount_cents: int
    at: str  # UTC ISO: when the fact was recorded
    payer: NotRequired[str]  # the signed-in payer's `sub` (their inbox); absent for an anonymous payer
    idop: NotRequired[str]
    resultrans: NotRequired[str]  # PayFiP's result: P V R Z A
    paid_at: NotRequired[str]  # UTC ISO of PayFiP's transaction (successes)
    reason: NotRequired[str]  # why: expired, late, duplicate...


class PaymentInitiated(Envelope, PaymentFacts):
    pass


class PaymentStartFailed(Envelope, PaymentFacts):
    pass


class PaymentNotified(Envelope, PaymentFacts):
    pass


class PaymentDetailFetched(Envelope, PaymentFacts):
    pass


class PaymentSucceeded(Envelope, PaymentFacts):
    pass


class PaymentFailed(Envelope, PaymentFacts):
    pass


class PaymentCancelled(Envelope, PaymentFacts):
    pass


class PaymentExpired(Envelope, PaymentFacts):
    pass


class PaymentDuplicated(Envelope, PaymentFacts):
    pass


class ExceptionResolvedFacts(TypedDict):
    date: str  # the Paris date of the reconciliation
    exception_id: str
    kind: str
    by: str  # the staff member's `sub`
    at: str


class ExceptionResolved(Envelope, ExceptionResolvedFacts):
    pass


# ---------------------------------------------------------------- the registry
class EventType(NamedTuple):
    source: str
    detail_type: str
    version: int
    detail: type  # the TypedDict of the detail, envelope included
    facts: type  # ... and of the facts a producer builds
    producers: tuple[str, ...]  # connectors and functions, by name
    consumers: tuple[str, ...]  # functions whose bus rule targets it
    summary: str


MATCHER = "notifications_match"
_TYPES = (
    EventType(
        "poche.canteen",
        "MenusUpdated",
        1,
        MenusUpdated,
        MenusUpdatedFacts,
        ("canteen-menus-scdl",),
        (),
        "A canteen feed's run changed canteens or menus.",
    ),
    EventType(
        "poche.agenda",
        "EventsUpdated",
        1,
        EventsUpdated,
        EventsUpdatedFacts,
        ("agenda-openagenda", "agenda-datatourisme"),
        (),
        "An agenda feed's run created, changed or removed events.",
    ),
    EventType(
        "poche.agenda",
        "SessionsUpdated",
        1,
        SessionsUpdated,
        SessionsUpdatedFacts,
        ("agenda-cinema",),
        (),
        "A cinema feed's run changed the sessions of some cinemas and days.",
    ),
    EventType(
        "poche.traffic",
        "TrafficEventsUpdated",
        1,
        TrafficEventsUpdated,
        TrafficEventsUpdatedFacts,
        ("traffic-datex2",),
        (MATCHER,),
        "A traffic feed's run created, changed or ended road events.",
    ),
    EventType(
        "poche.news",
        "NewsPublished",
        1,
        NewsPublished,
        NewsPublishedFacts,
        ("news-rss",),
        (MATCHER,),
        "News articles were published, or tagged with new communes.",
    ),
    EventType(
        "poche.schools",
        "SchoolNoticePublished",
        1,
        SchoolNoticePublished,
        SchoolNoticeFacts,
        ("schools-notices-csv", "schools-admin"),
        (MATCHER,),
        "School notices were published or changed (by the département's feed, or a school's staff).",
    ),
    EventType(
        "poche.schools",
        "SchoolNoticeWithdrawn",
        1,
        SchoolNoticeWithdrawn,
        SchoolNoticeFacts,
        ("schools-notices-csv", "schools-admin"),
        (),
        "School notices were withdrawn.",
    ),
    EventType(
        "poche.transit",
        "TimetableUpdated",
        1,
        TimetableUpdated,
        TimetableUpdatedFacts,
        ("transit-gtfs",),
        (),
        "The GTFS run changed stops, routes or departures of the materialised window.",
    ),
    EventType(
        "poche.transit",
        "RealtimeUpdated",
        1,
        RealtimeUpdated,
        RealtimeUpdatedFacts,
        ("transit-gtfs-rt", "transit-siri-lite"),
        (MATCHER,),
        "A real-time run changed trips (delays, cancellations) or service alerts; vehicles alone are not news.",
    ),
    EventType(
        "poche.places",
        "PlacesUpdated",
        1,
        PlacesUpdated,
        PlacesUpdatedFacts,
        ("places-finess", "places-covoiturage", "places-irve"),
        (),
        "A places feed's run created, changed or removed places (static data; live availability is not news).",
    ),
    EventType(
        "poche.payments",
        "DebtsUpdated",
        1,
        DebtsUpdated,
        DebtsUpdatedFacts,
        ("payments-debts-csv",),
        (),
        "The finance software's export created, changed, cancelled or withdrew debts.",
    ),
    EventType(
        "poche.payments",
        "PaymentInitiated",
        1,
        PaymentInitiated,
        PaymentFacts,
        ("payments-service",),
        (),
        "An attempt to pay a debt got its PayFiP idOp: the payer is on PayFiP's page.",
    ),
    EventType(
        "poche.payments",
        "PaymentStartFailed",
        1,
        PaymentStartFailed,
        PaymentFacts,
        ("payments-service",),
        (),
        "PayFiP refused or did not answer the creation of a payment: the attempt never started.",
    ),
    EventType(
        "poche.payments",
        "PaymentNotified",
        1,
        PaymentNotified,
        PaymentFacts,
        ("payments-processor",),
        (),
        "PayFiP's notification of an attempt came (once per attempt; the result is then asked of PayFiP).",
    ),
    EventType(
        "poche.payments",
        "PaymentDetailFetched",
        1,
        PaymentDetailFetched,
        PaymentFacts,
        ("payments-service", "payments-processor", "payments-sweeper"),
        (),
        "PayFiP gave a result that is not final yet (a cancellation within its grace period).",
    ),
    EventType(
        "poche.payments",
        "PaymentSucceeded",
        1,
        PaymentSucceeded,
        PaymentFacts,
        ("payments-service", "payments-processor", "payments-sweeper"),
        (MATCHER,),
        "PayFiP confirmed a payment (card or debit): the debt is settled.",
    ),
    EventType(
        "poche.payments",
        "PaymentFailed",
        1,
        PaymentFailed,
        PaymentFacts,
        ("payments-service", "payments-processor", "payments-sweeper"),
        (MATCHER,),
        "PayFiP refused a payment (card or debit refused).",
    ),
    EventType(
        "poche.payments",
        "PaymentCancelled",
        1,
        PaymentCancelled,
        PaymentFacts,
        ("payments-service", "payments-processor", "payments-sweeper"),
        (),
        "The payer cancelled on PayFiP's page (final after the grace period).",
    ),
    EventType(
        "poche.payments",
        "PaymentExpired",
        1,
        PaymentExpired,
        PaymentFacts,
        ("payments-service", "payments-processor", "payments-sweeper"),
        (),
        "An attempt ended without a result (no payment before the idOp's validity ran out).",
    ),
    EventType(
        "poche.payments",
        "PaymentDuplicated",
        1,
        PaymentDuplicated,
        PaymentFacts,
        ("payments-service", "payments-processor", "payments-sweeper"),
        (),
        "A debt already settled was paid again: a refund to arrange.",
    ),
    EventType(
        "poche.payments",
        "ExceptionResolved",
        1,
        ExceptionResolved,
        ExceptionResolvedFacts,
        ("payments-finance",),
        (),
        "Finance staff marked an exception of a day's reconciliation resolved, with a comment.",
    ),
)
EVENTS: dict[tuple[str, str], EventType] = {(t.source, t.detail_type): t for t in _TYPES}


# ---------------------------------------------------------------- consumers' typed accessor
D = TypeVar("D")


def read(event: Mapping[str, Any], detail: type[D]) -> D:
    """The `detail` of a bus event (EventBridge's shape: `source`, `detail-type`, `detail`) checked against its
    definition `detail` (one of the TypedDicts above); `MalformedEvent` naming the first field missing or mistyped.
    Fields the definition does not name are allowed (a newer producer may add some)."""
    return conform(event.get("detail"), detail, "detail")


def definition(event: Mapping[str, Any]) -> EventType | None:
    """The definition of a bus event by its source and detail-type (None for one not on the registry)."""
    return EVENTS.get((str(event.get("source")), str(event.get("detail-type"))))
