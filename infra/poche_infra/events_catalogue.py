"""The catalogue of the events on the bus, `docs/events.md`, generated from their definitions
(`poche_common.eventtypes.EVENTS`): `python -m poche_infra.events_catalogue [OUT]` writes it (default
docs/events.md). One section per event: source, detail-type, version, producers, consumers, the JSON Schema of its
detail (pydantic's `TypeAdapter`) and an example (`EXAMPLES`, checked against the definition by the tests).

tests/contract/test_events_catalogue.py fails when docs/events.md is not what this module writes. Nothing here
runs in a Lambda.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .paths import LAYERS, ROOT

if TYPE_CHECKING:
    from pydantic import TypeAdapter

OUT = ROOT / "docs" / "events.md"
COMMAND = "python -m poche_infra.events_catalogue"
_ENVELOPE = {"id": "5b1f3c2e-8d4a-5e6f-9a0b-1c2d3e4f5a6b", "occurred_at": "2026-11-30T09:00:00+00:00", "version": 1}
PAYMENT: dict[str, Any] = {
    "payment_id": "3f2a9c1e5b7d4e8fa0c1d2e3f4a5b6c7",
    "attempt": 1,
    "exer": "2026",
    "refdet": "CANT202611000123",
    "product": "CANTINE",
    "amount_cents": 4280,
    "at": "2026-11-30T09:00:00+00:00",
    "payer": "6c1f0d1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f",
    "idop": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
}
EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("poche.canteen", "MenusUpdated"): {
        "connector": "canteen-menus-scdl",
        "canteen_ids": ["0611047G"],
        "dates": ["2026-11-30"],
        "changes": [{"canteen_id": "0611047G", "kind": "meal", "change": "created", "date": "2026-11-30"}],
        "truncated": False,
    },
    ("poche.agenda", "EventsUpdated"): {
        "connector": "agenda-openagenda",
        "source": "openagenda",
        "event_ids": ["openagenda:8001"],
        "communes": ["61001"],
        "changes": [{"event_id": "openagenda:8001", "change": "created", "communes": ["61001"]}],
        "truncated": False,
    },
    ("poche.agenda", "SessionsUpdated"): {
        "connector": "agenda-cinema",
        "cinema_ids": ["planet-alencon"],
        "communes": ["61001"],
        "days": {"planet-alencon": ["2026-12-02", "2026-12-03"]},
    },
    ("poche.traffic", "TrafficEventsUpdated"): {
        "connector": "traffic-datex2",
        "event_ids": ["cd61-0042"],
        "communes": ["61001"],
        "changes": [
            {
                "id": "cd61-0042",
                "change": "created",
                "type": "roadworks",
                "communes": ["61001"],
                "title": "Travaux : D438 entre Sées et Macé",
            }
        ],
        "truncated": False,
    },
    ("poche.news", "NewsPublished"): {
        "connector": "news-rss",
        "item_ids": ["a1b2c3"],
        "tags": ["61001"],
        "items": [{"id": "a1b2c3", "change": "created", "tags": ["61001"], "title": "Le marché de Noël ouvre samedi"}],
        "truncated": False,
    },
    ("poche.schools", "SchoolNoticePublished"): {
        "origin": "school",
        "connector": None,
        "uai": "0610003X",
        "notice_id": "n000000000000001",
        "change": "created",
        "uais": ["0610003X"],
        "notices": [
            {
                "uai": "0610003X",
                "notice_id": "n000000000000001",
                "kind": "timetable_change",
                "title": "Sortie avancée à 15h",
                "starts": "2026-12-03T15:00:00+01:00",
                "ends": "2026-12-03T17:30:00+01:00",
                "change": "created",
            }
        ],
        "truncated": False,
    },
    ("poche.schools", "SchoolNoticeWithdrawn"): {
        "origin": "departement",
        "connector": "schools-notices-csv",
        "uais": ["0610003X"],
        "notices": [
            {
                "uai": "0610003X",
                "notice_id": "dep-3f2a1b4c5d6e7f80",
                "reference": "arrete-neige-2026-11",
                "kind": "transport_suspended",
                "title": "Transports scolaires suspendus (neige)",
                "starts": "2026-11-30T06:00:00+01:00",
                "ends": "2026-11-30T19:00:00+01:00",
                "change": "withdrawn",
            }
        ],
        "truncated": False,
    },
    ("poche.transit", "TimetableUpdated"): {
        "connector": "transit-gtfs",
        "counts": {
            "stops": {"created": 1, "updated": 0, "deleted": 0},
            "routes": {"created": 0, "updated": 1, "deleted": 0},
            "departures": {"created": 120, "updated": 4, "deleted": 2},
            "trip_maps": {"created": 12, "updated": 0, "deleted": 0},
        },
        "dates": ["2026-10-24"],
        "window": ["2026-10-23", "2026-10-24", "2026-10-25", "2026-10-26"],
        "stop_ids": ["ALE_GARE"],
        "route_ids": ["L20"],
        "truncated": False,
    },
    ("poche.transit", "RealtimeUpdated"): {
        "connector": "transit-gtfs-rt",
        "feed_timestamp": "2026-11-30T07:30:00+00:00",
        "trips": {"created": 2, "updated": 5, "deleted": 1},
        "vehicles": {"created": 0, "updated": 8, "deleted": 0},
        "alerts": {"created": 1, "updated": 0, "deleted": 0},
        "cancelled_trip_ids": ["T20-0712"],
        "alert_changes": [{"alert_id": "neige", "change": "created", "title": "Neige : service réduit"}],
        "truncated": False,
        "alert_routes": {"neige": ["L20", "L21"]},
    },
    ("poche.places", "PlacesUpdated"): {
        "connector": "places-finess",
        "changes": [{"id": "finess:610780066", "change": "created", "category": "pharmacy", "commune": "61001"}],
        "counts": {"created": 1, "updated": 0, "deleted": 0},
        "truncated": False,
    },
    ("poche.payments", "DebtsUpdated"): {
        "connector": "payments-debts-csv",
        "changes": [
            {"exer": "2026", "refdet": "CANT202611000123", "change": "created"},
            {"exer": "2026", "refdet": "TRSC202609000042", "change": "cancelled"},
        ],
        "counts": {"created": 1, "updated": 1, "deleted": 0},
        "truncated": False,
    },
    ("poche.payments", "PaymentInitiated"): PAYMENT,
    ("poche.payments", "PaymentStartFailed"): {**PAYMENT, "reason": "PayFiP: T1"},
    ("poche.payments", "PaymentNotified"): PAYMENT,
    ("poche.payments", "PaymentDetailFetched"): {
        **PAYMENT,
        "resultrans": "A",
        "reason": "cancelled less than two minutes ago: may still turn into a payment",
    },
    ("poche.payments", "PaymentSucceeded"): {
        **PAYMENT,
        "resultrans": "P",
        "paid_at": "2026-11-30T08:58:00+00:00",
    },
    ("poche.payments", "PaymentFailed"): {**PAYMENT, "resultrans": "R"},
    ("poche.payments", "PaymentCancelled"): {**PAYMENT, "resultrans": "A"},
    ("poche.payments", "PaymentExpired"): {**PAYMENT, "reason": "no result long after the idOp's validity (P5)"},
    ("poche.payments", "PaymentDuplicated"): {
        **PAYMENT,
        "attempt": 2,
        "resultrans": "V",
        "paid_at": "2026-11-30T08:58:00+00:00",
        "reason": "duplicate",
    },
    ("poche.payments", "ExceptionResolved"): {
        "date": "2026-11-30",
        "exception_id": "9d4c2b7a1e3f5a6b",
        "kind": "duplicate",
        "by": "0b9a8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d",
        "at": "2026-12-01T10:15:00+00:00",
    },
}


def _definitions() -> Any:
    common = str(LAYERS / "common" / "python")
    if common not in sys.path:
        sys.path.insert(0, common)
    from poche_common import eventtypes

    return eventtypes


def example(source: str, detail_type: str) -> dict[str, Any]:
    """The example detail of an event, envelope included."""
    return {**_ENVELOPE, **EXAMPLES[(source, detail_type)]}


def render() -> str:
    """The text of docs/events.md."""
    eventtypes = _definitions()
    lines = [
        "# Events on the bus",
        "",
        f"<!-- Generated from layers/common/python/poche_common/eventtypes.py by `{COMMAND}`: do not edit. -->",
        "",
        "Every event a domain puts on the bus `poche-<stage>`, defined once in `poche_common.eventtypes`: producers",
        "build their facts with its type, consumers read it through `eventtypes.read` (a missing or mistyped field",
        "fails the consumer, never read as a default), and tests/contract checks that each producer emits what each",
        "consumer reads. The envelope (`id`, `occurred_at`, `version`) is the house one (CONVENTIONS.md): consumers",
        "deduplicate on `id`. Producers stage their events in their table's outbox (`poche_common.outbox`).",
        "",
        "| Source | Detail-type | Producers | Consumers |",
        "| --- | --- | --- | --- |",
    ]
    definitions = list(eventtypes.EVENTS.values())
    for d in definitions:
        lines.append(
            f"| `{d.source}` | [`{d.detail_type}`](#{d.detail_type.lower()}) | {_names(d.producers)} "
            f"| {_names(d.consumers)} |"
        )
    for d in definitions:
        schema = _schema(d.detail)
        lines += [
            "",
            f"## {d.detail_type}",
            "",
            d.summary,
            "",
            f"- Source: `{d.source}`",
            f"- Detail-type: `{d.detail_type}`",
            f"- Version: {d.version}",
            f"- Producers: {_names(d.producers)}",
            f"- Consumers: {_names(d.consumers)}",
            f"- Definition: `poche_common.eventtypes.{d.detail.__name__}` (facts: `{d.facts.__name__}`)",
            "",
            "Schema of `detail`:",
            "",
            "```json",
            json.dumps(schema, ensure_ascii=False, indent=2),
            "```",
            "",
            "Example of `detail`:",
            "",
            "```json",
            json.dumps(example(d.source, d.detail_type), ensure_ascii=False, indent=2),
            "```",
        ]
    return "\n".join(lines) + "\n"


def pydantic_ready(hint: Any) -> Any:
    """`hint` (a definition of `eventtypes`, or a type within one) as pydantic takes it: before Python 3.12, its
    TypedDicts remade with typing_extensions' (the runtime keeps typing's, cheaper to import)."""
    if sys.version_info >= (3, 12):
        return hint
    return _remade(hint, {})


def _remade(hint: Any, made: dict[Any, Any]) -> Any:
    import functools
    import operator
    import types
    import typing

    import typing_extensions

    if isinstance(hint, type) and hasattr(hint, "__required_keys__"):  # a TypedDict
        if hint not in made:
            fields = {
                key: _remade(value, made)
                if key in hint.__required_keys__
                else typing_extensions.NotRequired[_remade(value, made)]
                for key, value in typing.get_type_hints(hint).items()
            }
            made[hint] = typing_extensions.TypedDict(hint.__name__, fields)  # type: ignore[operator]
            made[hint].__doc__ = hint.__doc__
        return made[hint]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (list, dict):
        return origin[tuple(_remade(arg, made) for arg in args)]
    if origin is typing.Union or origin is types.UnionType:
        return functools.reduce(operator.or_, (_remade(arg, made) for arg in args))
    return hint  # str, int, bool, None, Literal[...]


def strict_adapter(detail: type) -> TypeAdapter[list[Any]]:
    """pydantic's check of a list of details of the definition `detail`: strict (no coercion), no field the
    definition does not name (`extra="forbid"`). A list: a TypedDict's own adapter takes no config, and the nested
    TypedDicts (which have none of their own) inherit the list's."""
    import types

    from pydantic import ConfigDict, TypeAdapter

    listed: Any = types.GenericAlias(list, (pydantic_ready(detail),))
    return TypeAdapter(listed, config=ConfigDict(strict=True, extra="forbid"))


def _schema(detail: type) -> dict[str, Any]:
    """The JSON Schema of a detail as producers must emit it (`strict_adapter`: `additionalProperties: false`; a
    consumer accepts more, so that a producer can add a field first)."""
    definitions = strict_adapter(detail).json_schema()["$defs"]
    return {**definitions.pop(detail.__name__), **({"$defs": definitions} if definitions else {})}


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{name}`" for name in names) or "none yet"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(), encoding="utf-8")
    print(f"{out}: {len(_definitions().EVENTS)} events")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
