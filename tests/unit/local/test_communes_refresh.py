"""`poche communes refresh`: the build of the communes data file from COG GeoJSON and La Poste's table."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from poche_local import communes_refresh as refresh
from poche_local.communes_refresh import RefreshError, build, derive_name, dissolve, dumps

ROOT = Path(__file__).resolve().parents[3]
GEOJSON = refresh.SAMPLE_GEOJSON
POSTCODES = refresh.SAMPLE_POSTCODES
SHIPPED = ROOT / "layers/common/python/poche_common/data/communes.json"


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    return build(GEOJSON, POSTCODES, "61", generated_at=shipped["generated_at"])


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="poche")
    refresh.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(list(argv))


def square(x: float, y: float, size: float = 1.0) -> list[list[tuple[float, float]]]:
    return [[(x, y), (x + size, y), (x + size, y + size), (x, y + size)]]


def area(polygons: list[list[list[tuple[float, float]]]]) -> float:
    return sum(abs(refresh._signed_area(p[0])) - sum(abs(refresh._signed_area(h)) for h in p[1:]) for p in polygons)


# --- the shipped file ----------------------------------------------------------------------------------------------


def test_the_shipped_file_is_exactly_what_build_makes_from_the_samples(built: dict[str, Any]) -> None:
    assert built == json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert dumps(built) == SHIPPED.read_text(encoding="utf-8")


def test_the_inputs_are_the_published_files() -> None:
    readme = (refresh.INPUTS / "README.md").read_text(encoding="utf-8")
    for path in (GEOJSON, POSTCODES):
        digest = hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()
        assert f"`{path.name}`" in readme and f"`{digest}`" in readme


def test_uncompressed_inputs_give_the_same_data(tmp_path: Path) -> None:
    plain = tmp_path / "communes.geojson"
    plain.write_bytes(gzip.decompress(GEOJSON.read_bytes()))
    assert build(plain, POSTCODES, "61") == build(GEOJSON, POSTCODES, "61")
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"not gzip")
    with pytest.raises(RefreshError, match="not a gzip file"):
        build(GEOJSON, broken, "61")


def test_the_same_inputs_always_give_the_same_file() -> None:
    first = build(GEOJSON, POSTCODES, "61")
    again = build(GEOJSON, POSTCODES, "61")
    assert dumps(first) == dumps(again)
    assert first["generated_at"] == first["as_of"] == "2020-04-15T00:00:00+02:00"


def test_counts_and_metadata(built: dict[str, Any]) -> None:
    assert built["counts"] == {"communes": 385, "cog_2018_communes": 389, "postcode_rows": 506}
    assert [c["insee"] for c in built["communes"]] == sorted(c["insee"] for c in built["communes"])
    assert built["departement"] == {"code": "61", "name": "Orne", "of": "de l'Orne"}
    assert built["simplification"] == {"method": "douglas-peucker", "tolerance_deg": 0.0006, "decimals": 5}
    assert len(dumps(built).encode()) < 400_000


def test_mergers_since_2018_are_united_into_the_commune_nouvelle(built: dict[str, Any]) -> None:
    cases = {case["insee"]: case for case in built["reconciliation"]}

    assert [a["insee"] for a in cases["61228"]["absorbed"]] == ["61172", "61231", "61383"]
    assert cases["61228"]["name_from"] == "laposte" and cases["61228"]["cog_2018_name"] == "Livaie"
    assert cases["61294"]["absorbed"] == [{"insee": "61403", "name": "Saint-Hilaire-la-Gérard"}]
    assert cases["61168"] == {
        "insee": "61168",
        "name": "La Ferté-Macé",
        "name_from": "corrected",
        "cog_2018_name": "Ferté Macé",
    }
    assert set(cases) == {"61168", "61215", "61228", "61294"}


def test_a_merged_outline_covers_its_former_communes_in_one_piece(built: dict[str, Any]) -> None:
    shapes = refresh.read_geojson(GEOJSON, "61")
    oree = next(c for c in built["communes"] if c["insee"] == "61228")
    parts = [p for code in ("61228", "61172", "61231", "61383") for p in shapes[code][1]]

    united = dissolve(parts)
    assert len(united) == 1 and len(oree["outline"]) == 1
    assert area(united) == pytest.approx(area(parts), rel=1e-9)
    outline = [[[tuple(point) for point in ring] for ring in polygon] for polygon in oree["outline"]]
    assert area(outline) == pytest.approx(area(parts), rel=0.02)  # simplified, still the same land


# --- pieces ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("laposte", "expected"),
    [
        ("L OREE D ECOUVES", "L'Orée-d'Écouves"),
        ("ST GERMAIN DU CORBEIS", "Saint-Germain-du-Corbéis"),
        ("STE GAUBURGE STE COLOMBE", "Sainte-Gauburge-Sainte-Colombe"),
        ("LE MELE SUR SARTHE", "Le Mêle-sur-Sarthe"),
        ("LA CHAPELLE PRES SEES", "La Chapelle-près-Sées"),
        ("LE PAS ST L HOMER", "Le Pas-Saint-l'Homer"),
        ("ST AUBIN D APPENAI", "Saint-Aubin-d'Appenai"),
        ("LES AUTHIEUX DU PUITS", "Les Authieux-du-Puits"),
        ("L AIGLE", "L'Aigle"),
        ("ALENCON", "Alençon"),
        ("LA FERRIERE AUX ETANGS", "La Ferrière-aux-Étangs"),
        ("LE MERLERAULT", "Le Merlerault"),
    ],
)
def test_derive_name(laposte: str, expected: str) -> None:
    shapes = refresh.read_geojson(GEOJSON, "61")
    assert derive_name(laposte, refresh._vocabulary(name for name, _ in shapes.values())) == expected


def test_derived_names_agree_with_the_cog_but_for_the_newer_naming_styles(built: dict[str, Any]) -> None:
    """Why derived names are checked by hand: the rules give the classic hyphenated COG names, not the spaces of
    recent communes nouvelles, `lès`, or Berd'huis."""
    shapes = refresh.read_geojson(GEOJSON, "61")
    vocabulary = refresh._vocabulary(name for name, _ in shapes.values())
    laposte = {row["Code_commune_INSEE"]: row["Nom_commune"] for row in refresh.read_postcodes(POSTCODES, "61")}

    differ = {c["insee"] for c in built["communes"] if derive_name(laposte[c["insee"]], vocabulary) != c["name"]}
    assert len(differ) == 18
    named = {c["insee"]: c["name"] for c in built["communes"]}
    assert all(" " in named[code] or "lès" in named[code] or code == "61043" for code in differ)


def test_dissolve_removes_shared_borders() -> None:
    united = dissolve([square(0, 0), square(1, 0)])
    assert len(united) == 1 and len(united[0]) == 1
    assert sorted(united[0][0]) == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    assert area(united) == pytest.approx(2.0)


def test_dissolve_keeps_apart_what_does_not_touch() -> None:
    apart = [square(0, 0), square(5, 5)]
    assert area(dissolve(apart)) == pytest.approx(2.0)
    assert len(dissolve(apart)) == 2


def test_douglas_peucker_drops_what_is_within_tolerance() -> None:
    line = [(0.0, 0.0), (1.0, 0.001), (2.0, 0.0), (3.0, 1.0)]
    assert refresh.douglas_peucker(line, 0.01) == [(0.0, 0.0), (2.0, 0.0), (3.0, 1.0)]
    assert refresh.douglas_peucker(line, 0.0001) == line


def test_centre_falls_back_to_a_point_inside() -> None:
    # a "C": its centroid lies in the notch, outside the shape
    c_shape = [[(0.0, 0.0), (3.0, 0.0), (3.0, 1.0), (1.0, 1.0), (1.0, 2.0), (3.0, 2.0), (3.0, 3.0), (0.0, 3.0)]]
    centroid = refresh.area_centroid([c_shape])
    assert centroid is not None and not refresh.inside([c_shape], *centroid)
    assert refresh.inside([c_shape], *refresh.point_inside([c_shape]))
    assert refresh.area_centroid([square(0, 0, 2)]) == pytest.approx((1.0, 1.0))


# --- the command ----------------------------------------------------------------------------------------------------


def test_command_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "data" / "communes.json"
    args = parse("communes", "refresh", "--geojson", str(GEOJSON), "--postcodes", str(POSTCODES), "--out", str(out))

    assert args.func(args) == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert len(written["communes"]) == 385
    assert written["generated_at"] != written["as_of"]  # stamped with the time of the run
    printed = capsys.readouterr().out
    assert "385 communes" in printed
    assert "check by hand: 61228 name derived from La Poste: L'Orée-d'Écouves" in printed


def test_command_defaults() -> None:
    args = parse("communes", "refresh", "--geojson", "a.geojson", "--postcodes", "b.csv")
    assert (args.departement, Path(args.out)) == ("61", SHIPPED)
    assert (args.cog_date, args.postcodes_date) == ("2018-01-01", "2020-04-15")
    dated = parse("communes", "refresh", "--geojson", "a", "--postcodes", "b", "--postcodes-date", "2025-03-01")
    assert dated.postcodes_date == "2025-03-01"
    with pytest.raises(SystemExit):
        parse("communes", "refresh", "--geojson", "a", "--postcodes", "b", "--cog-date", "hier")


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, Path]:
    out = tmp_path / "out.json"
    args = parse("communes", "refresh", *argv, "--out", str(out))
    status = args.func(args)
    return status, capsys.readouterr().err, out


def test_missing_file_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err, out = run(tmp_path, capsys, "--geojson", str(tmp_path / "nope.geojson"), "--postcodes", str(POSTCODES))
    assert status == 2 and "nope.geojson: no such file" in err and not out.exists()
    status, err, out = run(tmp_path, capsys, "--geojson", str(GEOJSON), "--postcodes", str(tmp_path / "nope.csv"))
    assert status == 2 and "nope.csv: no such file" in err and not out.exists()


def test_wrong_columns_are_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code;nom\n61001;ALENCON\n", encoding="utf-8")

    status, err, out = run(tmp_path, capsys, "--geojson", str(GEOJSON), "--postcodes", str(bad))
    assert status == 2 and not out.exists()
    assert "missing column(s) Code_commune_INSEE, Nom_commune, Code_postal, Ligne_5" in err


def test_not_geojson_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "Feature"}', encoding="utf-8")
    status, err, _ = run(tmp_path, capsys, "--geojson", str(bad), "--postcodes", str(POSTCODES))
    assert status == 2 and "not a GeoJSON FeatureCollection" in err
    bad.write_text("not json", encoding="utf-8")
    status, err, _ = run(tmp_path, capsys, "--geojson", str(bad), "--postcodes", str(POSTCODES))
    assert status == 2 and "not a GeoJSON file" in err


def test_no_commune_of_that_departement_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, err, out = run(
        tmp_path, capsys, "--geojson", str(GEOJSON), "--postcodes", str(POSTCODES), "--departement", "14"
    )
    assert status == 2 and "no commune of département 14" in err and not out.exists()
    status, err, _ = run(
        tmp_path, capsys, "--geojson", str(GEOJSON), "--postcodes", str(POSTCODES), "--departement", "x"
    )
    assert status == 2 and "not a département code" in err


def test_a_vanished_commune_nobody_claims_stops_the_build(tmp_path: Path) -> None:
    lines = gzip.decompress(POSTCODES.read_bytes()).decode().splitlines()
    kept = [line for line in lines if "ST HILAIRE LA GERARD" not in line]
    assert len(kept) == len(lines) - 1
    postcodes = tmp_path / "postcodes.csv"
    postcodes.write_text("\n".join(kept) + "\n", encoding="utf-8")

    with pytest.raises(RefreshError, match=r"61403 Saint-Hilaire-la-Gérard .* cannot tell which commune absorbed it"):
        build(GEOJSON, postcodes, "61")


def test_a_current_commune_without_outline_stops_the_build(tmp_path: Path) -> None:
    postcodes = tmp_path / "postcodes.csv"
    extra = "61999;NOUVELLE COMMUNE;61000;;NOUVELLE COMMUNE;48.4,0.1"
    postcodes.write_text(gzip.decompress(POSTCODES.read_bytes()).decode() + extra + "\n", encoding="utf-8")

    with pytest.raises(RefreshError, match=r"no outline in the GeoJSON for the current commune\(s\) 61999"):
        build(GEOJSON, postcodes, "61")


def test_later_editions_of_both_inputs_are_read(tmp_path: Path) -> None:
    """La Poste's later header (`#Code_commune_INSEE`, `Nom_de_la_commune`, cp1252) and IGN's own property names."""
    postcodes = tmp_path / "postcodes.csv"
    postcodes.write_bytes(
        (
            "#Code_commune_INSEE;Nom_de_la_commune;Code_postal;Libellé_d_acheminement;Ligne_5\n"
            "61001;ALENCON;61000;ALENCON;\n"
            "61002;ALMENECHES;61570;ALMENECHES;\n"
        ).encode("cp1252")
    )
    geojson = tmp_path / "communes.geojson"
    features = [
        {"type": "Feature", "properties": {"INSEE_COM": code, "NOM": name}, "geometry": geometry}
        for code, name, geometry in (
            ("61001", "Alençon", {"type": "Polygon", "coordinates": [[[0, 48], [0.1, 48], [0.1, 48.1], [0, 48]]]}),
            ("61002", "Almenêches", {"type": "Polygon", "coordinates": [[[1, 48], [1.1, 48], [1.1, 48.1], [1, 48]]]}),
        )
    ]
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")

    data = build(geojson, postcodes, "61", cog_date="2025-01-01", postcodes_date="2025-03-01")
    assert [(c["insee"], c["name"], c["postcodes"]) for c in data["communes"]] == [
        ("61001", "Alençon", ["61000"]),
        ("61002", "Almenêches", ["61570"]),
    ]
    assert data["as_of"] == "2025-03-01T00:00:00+01:00"


def test_the_poche_command_line_offers_the_refresh(tmp_path: Path) -> None:
    import subprocess
    import sys

    sources = Path(__file__).resolve().parents[3] / "infra" / "poche_local" / "communes_sources"
    out = tmp_path / "communes.json"
    result = subprocess.run(
        [
            sys.executable, "-m", "poche_local.cli", "communes", "refresh",
            "--geojson", str(sources / "france-geojson_communes-61-orne.geojson.gz"),
            "--postcodes", str(sources / "laposte_hexasmal_dept61_extract.csv.gz"),
            "--out", str(out),
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(json.loads(out.read_text())["communes"]) == 385
