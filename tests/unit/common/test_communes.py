"""The communes reference data shipped in the layer, and its look-ups (`poche_common.communes`)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from poche_common import communes
from poche_common.communes import Commune, fold
from poche_common.errors import NotFoundError

LAYER = Path(communes.__file__).resolve().parents[1]


def names(found: list[Commune]) -> list[str]:
    return [c.name for c in found]


# --- the data ------------------------------------------------------------------------------------------------------


def test_every_current_commune_of_the_orne_once() -> None:
    everything = communes.all_communes()

    assert len(everything) == 385
    codes = [c.insee for c in everything]
    assert len(set(codes)) == 385
    assert all(re.fullmatch(r"61[0-9]{3}", code) for code in codes)
    assert all(c.name and c.name == c.name.strip() for c in everything)


def test_alencon() -> None:
    alencon = communes.get("61001")

    assert alencon is not None
    assert (alencon.insee, alencon.name, alencon.postcodes) == ("61001", "Alençon", ("61000",))
    assert alencon.lat == pytest.approx(48.4315, abs=0.005) and alencon.lon == pytest.approx(0.0916, abs=0.005)
    assert alencon.bbox == (0.06175, 48.41013, 0.12253, 48.45164)


def test_postcodes_are_sorted_unique_five_digit_codes() -> None:
    for commune in communes.all_communes():
        assert commune.postcodes, commune
        assert list(commune.postcodes) == sorted(set(commune.postcodes))
        assert all(re.fullmatch(r"61[0-9]{3}", code) for code in commune.postcodes)
    assert communes.get("61228").postcodes == ("61320", "61420")  # type: ignore[union-attr]


def test_every_centre_lies_inside_its_own_outline_and_bbox() -> None:
    for commune in communes.all_communes():
        min_lon, min_lat, max_lon, max_lat = commune.bbox
        assert min_lon < max_lon and min_lat < max_lat
        assert min_lon <= commune.lon <= max_lon and min_lat <= commune.lat <= max_lat, commune
        assert communes.contains(commune.insee, commune.lat, commune.lon), commune
        assert communes.commune_at(commune.lat, commune.lon) == commune.insee, commune


def test_accented_official_names_with_their_articles() -> None:
    by_code = {c.insee: c.name for c in communes.all_communes()}

    assert by_code["61464"] == "Sées"
    assert by_code["61214"] == "L'Aigle"  # the GeoJSON says "Aigle": article from La Poste
    assert by_code["61168"] == "La Ferté-Macé"  # the GeoJSON says "Ferté Macé": hand correction
    assert by_code["61463"] == "Les Monts d'Andaine"
    assert by_code["61228"] == "L'Orée-d'Écouves"  # derived from La Poste's L OREE D ECOUVES
    assert by_code["61294"] == "Mortrée"
    assert by_code["61432"] == "Saint-Michel-Tubœuf"


def test_communes_merged_since_2018_are_gone() -> None:
    for former in ("61172", "61231", "61383", "61403"):
        assert communes.get(former) is None


def test_data_file_is_small_and_says_where_it_comes_from() -> None:
    assert communes.DATA_PATH.stat().st_size < 400_000
    meta = communes.metadata()

    assert "communes" not in meta
    assert meta["departement"] == {"code": "61", "name": "Orne", "of": "de l'Orne"}
    assert len(meta["sources"]) == 2
    assert all(s["url"].startswith("https://") and "Licence Ouverte" in s["licence"] for s in meta["sources"])
    assert (meta["cog_date"], meta["postcodes_date"]) == ("2018-01-01", "2020-04-15")
    assert communes.as_of() == "2020-04-15T00:00:00+02:00"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", meta["generated_at"])
    meta["departement"]["name"] = "changed"
    assert communes.metadata()["departement"]["name"] == "Orne"  # a copy


def test_commune_is_frozen() -> None:
    commune = communes.get("61001")
    assert commune is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        commune.name = "Autre"  # type: ignore[misc]
    assert {f.name for f in dataclasses.fields(Commune)} == {"insee", "name", "postcodes", "lat", "lon", "bbox"}


def test_import_does_no_work_and_the_file_is_read_once() -> None:
    code = (
        "import poche_common.communes as c\n"
        "assert c._index.cache_info().currsize == 0\n"
        "c.get('61001'); c.search('sees'); c.commune_at(48.43, 0.09)\n"
        "info = c._index.cache_info()\n"
        "assert (info.currsize, info.misses) == (1, 1), info\n"
    )
    env = {**os.environ, "PYTHONPATH": str(LAYER)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)


# --- get / require ---------------------------------------------------------------------------------------------------


def test_get_and_require() -> None:
    assert communes.get("61999") is None
    assert communes.get(" 61001 ") == communes.require("61001")
    with pytest.raises(NotFoundError) as raised:
        communes.require("61999")
    assert str(raised.value) == "Aucune commune de l'Orne n'a le code INSEE 61999."


# --- search ----------------------------------------------------------------------------------------------------------


def test_search_ignores_accents_and_case() -> None:
    assert names(communes.search("sees")) == ["Sées"]
    assert names(communes.search("SÉES")) == ["Sées"]
    assert names(communes.search("alencon")) == ["Alençon"]
    assert names(communes.search("ecouche")) == ["Écouché-les-Vallées"]
    assert names(communes.search("saint michel tuboeuf")) == ["Saint-Michel-Tubœuf"]


def test_saint_finds_only_the_saint_communes() -> None:
    found = communes.search("saint", limit=500)

    assert len(found) == 77
    assert all(c.name.startswith(("Saint-", "Sainte-")) for c in found)
    every = [c for c in communes.all_communes() if c.name.startswith(("Saint-", "Sainte-"))]
    assert found == every
    assert communes.search("SAINT", limit=500) == found
    assert communes.search("Saint", limit=500) == found


def test_a_trailing_hyphen_or_space_ends_the_word() -> None:
    hyphen = communes.search("Saint-", limit=500)

    assert len(hyphen) == 69
    assert all(c.name.startswith("Saint-") for c in hyphen)
    assert communes.search("saint ", limit=500) == hyphen
    sainte = communes.search("sainte-", limit=500)
    assert len(sainte) == 8 and all(c.name.startswith("Sainte-") for c in sainte)
    assert names(communes.search("sees ")) == ["Sées"]


def test_results_are_ordered_by_name_and_limited() -> None:
    found = communes.search("saint", limit=500)
    assert [fold(c.name) for c in found] == sorted(fold(c.name) for c in found)
    assert communes.search("saint", limit=5) == found[:5]
    assert len(communes.search("saint")) == 20  # default limit


def test_apostrophes_and_hyphens_are_optional() -> None:
    for query in ("l'aigle", "L’Aigle", "l aigle", "laigle", "L-AIGLE"):
        assert names(communes.search(query)) == ["L'Aigle"], query
    assert names(communes.search("bagnoles de l'orne")) == ["Bagnoles de l'Orne Normandie"]
    assert names(communes.search("bagnoles-de-lorne")) == ["Bagnoles de l'Orne Normandie"]
    assert names(communes.search("oree-d-ecouves")) == ["L'Orée-d'Écouves"]


def test_a_leading_article_may_be_left_out() -> None:
    assert names(communes.search("aigle")) == ["L'Aigle"]
    assert names(communes.search("ferte")) == ["La Ferté-en-Ouche", "La Ferté-Macé"]
    assert names(communes.search("la ferte")) == ["La Ferté-en-Ouche", "La Ferté-Macé"]
    assert names(communes.search("monts d'andaine")) == ["Les Monts d'Andaine"]
    assert names(communes.search("orée")) == ["L'Orée-d'Écouves"]
    assert "Le Mêle-sur-Sarthe" in names(communes.search("mele"))


def test_only_prefixes_of_the_name_match_not_inner_words() -> None:
    assert names(communes.search("aube", limit=500)) == ["Aube"]  # not Saint-Aubin-..., not Saint-Aubert-...
    assert communes.search("tuboeuf") == []
    assert communes.search("andaine") == []


def test_postcode_or_insee_code() -> None:
    assert names(communes.search("61000")) == ["Alençon", "Cerisé", "Saint-Germain-du-Corbéis"]
    assert names(communes.search("61001")) == ["Alençon"]
    shared = communes.search(" 61320 ", limit=100)
    assert len(shared) == 16 and all("61320" in c.postcodes for c in shared)
    assert {"Carrouges", "L'Orée-d'Écouves"} <= set(names(shared))
    # 61500 is both Sées' postcode (17 communes) and La Ventrouze's INSEE code: both are answers.
    both = communes.search("61500", limit=100)
    assert len(both) == 18
    assert [c.name for c in both if "61500" not in c.postcodes] == ["La Ventrouze"]
    assert communes.require("61500").postcodes == ("61190",)
    assert communes.search("61999") == []
    assert communes.search("75001") == []


def test_nothing_for_nothing() -> None:
    assert communes.search("") == []
    assert communes.search("  - ' ") == []
    assert communes.search("zzz") == []


def test_fold() -> None:
    assert fold("L'Hôme-Chamondot") == "l home chamondot"
    assert fold("Saint-Michel-Tubœuf") == "saint michel tuboeuf"
    assert fold(" Saint- ") == "saint "


# --- geography -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (48.4305, 0.0915, "61001"),  # Alençon, town hall
        (48.6053, 0.1717, "61464"),  # Sées, cathedral
        (48.7646, 0.6283, "61214"),  # L'Aigle
        (48.7490, -0.5697, "61169"),  # Flers
        (48.7445, -0.0203, "61006"),  # Argentan
        (48.5206, 0.5472, "61293"),  # Mortagne-au-Perche
        (48.5421, 0.0079, "61228"),  # former Fontenai-les-Louvets, now L'Orée-d'Écouves
        (48.5415, -0.0399, "61228"),  # former Saint-Didier-sous-Écouves
        (48.5160, -0.0662, "61228"),  # former Longuenoë
        (48.5943, 0.0498, "61294"),  # former Saint-Hilaire-la-Gérard, now Mortrée
        (48.8566, 2.3522, None),  # Paris
        (48.0061, 0.1996, None),  # Le Mans (Sarthe)
    ],
)
def test_commune_at(lat: float, lon: float, expected: str | None) -> None:
    assert communes.commune_at(lat, lon) == expected


def test_communes_touching_a_box() -> None:
    alencon = communes.require("61001")
    small = (alencon.lon - 0.001, alencon.lat - 0.001, alencon.lon + 0.001, alencon.lat + 0.001)

    touching = communes.communes_touching(small)
    assert "61001" in touching
    assert touching == sorted(touching)
    assert all(communes.require(code).bbox[0] <= small[2] for code in touching)
    assert communes.communes_touching((2.3, 48.8, 2.4, 48.9)) == []
    whole = communes.communes_touching((-1.0, 48.0, 1.0, 49.0))
    assert len(whole) == 385


def test_the_data_file_is_what_the_module_serves() -> None:
    raw = json.loads(communes.DATA_PATH.read_text(encoding="utf-8"))
    first = raw["communes"][0]
    commune = communes.require(first["insee"])
    assert (commune.lat, commune.lon, list(commune.bbox)) == (first["lat"], first["lon"], first["bbox"])
