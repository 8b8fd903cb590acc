"""The admin API's rules without AWS: who may write (claims as API Gateway renders them) and what a body may say."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from poche_common.errors import ForbiddenError, InvalidRequestError, NotFoundError
from schools_admin.auth import attached_schools, authorize, claim_values, groups
from schools_admin.validation import NoticeFields, validate_change, validate_new

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
VALID = {
    "title": "Sortie au musée : cours de l'après-midi annulés",
    "body": "Les 4e partent à 13 h.",
    "kind": "timetable_change",
    "starts": "2026-12-01T13:00:00+01:00",
    "ends": "2026-12-01T17:30:00+01:00",
}


@pytest.mark.parametrize(
    ("rendered", "values"),
    [
        ("[school-staff editors]", ["school-staff", "editors"]),
        ("school-staff", ["school-staff"]),
        ('["school-staff","finance"]', ["school-staff", "finance"]),
        ("0610003X,0610010E", ["0610003X", "0610010E"]),
        (" 0610003X , 0610010E ", ["0610003X", "0610010E"]),
        ("[]", []),
        ("", []),
        (None, []),
    ],
)
def test_claim_values_reads_every_rendering(rendered: str | None, values: list[str]) -> None:
    assert claim_values(rendered) == values


def claims(groups_claim: str = "[school-staff editors]", schools_claim: str = "0610003X,0610010E") -> dict[str, str]:
    return {"sub": "x", "cognito:groups": groups_claim, "custom:schools": schools_claim}


def test_school_staff_attached_to_the_school_may_write() -> None:
    assert authorize(claims(), "0610003X").name == "Collège Jean Racine"
    assert authorize(claims("school-staff", "0610003x"), "0610003x").uai == "0610003X"
    assert groups(claims()) == ["school-staff", "editors"]
    assert attached_schools(claims(schools_claim="0610003x, 0610010E")) == {"0610003X", "0610010E"}


@pytest.mark.parametrize(
    "caller",
    [
        {},  # no claims: should not happen behind the authorizer
        claims(groups_claim="[editors]"),
        claims(groups_claim="editors"),
        claims(groups_claim="[school-staff-former]"),
        {"cognito:groups": "school-staff"},  # no school attached
        claims(schools_claim="0610010E"),  # another school
    ],
)
def test_anyone_else_is_forbidden(caller: dict[str, str]) -> None:
    with pytest.raises(ForbiddenError):
        authorize(caller, "0610003X")


def test_unknown_school_is_404_for_staff() -> None:
    with pytest.raises(NotFoundError):
        authorize(claims(schools_claim="0619999Z"), "0619999Z")


def field_of(body: Any, now: dt.datetime = NOW) -> str | None:
    with pytest.raises(InvalidRequestError) as caught:
        validate_new(body, now)
    return caught.value.field


def test_a_valid_notice() -> None:
    fields = validate_new({**VALID, "title": "  Sortie   au musée  "}, NOW)
    assert fields.title == "Sortie au musée" and fields.kind == "timetable_change"
    assert fields.starts == dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert validate_new({k: v for k, v in VALID.items() if k != "body"}, NOW).body == ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"title": None}, "title"),
        ({"body": "x" * 2001}, "body"),
        ({"body": 12}, "body"),
        ({"kind": "Fermeture"}, "kind"),
        ({"kind": "snow"}, "kind"),
        ({"starts": "2026-12-01T13:00:00"}, "starts"),  # no offset
        ({"starts": "01/12/2026 13:00"}, "starts"),
        ({"ends": "2026-12-01"}, "ends"),
        ({"ends": "2026-12-01T12:00:00+01:00"}, "ends"),  # before starts
        ({"ends": "2026-12-01T13:00:00+01:00"}, "ends"),  # equal to starts
        ({"starts": "2026-11-01T08:00:00+01:00", "ends": "2026-11-30T09:59:00+01:00"}, "ends"),  # already over
        ({"author": "someone"}, "author"),
    ],
)
def test_each_bad_field_is_named(change: dict[str, Any], field: str) -> None:
    assert field_of({**VALID, **change}) == field


def test_missing_field_and_bad_body_are_named() -> None:
    assert field_of({k: v for k, v in VALID.items() if k != "kind"}) == "kind"
    assert field_of(["not", "an", "object"]) == "body"
    assert field_of("texte") == "body"
    assert len("x" * 120) == 120 and validate_new({**VALID, "title": "x" * 120, "body": "y" * 2000}, NOW)


def test_a_change_replaces_only_the_fields_given_and_is_checked_whole() -> None:
    current = validate_new(VALID, NOW)
    changed = validate_change({"title": "Sortie reportée", "kind": "other"}, current, NOW)
    assert changed == NoticeFields("Sortie reportée", current.body, "other", current.starts, current.ends)
    later = validate_change({"ends": "2026-12-02T17:30:00+01:00"}, current, NOW)
    assert later.ends == dt.datetime(2026, 12, 2, 16, 30, tzinfo=UTC) and later.title == current.title
    for body, field in [
        ({}, "body"),
        ({"starts": "2026-12-02T08:00:00+01:00"}, "ends"),  # now after the unchanged end
        ({"title": None}, "title"),
        ({"sub": "x"}, "sub"),
    ]:
        with pytest.raises(InvalidRequestError) as caught:
            validate_change(body, current, NOW)
        assert caught.value.field == field
    assert validate_change({"body": None}, current, NOW).body == ""
