"""Unit tests of the agenda-datatourisme connector: JSON-LD parsing, occurrences, the duplicate matcher, items."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from agenda_datatourisme.matcher import Candidate, find_duplicate, normalise_title
from agenda_datatourisme.parser import HORIZON_DAYS, occurrences_of, parse_event, parse_feed
from agenda_shared.store import items_of
from poche_common.errors import FeedFormatError

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "functions/connectors/agenda_datatourisme/sample/orne-evenements.jsonld"
UTC = dt.UTC
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def raw_event(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "@id": "https://data.datatourisme.fr/61/abc-123",
        "@type": ["schema:Event", "Concert", "EntertainmentAndEvent"],
        "rdfs:label": {"en": ["Concert"], "fr": ["Concert de Noël"]},
        "isLocatedAt": [
            {
                "schema:address": [
                    {
                        "schema:postalCode": "61000",
                        "schema:addressLocality": "Alençon",
                        "hasAddressCity": {"insee": "61001"},
                    }
                ],
                "schema:geo": {"schema:latitude": "48.43", "schema:longitude": 0.09},
            }
        ],
        "takesPlaceAt": [{"startDate": "2026-12-20", "endDate": "2026-12-20", "startTime": "20:30:00"}],
    }
    base.update(overrides)
    return base


def test_bundled_sample_events_rejections_and_ignored_objects() -> None:
    feed = parse_feed(SAMPLE.read_bytes(), NOW)
    assert feed.read == 5 and feed.ignored == 1
    assert [r.reason for r in feed.rejected] == ["no takesPlaceAt"]
    assert feed.rejected[0].uid == "f6c5b7a9-0006-4dbf-8a6d-sans-date"
    by_id = {e.id: e for e in feed.events}
    orchestra = by_id["datatourisme:a1f0c2d4-0001-4e6a-9b1e-orchestre"]
    assert orchestra.source == "datatourisme"
    assert orchestra.categories == ("concert",)
    assert orchestra.location.commune == "61001"
    assert orchestra.location.name == "Scène nationale 61"
    assert orchestra.summary == "La Septième de Beethoven par l'Orchestre régional."
    assert orchestra.description == "Un programme Beethoven.\nDurée : 1 h 30."
    assert orchestra.url == "https://www.example.org/orchestre-alencon"
    assert orchestra.occurrences[0].begin.isoformat() == "2026-12-04T20:45:00+01:00"
    assert orchestra.occurrences[0].end.isoformat() == "2026-12-04T22:15:00+01:00"
    expo = by_id["datatourisme:b2e1d3c5-0002-4f7b-8c2f-expo-bagnoles"]
    assert expo.location.commune is None  # postcode 61140 names several communes, no hasAddressCity
    assert len(expo.occurrences) == 41  # every afternoon 2026-12-01 .. 2027-01-10
    assert by_id["datatourisme:c3f2e4d6-0003-4a8c-9d3a-marche-argentan"].categories == ("marche",)


def test_hundreds_of_dates_are_bounded_to_the_horizon() -> None:
    market = next(e for e in parse_feed(SAMPLE.read_bytes(), NOW).events if "marche" in e.uid)
    begins = [o.begin for o in market.occurrences]
    assert begins[0].date() == dt.date(2026, 11, 3)  # 30 days back at most (ended within 30 days)
    assert begins[-1] <= NOW + dt.timedelta(days=HORIZON_DAYS)
    assert begins[-1].date() == dt.date(2028, 1, 4)  # the sample goes on to 2028-04-18
    assert len(begins) == 62


def test_graph_or_list_other_shapes_refused() -> None:
    assert len(parse_feed(json.dumps([raw_event()]).encode(), NOW).events) == 1
    assert len(parse_feed(json.dumps({"@graph": [raw_event()]}).encode("utf-8-sig"), NOW).events) == 1
    for bad in (b"{", b'{"events": []}', b'"x"', b"\xff\xfe"):
        with pytest.raises(FeedFormatError):
            parse_feed(bad, NOW)


def test_only_event_types_become_events() -> None:
    place = raw_event(**{"@type": ["PlaceOfInterest", "schema:Place"]})
    show = raw_event(**{"@id": "https://data.datatourisme.fr/61/show-1", "@type": ["ShowEvent"]})
    feed = parse_feed(json.dumps([place, show]).encode(), NOW)
    assert [e.uid for e in feed.events] == ["show-1"] and feed.ignored == 1
    assert feed.events[0].categories == ("theatre",)


def test_french_label_first_and_commune_from_postcode() -> None:
    raw = raw_event()
    raw["isLocatedAt"][0]["schema:address"][0].pop("hasAddressCity")
    event = parse_event(raw, NOW)
    assert event.title == "Concert de Noël"
    assert event.location.commune is None  # 61000 is the postcode of three communes
    raw["isLocatedAt"][0]["schema:address"][0]["schema:postalCode"] = "61790"
    assert parse_event(raw, NOW).location.commune == "61447"  # the only commune of 61790
    assert event.location.lat == 48.43 and event.location.lon == 0.09
    assert event.occurrences[0].end == event.occurrences[0].begin.replace(hour=23, minute=59, second=59)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"@id": None}, "no @id"),
        ({"@id": "https://x/has space"}, "malformed @id"),
        ({"rdfs:label": {"fr": [""]}}, "no rdfs:label"),
        ({"takesPlaceAt": [{"startDate": "2026-13-01"}]}, "invalid date"),
        ({"takesPlaceAt": [{"startDate": "2026-12-02", "endDate": "2026-12-01"}]}, "ending before"),
        ({"takesPlaceAt": [{"startDate": "2020-01-01"}]}, "no date between"),
        ({"takesPlaceAt": [{"startDate": "2026-12-02", "startTime": "8h"}]}, "invalid time"),
    ],
)
def test_bad_events_are_rejected_with_a_reason(overrides: dict[str, Any], reason: str) -> None:
    feed = parse_feed(json.dumps([raw_event(**overrides)]).encode(), NOW)
    assert not feed.events
    assert reason in feed.rejected[0].reason


def test_periods_one_day_all_day_daily_and_past_midnight() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    (single,) = occurrences_of([{"startDate": "2026-12-05", "startTime": "22:00", "endTime": "01:00"}], NOW)
    assert single.begin == dt.datetime(2026, 12, 5, 22, 0, tzinfo=paris)
    assert single.end == dt.datetime(2026, 12, 6, 1, 0, tzinfo=paris)
    (whole,) = occurrences_of([{"startDate": "2026-12-05", "endDate": "2026-12-20"}], NOW)
    assert (whole.begin.date(), whole.end.date()) == (dt.date(2026, 12, 5), dt.date(2026, 12, 20))
    daily = occurrences_of([{"startDate": "2026-12-05", "endDate": "2026-12-07", "startTime": "10:00"}], NOW)
    assert [o.begin.day for o in daily] == [5, 6, 7]
    summer = occurrences_of([{"startDate": "2027-07-14", "startTime": "22:30"}], NOW)
    assert summer[0].begin.utcoffset() == dt.timedelta(hours=2)


def test_normalised_titles_fold_accents_case_and_punctuation() -> None:
    assert normalise_title("Orchestre Régional de Normandie — Beethoven, symphonie n° 7") == normalise_title(
        "Orchestre régional de Normandie : Beethoven, Symphonie n° 7"
    )
    assert normalise_title("Cœur  d'Œuvre!") == "coeur d oeuvre"


def test_matcher_needs_same_title_and_a_begin_within_30_minutes() -> None:
    event = parse_event(raw_event(), NOW)  # 2026-12-20 20:30 Paris = 19:30 UTC
    at = dt.datetime(2026, 12, 20, 19, 30, tzinfo=UTC)
    same = Candidate("openagenda:1", "CONCERT DE NOEL !", at + dt.timedelta(minutes=30))
    late = Candidate("openagenda:2", "Concert de Noël", at + dt.timedelta(minutes=31))
    other_title = Candidate("openagenda:3", "Concert du Nouvel An", at)
    own_source = Candidate("datatourisme:zzz", "Concert de Noël", at)
    assert find_duplicate(event, [late, other_title, own_source]) is None
    assert find_duplicate(event, [late, same]) == "openagenda:1"
    assert find_duplicate(event, [Candidate("openagenda:9", "Concert de Noël", at), same]) == "openagenda:1"


def test_duplicate_items_are_marked_and_not_indexed() -> None:
    event = parse_event(raw_event(), NOW)
    plain = items_of(event, "d", NOW)
    assert "duplicate_of" not in plain[0] and plain[1]["gsi1pk"] == "COMMUNE#61001" and "gsi2pk" in plain[1]
    marked = items_of(event, "d", NOW, "openagenda:1")
    assert marked[0]["duplicate_of"] == "openagenda:1" and marked[0]["gsi2pk"] == "SOURCE#datatourisme"
    assert marked[1]["sk"].startswith("OCC#") and marked[1]["duplicate_of"] == "openagenda:1"
    assert not {"gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"} & set(marked[1])
