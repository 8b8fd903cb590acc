"""Parse an SCDL menus-collectifs CSV feed (schema v1.2.x, one row per dish) into a `ParsedFeed`.

Pure and standard-library only (cold start). Whole-feed problems raise `FeedFormatError`;
a bad row is skipped and recorded as a `RejectedRow` with its physical line number.

Bounds (issue 9): a menu date outside 2000..2100 rejects its row; a publication or modification time outside
those years is ignored (`poche_common.bounds`). The canteen id, part of every key, must pass
`poche_common.bounds.check_id` (an `x-<slug>` id made from a 1,500-character name is refused: the row is
rejected). Texts are plain text (`poche_common.plaintext.plain`: no markup, even escaped, no control character)
and bounded, cut with "…": canteen and organisation names `MAX_NAME`, dish names `MAX_DISH_NAME` (cut without
"…", as before), labels, regimes and allergens `MAX_LABEL` (at most `MAX_VALUES` of each), notes `MAX_NOTE` (at
most `MAX_VALUES` per meal); a dish code that is not a short id is dropped. A meal holds at most
`MAX_DISHES_PER_MEAL` dishes (one DynamoDB item of at most 400 KB per meal): further rows are rejected.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from poche_common import csvfeed, safejson
from poche_common.bounds import check_date, check_id, check_moment, excerpt, is_id
from poche_common.errors import FeedFormatError
from poche_common.plaintext import plain
from poche_common.text import fold_decomposed

from .model import CANTEEN_KINDS, COURSES, LABELS, MEALS, Canteen, Dish, Meal, ParsedFeed, RejectedRow

__all__ = ["parse_feed"]

PARIS = ZoneInfo("Europe/Paris")
MAX_DISH_NAME = 160
MAX_NAME = 150
MAX_LABEL = 80
MAX_NOTE = 200
MAX_VALUES = 20
MAX_CODE = 64
MAX_DISHES_PER_MEAL = 60
MAX_REASONS_IN_ERROR = 3

# canonical column -> accepted header names (matched case-insensitively); the first is the later SCDL name
COLUMNS: dict[str, tuple[str, ...]] = {
    "coll_name": ("menuCollNom",),
    "coll_siret": ("menuCollSiret",),
    "restaurant_name": ("menuRestaurantNom",),
    "restaurant_insee": ("menuRestaurantInsee",),
    "restaurant_id": ("menuRestaurantId",),
    "restaurant_id_type": ("menuRestaurantIdType",),
    "restaurant_type": ("menuRestaurantType",),
    "date": ("menuDate",),
    "meal": ("menuRepasType", "menuTypeRepas"),
    "course": ("menuPlatType", "menuTypePlat"),
    "dish_name": ("menuPlatNom", "menuNomPlat"),
    "dish_code": ("menuPlatCode", "menuCodePlat"),
    "siqo": ("menuPlatSiqo", "menuSiqoPlat"),
    "label": ("menuPlatLabel", "menuLabelPlat"),
    "precision": ("menuPlatPrecision", "menuPrecisionPlat"),
    "regime": ("menuPlatRegime", "menuRegimePlat"),
    "allergen": ("menuPlatAllergene", "menuAllergenePlat"),
    "published": ("menuPublicationDate",),
    "modified": ("menuModificationDate",),
}
REQUIRED = ("restaurant_name", "restaurant_id_type", "date", "meal", "course", "dish_name")
_HEADER_ALIASES = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}

# Synonyms on top of the codes and French labels of model.py (keys are `_fold`ed)
_COURSE_SYNONYMS = {
    "plat": "plat_principal",
    "plats principaux": "plat_principal",
    "fromage": "produit_laitier",
    "fromages": "produit_laitier",
    "laitage": "produit_laitier",
    "laitages": "produit_laitier",
    "produits laitiers": "produit_laitier",
    "accompagnement": "garniture",
    "legume": "garniture",
    "legumes": "garniture",
    "hors d oeuvre": "entree",
    "hors d oeuvres": "entree",
    "entrees": "entree",
    "desserts": "dessert",
}
_MEAL_SYNONYMS = {"petit dej": "petit_dejeuner", "repas de midi": "dejeuner", "midi": "dejeuner"}
_KIND_SYNONYMS = {
    "ecole maternelle": "maternelle",
    "ecole elementaire": "elementaire",
    "ecole primaire": "elementaire",
    "residence seniors": "residence_senior",
    "portage de repas": "repas_domicile",
    "centre de loisir": "centre_loisirs",
}
_LABEL_SYNONYMS = {
    "agriculture biologique": "bio",
    "biologique": "bio",
    "ab": "bio",
    "appellation d origine protegee": "aop",
    "appellation d origine controlee": "aop",
    "aoc": "aop",
    "indication geographique protegee": "igp",
    "specialite traditionnelle garantie": "stg",
    "lr": "label_rouge",
}
_ID_TYPES = {"siret": "siret", "en": "uai", "uai": "uai", "autre": "other", "sans": "none"}

_SIRET_RE = re.compile(r"^\d{14}\Z")
_UAI_RE = re.compile(r"^\d{7}[A-Z]\Z")
_INSEE_RE = re.compile(r"^([013-9]\d|2[AB1-9])\d{3}\Z")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?\Z")
_FR_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})\Z")
_FR_DATETIME_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
_SPACES_RE = re.compile(r"\s+")
_QUOTES = "\"' \u00ab\u00bb\u2018\u2019\u201c\u201d"  # straight, French and curly quotes


class _RowError(ValueError):
    """A row cannot be used; the message is the French reason."""


# ---------------------------------------------------------------- text helpers


# Accent-, case- and punctuation-insensitive key: `Hors-d'œuvre ` -> `hors d oeuvre`; decomposed first, as the
# canteen ids made from names (`x-<slug>`) always were.
_fold = lru_cache(maxsize=4096)(fold_decomposed)


def _slug(value: str) -> str:
    return _fold(value).replace(" ", "-")


def _collapse(value: str) -> str:
    return _SPACES_RE.sub(" ", value).strip()


def _code_table(codes: dict[str, str], synonyms: dict[str, str]) -> dict[str, str]:
    """Folded code, folded French label and synonyms -> code."""
    table = {_fold(code): code for code in codes}
    table.update({_fold(label): code for code, label in codes.items()})
    table.update(synonyms)
    return table


_COURSE_TABLE = _code_table(COURSES, _COURSE_SYNONYMS)
_MEAL_TABLE = _code_table(MEALS, _MEAL_SYNONYMS)
_KIND_TABLE = _code_table(CANTEEN_KINDS, _KIND_SYNONYMS)
_LABEL_TABLE = _code_table(LABELS, _LABEL_SYNONYMS)


def _enum(value: str, table: dict[str, str]) -> str:
    return table.get(_fold(value), "autre")


def _dedup(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _split_multi(value: str, *, commas: bool) -> list[str]:
    """Values of a multi-valued field: `["a","b"]`, `['a', b]` or `a; b` (also `a, b` if `commas`)."""
    value = value.strip()
    if not value:
        return []
    if value.startswith("[") and value.endswith("]"):
        try:  # a list of strings: one level (100,000 `[` raised RecursionError with json.loads)
            loaded = safejson.loads(value, max_depth=1)
        except ValueError:
            loaded = None
        if isinstance(loaded, list):
            parts = [str(item) for item in loaded if item is not None]
        else:
            parts = re.split(r"[,;]", value[1:-1])
    else:
        parts = re.split(r"[,;]" if commas else ";", value)
    cleaned = (_collapse(part.strip().strip(_QUOTES)) for part in parts)
    return [part for part in cleaned if part]


def _texts(values: Iterable[str], limit: int) -> tuple[str, ...]:
    """At most `MAX_VALUES` distinct plain texts of at most `limit` characters."""
    return _dedup(plain(value, limit).strip() for value in values)[:MAX_VALUES]


# ---------------------------------------------------------------- header


def _map_header(header: Sequence[str]) -> dict[str, int]:
    """canonical column -> index; the first column wins when a name appears twice."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _HEADER_ALIASES.get(name.strip().lstrip("\ufeff").strip().lower())
        if key is not None and key not in positions:
            positions[key] = index
    missing = [key for key in REQUIRED if key not in positions]
    if missing:
        raise csvfeed.missing_columns([" ou ".join(COLUMNS[key]) for key in missing], header)
    return positions


# ---------------------------------------------------------------- field parsers


def _parse_date(value: str, column: str) -> dt.date:
    """`AAAA-MM-JJ` (optionally followed by a midnight time) or `JJ/MM/AAAA`."""
    if not value:
        raise _RowError(f"{column} est vide")
    iso = _ISO_DATE_RE.match(value)
    french = _FR_DATE_RE.match(value)
    if iso:
        year, month, number = iso[1], iso[2], iso[3]
    elif french:
        year, month, number = french[3], french[2], french[1]
    else:
        raise _RowError(f"{column} « {excerpt(value, 40)} » n'est pas une date AAAA-MM-JJ (ni JJ/MM/AAAA)")
    try:
        day = dt.date(int(year), int(month), int(number))
    except ValueError:
        raise _RowError(f"{column} « {value} » n'est pas une date valide : ce jour n'existe pas") from None
    try:
        return check_date(day, f"{column} « {value} »")
    except ValueError as exc:
        raise _RowError(str(exc)) from None


@lru_cache(maxsize=1024)
def _parse_instant(value: str) -> dt.datetime | None:
    """ISO date-time (offset, `Z` or naive = Europe/Paris), plain date (midnight Paris) -> aware UTC; None when
    unreadable or outside 2000..2100."""
    value = value.strip()
    if not value or len(value) > 64:
        return None
    parsed: dt.datetime | None = None
    try:
        parsed = dt.datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] in "zZ" else value)
    except ValueError:
        for fmt in _FR_DATETIME_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    try:
        return check_moment(parsed, zone=PARIS)
    except ValueError:
        return None


def _latest(*values: dt.datetime | None) -> dt.datetime | None:
    present = [value for value in values if value is not None]
    return max(present) if present else None


@dataclass(frozen=True)
class _Columns:
    """Where each known column is in a row, and how it is named in the file."""

    positions: dict[str, int]
    names: dict[str, str]

    def get(self, row: Sequence[str], key: str) -> str:
        index = self.positions.get(key)
        return row[index].strip() if index is not None else ""

    def name(self, key: str) -> str:
        return self.names.get(key, COLUMNS[key][0])


def _canteen(row: Sequence[str], cols: _Columns) -> Canteen:
    full_name = _collapse(cols.get(row, "restaurant_name"))
    name = plain(full_name, MAX_NAME).strip()
    if not name:
        raise _RowError(f"{cols.name('restaurant_name')} est vide")
    raw_type = cols.get(row, "restaurant_id_type")
    id_type = _ID_TYPES.get(_fold(raw_type))
    if id_type is None:
        shown = f"« {excerpt(raw_type, 40)} » n'est pas une valeur admise" if raw_type else "est vide"
        raise _RowError(f"{cols.name('restaurant_id_type')} {shown} (SIRET, EN, autre ou sans)")
    coll_siret = re.sub(r"\s", "", cols.get(row, "coll_siret")) or None
    raw_id = cols.get(row, "restaurant_id")
    canteen_id = _canteen_id(id_type, raw_id, full_name, coll_siret, cols.name("restaurant_id"))
    try:
        canteen_id = check_id(canteen_id, "identifiant de restaurant")
    except ValueError as exc:
        raise _RowError(f"{exc} : {cols.name('restaurant_id')} ou {cols.name('restaurant_name')} trop long") from None
    insee = cols.get(row, "restaurant_insee").upper()
    return Canteen(
        id=canteen_id,
        name=name,
        kind=_enum(cols.get(row, "restaurant_type"), _KIND_TABLE),
        commune=insee if _INSEE_RE.match(insee) else None,
        id_type=id_type,
        organisation=plain(_collapse(cols.get(row, "coll_name")), MAX_NAME).strip(),
        organisation_siret=coll_siret if coll_siret and is_id(coll_siret, max_length=MAX_CODE) else None,
    )


def _canteen_id(id_type: str, raw_id: str, name: str, coll_siret: str | None, column: str) -> str:
    """SIRET (14 digits), UAI (upper case) or `x-<slug>` for `autre` / `sans`."""
    if id_type == "siret":
        siret = re.sub(r"\s", "", raw_id)
        if not _SIRET_RE.match(siret):
            raise _RowError(f"{column} « {excerpt(raw_id, 40)} » n'est pas un numéro SIRET à 14 chiffres (type SIRET)")
        return siret
    if id_type == "uai":
        uai = re.sub(r"\s", "", raw_id).upper()
        if not _UAI_RE.match(uai):
            raise _RowError(
                f"{column} « {excerpt(raw_id, 40)} » n'est pas un code UAI (7 chiffres et une lettre) (type EN)"
            )
        return uai
    local = raw_id if id_type == "other" else name
    if id_type == "other" and not _slug(raw_id):
        raise _RowError(f"{column} est vide alors que le type d'identifiant est « autre »")
    return "x-" + _slug(f"{coll_siret or ''}-{local}")


def _dish(row: Sequence[str], cols: _Columns) -> Dish:
    name = plain(_collapse(cols.get(row, "dish_name"))[:MAX_DISH_NAME].rstrip(), MAX_DISH_NAME).strip()
    if not name:
        raise _RowError(f"{cols.name('dish_name')} est vide")
    labels: list[str] = []
    local_labels = _split_multi(cols.get(row, "label"), commas=False)
    for value in _split_multi(cols.get(row, "siqo"), commas=True):
        code = _LABEL_TABLE.get(_fold(value))
        if code is not None:
            labels.append(code)
        else:
            local_labels.append(value)
    code = cols.get(row, "dish_code")
    return Dish(
        name=name,
        course=_enum(cols.get(row, "course"), _COURSE_TABLE),
        labels=tuple(sorted(set(labels))),
        local_labels=_texts(local_labels, MAX_LABEL),
        regimes=_texts((v.lower() for v in _split_multi(cols.get(row, "regime"), commas=True)), MAX_LABEL),
        allergens=_texts((v.lower() for v in _split_multi(cols.get(row, "allergen"), commas=True)), MAX_LABEL),
        code=code if code and is_id(code, max_length=MAX_CODE) and plain(code, MAX_CODE) == code else None,
    )


# ---------------------------------------------------------------- grouping


@dataclass
class _MealDraft:
    dishes: list[Dish] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)
    published_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None
    notes: list[str] = field(default_factory=list)

    def add(self, dish: Dish, published: dt.datetime | None, modified: dt.datetime | None) -> None:
        if (dish.course, dish.name) not in self.seen:
            if len(self.dishes) >= MAX_DISHES_PER_MEAL:
                raise _RowError(f"ce repas compte déjà {MAX_DISHES_PER_MEAL} plats, le plus admis : ligne ignorée")
            self.seen.add((dish.course, dish.name))
            self.dishes.append(dish)
        self.published_at = _latest(self.published_at, published)
        self.modified_at = _latest(self.modified_at, modified)


def _fit(fields: list[str], width: int) -> list[str]:
    """The row with trailing empty extra fields dropped, or a rejection if the width is wrong."""
    if len(fields) > width and not any(value.strip() for value in fields[width:]):
        return fields[:width]
    if len(fields) != width:
        raise _RowError(
            f"la ligne compte {len(fields)} champs au lieu de {width} (séparateur ou guillemet mal placé ?)"
        )
    return fields


def _too_bad(feed: ParsedFeed) -> FeedFormatError:
    reasons = " ; ".join(f"ligne {r.line} : {r.reason}" for r in feed.rejected[:MAX_REASONS_IN_ERROR])
    return FeedFormatError(
        f"Aucune des {feed.rows_read} lignes de données du fichier n'est exploitable. Premières erreurs : {reasons}."
    )


def parse_feed(data: bytes) -> ParsedFeed:
    """Parse a menus-collectifs CSV; raise `FeedFormatError` if the file as a whole is unusable."""
    csv_file = csvfeed.CsvFile(data)
    header = csv_file.header
    positions = _map_header(header)
    cols = _Columns(positions, {key: header[index].strip().lstrip("\ufeff") for key, index in positions.items()})
    feed = ParsedFeed()
    drafts: dict[tuple[str, dt.date, str], _MealDraft] = {}
    for line, fields in csv_file.rows:
        feed.rows_read += 1
        try:
            _add_row(_fit(fields, len(header)), cols, feed, drafts)
        except _RowError as exc:
            feed.rejected.append(RejectedRow(line=line, reason=str(exc)))
    if feed.rows_read == 0:
        raise FeedFormatError("Le fichier CSV ne contient que la ligne d'en-tête : aucun menu à lire.")
    if not drafts:
        raise _too_bad(feed)
    feed.meals = [_meal(key, draft) for key, draft in sorted(drafts.items(), key=lambda item: item[0])]
    return feed


def _add_row(
    row: Sequence[str], cols: _Columns, feed: ParsedFeed, drafts: dict[tuple[str, dt.date, str], _MealDraft]
) -> None:
    """Validate one data row and add its dish to its meal (raises `_RowError`)."""
    canteen = _canteen(row, cols)
    date = _parse_date(cols.get(row, "date"), cols.name("date"))
    dish = _dish(row, cols)
    meal = _enum(cols.get(row, "meal"), _MEAL_TABLE)
    feed.canteens.setdefault(canteen.id, canteen)
    draft = drafts.setdefault((canteen.id, date, meal), _MealDraft())
    draft.add(dish, _parse_instant(cols.get(row, "published")), _parse_instant(cols.get(row, "modified")))
    draft.notes.extend(_split_multi(cols.get(row, "precision"), commas=False))


def _meal(key: tuple[str, dt.date, str], draft: _MealDraft) -> Meal:
    canteen_id, date, meal = key
    return Meal(
        canteen_id=canteen_id,
        date=date,
        meal=meal,
        dishes=tuple(draft.dishes),
        published_at=draft.published_at,
        modified_at=draft.modified_at,
        notes=_texts(draft.notes, MAX_NOTE),
    )
