"""The `places-finess` run over in-memory fakes of DynamoDB and the bus: the Places items (indexes included), the
diff (unchanged, changed, removed, other départements left alone), a broken file, the `PlacesUpdated` event, the
départements setting, and the handler on the bundled sample."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dynamo_fake import FakeBus, FakeDynamo

from places_finess import handler as finess_handler
from places_finess.ingest import MAX_CHANGES_IN_EVENT, ingest
from places_finess.parser import parse_feed
from places_finess.store import (
    BY_ORIGIN_INDEX,
    LICENCE,
    PlaceWriter,
    departements_from_environment,
    insee_prefix,
    place_item,
)
from places_shared import keys
from poche_common import geo
from poche_common.connector import Connection, RunLog
from poche_common.dynamo import content_digest
from poche_common.errors import FeedFormatError
from poche_common.observability import metrics
from poche_common.outbox import Outbox

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "functions/connectors/places_finess/sample/etalab-cs1100502-stock-orne.csv"
NOW = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
PLACES = "Places"
CONNECTOR = "places-finess"
L93 = "1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)"
PHARMACY = "finess:610990112"  # Pharmacie du Centre, Alençon
BELLEME = "finess:610990252"  # the maison de santé without a position


class PlacesDynamo(FakeDynamo):
    """The Places table: Query on `pk` or on the `by_origin` index (`gsi4pk`)."""

    def __init__(self) -> None:
        super().__init__(PLACES, origin_index=BY_ORIGIN_INDEX, origin_key="gsi4pk")

    def places(self) -> dict[str, dict[str, Any]]:
        return {pk.removeprefix("PLACE#"): item for pk, item in self.rows(keys.PLACE).items()}


class Run:
    """One connector's world: the fake table, the store, the outbox."""

    def __init__(self, departements: tuple[str, ...] = ("61",), dynamo: PlacesDynamo | None = None) -> None:
        self.dynamo = dynamo or PlacesDynamo()
        self.bus = FakeBus()
        self.writer = PlaceWriter(self.dynamo, PLACES, departements)
        self.outbox = Outbox(
            self.dynamo,
            PLACES,
            producer=CONNECTOR,
            source="poche.places",
            bus_name="bus",
            events_client=self.bus,
            grace_s=60,
            clock=lambda: NOW,
        )

    def __call__(self, *payloads: bytes) -> Any:
        self.dynamo.calls.clear()
        self.outbox.begin()
        return ingest(list(payloads), self.writer, self.outbox, NOW)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(item["detail"]) for item in self.dynamo.outbox()]

    def clear_outbox(self) -> None:
        self.dynamo.clear_outbox()


def sample_lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").splitlines()


def feed(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def without(lines: list[str], finess: str) -> list[str]:
    """The file without the establishment's rows (structureet and geolocalisation)."""
    return [line for line in lines if line.split(";")[1:2] != [finess]]


def replaced(lines: list[str], finess: str, old: str, new: str) -> list[str]:
    """The file with `old` replaced by `new` in the establishment's structureet row."""
    found = [n for n, line in enumerate(lines) if line.startswith(f"structureet;{finess};")]
    assert len(found) == 1 and old in lines[found[0]]
    changed = list(lines)
    changed[found[0]] = changed[found[0]].replace(old, new)
    return changed


def facts_of(world: Run) -> dict[str, Any]:
    """The facts of the one event the run staged (its envelope aside)."""
    (event,) = world.events()
    assert sorted(event) == ["changes", "connector", "counts", "id", "occurred_at", "truncated", "version"]
    return {k: event[k] for k in ("connector", "changes", "counts", "truncated")}


@pytest.fixture(autouse=True)
def clean_metrics() -> Iterator[None]:
    metrics.clear()
    yield
    metrics.clear()


@pytest.fixture
def run() -> Run:
    world = Run()
    world(SAMPLE.read_bytes())
    world.clear_outbox()
    return world


def test_the_items_written_for_the_sample() -> None:
    world = Run()
    outcome = world(SAMPLE.read_bytes())
    assert (outcome.read, outcome.changed, outcome.rejected, outcome.rejections) == (37, 15, 0, [])
    places = world.dynamo.places()
    assert len(places) == 15
    content = {
        "id": PHARMACY,
        "source": "finess",
        "licence": "Licence Ouverte 2.0 (FINESS, ministère de la Santé)",
        "category": "pharmacy",
        "name": "PHARMACIE DU CENTRE",
        "commune": "61001",
        "lat": 48.431,
        "lon": 0.0898,
        "address": "18 RUE AUX SIEURS, 61000 ALENCON",
        "phone": "0233990700",
    }
    assert places[PHARMACY] == {
        "pk": "PLACE#finess:610990112",
        "sk": "PLACE",
        **content,
        "digest": content_digest(content),
        "origin": "places-finess",
        "gsi1pk": "CELL#u085d",
        "gsi1sk": "pharmacy#finess:610990112",
        "gsi2pk": "AREA#u085",
        "gsi2sk": "pharmacy#finess:610990112",
        "gsi3pk": "COMMUNE#61001",
        "gsi3sk": "pharmacy#pharmacie du centre#finess:610990112",
        "gsi4pk": "ORIGIN#places-finess",
        "gsi4sk": "finess:610990112",
    }
    assert places[PHARMACY]["gsi1pk"] == keys.cell_gsi(geo.encode(48.431, 0.0898, keys.CELL_PRECISION))
    assert places[PHARMACY]["gsi2pk"] == keys.area_gsi(geo.encode(48.431, 0.0898, keys.AREA_PRECISION))
    wire = world.dynamo.tables[PLACES][("PLACE#finess:610990112", "PLACE")]
    assert (wire["lat"], wire["lon"]) == ({"N": "48.431"}, {"N": "0.0898"})  # DynamoDB numbers
    assert "hours" not in places[PHARMACY]
    # without a position: listed by commune only, never "near"
    belleme = places[BELLEME]
    assert {k: v for k, v in belleme.items() if k.startswith("gsi")} == {
        "gsi3pk": "COMMUNE#61038",
        "gsi3sk": "doctor#maison de sante pluriprofessionnelle du pays bellemois#finess:610990252",
        "gsi4pk": "ORIGIN#places-finess",
        "gsi4sk": "finess:610990252",
    }
    assert "lat" not in belleme and "lon" not in belleme
    assert belleme["address"] == "LE TERTRE, 61130 BELLEME"
    assert sorted({p["category"] for p in places.values()}) == ["doctor", "hospital", "pharmacy"]
    assert all(p["licence"] == LICENCE and p["source"] == "finess" for p in places.values())
    facts = facts_of(world)
    assert facts["counts"] == {"created": 15, "updated": 0, "deleted": 0}
    assert facts["changes"][:2] == [
        {"id": "finess:610990013", "change": "created", "category": "hospital", "commune": "61001"},
        {"id": "finess:610990021", "change": "created", "category": "hospital", "commune": "61001"},
    ]
    assert facts["truncated"] is False


def test_the_event_is_staged_before_the_places_are_written() -> None:
    world = Run()
    world(SAMPLE.read_bytes())
    assert world.dynamo.writes() == [("PutItem", PLACES), ("BatchWriteItem", PLACES)]
    (staged,) = world.dynamo.outbox()
    assert (staged["source"], staged["detail_type"], staged["state"]) == ("poche.places", "PlacesUpdated", "pending")


def test_an_unchanged_file_writes_nothing_and_stages_no_event(run: Run) -> None:
    outcome = run(SAMPLE.read_bytes())
    assert (outcome.read, outcome.changed, outcome.rejected) == (37, 0, 0)
    assert run.dynamo.writes() == []
    assert run.dynamo.calls == [("Query", PLACES)]  # one Query on by_origin, nothing else
    assert run.events() == []


def test_a_place_removed_from_the_file_is_deleted_and_announced(run: Run) -> None:
    outcome = run(feed(without(sample_lines(), "610990112")))
    assert outcome.changed == 1
    assert PHARMACY not in run.dynamo.places() and len(run.dynamo.places()) == 14
    assert facts_of(run) == {
        "connector": "places-finess",
        "changes": [{"id": PHARMACY, "change": "deleted", "category": "pharmacy", "commune": "61001"}],
        "counts": {"created": 0, "updated": 0, "deleted": 1},
        "truncated": False,
    }


def test_a_changed_phone_is_an_update(run: Run) -> None:
    before = run.dynamo.places()[PHARMACY]
    outcome = run(feed(replaced(sample_lines(), "610990112", ";0233990700;", ";02 33 99 07 77;")))
    assert outcome.changed == 1
    after = run.dynamo.places()[PHARMACY]
    assert after["phone"] == "0233990777"
    assert after["digest"] != before["digest"]
    assert {k: v for k, v in after.items() if k not in ("phone", "digest")} == {
        k: v for k, v in before.items() if k not in ("phone", "digest")
    }
    assert facts_of(run) == {
        "connector": "places-finess",
        "changes": [{"id": PHARMACY, "change": "updated", "category": "pharmacy", "commune": "61001"}],
        "counts": {"created": 0, "updated": 1, "deleted": 0},
        "truncated": False,
    }


def test_a_phone_no_longer_given_is_removed_from_the_item(run: Run) -> None:
    run(feed(replaced(sample_lines(), "610990112", ";0233990700;", ";;")))
    assert "phone" not in run.dynamo.places()[PHARMACY]
    assert facts_of(run)["counts"] == {"created": 0, "updated": 1, "deleted": 0}


def test_a_new_category_moves_the_place_in_every_index(run: Run) -> None:
    run(feed(replaced(sample_lines(), "610990112", ";620;Pharmacie d'Officine;", ";603;Maison de santé;")))
    stored = run.dynamo.places()[PHARMACY]
    assert (stored["category"], stored["gsi1sk"], stored["gsi2sk"], stored["gsi3sk"]) == (
        "doctor",
        "doctor#finess:610990112",
        "doctor#finess:610990112",
        "doctor#pharmacie du centre#finess:610990112",
    )
    assert facts_of(run)["changes"] == [{"id": PHARMACY, "change": "updated", "category": "doctor", "commune": "61001"}]


def test_a_lost_position_leaves_only_the_commune_index(run: Run) -> None:
    lines = [line for line in sample_lines() if not line.startswith("geolocalisation;610990112;")]
    run(feed(lines))
    stored = run.dynamo.places()[PHARMACY]
    assert not {"lat", "lon", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"} & set(stored)
    assert stored["gsi3pk"] == "COMMUNE#61001"
    assert facts_of(run)["counts"] == {"created": 0, "updated": 1, "deleted": 0}


@pytest.mark.parametrize(
    "broken",
    [
        b"",
        b"exer;refdet;objet\n2026;A1;x\n",  # not a FINESS extract
        b"finess;etalab;111;2026-05-12\n",  # the metadata line only
        feed([line for line in sample_lines() if ";61;ORNE;" not in line]),  # no establishment of the Orne
    ],
)
def test_a_broken_file_changes_nothing(run: Run, broken: bytes) -> None:
    before = {k: dict(v) for k, v in run.dynamo.tables[PLACES].items()}
    with pytest.raises(FeedFormatError):
        run(broken)
    assert run.dynamo.writes() == [] and run.events() == []
    assert run.dynamo.tables[PLACES] == before


def test_a_broken_file_among_several_changes_nothing(run: Run) -> None:
    with pytest.raises(FeedFormatError):
        run(feed(without(sample_lines(), "610990112")), b"not;finess\n")
    assert run.dynamo.writes() == [] and PHARMACY in run.dynamo.places()


def test_rejected_rows_are_reported_with_their_line(run: Run) -> None:
    lines = replaced(sample_lines(), "610990138", ";001;61;ORNE;", ";01;61;ORNE;")  # an invalid commune code
    outcome = run(feed(lines))
    assert (outcome.read, outcome.rejected) == (37, 1)
    assert outcome.rejections == [
        {"line": 9, "reason": "code commune « 61 01 » invalide (département et commune sur 3 chiffres attendus)"}
    ]
    # a bad row never withdraws what is stored: the pharmacy stays as it was, nothing is written or announced
    assert outcome.changed == 0
    assert "finess:610990138" in run.dynamo.places()
    assert run.dynamo.writes() == [] and run.events() == []


def test_a_rejected_row_keeps_its_stored_place_and_the_others_are_diffed(run: Run) -> None:
    before = dict(run.dynamo.tables[PLACES][("PLACE#finess:610990138", keys.PLACE)])
    lines = replaced(sample_lines(), "610990138", ";1;PL;DE LA PAIX;", ";1 PL DE LA PAIX;")  # cut: 30 fields
    lines = without(lines, "610990112")  # removed from the file: deleted as usual
    outcome = run(feed(lines))
    assert [rejection["line"] for rejection in outcome.rejections] == [8, 26]  # the row, then its geolocation
    assert "30 champs au lieu de 32" in outcome.rejections[0]["reason"]
    assert run.dynamo.tables[PLACES][("PLACE#finess:610990138", keys.PLACE)] == before
    assert PHARMACY not in run.dynamo.places()
    assert facts_of(run)["changes"] == [
        {"id": PHARMACY, "change": "deleted", "category": "pharmacy", "commune": "61001"}
    ]


def test_a_rejected_row_of_another_file_keeps_its_stored_place(run: Run) -> None:
    rejected = replaced(sample_lines(), "610990138", ";001;61;ORNE;", ";01;61;ORNE;")
    first = [line for line in rejected if ";610990138;" not in line]  # the first file lacks it
    second = [rejected[0], *[line for line in rejected if ";610990138;" in line]]  # the second has it, rejected
    outcome = run(feed(first), feed(second))
    assert (outcome.changed, outcome.rejected) == (0, 1)
    assert "finess:610990138" in run.dynamo.places() and run.events() == []


@pytest.mark.parametrize(("old", "new"), [(";1;PL;DE LA PAIX;", ";1;PL;DE LA PAIX;;"), (";1;PL;", ";1 PL;")])
def test_a_row_shifted_by_a_field_is_rejected_and_keeps_its_place(run: Run, old: str, new: str) -> None:
    """A field too many or too few before the département is not an establishment of another département."""
    outcome = run(feed(replaced(sample_lines(), "610990138", old, new)))
    assert outcome.rejected == 1 and "code département" in outcome.rejections[0]["reason"]
    assert outcome.changed == 0 and "finess:610990138" in run.dynamo.places() and run.events() == []


def test_an_unattributed_rejection_deletes_nothing(run: Run) -> None:
    lines = replaced(sample_lines(), "610990138", "structureet;610990138;", "structureet;61O990138;")  # a letter O
    lines = replaced(lines, "610990153", ";0233990900;", ";0233990901;")  # a changed phone: updated as usual
    lines = without(lines, "610990112")  # no longer in the file, but this run deletes nothing
    outcome = run(feed(lines))
    assert outcome.rejections == [
        {"line": 8, "reason": "numéro FINESS « 61O990138 » invalide (9 caractères attendus)"},
        {"line": 26, "reason": "aucun établissement n° 610990138 dans le fichier pour cette géolocalisation"},
    ]
    assert PHARMACY in run.dynamo.places() and "finess:610990138" in run.dynamo.places()
    assert run.dynamo.places()["finess:610990153"]["phone"] == "0233990901"
    assert facts_of(run)["changes"] == [
        {"id": "finess:610990153", "change": "updated", "category": "pharmacy", "commune": "61169"}
    ]
    assert facts_of(run)["counts"] == {"created": 0, "updated": 1, "deleted": 0}
    run.clear_outbox()
    run(feed(without(sample_lines(), "610990112")))  # the next file is whole again: deleted then
    assert facts_of(run)["changes"] == [
        {"id": "finess:610990153", "change": "updated", "category": "pharmacy", "commune": "61169"},
        {"id": PHARMACY, "change": "deleted", "category": "pharmacy", "commune": "61001"},
    ]


def test_an_establishment_given_by_two_files_is_kept_once() -> None:
    world = Run()
    pharmacy = [line for line in sample_lines() if ";610990112;" in line]
    outcome = world(SAMPLE.read_bytes(), feed([sample_lines()[0], *pharmacy]))
    assert (outcome.read, outcome.changed, outcome.rejected) == (39, 15, 1)
    assert outcome.rejections == [
        {"record": "610990112", "reason": "établissement n° 610990112 déjà donné par un autre fichier : ignoré"}
    ]


def test_places_of_other_departements_are_left_alone() -> None:
    """A place this connector wrote for a département no longer wanted is not the run's to delete."""
    world = Run(("61", "14"))
    world(SAMPLE.read_bytes())
    assert "finess:140990015" in world.dynamo.places()  # the pharmacy of Vire Normandie (Calvados)
    world.clear_outbox()
    orne = Run(("61",), dynamo=world.dynamo)
    outcome = orne(feed(without(sample_lines(), "610990112")))
    assert outcome.changed == 1
    assert "finess:140990015" in orne.dynamo.places()
    assert facts_of(orne)["changes"] == [
        {"id": PHARMACY, "change": "deleted", "category": "pharmacy", "commune": "61001"}
    ]
    orne.clear_outbox()
    both = Run(("61", "14"), dynamo=world.dynamo)  # wanted again: the Calvados is the run's again
    both(feed(without(without(sample_lines(), "610990112"), "140990015")))
    assert facts_of(both)["changes"] == [
        {"id": "finess:140990015", "change": "deleted", "category": "pharmacy", "commune": "14762"}
    ]


def test_a_commune_the_reference_no_longer_knows_is_resolved_from_the_position() -> None:
    lines = sample_lines()
    merged = replaced(lines, "610990112", ";001;61;ORNE;", ";999;61;ORNE;")  # not a commune of the Orne (any more)
    (place,) = [p for p in parse_feed(feed(merged)).places if p.finess == "610990112"]
    assert place.insee == "61999"
    item = place_item(place)
    assert (item["commune"], item["gsi3pk"]) == ("61001", "COMMUNE#61001")  # Alençon, where the pharmacy stands
    unlocated = [line for line in merged if not line.startswith("geolocalisation;610990112;")]
    (place,) = [p for p in parse_feed(feed(unlocated)).places if p.finess == "610990112"]
    assert place_item(place)["commune"] == "61999"  # no position: the file's code, as given
    (vire,) = parse_feed(SAMPLE.read_bytes(), ("14",)).places
    assert place_item(vire)["commune"] == "14762"  # another département: the reference cannot tell


def test_a_large_run_is_announced_truncated() -> None:
    world = Run()
    lines = [sample_lines()[0]]
    template = next(line for line in sample_lines() if line.startswith("structureet;610990112;"))
    for n in range(MAX_CHANGES_IN_EVENT + 1):
        lines.append(template.replace("610990112", f"6109{n:05d}", 1))
    outcome = world(feed(lines))
    assert outcome.changed == MAX_CHANGES_IN_EVENT + 1
    facts = facts_of(world)
    assert (len(facts["changes"]), facts["truncated"], facts["counts"]) == (
        MAX_CHANGES_IN_EVENT,
        True,
        {"created": MAX_CHANGES_IN_EVENT + 1, "updated": 0, "deleted": 0},
    )


def test_the_departements_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLACES_DEPARTEMENTS", raising=False)
    assert departements_from_environment() == ("61",)
    monkeypatch.setenv("PLACES_DEPARTEMENTS", " 61, 14 ,2a,61,")
    assert departements_from_environment() == ("61", "14", "2A")
    writer = PlaceWriter.over(PlacesDynamo(), PLACES)
    assert (writer.table, writer.departements, writer.connector) == (PLACES, ("61", "14", "2A"), CONNECTOR)
    monkeypatch.setenv("PLACES_DEPARTEMENTS", " ")
    assert departements_from_environment() == ("61",)
    monkeypatch.setenv("PLACES_DEPARTEMENTS", "61,Orne")
    with pytest.raises(ValueError, match="PLACES_DEPARTEMENTS: ORNE"):
        PlaceWriter.over(PlacesDynamo(), PLACES)


def test_the_insee_prefix_of_a_finess_departement() -> None:
    assert [insee_prefix(code) for code in ("61", "2A", "9A", "9D", "9F", "9G")] == [
        "61",
        "2A",
        "971",
        "974",
        "976",
        "98",
    ]


def test_the_handler_runs_the_bundled_sample(monkeypatch: pytest.MonkeyPatch, lambda_context: Any) -> None:
    world = Run()
    connection = Connection(
        CONNECTOR, world.dynamo, PLACES, RunLog(world.dynamo, PLACES, CONNECTOR), world.outbox, world.writer
    )
    monkeypatch.setenv("POCHE_SOURCE_PLACES_FINESS", "bundled")
    with finess_handler.dependencies.override(connection):
        report = finess_handler.handler({}, lambda_context)
    assert (report["status"], report["read"], report["changed"], report["rejected"]) == ("succeeded", 37, 15, 0)
    (entry,) = world.bus.entries
    assert (entry["Source"], entry["DetailType"]) == ("poche.places", "PlacesUpdated")
    detail = json.loads(entry["Detail"])
    assert sorted(detail) == ["changes", "connector", "counts", "id", "occurred_at", "truncated", "version"]
    assert detail["counts"] == {"created": 15, "updated": 0, "deleted": 0}
    assert world.dynamo.outbox() == []  # sent, then deleted

    with finess_handler.dependencies.override(connection):
        report = finess_handler.handler({}, lambda_context)
    assert (report["status"], report["changed"]) == ("succeeded", 0)
    assert len(world.bus.entries) == 1  # nothing new: no event


def test_the_handler_fetches_the_national_file_size() -> None:
    assert finess_handler.MAX_FEED_BYTES >= 40 * 1024 * 1024
