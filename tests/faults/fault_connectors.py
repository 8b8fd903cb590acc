"""The connectors of the fault matrix: one small descriptor each, listed in CONNECTORS.

A spoiled item is a `Mutation`: the hostile payload, the id prefix of the one item it spoils (`lost`: that item may
not be stored from this payload; every other item of the good run must be), and `markers`, strings that must never
be found stored (`in_keys`: in a key attribute; else anywhere in an item).

Adding a connector (nothing else to edit: every fault then runs against it):
1. a `Connector(...)` below: its name, handler package, domain (its table in fault_platform.TABLES), the moment its
   good sample is current (`now`), the good sample (`good`, bytes: small, just big enough), its content type and
   the `max_bytes` its fetch accepts;
2. how to spoil one item of the good sample in its format: `malformed`, `out_of_range_date`, `over_long_id`, and,
   when the format has them, `deep_nesting` and `xml_entities` (the helpers of fault_formats.py edit CSV, JSON, XML,
   GTFS zips and GTFS-RT protobuf); each names the item it spoils (`lost`);
3. for a fault that cannot apply to the format, a `NotApplicable(slug, reason)` in `not_applicable` instead (the
   matrix then shows `<connector>-<fault>-not-applicable-<slug>` as a passing test; never a skip);
4. if needed: `source` (how one URL becomes its POCHE_SOURCE_ value), `ids` (how to read its items from its table,
   default `<pk>|<sk>`), `seed` (items another connector would have written first), `bomb` (a format-level
   decompression bomb; default: a gzip bomb sent with Content-Encoding: gzip);
5. append it to CONNECTORS. `test_every_cell_is_tested_or_excused` fails until every fault has a cell or a reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fault_formats as ff

ROOT = Path(__file__).resolve().parents[2]
CONNECTORS_DIR = ROOT / "functions" / "connectors"
MiB = 1024 * 1024
UTC = dt.UTC
DEFAULT_MAX_BYTES = 20 * MiB  # poche_common.sources.DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class Mutation:
    payload: bytes
    lost: str | None  # id prefix of the spoiled item
    markers: tuple[str, ...] = ()
    in_keys: bool = False  # markers are forbidden in key attributes only (else anywhere)


@dataclass(frozen=True)
class NotApplicable:
    slug: str  # shown in the test id
    reason: str


Mutator = Callable[[bytes], Mutation]


def mutation(payload: bytes, lost: str | None, markers: tuple[str, ...] = (), in_keys: bool = False) -> Mutation:
    return Mutation(payload, lost, markers, in_keys)


KEY_ATTRIBUTES = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")


def key_ids(items: Sequence[Mapping[str, Any]]) -> set[str]:
    """`<pk>|<sk>` of every domain item (run records and tile projections left out)."""
    return {
        f"{item['pk']['S']}|{item['sk']['S']}" for item in items if not item["pk"]["S"].startswith(("FEED#", "TILE#"))
    }


@dataclass(frozen=True)
class Connector:
    name: str  # the connector's name: FEED#<name> in its table, POCHE_SOURCE_<NAME>
    package: str  # functions/connectors/<package>/handler.py
    domain: str  # its table (fault_platform.TABLES)
    now: dt.datetime  # when its good sample is current
    good: Callable[[], bytes]
    content_type: str
    max_bytes: int  # what its fetch accepts at most
    malformed: Mutator
    out_of_range_date: Mutator | None  # None (given, never left out) with its reason in `not_applicable`
    over_long_id: Mutator
    deep_nesting: Mutator | None = None
    xml_entities: Mutator | None = None
    bomb: Callable[[bytes, Any], tuple[bytes, dict[str, str]]] | None = None  # (good, handler module) -> body, headers
    source: Callable[[str], str] = lambda url: url  # the POCHE_SOURCE_ value for one URL
    ids: Callable[[Sequence[Mapping[str, Any]]], set[str]] = key_ids
    seed: Callable[[], list[dict[str, Any]]] = list  # wire items present before any run
    not_applicable: Mapping[str, NotApplicable] = field(default_factory=dict)

    @property
    def service(self) -> str:
        return self.domain


def sample(package: str, name: str) -> bytes:
    return (CONNECTORS_DIR / package / "sample" / name).read_bytes()


FLAT_CSV = NotApplicable("flat-csv", "CSV rows are flat: the format has no nesting at all")
NOT_XML_JSON = NotApplicable("json-no-entities", "JSON has no entity or DOCTYPE syntax: nothing to expand or fetch")
NOT_XML_CSV = NotApplicable("csv-no-entities", "CSV has no entity or DOCTYPE syntax: nothing to expand or fetch")
NOT_XML_PB = NotApplicable("protobuf-no-entities", "protobuf is binary: no entity or DOCTYPE syntax")


# ---------------------------------------------------------------- canteen-menus-scdl (SCDL CSV, `;`)

CANTEEN_MEAL = {"menuRestaurantId": "0611047G", "menuDate": "2026-11-30", "menuRepasType": "déjeuner"}


def _canteen_good() -> bytes:
    kept = {"0611047G", "0610712T", "21610464600023"}
    days = {"2026-11-30", "2026-12-01", "2026-12-03"}
    return ff.csv_keep(
        sample("canteen_menus_scdl", "menus-collectifs.csv"),
        delimiter=";",
        keep=lambda r: r["menuRestaurantId"] in kept and r["menuDate"] in days,
    )


def _canteen_meal(change: dict[str, str]) -> Callable[[bytes], bytes]:
    return lambda body: ff.csv_edit(
        body, delimiter=";", where=lambda r: all(r[k] == v for k, v in CANTEEN_MEAL.items()), change=change
    )


CANTEEN_LOST = "CANTEEN#0611047G|MEAL#2026-11-30#dejeuner"
CANTEEN = Connector(
    name="canteen-menus-scdl",
    package="canteen_menus_scdl",
    domain="canteen",
    now=dt.datetime(2026, 11, 29, 8, 0, tzinfo=UTC),
    good=_canteen_good,
    content_type="text/csv; charset=utf-8",
    max_bytes=DEFAULT_MAX_BYTES,
    malformed=lambda body: mutation(_canteen_meal({"menuRestaurantIdType": "pas-un-type"})(body), CANTEEN_LOST),
    out_of_range_date=lambda body: mutation(
        _canteen_meal({"menuDate": ff.ANCIENT_DAY, "menuPublicationDate": ff.ANCIENT})(body),
        CANTEEN_LOST,
        markers=(ff.ANCIENT_DAY,),
    ),
    over_long_id=lambda body: mutation(
        ff.csv_edit(
            body,
            delimiter=";",
            where=lambda r: r["menuRestaurantId"] == "21610464600023",
            change={"menuRestaurantIdType": "autre", "menuRestaurantId": ff.OVERLONG_ID},
        ),
        "CANTEEN#21610464600023|",
        markers=(ff.OVERLONG_MARK,),
        in_keys=True,
    ),
    # labels and allergens are JSON arrays inside a CSV cell: nesting does exist there (kept under the csv module's
    # 128 KiB field limit, which would otherwise refuse the file before any JSON is read)
    deep_nesting=lambda body: mutation(
        _canteen_meal({"menuPlatAllergene": "[" * 50_000 + "]" * 50_000})(body), CANTEEN_LOST
    ),
    not_applicable={"xml_entities": NOT_XML_CSV},
)


# ---------------------------------------------------------------- transit-gtfs (zip of CSV files)


def _gtfs_rows(file: str, edit: Callable[[bytes], bytes]) -> Callable[[dict[str, bytes]], None]:
    def apply(members: dict[str, bytes]) -> None:
        members[file] = edit(members[file])

    return apply


def _gtfs_edit(body: bytes, *edits: Callable[[dict[str, bytes]], None]) -> bytes:
    def apply(members: dict[str, bytes]) -> None:
        for edit in edits:
            edit(members)

    return ff.gtfs_edit(body, apply)


def _gtfs_stop(change: dict[str, str], references: bool) -> Callable[[bytes], bytes]:
    """The stop MEL_MAIR changed in stops.txt (and, for its id, in stop_times.txt too)."""

    def apply(body: bytes) -> bytes:
        edits = [
            _gtfs_rows(
                "stops.txt",
                lambda d: ff.csv_edit(d, delimiter=",", where=lambda r: r["stop_id"] == "MEL_MAIR", change=change),
            )
        ]
        if references:
            edits.append(
                _gtfs_rows(
                    "stop_times.txt",
                    lambda d: ff.csv_edit(
                        d,
                        delimiter=",",
                        where=lambda r: r["stop_id"] == "MEL_MAIR",
                        change={"stop_id": change["stop_id"]},
                    ),
                )
            )
        return _gtfs_edit(body, *edits)

    return apply


def _gtfs_bomb(good: bytes, module: Any) -> tuple[bytes, dict[str, str]]:
    """A zip whose stop_times.txt inflates past the parser's own limit on what an archive may inflate to."""
    parser = __import__(f"{module.__package__}.parser", fromlist=["parser"])
    limit = int(getattr(parser, "MAX_UNCOMPRESSED_BYTES", 400 * MiB))
    members = {k: v for k, v in ff.zip_members(good).items() if k != "stop_times.txt"}
    return ff.zip_bomb(members, "stop_times.txt", limit + MiB), {"Content-Type": "application/zip"}


GTFS = Connector(
    name="transit-gtfs",
    package="transit_gtfs",
    domain="transit",
    now=dt.datetime(2026, 10, 24, 2, 0, tzinfo=UTC),
    good=lambda: sample("transit_gtfs", "network.zip"),
    content_type="application/zip",
    max_bytes=50 * MiB,  # transit_gtfs.handler.MAX_FEED_BYTES
    malformed=lambda body: mutation(
        _gtfs_stop({"stop_id": "MEL_MAIR", "stop_lat": "pas-une-latitude"}, references=False)(body), "STOP#MEL_MAIR|"
    ),
    out_of_range_date=lambda body: mutation(
        _gtfs_edit(body, _gtfs_rows("calendar_dates.txt", lambda d: d.rstrip(b"\r\n") + b"\r\nSEM,00010101,2\r\n")),
        None,
        markers=(ff.ANCIENT_DAY, "00010101"),
    ),
    over_long_id=lambda body: mutation(
        _gtfs_stop({"stop_id": ff.OVERLONG_ID}, references=True)(body),
        "STOP#MEL_MAIR|",
        markers=(ff.OVERLONG_MARK,),
        in_keys=True,
    ),
    bomb=_gtfs_bomb,
    not_applicable={
        "deep_nesting": NotApplicable("flat-csv-in-zip", "GTFS files are flat CSV tables: no nesting in the format"),
        "xml_entities": NOT_XML_CSV,
    },
)


# ---------------------------------------------------------------- transit-gtfs-rt (protobuf)

RT_NOW = dt.datetime(2026, 11, 30, 7, 30, 20, tzinfo=UTC)  # 20 s after the samples' header timestamp
STATIC_TRIPS = {  # the static trip -> route chunk of transit-gtfs, as tests/integration seeds it
    "10-SEM-0715-R": ("L10", 26100),
    "10-SEM-1215": ("L10", 44100),
    "10-SEM-1740": ("L10", 63600),
    "20-SEM-0730": ("L20", 27000),
    "20-SEM-1300-R": ("L20", 46800),
    "20-SEM-1645": ("L20", 60300),
    "30-SEM-0800": ("L30", 28800),
}


def _static_trips() -> list[dict[str, Any]]:
    return [
        {
            "pk": {"S": "FEED#transit-gtfs"},
            "sk": {"S": "TRIPS#0000"},
            "trips": {"M": {trip: {"S": route} for trip, (route, _) in STATIC_TRIPS.items()}},
            "starts": {"M": {trip: {"N": str(start)} for trip, (_, start) in STATIC_TRIPS.items()}},
            "timezone": {"S": "Europe/Paris"},
            "digest": {"S": "static-v1"},
        }
    ]


def _rt_entity(entity_id: str, edit: Callable[[Any], None]) -> Callable[[bytes], bytes]:
    def apply(body: bytes) -> bytes:
        def on_message(message: Any) -> None:
            edit(ff.find(message.entity, lambda e: e.id == entity_id))

        return ff.gtfs_rt_edit(body, on_message)

    return apply


def _clear_trip_id(entity: Any) -> None:
    entity.trip_update.trip.ClearField("trip_id")


def _ancient_start(entity: Any) -> None:
    entity.trip_update.trip.start_date = "00010101"


def _overlong_trip(entity: Any) -> None:
    entity.trip_update.trip.trip_id = ff.OVERLONG_ID


GTFS_RT = Connector(
    name="transit-gtfs-rt",
    package="transit_gtfs_rt",
    domain="transit",
    now=RT_NOW,
    good=lambda: sample("transit_gtfs_rt", "mixed.pb"),
    content_type="application/x-protobuf",
    max_bytes=DEFAULT_MAX_BYTES,
    malformed=lambda body: mutation(_rt_entity("tu-20-SEM-1645", _clear_trip_id)(body), "TRIP#20-SEM-1645|"),
    out_of_range_date=lambda body: mutation(
        _rt_entity("tu-20-SEM-1645", _ancient_start)(body), "TRIP#20-SEM-1645|", markers=(ff.ANCIENT_DAY,)
    ),
    over_long_id=lambda body: mutation(
        _rt_entity("tu-20-SEM-1645", _overlong_trip)(body),
        "TRIP#20-SEM-1645|",
        markers=(ff.OVERLONG_MARK,),
        in_keys=True,
    ),
    deep_nesting=lambda body: mutation(ff.gtfs_rt_nested(body, "tu-20-SEM-1645"), "TRIP#20-SEM-1645|"),
    seed=_static_trips,
    not_applicable={"xml_entities": NOT_XML_PB},
)


# ---------------------------------------------------------------- transit-siri-lite (JSON)


def _siri_visit(edit: Callable[[dict[str, Any]], None]) -> Callable[[bytes], bytes]:
    """The one visit of trip 20-SEM-0730, edited."""

    def on_document(document: Any) -> None:
        visits = [
            visit
            for delivery in document["Siri"]["ServiceDelivery"]["StopMonitoringDelivery"]
            for visit in delivery.get("MonitoredStopVisit", [])
        ]
        visit = ff.find(
            visits,
            lambda v: (
                v["MonitoredVehicleJourney"].get("FramedVehicleJourneyRef", {}).get("DatedVehicleJourneyRef")
                == "20-SEM-0730"
            ),
        )
        edit(visit)

    return lambda body: ff.json_edit(body, on_document)


def _siri_ancient(visit: dict[str, Any]) -> None:
    journey = visit["MonitoredVehicleJourney"]
    journey["FramedVehicleJourneyRef"]["DataFrameRef"] = ff.ANCIENT_DAY
    call = journey["MonitoredCall"]
    for key in ("AimedArrivalTime", "ExpectedArrivalTime", "AimedDepartureTime", "ExpectedDepartureTime"):
        call[key] = ff.ANCIENT


def _siri_overlong(visit: dict[str, Any]) -> None:
    visit["MonitoredVehicleJourney"]["FramedVehicleJourneyRef"]["DatedVehicleJourneyRef"] = ff.OVERLONG_ID


def _siri_deep(visit: dict[str, Any]) -> None:
    visit["MonitoredVehicleJourney"]["MonitoredCall"]["StopPointName"] = ff.nested_json()


SIRI_LOST = "TRIP#20-SEM-0730|"
SIRI = Connector(
    name="transit-siri-lite",
    package="transit_siri_lite",
    domain="transit",
    now=RT_NOW,
    good=lambda: sample("transit_siri_lite", "stop-monitoring.json"),
    content_type="application/json",
    max_bytes=DEFAULT_MAX_BYTES,
    malformed=lambda body: mutation(
        _siri_visit(lambda v: v["MonitoredVehicleJourney"].pop("MonitoredCall"))(body), SIRI_LOST
    ),
    out_of_range_date=lambda body: mutation(_siri_visit(_siri_ancient)(body), SIRI_LOST, markers=(ff.ANCIENT_DAY,)),
    over_long_id=lambda body: mutation(
        _siri_visit(_siri_overlong)(body), SIRI_LOST, markers=(ff.OVERLONG_MARK,), in_keys=True
    ),
    deep_nesting=lambda body: mutation(_siri_visit(_siri_deep)(body), SIRI_LOST),
    not_applicable={"xml_entities": NOT_XML_JSON},
)


# ---------------------------------------------------------------- traffic-datex2 (DATEX II XML)

DATEX_SITUATION = '<situation id="ALIS_A28_20261202_0840"'
DATEX_LOST = "EVENT#ALIS_A28_20261202_0840#"


def _datex(edit: Callable[[str], str]) -> Callable[[bytes], bytes]:
    return lambda body: ff.xml_edit(body, DATEX_SITUATION, "</situation>", edit)


TRAFFIC = Connector(
    name="traffic-datex2",
    package="traffic_datex2",
    domain="traffic",
    now=dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    good=lambda: sample("traffic_datex2", "situations-v2.xml"),
    content_type="application/xml",
    max_bytes=DEFAULT_MAX_BYTES,
    malformed=lambda body: mutation(
        _datex(
            lambda s: s.replace("<validityStatus>active</validityStatus>", "<validityStatus>peut-etre</validityStatus>")
        )(body),
        DATEX_LOST,
    ),
    out_of_range_date=lambda body: mutation(
        _datex(
            lambda s: s.replace(
                "<overallStartTime>2026-12-02T08:40:00+01:00</overallStartTime>",
                f"<overallStartTime>{ff.ANCIENT}</overallStartTime>",
            )
        )(body),
        DATEX_LOST,
        markers=(ff.ANCIENT_DAY,),
    ),
    over_long_id=lambda body: mutation(
        _datex(lambda s: s.replace(DATEX_SITUATION, f'<situation id="{ff.OVERLONG_ID}"'))(body),
        DATEX_LOST,
        markers=(ff.OVERLONG_MARK,),
        in_keys=True,
    ),
    deep_nesting=lambda body: mutation(
        _datex(lambda s: s.replace("<severity>high</severity>", "<severity>high</severity>" + ff.nested_xml()))(body),
        DATEX_LOST,
        markers=("profond",),
    ),
    xml_entities=lambda body: mutation(
        ff.with_entities(body, "d2LogicalModel", "accident impliquant un poids lourd"),
        DATEX_LOST,
        markers=(ff.SECRET, "lollollol"),
    ),
)


# ---------------------------------------------------------------- agenda-openagenda (JSON API pages)


def _openagenda_good() -> bytes:
    """Both sample pages as the one and last page of an agenda (no `after`: the feed is read to its end)."""
    first = json.loads(sample("agenda_openagenda", "events-page1.json"))
    second = json.loads(sample("agenda_openagenda", "events-page2.json"))
    events = first["events"] + second["events"]
    return json.dumps({"total": len(events), "events": events, "success": True}, ensure_ascii=False).encode()


def _openagenda_event(edit: Callable[[dict[str, Any]], None]) -> Callable[[bytes], bytes]:
    return lambda body: ff.json_edit(body, lambda doc: edit(ff.find(doc["events"], lambda e: e.get("uid") == 8005)))


def _openagenda_ancient(event: dict[str, Any]) -> None:
    for timing in event["timings"]:
        timing["begin"] = timing["end"] = ff.ANCIENT
    event["firstTiming"] = event["lastTiming"] = event["timings"][0]


OPENAGENDA_LOST = "EVENT#openagenda:8005|"
OPENAGENDA = Connector(
    name="agenda-openagenda",
    package="agenda_openagenda",
    domain="agenda",
    now=dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    good=_openagenda_good,
    content_type="application/json",
    max_bytes=DEFAULT_MAX_BYTES,  # agenda_openagenda.pages.MAX_BYTES, for all the pages of a source
    malformed=lambda body: mutation(
        _openagenda_event(lambda e: e.update(timings="pas une liste"))(body), OPENAGENDA_LOST
    ),
    out_of_range_date=lambda body: mutation(
        _openagenda_event(_openagenda_ancient)(body), OPENAGENDA_LOST, markers=(ff.ANCIENT_DAY,)
    ),
    over_long_id=lambda body: mutation(
        _openagenda_event(lambda e: e.update(uid=ff.OVERLONG_ID))(body),
        OPENAGENDA_LOST,
        markers=(ff.OVERLONG_MARK,),
        in_keys=True,
    ),
    deep_nesting=lambda body: mutation(
        _openagenda_event(lambda e: e.update(keywords={"fr": ff.nested_json()}))(body), OPENAGENDA_LOST
    ),
    not_applicable={"xml_entities": NOT_XML_JSON},
)


# ---------------------------------------------------------------- agenda-datatourisme (JSON-LD)

DT_ID = "https://data.datatourisme.fr/61/d4a3f5e7-0004-4b9d-8e4b-scapin-matinee"


def _datatourisme_good() -> bytes:
    """The sample without its market (a weekly event: a hundred occurrences add time, not coverage)."""
    document = json.loads(sample("agenda_datatourisme", "orne-evenements.jsonld"))
    document["@graph"] = [node for node in document["@graph"] if "marche-argentan" not in node["@id"]]
    return json.dumps(document, ensure_ascii=False).encode()


def _datatourisme_event(edit: Callable[[dict[str, Any]], None]) -> Callable[[bytes], bytes]:
    return lambda body: ff.json_edit(body, lambda doc: edit(ff.find(doc["@graph"], lambda n: n["@id"] == DT_ID)))


def _datatourisme_ancient(event: dict[str, Any]) -> None:
    for period in event["takesPlaceAt"]:
        period["startDate"] = period["endDate"] = ff.ANCIENT_DAY
        period["startTime"] = "00:00:00"
        period.pop("endTime", None)


DT_LOST = "EVENT#datatourisme:d4a3f5e7-0004-4b9d-8e4b-scapin-matinee|"
DATATOURISME = Connector(
    name="agenda-datatourisme",
    package="agenda_datatourisme",
    domain="agenda",
    now=dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    good=_datatourisme_good,
    content_type="application/ld+json",
    max_bytes=DEFAULT_MAX_BYTES,
    malformed=lambda body: mutation(
        _datatourisme_event(lambda e: e.update(takesPlaceAt="pas une période"))(body), DT_LOST
    ),
    out_of_range_date=lambda body: mutation(
        _datatourisme_event(_datatourisme_ancient)(body), DT_LOST, markers=(ff.ANCIENT_DAY,)
    ),
    over_long_id=lambda body: mutation(
        _datatourisme_event(lambda e: e.update({"@id": "https://data.datatourisme.fr/61/" + ff.OVERLONG_ID}))(body),
        DT_LOST,
        markers=(ff.OVERLONG_MARK,),
        in_keys=True,
    ),
    deep_nesting=lambda body: mutation(
        _datatourisme_event(lambda e: e.update({"rdfs:label": {"fr": ff.nested_json()}}))(body), DT_LOST
    ),
    not_applicable={"xml_entities": NOT_XML_JSON},
)


# ---------------------------------------------------------------- agenda-cinema (CSV, FORMAT.md)

CINEMA_ROW = {"cinema_id": "planet-alencon", "film_title": "Le Voyage de Pim", "start": "2026-12-02 16:15"}
CINEMA_LOST = "CINEMA#planet-alencon|SESSION#2026-12-02T15:15"


def _cinema_row(change: dict[str, str]) -> Callable[[bytes], bytes]:
    return lambda body: ff.csv_edit(
        body, delimiter=";", where=lambda r: all(r[k] == v for k, v in CINEMA_ROW.items()), change=change
    )


CINEMA = Connector(
    name="agenda-cinema",
    package="agenda_cinema",
    domain="agenda",
    now=dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    good=lambda: sample("agenda_cinema", "seances.csv"),
    content_type="text/csv; charset=utf-8",
    max_bytes=5 * MiB,  # agenda_cinema.handler.fetch_source
    malformed=lambda body: mutation(_cinema_row({"version": "VX"})(body), CINEMA_LOST),
    out_of_range_date=lambda body: mutation(
        _cinema_row({"start": "0001-01-01 00:00"})(body), CINEMA_LOST, markers=(ff.ANCIENT_DAY,)
    ),
    over_long_id=lambda body: mutation(
        _cinema_row({"cinema_id": ff.OVERLONG_ID})(body), CINEMA_LOST, markers=(ff.OVERLONG_MARK,), in_keys=True
    ),
    not_applicable={"deep_nesting": FLAT_CSV, "xml_entities": NOT_XML_CSV},
)


# ---------------------------------------------------------------- news-rss (RSS 2.0 / Atom)

NEWS_ITEM = '<guid isPermaLink="false">orne-actu-2026-0409</guid>'
NEWS_LOST = "NEWS#" + hashlib.sha256(b"orne-actu-2026-0409").hexdigest()[:24] + "|"  # news_rss.model.item_id


def _news(edit: Callable[[str], str]) -> Callable[[bytes], bytes]:
    start = "<title>Espaces naturels sensibles : les sorties nature de décembre</title>"
    return lambda body: ff.xml_edit(body, start, "</item>", edit)


NEWS = Connector(
    name="news-rss",
    package="news_rss",
    domain="news",
    now=dt.datetime(2026, 11, 29, 9, 0, tzinfo=UTC),
    good=lambda: sample("news_rss", "orne-actualites.xml"),
    content_type="application/rss+xml",
    max_bytes=DEFAULT_MAX_BYTES,
    source=lambda url: f"general={url}",
    malformed=lambda body: mutation(
        _news(lambda s: s.replace("<link>https://www.orne.example/actualites/sorties-nature-decembre</link>", ""))(
            body
        ),
        NEWS_LOST,
    ),
    out_of_range_date=lambda body: mutation(
        _news(lambda s: s.replace("<dc:date>2026-11-24T08:00:00+01:00</dc:date>", f"<dc:date>{ff.ANCIENT}</dc:date>"))(
            body
        ),
        NEWS_LOST,
        markers=(ff.ANCIENT_DAY,),
    ),
    over_long_id=lambda body: mutation(
        _news(lambda s: s.replace(NEWS_ITEM, f'<guid isPermaLink="false">{ff.OVERLONG_ID}</guid>'))(body),
        NEWS_LOST,
        markers=(ff.OVERLONG_MARK,),
        in_keys=True,
    ),
    deep_nesting=lambda body: mutation(
        _news(lambda s: s.replace("<category>Sorties</category>", "<category>Sorties</category>" + ff.nested_xml()))(
            body
        ),
        NEWS_LOST,
        markers=("profond",),
    ),
    xml_entities=lambda body: mutation(
        ff.with_entities(body, "rss", "<title>Espaces naturels sensibles : "),
        NEWS_LOST,
        markers=(ff.SECRET, "lollollol"),
    ),
)


# ---------------------------------------------------------------- schools-notices-csv (CSV)


def _schools_good() -> bytes:
    """The sample without its `*` row (every school of the territory: 60 notices and tiles add time, not coverage)."""
    return ff.csv_keep(sample("schools_notices_csv", "notices.csv"), delimiter=";", keep=lambda r: r["target"] != "*")


def _schools_row(change: dict[str, str]) -> Callable[[bytes], bytes]:
    return lambda body: ff.csv_edit(
        body, delimiter=";", where=lambda r: r["reference"] == "travaux-0610745D", change=change
    )


def _school_ids(items: Sequence[Mapping[str, Any]]) -> set[str]:
    """`<reference>|<uai>` of every notice (their keys hash the reference)."""
    return {
        f"{item['reference']['S']}|{item['uai']['S']}"
        for item in items
        if item["pk"]["S"].startswith("SCHOOL#") and item["sk"]["S"].startswith("NOTICE#")
    }


SCHOOLS_LOST = "travaux-0610745D|"
SCHOOLS = Connector(
    name="schools-notices-csv",
    package="schools_notices_csv",
    domain="schools",
    now=dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
    good=_schools_good,
    content_type="text/csv; charset=utf-8",
    max_bytes=DEFAULT_MAX_BYTES,
    ids=_school_ids,
    malformed=lambda body: mutation(_schools_row({"kind": "pas-un-type"})(body), SCHOOLS_LOST),
    out_of_range_date=lambda body: mutation(
        _schools_row({"starts": ff.ANCIENT, "ends": "0001-01-02T00:00:00+01:00"})(body),
        SCHOOLS_LOST,
        markers=(ff.ANCIENT_DAY,),
    ),
    over_long_id=lambda body: mutation(
        _schools_row({"reference": ff.OVERLONG_ID})(body), SCHOOLS_LOST, markers=(ff.OVERLONG_MARK,), in_keys=True
    ),
    not_applicable={"deep_nesting": FLAT_CSV, "xml_entities": NOT_XML_CSV},
)


# ---------------------------------------------------------------- payments-debts-csv (CSV, FORMAT.md)


def _debts_row(change: dict[str, str]) -> Callable[[bytes], bytes]:
    """The debt 2026/T2026000447 (it has a payer e-mail: its due date is in an index key too), edited."""
    return lambda body: ff.csv_edit(
        body, delimiter=";", where=lambda r: r["exer"] == "2026" and r["refdet"] == "T2026000447", change=change
    )


def _debt_ids(items: Sequence[Mapping[str, Any]]) -> set[str]:
    """`<exer>|<refdet>` of every debt (the outbox and the run records left out)."""
    return {
        f"{item['exer']['S']}|{item['refdet']['S']}"
        for item in items
        if item["pk"]["S"].startswith("DEBT#") and item["sk"]["S"] == "DEBT"
    }


DEBTS_LOST = "2026|T2026000447"
DEBTS = Connector(
    name="payments-debts-csv",
    package="payments_debts_csv",
    domain="payments",  # its Debts table; the (empty) Ledger it reads is fault_platform.READ_TABLES'
    now=dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    good=lambda: sample("payments_debts_csv", "debts.csv"),
    content_type="text/csv; charset=utf-8",
    max_bytes=DEFAULT_MAX_BYTES,  # FORMAT.md: at most 20 MiB per file
    ids=_debt_ids,
    malformed=lambda body: mutation(
        _debts_row({"montant_centimes": "153,90", "statut": "peut-etre"})(body), DEBTS_LOST, markers=("153,90",)
    ),
    out_of_range_date=lambda body: mutation(
        _debts_row({"date_echeance": ff.ANCIENT_DAY})(body), DEBTS_LOST, markers=(ff.ANCIENT_DAY,)
    ),
    over_long_id=lambda body: mutation(
        _debts_row({"refdet": ff.OVERLONG_ID})(body), DEBTS_LOST, markers=(ff.OVERLONG_MARK,), in_keys=True
    ),
    not_applicable={"deep_nesting": FLAT_CSV, "xml_entities": NOT_XML_CSV},
)


# ---------------------------------------------------------------- places-finess (etalab FINESS extract, `;`, no header)

FINESS_NUMBER = "610990112"  # the Pharmacie du Centre, Alençon: a kept place with a position


def _finess_row(edit: Callable[[list[str]], list[str]]) -> Callable[[bytes], bytes]:
    """The `structureet;` row of FINESS_NUMBER, its fields edited (the file has no header: `fault_formats.csv_edit`
    cannot name its columns; the other lines are kept byte for byte)."""

    def apply(body: bytes) -> bytes:
        lines = body.decode("utf-8").split("\n")
        found = [n for n, line in enumerate(lines) if line.startswith(f"structureet;{FINESS_NUMBER};")]
        assert len(found) == 1, f"structureet;{FINESS_NUMBER} not in the sample"
        lines[found[0]] = ";".join(edit(lines[found[0]].split(";")))
        return "\n".join(lines).encode("utf-8")

    return apply


def _finess_ids(items: Sequence[Mapping[str, Any]]) -> set[str]:
    """`finess:<nofinesset>` of every place (the outbox and the run records left out)."""
    return {item["id"]["S"] for item in items if item["pk"]["S"].startswith("PLACE#") and item["sk"]["S"] == "PLACE"}


FINESS_LOST = f"finess:{FINESS_NUMBER}"
FINESS = Connector(
    name="places-finess",
    package="places_finess",
    domain="places",  # PLACES_DEPARTEMENTS=61: fault_platform.ENVIRONMENT
    now=dt.datetime(2026, 12, 2, 4, 0, tzinfo=UTC),
    good=lambda: sample("places_finess", "etalab-cs1100502-stock-orne.csv"),
    content_type="text/csv",
    max_bytes=64 * MiB,  # places_finess.handler.MAX_FEED_BYTES: the national extract is 30-40 MB
    ids=_finess_ids,
    malformed=lambda body: mutation(_finess_row(lambda fields: fields[:-3])(body), FINESS_LOST),  # 29 fields of 32
    over_long_id=lambda body: mutation(
        _finess_row(lambda fields: [fields[0], ff.OVERLONG_ID, *fields[2:]])(body),
        FINESS_LOST,
        markers=(ff.OVERLONG_MARK,),
        in_keys=True,
    ),
    out_of_range_date=None,
    not_applicable={
        "dates_out_of_range": NotApplicable(
            "dates-never-stored",
            "FINESS dates (dateouv, datemaj) are read as None outside 1800-2100 and are neither stored nor a reason "
            "to drop a place: no item depends on a date, so a year 0001 spoils nothing to reject",
        ),
        "deep_nesting": FLAT_CSV,
        "xml_entities": NOT_XML_CSV,
    },
)


def _place_ids(items: Sequence[Mapping[str, Any]]) -> set[str]:
    """`<source>:<source id>` of every place (the outbox and the run records left out)."""
    return {item["id"]["S"] for item in items if item["pk"]["S"].startswith("PLACE#") and item["sk"]["S"] == "PLACE"}


# ---------------------------------------------------------------- places-covoiturage (schema-lieux-covoiturage, `,`)

COVOITURAGE_ID = "61006-C-001"  # Argentan échangeur A88: a kept place


def _covoiturage_row(change: dict[str, str]) -> Callable[[bytes], bytes]:
    return lambda body: ff.csv_edit(body, delimiter=",", where=lambda r: r["id_lieu"] == COVOITURAGE_ID, change=change)


COVOITURAGE_LOST = f"covoiturage:{COVOITURAGE_ID}"
COVOITURAGE = Connector(
    name="places-covoiturage",
    package="places_covoiturage",
    domain="places",  # PLACES_DEPARTEMENTS=61: fault_platform.ENVIRONMENT
    now=dt.datetime(2026, 12, 2, 4, 0, tzinfo=UTC),
    good=lambda: sample("places_covoiturage", "aires-covoiturage-orne.csv"),
    content_type="text/csv",
    max_bytes=DEFAULT_MAX_BYTES,
    ids=_place_ids,
    malformed=lambda body: mutation(
        _covoiturage_row({"Xlong": "pas-une-longitude", "Ylat": "48,75,92"})(body),
        COVOITURAGE_LOST,
        markers=("pas-une-longitude",),
    ),
    over_long_id=lambda body: mutation(
        _covoiturage_row({"id_lieu": ff.OVERLONG_ID})(body),
        COVOITURAGE_LOST,
        markers=(ff.OVERLONG_MARK,),
        in_keys=True,
    ),
    out_of_range_date=None,
    not_applicable={
        "dates_out_of_range": NotApplicable(
            "dates-never-read",
            "the covoiturage parser never reads `date_maj` (its only date): it is neither stored nor a reason to "
            "drop a place, so a year 0001 there spoils nothing to reject",
        ),
        "deep_nesting": FLAT_CSV,
        "xml_entities": NOT_XML_CSV,
    },
)


# ---------------------------------------------------------------- places-irve (schema-irve-statique, `,`)

IRVE_STATION = "FRXORP61038001"  # Bellême: a kept station of 2 pdc (every row of it is spoiled: the parser tries
# a station's next row when its first is bad, so spoiling one row would not lose the station)


def _irve_station(change: dict[str, str]) -> Callable[[bytes], bytes]:
    return lambda body: ff.csv_edit(
        body, delimiter=",", where=lambda r: r["id_station_itinerance"] == IRVE_STATION, change=change
    )


IRVE_LOST = f"irve:{IRVE_STATION}"
IRVE = Connector(
    name="places-irve",
    package="places_irve",
    domain="places",  # PLACES_DEPARTEMENTS=61: fault_platform.ENVIRONMENT
    now=dt.datetime(2026, 12, 2, 4, 0, tzinfo=UTC),
    good=lambda: sample("places_irve", "irve-statique-orne.csv"),
    content_type="text/csv",
    max_bytes=DEFAULT_MAX_BYTES,
    ids=_place_ids,
    malformed=lambda body: mutation(
        _irve_station({"coordonneesXY": "[pas-une-longitude,48.3752]"})(body),
        IRVE_LOST,
        markers=("pas-une-longitude",),
    ),
    over_long_id=lambda body: mutation(
        _irve_station({"id_station_itinerance": ff.OVERLONG_ID})(body),
        IRVE_LOST,
        markers=(ff.OVERLONG_MARK,),
        in_keys=True,
    ),
    out_of_range_date=None,
    not_applicable={
        "dates_out_of_range": NotApplicable(
            "dates-never-read",
            "the IRVE static parser never reads `date_mise_en_service` nor `date_maj`: no date is stored nor a "
            "reason to drop a station, so a year 0001 there spoils nothing to reject",
        ),
        "deep_nesting": FLAT_CSV,
        "xml_entities": NOT_XML_CSV,
    },
)


# The matrix's connectors: add a new one here (and nowhere else).
CONNECTORS: tuple[Connector, ...] = (
    CANTEEN,
    GTFS,
    GTFS_RT,
    SIRI,
    TRAFFIC,
    OPENAGENDA,
    DATATOURISME,
    CINEMA,
    NEWS,
    SCHOOLS,
    DEBTS,
    FINESS,
    COVOITURAGE,
    IRVE,
)
