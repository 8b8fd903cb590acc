"""Unit tests of the agenda's pure logic: stored items (keys, TTL), date ranges, months, filters, views."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest

from agenda import logic, views
from agenda_shared.model import AgendaEvent, Location, Occurrence
from agenda_shared.store import EventWriter, content_of, items_of
from agenda_shared.views import occurrence_view
from poche_common import communes
from poche_common.errors import InvalidRequestError

UTC = dt.UTC
PARIS_WINTER = dt.timezone(dt.timedelta(hours=1))


def event(commune: str | None = "61001", *occurrences: Occurrence) -> AgendaEvent:
    occurrences = occurrences or (
        Occurrence(
            dt.datetime(2026, 12, 4, 20, 30, tzinfo=PARIS_WINTER), dt.datetime(2026, 12, 4, 22, 0, tzinfo=PARIS_WINTER)
        ),
    )
    return AgendaEvent(
        source="openagenda",
        uid="8001",
        title="Concert",
        summary=None,
        description="Long",
        categories=("concert",),
        keywords=("Concert",),
        status="scheduled",
        free=False,
        price="12 €",
        age_min=None,
        age_max=None,
        accessibility=("hearing",),
        location=Location("Salle", "Rue", commune, "Alençon", "61000", 48.43, 0.09),
        occurrences=occurrences,
        updated_at=None,
        url=None,
        image=None,
    )


def test_items_keys_for_commune_and_month_partitions() -> None:
    items = items_of(event(), "d", now=dt.datetime(2026, 12, 1, tzinfo=UTC))
    profile, occurrence = items
    assert (profile["pk"], profile["sk"], profile["gsi2pk"], profile["gsi2sk"]) == (
        "EVENT#openagenda:8001",
        "PROFILE",
        "SOURCE#openagenda",
        "openagenda:8001",
    )
    assert occurrence["sk"] == "OCC#2026-12-04T19:30:00+00:00"
    assert occurrence["gsi1pk"] == "COMMUNE#61001"
    assert occurrence["gsi1sk"] == "2026-12-04T19:30:00+00:00#openagenda:8001"
    assert (occurrence["gsi2pk"], occurrence["gsi2sk"]) == ("ALL#2026-12", occurrence["gsi1sk"])
    thirty_days_after_end = dt.datetime(2027, 1, 3, 21, 0, tzinfo=UTC).timestamp()
    assert occurrence["expires_at"] == int(thirty_days_after_end)
    assert "description" not in occurrence and profile["description"] == "Long"


class FakeDynamo:
    """Nothing stored yet; records the batch writes."""

    def __init__(self) -> None:
        self.puts: list[dict[str, Any]] = []

    def query(self, **kwargs: Any) -> dict[str, Any]:
        return {"Items": []}

    def batch_write_item(self, RequestItems: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        self.puts += [r["PutRequest"]["Item"] for batch in RequestItems.values() for r in batch if "PutRequest" in r]
        return {}


def digests(duplicates: dict[str, str] | None) -> set[str]:
    client = FakeDynamo()
    now = dt.datetime(2026, 12, 1, tzinfo=UTC)
    writer = EventWriter(client, "agenda")
    writer.sync("openagenda", [event()], keep=set(), complete=True, now=now, duplicates=duplicates)
    assert client.puts and all(("duplicate_of" in item) is bool(duplicates) for item in client.puts)
    return {item["digest"]["S"] for item in client.puts}


def test_digest_covers_duplicate_of_only_for_a_connector_that_matches_duplicates() -> None:
    # No `duplicates` (agenda-openagenda): the digest of the content alone, as stored before the agenda layer.
    content = {**content_of(event()), "communes_as_of": communes.as_of()}
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    assert digests(None) == {hashlib.sha256(encoded).hexdigest()[:24]}
    # agenda-datatourisme always passes its matches: `duplicate_of` (None or an id) is part of the digest.
    plain, marked = digests({}), digests({"openagenda:8001": "datatourisme:1"})
    assert len({*digests(None), *plain, *marked}) == 3


def test_an_event_without_commune_is_only_in_the_month_partition() -> None:
    occurrence = items_of(event(None), "d", now=dt.datetime(2026, 12, 1, tzinfo=UTC))[1]
    assert "gsi1pk" not in occurrence and occurrence["gsi2pk"] == "ALL#2026-12"


def test_occurrences_past_their_retention_are_not_written() -> None:
    old = Occurrence(dt.datetime(2026, 10, 1, 14, tzinfo=UTC), dt.datetime(2026, 10, 1, 18, tzinfo=UTC))
    new = Occurrence(dt.datetime(2026, 12, 10, 14, tzinfo=UTC), dt.datetime(2026, 12, 10, 18, tzinfo=UTC))
    items = items_of(event("61001", old, new), "d", now=dt.datetime(2026, 12, 1, tzinfo=UTC))
    assert [i["sk"] for i in items] == ["PROFILE", "OCC#2026-12-10T14:00:00+00:00"]


NOW = dt.datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_default_range_is_today_to_today_plus_30_in_paris() -> None:
    late_evening = dt.datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # already 2 December in Paris
    assert logic.date_range(None, None, late_evening) == (dt.date(2026, 12, 2), dt.date(2027, 1, 1))
    assert logic.date_range(dt.date(2026, 12, 10), None, NOW) == (dt.date(2026, 12, 10), dt.date(2027, 1, 9))


@pytest.mark.parametrize(
    ("start", "end"),
    [(dt.date(2026, 12, 10), dt.date(2026, 12, 9)), (dt.date(2026, 12, 1), dt.date(2027, 3, 4))],
)
def test_bad_ranges_name_to(start: dt.date, end: dt.date) -> None:
    with pytest.raises(InvalidRequestError) as error:
        logic.date_range(start, end, NOW)
    assert error.value.field == "to"


def test_92_days_is_the_longest_range() -> None:
    assert logic.date_range(dt.date(2026, 12, 1), dt.date(2027, 3, 3), NOW)[1] == dt.date(2027, 3, 3)


def test_utc_bounds_and_months_follow_paris_days() -> None:
    lower, upper = logic.utc_bounds(dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert lower == dt.datetime(2026, 11, 30, 23, tzinfo=UTC)
    assert upper == dt.datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC)
    assert logic.months(lower, upper) == ["2026-11", "2026-12"]
    summer_lower, _ = logic.utc_bounds(dt.date(2027, 7, 1), dt.date(2027, 7, 1))
    assert summer_lower == dt.datetime(2027, 6, 30, 22, tzinfo=UTC)
    assert logic.months(dt.datetime(2026, 12, 1, tzinfo=UTC), dt.datetime(2027, 2, 1, tzinfo=UTC)) == [
        "2026-12",
        "2027-01",
        "2027-02",
    ]


def test_unknown_category_lists_the_valid_ones() -> None:
    assert logic.parse_category("Theatre") == "theatre"
    with pytest.raises(InvalidRequestError) as error:
        logic.parse_category("opera")
    assert error.value.field == "category"
    assert "concert" in error.value.detail and "jeune_public" in error.value.detail


def test_q_is_folded_and_bounded() -> None:
    assert logic.parse_q("Théâtre ") == "theatre"
    with pytest.raises(InvalidRequestError):
        logic.parse_q("x" * 101)


def test_filters_on_category_and_accent_insensitive_title() -> None:
    item = {"title": "Les Fourberies de Scapin — Théâtre", "categories": ["theatre"]}
    assert views.matches(item, "theatre", "theatre")
    assert views.matches(item, None, "fourberies de")
    assert not views.matches(item, "concert", None)
    assert not views.matches(item, None, "moliere")


def test_expired_items_are_ignored() -> None:
    assert views.alive({"expires_at": int(NOW.timestamp()) + 1}, NOW)
    assert not views.alive({"expires_at": int(NOW.timestamp())}, NOW)
    assert views.alive({}, NOW)


def test_times_are_shown_in_paris() -> None:
    item = {
        "event_id": "openagenda:1",
        "title": "T",
        "begin": "2026-12-04T19:30:00+00:00",
        "end": "2026-12-04T21:00:00+00:00",
    }
    view = occurrence_view(item)
    assert (view["begin"], view["end"]) == ("2026-12-04T20:30:00+01:00", "2026-12-04T22:00:00+01:00")
    assert view["status"] == "scheduled" and view["status_label"] == "Programmé"
