"""Unit tests of the SCDL menus-collectifs parser (offline, deterministic)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from canteen_menus_scdl.model import Meal, ParsedFeed, RejectedRow
from canteen_menus_scdl.parser import parse_feed
from poche_common.errors import FeedFormatError

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "functions/connectors/canteen_menus_scdl/sample/menus-collectifs.csv"
UTC = dt.UTC

REQUIRED = [
    "menuRestaurantNom",
    "menuRestaurantIdType",
    "menuRestaurantId",
    "menuDate",
    "menuRepasType",
    "menuPlatType",
    "menuPlatNom",
]
FULL = [
    "menuCollNom",
    "menuCollSiret",
    "menuRestaurantNom",
    "menuRestaurantInsee",
    "menuRestaurantId",
    "menuRestaurantIdType",
    "menuRestaurantType",
    "menuDate",
    "menuRepasType",
    "menuPlatType",
    "menuPlatNom",
    "menuPlatCode",
    "menuPlatSiqo",
    "menuPlatLabel",
    "menuPlatPrecision",
    "menuPlatRegime",
    "menuPlatAllergene",
    "menuPublicationDate",
    "menuModificationDate",
]
BASE: dict[str, str] = {
    "menuCollNom": "Département de l'Orne",
    "menuCollSiret": "22610001400019",
    "menuRestaurantNom": "Collège Louise Michel",
    "menuRestaurantInsee": "61001",
    "menuRestaurantId": "0611047G",
    "menuRestaurantIdType": "EN",
    "menuRestaurantType": "collège",
    "menuDate": "2026-11-30",
    "menuRepasType": "déjeuner",
    "menuPlatType": "plat principal",
    "menuPlatNom": "Hachis parmentier",
}


def row(**values: str) -> dict[str, str]:
    """A valid row of the full layout with some values replaced."""
    return {**BASE, **values}


def make_csv(
    rows: list[dict[str, str]],
    *,
    columns: list[str] | None = None,
    sep: str = ";",
    newline: str = "\n",
    bom: bool = False,
    encoding: str = "utf-8",
) -> bytes:
    """Bytes of a CSV feed with the given columns (default: the full layout)."""
    columns = columns or FULL
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=sep, lineterminator=newline)
    writer.writerow(columns)
    writer.writerows([[values.get(name, "") for name in columns] for values in rows])
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding)


def parse_rows(*rows: dict[str, str], columns: list[str] | None = None) -> ParsedFeed:
    return parse_feed(make_csv(list(rows), columns=columns))


def only_meal(feed: ParsedFeed) -> Meal:
    assert len(feed.meals) == 1, feed
    return feed.meals[0]


def reject_reason(*rows: dict[str, str]) -> RejectedRow:
    """The single rejection of a feed made of a good row followed by `rows` (the bad one)."""
    feed = parse_rows(row(), *rows)
    assert len(feed.rejected) == 1, feed.rejected
    return feed.rejected[0]


# ---------------------------------------------------------------- the bundled sample


@pytest.fixture(scope="module")
def sample() -> ParsedFeed:
    return parse_feed(SAMPLE.read_bytes())


def find_meal(feed: ParsedFeed, canteen_id: str, date: str, meal: str = "dejeuner") -> Meal:
    key = (canteen_id, date, meal)
    return next(m for m in feed.meals if m.key == key)


def test_sample_bytes_are_the_documented_layout() -> None:
    data = SAMPLE.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfmenuCollNom;menuCollSiret;")
    assert data.count(b"\r\n") == 258  # every line but the one inside the quoted dish name
    assert b"menuRepasType;menuPlatType;menuPlatNom;menuPlatCode" in data


def test_sample_counts(sample: ParsedFeed) -> None:
    assert sample.rows_read == 257
    assert sorted(sample.canteens) == [
        "0610712T",
        "0610896T",
        "0611047G",
        "0611126T",
        "0611318B",
        "21610464600023",
    ]
    assert len(sample.meals) == 56
    assert sum(m.meal == "gouter" for m in sample.meals) == 8
    assert {len(m.dishes) for m in sample.meals if m.meal == "dejeuner"} == {5}
    assert all(m.date.weekday() != 2 for m in sample.meals)  # no Wednesday
    assert [m.key for m in sample.meals] == sorted(m.key for m in sample.meals)


def test_sample_rejects_only_the_impossible_date(sample: ParsedFeed) -> None:
    assert sample.rejected == [
        RejectedRow(line=67, reason="menuDate « 2026-11-31 » n'est pas une date valide : ce jour n'existe pas")
    ]


def test_sample_canteens(sample: ParsedFeed) -> None:
    college = sample.canteens["0611126T"]
    assert (college.name, college.kind, college.commune, college.id_type) == (
        "Collège Sévigné",
        "college",
        "61169",
        "uai",
    )
    assert college.organisation == "Département de l'Orne"
    assert college.organisation_siret == "22610001400019"
    school = sample.canteens["21610464600023"]
    assert (school.kind, school.commune, school.id_type) == ("elementaire", None, "siret")


def test_sample_quoted_dish_names(sample: ParsedFeed) -> None:
    crepe = find_meal(sample, "0611047G", "2026-12-01").dishes[0]
    assert (crepe.course, crepe.name) == ("entree", 'Crêpe "maison" au fromage ; salade verte')
    veloute = find_meal(sample, "0610896T", "2026-11-30").dishes[0]
    assert veloute.name == "Velouté de potiron et croûtons"
    assert veloute.labels == ("bio",)
    assert veloute.allergens == ("gluten", "céleri")


def test_sample_modified_menu_is_in_utc(sample: ParsedFeed) -> None:
    meal = find_meal(sample, "0611126T", "2026-12-04")
    assert meal.published_at == dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert meal.modified_at == dt.datetime(2026, 12, 3, 15, 45, tzinfo=UTC)
    assert meal.modified_at.utcoffset() == dt.timedelta(0)
    assert meal.dishes[1].name == "Filet de colin meunière"
    assert sum(m.modified_at is not None for m in sample.meals) == 1


def test_sample_christmas_vegetarian_and_labels(sample: ParsedFeed) -> None:
    christmas = [m for m in sample.meals if m.notes]
    assert {m.date for m in christmas} == {dt.date(2026, 12, 10)}
    assert len(christmas) == 6
    assert all(m.notes == ("Repas de Noël",) for m in christmas)
    vegetarian_days = {(m.canteen_id, m.date) for m in sample.meals if "végétarien" in m.dishes[1].regimes}
    assert len(vegetarian_days) == 12  # one per week and canteen
    # the same dish in JSON-array syntax (collège) and in "a; b" syntax (school) gives the same labels
    college = find_meal(sample, "0610896T", "2026-11-30").dishes[3]
    school = find_meal(sample, "21610464600023", "2026-12-07").dishes[3]
    assert college.name == school.name == "Camembert de Normandie"
    assert college.labels == school.labels == ("aop", "bio")
    assert find_meal(sample, "0611047G", "2026-11-30").dishes[4].local_labels == ("Produit local",)


# ---------------------------------------------------------------- bytes, separators, encodings


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("sep", [";", ","])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_layout_variants_give_the_same_feed(bom: bool, sep: str, newline: str) -> None:
    rows = [
        row(menuPlatNom="Crêpe ; jambon, fromage", menuPlatAllergene='["gluten","lait"]'),
        row(menuDate="x"),
    ]
    expected = parse_feed(make_csv(rows))
    feed = parse_feed(make_csv(rows, sep=sep, newline=newline, bom=bom))
    assert feed == expected
    assert only_meal(feed).dishes[0].name == "Crêpe ; jambon, fromage"
    assert feed.rejected[0].line == 3


def test_windows_1252_input() -> None:
    data = make_csv([row(menuPlatNom="Bœuf bourguignon à l'ancienne", menuPlatType="Entrée")], encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    meal = only_meal(parse_feed(data))
    assert meal.dishes[0].name == "Bœuf bourguignon à l'ancienne"
    assert meal.dishes[0].course == "entree"
    assert parse_feed(data).canteens["0611047G"].name == "Collège Louise Michel"


def test_decomposed_accents_are_composed() -> None:
    data = make_csv([row(menuPlatNom="Ce\u0301leri re\u0301moulade", menuPlatAllergene="ce\u0301leri")])
    dish = only_meal(parse_feed(data)).dishes[0]
    assert (dish.name, dish.allergens) == ("Céleri rémoulade", ("céleri",))


def test_header_names_are_trimmed_and_case_insensitive() -> None:
    columns = [" MENURESTAURANTNOM", "menurestaurantidtype ", "MenuRestaurantId", "menudate", *REQUIRED[4:]]
    data = make_csv([row()], columns=REQUIRED).replace(";".join(REQUIRED).encode(), ";".join(columns).encode(), 1)
    assert parse_feed(data) == parse_rows(row(), columns=REQUIRED)


def test_v12_and_later_column_names_give_identical_feeds() -> None:
    later = SAMPLE.read_bytes()
    header, rest = later.split(b"\r\n", 1)
    for new, old in [
        (b"menuRepasType", b"menuTypeRepas"),
        (b"menuPlatType", b"menuTypePlat"),
        (b"menuPlatNom", b"menuNomPlat"),
        (b"menuPlatCode", b"menuCodePlat"),
        (b"menuPlatRegime", b"menuRegimePlat"),
        (b"menuPlatAllergene", b"menuAllergenePlat"),
        (b"menuPlatSiqo", b"menuSiqoPlat"),
    ]:
        assert new in header
        header = header.replace(new, old)
    assert b"menuPlatNom" not in header
    assert parse_feed(header + b"\r\n" + rest) == parse_feed(later)


def test_optional_columns_absent() -> None:
    feed = parse_rows(row(), columns=REQUIRED)
    canteen = feed.canteens["0611047G"]
    assert (canteen.kind, canteen.commune, canteen.organisation, canteen.organisation_siret) == (
        "autre",
        None,
        "",
        None,
    )
    meal = only_meal(feed)
    assert (meal.published_at, meal.modified_at, meal.notes) == (None, None, ())
    dish = meal.dishes[0]
    assert (dish.labels, dish.local_labels, dish.regimes, dish.allergens, dish.code) == ((), (), (), (), None)


def test_unknown_columns_are_ignored_and_trailing_empty_fields_tolerated() -> None:
    columns = [*REQUIRED, "menuPlatNutriscore", "colonneMaison"]
    data = make_csv([row(menuPlatNutriscore="B", colonneMaison="x")], columns=columns)
    data = data.replace(b"x\n", b"x;;\n")  # an Excel export with trailing separators
    feed = parse_feed(data)
    assert feed.rejected == []
    assert only_meal(feed).dishes[0].name == "Hachis parmentier"


# ---------------------------------------------------------------- multi-valued fields


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('["gluten","lait"]', ("gluten", "lait")),
        ('[ "Gluten" , "LAIT" ]', ("gluten", "lait")),
        ("['gluten', 'lait']", ("gluten", "lait")),
        ("[gluten, lait]", ("gluten", "lait")),
        ("gluten; lait", ("gluten", "lait")),
        (" Gluten ;; LAIT ; gluten ", ("gluten", "lait")),
        ('["fruits à coques","fruits à coques",""]', ("fruits à coques",)),
        ("[]", ()),
        ("", ()),
    ],
)
def test_allergens_both_syntaxes(value: str, expected: tuple[str, ...]) -> None:
    assert only_meal(parse_rows(row(menuPlatAllergene=value))).dishes[0].allergens == expected


@pytest.mark.parametrize(
    ("siqo", "labels", "local"),
    [
        ('["agriculture biologique","label rouge"]', ("bio", "label_rouge"), ()),
        ("AB; Label Rouge", ("bio", "label_rouge"), ()),
        ("['appellation d'origine protégée', 'IGP']", ("aop", "igp"), ()),
        ('["AOC","STG","Bleu-Blanc-Cœur"]', ("aop", "stg"), ("Bleu-Blanc-Cœur",)),
        ("bio; agriculture biologique; Spécialité traditionnelle garantie", ("bio", "stg"), ()),
        ("Indication géographique protégée", ("igp",), ()),
    ],
)
def test_siqo_values_become_label_codes(siqo: str, labels: tuple[str, ...], local: tuple[str, ...]) -> None:
    dish = only_meal(parse_rows(row(menuPlatSiqo=siqo))).dishes[0]
    assert (dish.labels, dish.local_labels) == (labels, local)


def test_local_labels_regimes_and_notes() -> None:
    feed = parse_rows(
        row(
            menuPlatLabel="Produit local; Viande de Normandie",
            menuPlatRegime='["Végétarien","sans porc"]',
            menuPlatPrecision="Repas de Noël",
        ),
        row(menuPlatNom="Bûche", menuPlatType="dessert", menuPlatPrecision="Semaine du goût; Repas de Noël"),
    )
    meal = only_meal(feed)
    assert meal.dishes[0].local_labels == ("Produit local", "Viande de Normandie")
    assert meal.dishes[0].regimes == ("végétarien", "sans porc")
    assert meal.notes == ("Repas de Noël", "Semaine du goût")


# ---------------------------------------------------------------- enumerations


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("entrée", "entree"),
        ("ENTREE", "entree"),
        ("Hors d'œuvre", "entree"),
        ("Plat principal", "plat_principal"),
        ("plat", "plat_principal"),
        ("garniture", "garniture"),
        ("Accompagnement", "garniture"),
        ("légumes", "garniture"),
        ("Produit laitier", "produit_laitier"),
        ("fromage", "produit_laitier"),
        ("Laitage", "produit_laitier"),
        ("dessert", "dessert"),
        ("pain", "pain"),
        ("boisson", "autre"),
        ("", "autre"),
    ],
)
def test_course_normalisation(value: str, code: str) -> None:
    assert only_meal(parse_rows(row(menuPlatType=value))).dishes[0].course == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("déjeuner", "dejeuner"),
        ("Dejeuner", "dejeuner"),
        (" DÉJEUNER ", "dejeuner"),
        ("petit-déjeuner", "petit_dejeuner"),
        ("Petit déjeuner", "petit_dejeuner"),
        ("goûter", "gouter"),
        ("dîner", "diner"),
        ("collation", "collation"),
        ("pique-nique", "pique_nique"),
        ("brunch", "autre"),
    ],
)
def test_meal_normalisation(value: str, code: str) -> None:
    assert only_meal(parse_rows(row(menuRepasType=value))).meal == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("collège", "college"),
        ("COLLEGE", "college"),
        ("élémentaire", "elementaire"),
        ("crèche", "creche"),
        ("lycée", "lycee"),
        ("résidence sénior", "residence_senior"),
        ("EHPAD", "ehpad"),
        ("repas à domicile", "repas_domicile"),
        ("centre de loisirs", "centre_loisirs"),
        ("restaurant d'entreprise", "restaurant_entreprise"),
        ("centre de formation", "centre_formation"),
        ("cantine municipale", "autre"),
        ("", "autre"),
    ],
)
def test_canteen_kind_normalisation(value: str, code: str) -> None:
    assert parse_rows(row(menuRestaurantType=value)).canteens["0611047G"].kind == code


# ---------------------------------------------------------------- canteen identity


@pytest.mark.parametrize(
    ("id_type", "raw_id", "name", "coll_siret", "expected_id", "expected_type"),
    [
        ("SIRET", "216 104 646 00023", "Cantine", "", "21610464600023", "siret"),
        ("siret", "21610464600023", "Cantine", "", "21610464600023", "siret"),
        ("EN", "0611047g", "Collège", "", "0611047G", "uai"),
        ("autre", "Cantine n°3", "Cantine", "22610001400019", "x-22610001400019-cantine-n-3", "other"),
        ("autre", "R12", "Cantine", "", "x-r12", "other"),
        ("sans", "", "Restaurant de l'Hôtel du Département", "22610001400019",
         "x-22610001400019-restaurant-de-l-hotel-du-departement", "none"),
        ("SANS", "ignored", "Self Œuvres", "", "x-self-oeuvres", "none"),
    ],
)  # fmt: skip
def test_canteen_identifier_rules(
    id_type: str, raw_id: str, name: str, coll_siret: str, expected_id: str, expected_type: str
) -> None:
    values = row(
        menuRestaurantIdType=id_type,
        menuRestaurantId=raw_id,
        menuRestaurantNom=name,
        menuCollSiret=coll_siret,
    )
    feed = parse_rows(values)
    assert list(feed.canteens) == [expected_id]
    assert feed.canteens[expected_id].id_type == expected_type
    assert only_meal(feed).canteen_id == expected_id


@pytest.mark.parametrize(
    ("insee", "commune"),
    [("61001", "61001"), ("2A004", "2A004"), ("2b033", "2B033"), ("6101", None), ("20001", None), ("", None)],
)
def test_malformed_insee_keeps_the_row(insee: str, commune: str | None) -> None:
    feed = parse_rows(row(menuRestaurantInsee=insee))
    assert feed.rejected == []
    assert feed.canteens["0611047G"].commune == commune


def test_first_row_defines_the_canteen() -> None:
    feed = parse_rows(row(), row(menuRestaurantNom="Autre nom", menuRestaurantType="lycée", menuPlatNom="Riz"))
    assert feed.canteens["0611047G"].name == "Collège Louise Michel"
    assert feed.canteens["0611047G"].kind == "college"
    assert len(only_meal(feed).dishes) == 2


@pytest.mark.parametrize(
    ("values", "fragments"),
    [
        (
            {"menuRestaurantIdType": "SIRET", "menuRestaurantId": "2161046460"},
            ["menuRestaurantId", "2161046460"],
        ),
        (
            {"menuRestaurantIdType": "EN", "menuRestaurantId": "061104G"},
            ["menuRestaurantId", "061104G", "UAI"],
        ),
        ({"menuRestaurantIdType": "EN", "menuRestaurantId": "ABCDEFGH"}, ["UAI", "ABCDEFGH"]),
        ({"menuRestaurantIdType": "EN", "menuRestaurantId": ""}, ["menuRestaurantId", "UAI"]),
        ({"menuRestaurantIdType": "RNE"}, ["menuRestaurantIdType", "« RNE »"]),
        ({"menuRestaurantIdType": ""}, ["menuRestaurantIdType", "vide"]),
        ({"menuRestaurantIdType": "autre", "menuRestaurantId": " "}, ["menuRestaurantId", "vide"]),
        ({"menuRestaurantNom": "  "}, ["menuRestaurantNom", "vide"]),
        ({"menuPlatNom": " \t "}, ["menuPlatNom", "vide"]),
    ],
)
def test_bad_rows_are_rejected_with_a_useful_reason(values: dict[str, str], fragments: list[str]) -> None:
    rejected = reject_reason(row(**values))
    assert rejected.line == 3
    for fragment in fragments:
        assert fragment in rejected.reason


def test_row_with_wrong_number_of_fields_is_rejected() -> None:
    data = make_csv([row(), row()]) + "Collège;EN;0611047G\n".encode()
    feed = parse_feed(data)
    assert feed.rows_read == 3
    assert feed.rejected == [
        RejectedRow(4, "la ligne compte 3 champs au lieu de 19 (séparateur ou guillemet mal placé ?)")
    ]


# ---------------------------------------------------------------- dates and times


@pytest.mark.parametrize("value", ["2026-11-30", "30/11/2026", "2026-11-30T00:00:00", "2026-11-30 00:00"])
def test_accepted_menu_dates(value: str) -> None:
    assert only_meal(parse_rows(row(menuDate=value))).date == dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2026-13-01", "« 2026-13-01 » n'est pas une date valide"),
        ("2026-11-31", "« 2026-11-31 » n'est pas une date valide"),
        ("31/11/2026", "« 31/11/2026 » n'est pas une date valide"),
        ("30-11-2026", "« 30-11-2026 » n'est pas une date AAAA-MM-JJ"),
        ("2026-11-30T12:00:00", "n'est pas une date AAAA-MM-JJ"),
        ("lundi", "« lundi »"),
        ("", "menuDate est vide"),
    ],
)
def test_rejected_menu_dates(value: str, fragment: str) -> None:
    rejected = reject_reason(row(menuDate=value))
    assert rejected.reason.startswith("menuDate")
    assert fragment in rejected.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T10:00:00+01:00", dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
        ("2026-11-20T09:00:00Z", dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
        ("2026-11-20T09:00:00.000Z", dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
        ("2026-11-20 10:00:00", dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),  # winter: UTC+1
        ("2026-07-01T10:00", dt.datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),  # summer: UTC+2
        ("2026-11-20", dt.datetime(2026, 11, 19, 23, 0, tzinfo=UTC)),  # midnight in Paris
        ("20/11/2026 10:00", dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
        ("hier soir", None),
        ("", None),
    ],
)
def test_publication_instants(value: str, expected: dt.datetime | None) -> None:
    feed = parse_rows(row(menuPublicationDate=value, menuModificationDate=value))
    meal = only_meal(feed)
    assert feed.rejected == []
    assert meal.published_at == expected
    assert meal.modified_at == expected
    if meal.published_at is not None:
        assert meal.published_at.utcoffset() == dt.timedelta(0)


# ---------------------------------------------------------------- dishes and grouping


def test_dish_name_is_collapsed_and_cut() -> None:
    long_name = "Gratin " + "de légumes " * 30
    feed = parse_rows(row(menuPlatNom="  Purée   de\tcarottes \n bio "), row(menuPlatNom=long_name))
    first, second = only_meal(feed).dishes
    assert first.name == "Purée de carottes bio"
    assert len(second.name) <= 160
    assert second.name == " ".join(long_name.split())[:160].rstrip()
    assert len(" ".join(long_name.split())) > 160


def test_exact_duplicate_dish_is_kept_once() -> None:
    feed = parse_rows(
        row(menuPlatCode="A1"),
        row(menuPlatNom="Hachis  parmentier", menuPlatCode="A2"),  # same once whitespace is collapsed
        row(menuPlatType="garniture"),  # same name, other course: a different dish
        row(menuPlatNom="hachis parmentier"),  # other spelling: kept
    )
    dishes = only_meal(feed).dishes
    assert [(d.course, d.name, d.code) for d in dishes] == [
        ("plat_principal", "Hachis parmentier", "A1"),
        ("garniture", "Hachis parmentier", None),
        ("plat_principal", "hachis parmentier", None),
    ]
    assert feed.rows_read == 4


def test_grouping_order_and_latest_instants() -> None:
    feed = parse_rows(
        row(menuDate="2026-12-01", menuPlatNom="B", menuPublicationDate="2026-11-20T10:00:00+01:00"),
        row(menuDate="2026-11-30", menuPlatNom="Z"),
        row(
            menuDate="2026-12-01",
            menuPlatNom="A",
            menuPublicationDate="2026-11-21T10:00:00+01:00",
            menuModificationDate="2026-11-25T08:00:00Z",
        ),
        row(menuDate="2026-11-30", menuRepasType="goûter", menuPlatNom="Pain", menuRestaurantId="0610712T"),
        row(menuDate="2026-11-30", menuRepasType="dîner", menuPlatNom="Soupe"),
    )
    assert [m.key for m in feed.meals] == [
        ("0610712T", "2026-11-30", "gouter"),
        ("0611047G", "2026-11-30", "dejeuner"),
        ("0611047G", "2026-11-30", "diner"),
        ("0611047G", "2026-12-01", "dejeuner"),
    ]
    last = feed.meals[-1]
    assert [d.name for d in last.dishes] == ["B", "A"]
    assert last.published_at == dt.datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    assert last.modified_at == dt.datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_blank_lines_and_physical_line_numbers() -> None:
    header = ";".join(REQUIRED)
    lines = [
        header,  # line 1
        'Collège;EN;0611047G;2026-11-30;déjeuner;entrée;"Salade\r\nverte"',  # lines 2-3
        "",  # line 4, blank
        ";;;;;;",  # line 5, an empty Excel row
        'Collège;EN;0611047G;2026-11-31;déjeuner;dessert;"Pomme\ncuite"',  # lines 6-7 (LF inside)
        "Collège;EN;0611047G;2026-12-32;déjeuner;dessert;Poire",  # line 8
        "",
    ]
    feed = parse_feed("\r\n".join(lines).encode())
    assert feed.rows_read == 3
    assert only_meal(feed).dishes[0].name == "Salade verte"
    assert [r.line for r in feed.rejected] == [6, 8]  # a record is reported at its first line


# ---------------------------------------------------------------- whole-feed failures


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "vide"),
        (b"\xef\xbb\xbf\r\n \r\n", "vide"),
        (b";;;\r\n;;;\r\n", "vide"),
        (b"<!DOCTYPE html>\n<html><head><title>Erreur 404</title></head></html>", "page HTML"),
        (b"\n  <html lang='fr'><body>Maintenance</body></html>", "page HTML"),
        (b'{"error": "not found"}', "JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "pas un fichier texte"),
        (bytes(range(1, 32)) * 40, "pas un fichier texte"),
        (b"\x81\x8d\x8f\x90\x9d" * 10, "pas un fichier texte"),
    ],
)
def test_unusable_files(data: bytes, fragment: str) -> None:
    with pytest.raises(FeedFormatError) as excinfo:
        parse_feed(data)
    assert fragment in str(excinfo.value)


def test_missing_columns_are_all_named() -> None:
    columns = ["menuRestaurantNom", "menuDate", "menuPlatNom", "menuCommentaire"]
    with pytest.raises(FeedFormatError) as excinfo:
        parse_rows(row(), columns=columns)
    message = str(excinfo.value)
    assert message.startswith("Colonnes obligatoires absentes")
    for name in ["menuRestaurantIdType", "menuRepasType ou menuTypeRepas", "menuPlatType ou menuTypePlat"]:
        assert name in message
    assert "menuRestaurantNom," not in message.split("Colonnes trouvées")[0]
    assert "menuCommentaire" in message  # what was found, to help the publisher


def test_single_column_text_file_is_refused() -> None:
    with pytest.raises(FeedFormatError, match="Colonnes obligatoires absentes"):
        parse_feed(b"Bonjour,\nceci n'est pas un CSV de menus.\n")


def test_header_only_is_refused() -> None:
    with pytest.raises(FeedFormatError, match="en-tête"):
        parse_feed(make_csv([]))


def test_every_row_rejected_is_a_feed_failure() -> None:
    data = make_csv([row(menuDate="2026-13-01"), row(menuRestaurantIdType="RNE"), row(menuPlatNom="")])
    with pytest.raises(FeedFormatError) as excinfo:
        parse_feed(data)
    message = str(excinfo.value)
    assert "Aucune des 3 lignes" in message
    assert "ligne 2 : menuDate « 2026-13-01 »" in message
    assert "ligne 3 : menuRestaurantIdType « RNE »" in message


def test_rows_read_counts_good_and_bad_rows() -> None:
    feed = parse_rows(row(), row(menuDate="bad"), row(menuPlatNom="Riz"), row(menuRestaurantId="x"))
    assert feed.rows_read == 4
    assert [r.line for r in feed.rejected] == [3, 5]
    assert len(only_meal(feed).dishes) == 2
