"""The write paths' bodies are described once, by the pydantic models the OpenAPI document is generated from; the
routes validate with their `validation.py`, which answers the French problems the clients rely on (400 naming the
field, 422 naming every faulty entry). These properties prove the two agree: what a model accepts, the validator
does not refuse as malformed (400), and what the validator accepts, the model accepts.

Both sides are pure: no AWS, no reference data beyond what ships with the code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from home_shared.catalogue import TileType
from me.models import DeviceRegistration, HomeLayoutChange, SubscriptionsChange
from me.validation import KINDS, MAX_LAYOUT_TILES, MAX_TOKEN, MODES, parse_device, parse_subscriptions, validate_layout
from poche_common.errors import InvalidRequestError, UnprocessableError
from poche_common.schools import NOTICE_KINDS, TITLE_MAX
from schools_admin.models import SchoolNoticeChange, SchoolNoticeNew
from schools_admin.validation import NoticeFields, validate_change, validate_new

SETTINGS = settings(max_examples=300, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
RACINE = "0610003X"  # Collège Jean Racine, Alençon
# Python's `$` also matches before a final newline (the validators' `re.match`), JSON Schema's does not: the
# generated texts leave newlines out (see the report of issue 10 §2: a token or an hour ending in "\n").
TEXT = st.text(alphabet=st.characters(exclude_characters="\n", exclude_categories=["Cs"]), max_size=12)
JUNK = st.one_of(st.none(), st.integers(), st.booleans(), TEXT, st.lists(st.integers(), max_size=2))


def accepts(model: type[BaseModel], body: Any) -> bool:
    try:
        model.model_validate(body)
    except ValidationError:
        return False
    return True


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value of the strategy, or now and then anything else."""
    return st.one_of(strategy, strategy, strategy, JUNK)


def body_of(fields: dict[str, st.SearchStrategy[Any]], *, required: tuple[str, ...] = ()) -> st.SearchStrategy[Any]:
    """An object with some of these fields (the required ones mostly present), sometimes an unknown one, or junk."""
    optional = {name: s for name, s in fields.items() if name not in required}
    body = st.fixed_dictionaries({name: fields[name] for name in required}, optional=optional)
    extra = st.dictionaries(st.sampled_from(["other", "id", "Title"]), JUNK, max_size=1)
    return st.one_of(body, body, body, st.builds(lambda b, e: {**b, **e}, body, extra), JUNK)


# --- POST /v1/me/devices -------------------------------------------------------------------------------------------
TOKENS = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40),
    TEXT,
    st.just("x" * MAX_TOKEN),
    st.just("x" * (MAX_TOKEN + 1)),
)
DEVICE = body_of({"platform": maybe(st.sampled_from(["fcm", "apns", "FCM", "web"])), "token": maybe(TOKENS)})


@SETTINGS
@given(DEVICE)
def test_a_device_registration_is_valid_for_the_model_exactly_when_the_route_takes_it(body: Any) -> None:
    try:
        parse_device(body)
        taken = True
    except InvalidRequestError:
        taken = False
    assert accepts(DeviceRegistration, body) == taken


# --- PUT /v1/me/home/layout ----------------------------------------------------------------------------------------
def tile_type(tile_id: str, params: tuple[str, ...]) -> TileType:
    keys = ["{" + params[0] + "}"]
    return TileType.from_registration(
        {"id": tile_id, "title": tile_id, "service": "t", "params": params, "table": "t", "keys": keys}
    )


TYPES = {
    "departures": tile_type("departures", ("stop_id", "route_id")),
    "news": tile_type("news", ("commune",)),
    "school-notices": tile_type("school-notices", ("uai",)),
}
PARAMS = st.dictionaries(
    st.sampled_from(["commune", "uai", "stop_id", "route_id", "other"]),
    maybe(st.sampled_from(["61001", RACINE, "S1", "R1", "99999", ""])),
    max_size=3,
)
TILE = body_of({"type": maybe(st.sampled_from([*TYPES, "weather"])), "params": maybe(PARAMS)}, required=("type",))
LAYOUT = body_of(
    {
        "tiles": maybe(st.lists(TILE, max_size=4) | st.just([{"type": "news", "params": {}}] * (MAX_LAYOUT_TILES + 1))),
        "updated_at": JUNK,
    },
    required=("tiles",),
)


@SETTINGS
@given(LAYOUT)
def test_a_layout_the_model_accepts_is_never_refused_as_malformed_and_the_reverse(body: Any) -> None:
    model = accepts(HomeLayoutChange, body)
    try:
        validate_layout(body, TYPES)
        outcome = "taken"
    except InvalidRequestError:
        outcome = "400"
    except UnprocessableError:  # a tile the catalogue or the reference data refuses (or a malformed tile)
        outcome = "422"
    if model:
        assert outcome != "400"
    if outcome == "taken":
        assert model


# --- PUT /v1/me/subscriptions --------------------------------------------------------------------------------------
TOPIC = body_of(
    {
        "kind": maybe(st.sampled_from([*KINDS, "weather"])),
        "id": maybe(st.sampled_from([RACINE, "61001", "L1", "0000000A", "  "])),
        "mode": maybe(st.sampled_from([*MODES, "weekly"])),
    },
    required=("kind", "mode"),
)
HOUR = st.sampled_from(["22:00", "07:30", "24:00", "7:30", "22:00 "])
QUIET = st.one_of(st.none(), body_of({"start": maybe(HOUR), "end": maybe(HOUR)}, required=("start", "end")))
SUBSCRIPTIONS = body_of(
    {"topics": maybe(st.lists(TOPIC, max_size=4)), "quiet_hours": QUIET, "updated_at": JUNK}, required=("topics",)
)


@SETTINGS
@given(SUBSCRIPTIONS)
def test_subscriptions_the_model_accepts_are_never_refused_as_malformed_and_the_reverse(body: Any) -> None:
    model = accepts(SubscriptionsChange, body)
    try:
        _, problems = parse_subscriptions(body)
        outcome = "422" if problems else "taken"
    except InvalidRequestError:
        outcome = "400"
    if model:
        assert outcome != "400"
    if outcome == "taken":
        assert model


# --- POST and PATCH /v1/admin/schools/{uai}/notices ----------------------------------------------------------------
STARTS, ENDS = "2030-01-01T08:00:00+01:00", "2030-01-02T08:00:00Z"
NOTICE_FIELDS = {
    "title": maybe(
        st.sampled_from(["Grève", "  Sortie   annulée ", " ", "x" * TITLE_MAX, "x" * (TITLE_MAX + 1)])
        | st.just("a" + " " * TITLE_MAX + "b")
    ),
    "body": maybe(st.sampled_from(["", "  Texte  ", "x" * 2001, " " * 2001 + "x"])),
    "kind": maybe(st.sampled_from([*sorted(NOTICE_KINDS), "holiday"])),
    "starts": maybe(st.sampled_from([STARTS, "2030-01-01", "1999-01-01T08:00:00+01:00", "demain"])),
    "ends": maybe(st.sampled_from([ENDS, "2030-01-02T08:00", "2101-01-01T08:00:00+01:00"])),
}
# The period (`ends` after `starts`, and to come) is checked against the clock and the stored notice: the routes'
# own rule, not a shape.
PERIOD = ("La fin doit être postérieure au début.", "La fin est déjà passée")


def taken(check: Any) -> bool:
    try:
        check()
    except InvalidRequestError as exc:
        return exc.detail.startswith(PERIOD)
    return True


@SETTINGS
@given(body_of(NOTICE_FIELDS, required=("title", "kind", "starts", "ends")))
def test_a_new_notice_is_valid_for_the_model_exactly_when_the_route_takes_it(body: Any) -> None:
    assert accepts(SchoolNoticeNew, body) == taken(lambda: validate_new(body, NOW))


CURRENT = NoticeFields(
    title="Grève",
    body="",
    kind="strike",
    starts=dt.datetime(2030, 1, 1, 7, tzinfo=dt.UTC),
    ends=dt.datetime(2030, 1, 2, 8, tzinfo=dt.UTC),
)


@SETTINGS
@given(body_of(NOTICE_FIELDS))
def test_a_notice_change_is_valid_for_the_model_exactly_when_the_route_takes_it(body: Any) -> None:
    assert accepts(SchoolNoticeChange, body) == taken(lambda: validate_change(body, CURRENT, NOW))
