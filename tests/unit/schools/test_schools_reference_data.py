"""The collèges and lycées shipped in the common layer (`poche_common.schools`): integrity and look-ups."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from poche_common import communes, schools
from poche_common.errors import NotFoundError

UTC = dt.UTC


def raw() -> dict[str, object]:
    data: dict[str, object] = json.loads(schools.DATA_PATH.read_text(encoding="utf-8"))
    return data


def test_every_school_is_a_well_formed_unique_uai_of_the_orne_in_a_known_commune() -> None:
    entries = raw()["schools"]
    assert isinstance(entries, list)
    uais = [e["uai"] for e in entries]
    assert len(uais) == len(set(uais)) == 60
    for entry in entries:
        assert re.fullmatch(r"061[0-9]{4}[A-Z]", entry["uai"]), entry
        assert communes.get(entry["commune"]) is not None, entry
        assert entry["kind"] in schools.KINDS and entry["sector"] in schools.SECTORS, entry
        assert entry["name"].startswith(("Collège", "Lycée")) and entry["official_name"].isupper(), entry


def test_counts_and_provenance_are_stated_in_the_file() -> None:
    data = raw()
    every = schools.all_schools()
    counts = data["counts"]
    assert isinstance(counts, dict)
    assert counts["college"] == sum(s.kind == "college" for s in every) == 43
    assert counts["public"] + counts["private"] == len(every)
    sources = data["sources"]
    assert isinstance(sources, list) and all("Licence Ouverte" in s["licence"] for s in sources)
    assert dt.datetime.fromisoformat(schools.as_of()).tzinfo is not None
    assert schools.metadata()["rentree"] == "2022-2023"


def test_get_and_require() -> None:
    racine = schools.require("0610003X")
    assert (racine.name, racine.commune, racine.kind, racine.sector) == (
        "Collège Jean Racine",
        "61001",
        "college",
        "public",
    )
    assert racine.kind_label == "Collège" and racine.sector_label == "Public"
    assert schools.get(" 0610003x ") == racine
    assert schools.get("0619999Z") is None
    with pytest.raises(NotFoundError, match="Aucun établissement scolaire de l'Orne n'a le code UAI 0619999Z"):
        schools.require("0619999Z")
    assert schools.require("0611092F").sector == "private"


def test_in_commune_is_by_name_and_empty_for_a_commune_without_school() -> None:
    alencon = schools.in_commune("61001")
    assert len(alencon) == 10 and {s.commune for s in alencon} == {"61001"}
    keys = [schools.sort_key(s.name) for s in alencon]
    assert keys == sorted(keys)
    assert schools.in_commune("61002") == []
    names = [s.name for s in schools.all_schools()]
    assert len(names) == 60 and names[0].startswith("Collège")


def test_the_data_file_is_read_on_first_use_only() -> None:
    from support import fresh_import

    module = fresh_import("poche_common.schools")
    assert module._index.cache_info().currsize == 0
    module.get("0610003X")
    assert module._index.cache_info().currsize == 1


def notice(notice_id: str, starts: str, ends: str, **extra: str) -> dict[str, object]:
    item = schools.notice_item(
        uai="0610003X",
        notice_id=notice_id,
        kind="exam",
        title=f"Titre {notice_id}",
        body="",
        starts=dt.datetime.fromisoformat(starts),
        ends=dt.datetime.fromisoformat(ends),
        origin="school",
        updated_at=dt.datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
    )
    item.update(extra)
    return item


def test_notice_item_is_stored_in_utc_with_a_ttl_some_days_after_it_ends() -> None:
    item = notice("a", "2026-12-01T08:00:00+01:00", "2026-12-01T12:00:00+01:00")
    assert (item["pk"], item["sk"]) == ("SCHOOL#0610003X", "NOTICE#a")
    assert item["starts"] == "2026-12-01T07:00:00+00:00" and item["ends"] == "2026-12-01T11:00:00+00:00"
    assert item["expires_at"] == int(dt.datetime(2026, 12, 8, 11, 0, tzinfo=UTC).timestamp())
    assert "gsi1pk" not in item
    same = notice("a", "2026-12-01T07:00:00+00:00", "2026-12-01T11:00:00Z".replace("Z", "+00:00"))
    assert same["digest"] == item["digest"]  # the same instants whatever the offset written
    view = schools.notice_view(item)
    assert view["starts"] == "2026-12-01T08:00:00+01:00" and view["kind_label"] == "Examen"
    assert view["origin_label"] == "Établissement"


def test_projection_keeps_notices_not_ended_by_start_with_the_school_head() -> None:
    now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    items = [
        notice("later", "2026-12-05T08:00:00+01:00", "2026-12-05T18:00:00+01:00"),
        notice("ended", "2026-11-30T08:00:00+01:00", "2026-12-01T10:59:00+01:00"),
        notice("current", "2026-12-01T08:00:00+01:00", "2026-12-02T18:00:00+01:00"),
    ]
    tile = schools.projection(schools.require("0610003X"), items, now)
    assert tile.params == {"uai": "0610003X"}
    assert tile.head == {"school": {"uai": "0610003X", "name": "Collège Jean Racine", "commune": "61001"}}
    entries = tile.sorted_entries()
    assert [e["id"] for e in entries] == ["current", "later"]
    assert entries[0]["order"] == "2026-12-01T07:00:00+00:00" and entries[0]["until"] == "2026-12-02T17:00:00+00:00"
    assert entries[0]["view"] == schools.notice_view(items[2])


def test_parse_moment_requires_an_offset() -> None:
    assert schools.parse_moment("2026-12-01T08:00:00Z").utcoffset() == dt.timedelta(0)
    for bad in ("2026-12-01T08:00:00", "2026-12-01", "demain", "", None, 12):
        with pytest.raises(ValueError):
            schools.parse_moment(bad)
