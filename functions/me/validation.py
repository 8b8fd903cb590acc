"""What a citizen may save: a home layout checked against the tile catalogue, subscriptions, `If-Match`.

A body that is not the expected shape at all (not an object, no list, too many entries) is a 400 naming
the field; a well-formed body naming something that does not exist or is not allowed (a tile type, a
parameter, a school, a commune, a route, a mode) is a 422 whose `invalid_params` name every faulty entry
(`tiles[3].params.stop_id`, `topics[0].id`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from home_shared.catalogue import TileType
from home_shared.params import RULES, checked
from poche_common import communes, schools
from poche_common.api import INSEE_RE
from poche_common.errors import InvalidRequestError, NotFoundError, UnprocessableError

from .ports import Expectation

MAX_LAYOUT_TILES = 30
MAX_TOPICS = 50
KINDS = ("school", "route", "traffic", "news", "emergency")
MODES = ("immediate", "digest")
HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]\Z")
UAI = re.compile(r"^[0-9]{7}[A-Z]\Z")
ROUTE_ID = re.compile(r"^[^\x00-\x1f#]{1,255}\Z")

Problem = dict[str, str]


def _problem(name: str, reason: str) -> Problem:
    return {"name": name, "reason": reason}


# --- home layout ---------------------------------------------------------------------------------
def _tile_problems(index: int, requested: Any, types: Mapping[str, TileType]) -> tuple[dict[str, Any], list[Problem]]:
    at = f"tiles[{index}]"
    if not isinstance(requested, dict):
        return {}, [_problem(at, "Chaque tuile est un objet {type, params}.")]
    unknown_fields = sorted(set(requested) - {"type", "params"})
    if unknown_fields:
        return {}, [_problem(f"{at}.{unknown_fields[0]}", "Une tuile n'a que `type` et `params`.")]
    kind = requested.get("type")
    tile = types.get(kind) if isinstance(kind, str) else None
    if tile is None:
        known = ", ".join(types) or "aucun"
        return {}, [_problem(f"{at}.type", f"Type de tuile inconnu : « {kind} » (types proposés : {known}).")]
    given = requested.get("params", {})
    try:
        params = checked(tile.params, given)
    except InvalidRequestError as exc:
        name = f"{at}.{exc.field}" if exc.field else at
        return {}, [_problem(name, exc.detail)]
    except NotFoundError:  # a commune or school the reference data does not know: name the parameter
        for name in tile.params:
            try:
                RULES.get(name, RULES["stop_id"])(name, str(given[name]).strip())
            except NotFoundError as exc:
                return {}, [_problem(f"{at}.params.{name}", str(exc))]
        return {}, [_problem(f"{at}.params", "Paramètre inconnu du référentiel.")]
    return {"type": tile.id, "params": params}, []


def validate_layout(body: Any, types: Mapping[str, TileType]) -> list[dict[str, Any]]:
    """The layout's tiles, normalised ({type, params}, in order); InvalidRequestError or UnprocessableError."""
    if not isinstance(body, dict) or not isinstance(body.get("tiles"), list):
        raise InvalidRequestError('Le corps attendu est {"tiles": [{"type": ..., "params": {...}}]}.', field="tiles")
    extra = sorted(set(body) - {"tiles", "updated_at"})
    if extra:
        raise InvalidRequestError(f"Champ inconnu : {extra[0]}.", field=extra[0])
    requested: list[Any] = body["tiles"]
    if len(requested) > MAX_LAYOUT_TILES:
        raise InvalidRequestError(
            f"Au plus {MAX_LAYOUT_TILES} tuiles sur un écran d'accueil ({len(requested)} reçues).", field="tiles"
        )
    tiles: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for index, tile in enumerate(requested):
        valid, found = _tile_problems(index, tile, types)
        tiles.append(valid)
        problems += found
    if problems:
        raise UnprocessableError(f"{len(problems)} tuile(s) ne peuvent pas être enregistrées.", params=problems)
    return tiles


# --- subscriptions -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Topic:
    kind: str
    id: str | None
    mode: str


@dataclass(frozen=True)
class Subscriptions:
    topics: tuple[Topic, ...]
    quiet_hours: dict[str, str] | None


def _topic_id(kind: str, value: Any, at: str) -> tuple[str | None, Problem | None]:
    """The topic's id, normalised, or the problem with it (routes are checked against the timetable later)."""
    if kind == "emergency":
        if value is not None:
            return None, _problem(f"{at}.id", "Les alertes du département n'ont pas d'identifiant : omettez `id`.")
        return None, None
    if not isinstance(value, str) or not value.strip():
        return None, _problem(f"{at}.id", f"Un abonnement « {kind} » demande un identifiant `id`.")
    text = value.strip()
    if kind == "school":
        if not UAI.match(text.upper()):
            return None, _problem(f"{at}.id", f"« {text} » n'est pas un code UAI (7 chiffres et une lettre).")
        try:
            return schools.require(text.upper()).uai, None
        except NotFoundError as exc:
            return None, _problem(f"{at}.id", str(exc))
    if kind in ("traffic", "news"):
        if not INSEE_RE.match(text.upper()):
            return None, _problem(f"{at}.id", f"« {text} » n'est pas un code INSEE de commune (5 caractères).")
        try:
            return communes.require(text.upper()).insee, None
        except NotFoundError as exc:
            return None, _problem(f"{at}.id", str(exc))
    if not ROUTE_ID.match(text):
        return None, _problem(f"{at}.id", f"« {text} » n'est pas un identifiant de ligne valide.")
    return text, None


def _quiet_hours(value: Any) -> tuple[dict[str, str] | None, list[Problem]]:
    if value is None:
        return None, []
    if not isinstance(value, dict):
        return None, [_problem("quiet_hours", 'Attendu {"start": "HH:MM", "end": "HH:MM"} ou null.')]
    problems = [
        _problem(f"quiet_hours.{name}", "Heure attendue au format HH:MM (00:00 à 23:59), avec début et fin.")
        for name in ("start", "end")
        if not isinstance(value.get(name), str) or not HHMM.match(value[name])
    ]
    extra = sorted(set(value) - {"start", "end"})
    problems += [_problem(f"quiet_hours.{name}", "Seuls `start` et `end` sont attendus.") for name in extra]
    if not problems and value["start"] == value["end"]:
        problems.append(_problem("quiet_hours.end", "Le début et la fin de la période calme sont identiques."))
    if problems:
        return None, problems
    return {"start": value["start"], "end": value["end"]}, []


def parse_subscriptions(body: Any) -> tuple[Subscriptions, list[Problem]]:
    """The subscriptions and the problems found without reading the database (InvalidRequestError when the
    body is not the expected shape at all). Routes are checked by `route_problems` once read."""
    if not isinstance(body, dict) or not isinstance(body.get("topics"), list):
        raise InvalidRequestError(
            'Le corps attendu est {"topics": [{"kind", "id", "mode"}], "quiet_hours": {...} | null}.',
            field="topics",
        )
    extra = sorted(set(body) - {"topics", "quiet_hours", "updated_at"})
    if extra:
        raise InvalidRequestError(f"Champ inconnu : {extra[0]}.", field=extra[0])
    if len(body["topics"]) > MAX_TOPICS:
        raise InvalidRequestError(f"Au plus {MAX_TOPICS} abonnements ({len(body['topics'])} reçus).", field="topics")
    topics: list[Topic] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str | None], int] = {}
    for index, raw in enumerate(body["topics"]):
        at = f"topics[{index}]"
        if not isinstance(raw, dict):
            problems.append(_problem(at, 'Chaque abonnement est un objet {"kind", "id", "mode"}.'))
            continue
        unknown = sorted(set(raw) - {"kind", "id", "mode"})
        if unknown:
            problems.append(_problem(f"{at}.{unknown[0]}", "Un abonnement n'a que `kind`, `id` et `mode`."))
            continue
        kind, mode = raw.get("kind"), raw.get("mode")
        if kind not in KINDS:
            problems.append(_problem(f"{at}.kind", f"Catégorie inconnue : « {kind} » (attendu : {', '.join(KINDS)})."))
            continue
        if mode not in MODES:
            problems.append(_problem(f"{at}.mode", f"Mode inconnu : « {mode} » (attendu : {', '.join(MODES)})."))
        topic_id, problem = _topic_id(str(kind), raw.get("id"), at)
        if problem is not None:
            problems.append(problem)
            continue
        key = (str(kind), topic_id)
        if key in seen:
            problems.append(_problem(at, f"Abonnement en double (déjà en topics[{seen[key]}])."))
            continue
        seen[key] = index
        if mode in MODES:
            topics.append(Topic(str(kind), topic_id, str(mode)))
    quiet_hours, quiet_problems = _quiet_hours(body.get("quiet_hours"))
    return Subscriptions(tuple(topics), quiet_hours), problems + quiet_problems


def requested_routes(body: Any) -> list[str]:
    """The well-formed route ids the body names (read from the timetable with the rest, in one round trip)."""
    found: list[str] = []
    for raw in body.get("topics", []) if isinstance(body, dict) else []:
        if isinstance(raw, dict) and raw.get("kind") == "route" and isinstance(raw.get("id"), str):
            route = raw["id"].strip()
            if ROUTE_ID.match(route):
                found.append(route)
    return list(dict.fromkeys(found))


def route_problems(body: Any, known_routes: set[str]) -> list[Problem]:
    """A problem for each route topic of the body whose route is not in the timetable."""
    problems: list[Problem] = []
    for index, raw in enumerate(body.get("topics", []) if isinstance(body, dict) else []):
        if isinstance(raw, dict) and raw.get("kind") == "route" and isinstance(raw.get("id"), str):
            route = raw["id"].strip()
            if ROUTE_ID.match(route) and route not in known_routes:
                problems.append(_problem(f"topics[{index}].id", f"Aucune ligne n'a l'identifiant « {route} »."))
    return problems


def unprocessable(problems: list[Problem]) -> UnprocessableError:
    return UnprocessableError(f"{len(problems)} abonnement(s) ne peuvent pas être enregistrés.", params=problems)


# --- If-Match ------------------------------------------------------------------------------------
def expectation(if_match: str | None, empty_etag: str) -> Expectation | None:
    """What a `PUT` with this `If-Match` expects of the current layout; None when the header is absent.

    `*` accepts whatever is there; `empty_etag` (the ETag of `{"tiles": [], "updated_at": null}`, what a GET
    of an account without a layout answers) expects no layout; weak tags never match (RFC 9110 strong
    comparison)."""
    if if_match is None or not if_match.strip():
        return None
    text = if_match.strip()
    if text == "*":
        return Expectation(anything=True)
    tags = [tag.strip() for tag in text.split(",") if tag.strip()]
    strong = tuple(tag for tag in tags if not tag.startswith("W/") and tag != empty_etag)
    return Expectation(absent=empty_etag in tags, etags=strong)


# --- devices -------------------------------------------------------------------------------------
PLATFORMS = ("fcm", "apns")
MAX_DEVICES = 10
MAX_TOKEN = 4096
DEVICE_ID = re.compile(r"^[0-9a-f]{32}\Z")
TOKEN = re.compile(r"^[\x21-\x7e]+\Z")  # FCM registration tokens and APNs hex tokens: printable ASCII, no space


def parse_device(body: Any) -> tuple[str, str]:
    """(platform, token) of `POST /v1/me/devices` (400 naming the field)."""
    if not isinstance(body, dict):
        raise InvalidRequestError("Le corps doit être un objet {platform, token}.")
    platform = body.get("platform")
    if platform not in PLATFORMS:
        raise InvalidRequestError(f"platform doit valoir {' ou '.join(PLATFORMS)}.", field="platform")
    token = body.get("token")
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN or not TOKEN.match(token):
        raise InvalidRequestError(
            f"token doit être le jeton de l'appareil (1 à {MAX_TOKEN} caractères ASCII visibles).", field="token"
        )
    return platform, token
