"""The public API fuzzed with schemathesis against the local platform's own `/openapi.json`.

Every operation of the document, public or signed in (real ID tokens of the emulated pools), is called with
generated requests, valid and invalid; each response must be documented (status, content type, headers, body
schema), no 5xx, and every error a function answers an RFC 9457 problem.

Run alone: `.venv/bin/python -m pytest tests/fuzz -q` (the operations of one path: add `-k canteens`).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fuzz_accounts import STAFF_SCHOOL, Accounts
from platform_support import RunningPlatform, json_get
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

from poche_local.docs import merge

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SEED = 20270309
TESTED: set[str] = set()


def collected_document() -> dict[str, Any]:
    """The API document as the platform merges it, built at collection time: schemathesis makes one test per
    operation (and its coverage-phase cases) before any fixture runs; `test_the_fuzzed_document_is_the_served_one`
    proves it is the document the running platform serves. (`schemathesis.pytest.from_fixture` would read it from
    the running platform, but fails on pytest 9: it sets `Function._nodeid`, which pytest 9 no longer has.)"""
    services = sorted(path.parent.name for path in (ROOT / "functions").glob("*/openapi.py"))
    return merge([importlib.import_module(f"{name}.openapi").document() for name in services], "Poche", "1")


DOCUMENT = collected_document()
OPERATIONS = {f"{method.upper()} {path}" for path, operations in DOCUMENT["paths"].items() for method in operations}

# Time: 5 generated examples per operation in the fuzzing phase, on top of the examples phase (the document's
# examples) and the coverage phase (every boundary and every kind of invalid value of each parameter and body
# field: the bulk). About 1,550 requests for the 35 operations, 25 to 40 s on this 2-core machine (10 examples:
# ~1,750 requests, ~30% longer). The whole module, with the synthesis (shared with tests/e2e) and the platform's
# start and stop, took 56 s measured, up to ~110 s while other test runs shared the two cores.
# Determinism: derandomized, a fixed seed, no example database: the same requests on every run.
MAX_EXAMPLES = 5
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        # Generation time depends on how busy the machine is, not on the API: never a reason to fail.
        "suppress-health-check": ["too_slow"],
        "generation": {"deterministic": True, "database": "none", "max-examples": MAX_EXAMPLES},
        "checks": {
            # Excluded: API Gateway (HTTP API) answers a method without a route with its own 404
            # `{"message":"Not Found"}`, never 405, and the local gateway does the same; the methods are still sent
            # (coverage phase) and every other check, no 5xx above all, still applies to the answers.
            "unsupported_method": {"enabled": False},
            # Replaced by `valid_requests_accepted` below: the same check, with the few refusals the document
            # cannot express.
            "positive_data_acceptance": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)

STAFF, CITIZEN, NEW_CITIZEN = "<staff>", "<citizen>", "<new citizen>"


@schema.auth(refresh_interval=None)
class Tokens:
    """Cases are generated at collection time too (the coverage phase), before the platform runs: the Authorization
    header carries a placeholder naming the account, swapped for a real token when the case is sent (`sign`)."""

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str | None:
        schemes = {name for requirement in case.operation.definition.raw.get("security", []) for name in requirement}
        if "staffJwt" in schemes:
            return STAFF
        if "citizenJwt" in schemes:
            return NEW_CITIZEN if case.operation.label == "DELETE /v1/me" else CITIZEN
        return None

    def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


def sign(case: schemathesis.Case, accounts: Accounts) -> None:
    """The fuzzing accounts' real tokens: a member of staff of one school (admin routes), one citizen (the other
    /v1/me routes) and, for DELETE /v1/me, a citizen signed up for that one request, so erasing never hits the
    account the other requests use."""
    tokens = {STAFF: lambda: accounts.staff, CITIZEN: lambda: accounts.citizen, NEW_CITIZEN: accounts.new_citizen}
    authorization = case.headers.get("Authorization", "")
    for placeholder, token in tokens.items():
        if authorization == f"Bearer {placeholder}":
            case.headers["Authorization"] = f"Bearer {token()}"


# The gateway's own answers, before any function: its JWT authorizer's 401 and its "no route" 404 (to the methods a
# path does not have, which the coverage phase sends). Not problems: an HTTP API of API Gateway cannot change them.
GATEWAY_ANSWERS = {(401, b'{"message":"Unauthorized"}'), (404, b'{"message":"Not Found"}')}


def errors_are_problems(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    if response.status_code < 400 or (response.status_code, response.content) in GATEWAY_ANSWERS:
        return
    content_type = ",".join(response.headers.get("content-type", []))
    assert content_type.split(";")[0].strip() == "application/problem+json", (response.status_code, content_type)
    problem = json.loads(response.content)
    assert {"type", "title", "status", "detail"} <= set(problem), problem
    assert problem["status"] == response.status_code, problem


def _out_of_bounds(case: schemathesis.Case, name: str) -> bool:
    """Whether the body's `name` is a time outside 2000..2100 (UTC), the bounds of every stored time."""
    value = case.body.get(name) if isinstance(case.body, dict) else None
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("z", "Z")).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return False
    return not dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= moment < dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def _given(case: schemathesis.Case, name: str) -> bool:
    """Whether the query has a value for `name` (an empty or blank one counts as none: `allowEmptyValue`)."""
    return bool(str((case.query or {}).get(name) or "").strip())


def _few_letters(case: schemathesis.Case, name: str) -> bool:
    """Whether the query's `name` has fewer than 2 letters or digits (what a name search folds its text to)."""
    return sum(character.isalnum() for character in str((case.query or {}).get(name) or "")) < 2


# Requests valid for the document that the API rightly refuses with a 400, because what makes them wrong cannot be
# said in OpenAPI: (operation, or "*" for all; the parameter the problem's `invalid_params` names; when) -> why.
RIGHTLY_REFUSED: dict[tuple[str, str], tuple[Callable[[schemathesis.Case], bool], str]] = {
    ("*", "cursor"): (
        lambda case: True,
        "a cursor is opaque and tamper-evident (CONVENTIONS.md): every string is well formed, only the ones this "
        "API handed out in `next` for that same request are accepted; a forged one is a 400 by design",
    ),
    ("POST /v1/admin/schools/{uai}/notices", "starts"): (
        lambda case: _out_of_bounds(case, "starts"),
        "times are bounded to 2000..2100 (poche_common.bounds): a range of instants, which JSON Schema cannot put on a "
        "`date-time` string",
    ),
    ("PATCH /v1/admin/schools/{uai}/notices/{notice_id}", "starts"): (
        lambda case: _out_of_bounds(case, "starts"),
        "times are bounded to 2000..2100, as for POST",
    ),
    ("POST /v1/admin/schools/{uai}/notices", "ends"): (
        lambda case: True,
        "`ends` after `starts`, not yet past and before 2100: a rule between two fields and the clock",
    ),
    ("PATCH /v1/admin/schools/{uai}/notices/{notice_id}", "ends"): (
        lambda case: True,
        "`ends` after `starts` (the one sent or the notice's), and not yet past: a rule between two fields and the "
        "clock",
    ),
    ("GET /v1/canteens/{canteen_id}/menus", "to"): (
        lambda case: _given(case, "to"),
        "`to` on or after `from` (default: this week's Monday) and at most 31 days later: a rule between two "
        "parameters",
    ),
    ("GET /v1/events", "to"): (
        lambda case: _given(case, "to"),
        "`to` on or after `from` (default: today) and at most 92 days later: a rule between two parameters",
    ),
    ("GET /v1/traffic/events", "bbox"): (
        lambda case: _given(case, "bbox"),
        "the four numbers of `bbox` in order (minimum before maximum) and at most 1 degree apart: relations between "
        "the parts of one value, where the document's pattern checks each part",
    ),
    ("GET /v1/transit/stops", "radius"): (
        lambda case: not _given(case, "near"),
        "`radius` only with `near`: a dependency between two parameters",
    ),
    ("GET /v1/places", "near"): (
        lambda case: _given(case, "near") == _given(case, "commune"),
        "`near` or `commune`, exactly one: parameters that exclude each other, one of them required",
    ),
    ("GET /v1/places", "radius"): (
        lambda case: not _given(case, "near"),
        "`radius` only with `near`: a dependency between two parameters",
    ),
    ("GET /v1/transit/stops", "q"): (
        lambda case: (_given(case, "near") and _given(case, "q")) or _few_letters(case, "q"),
        "`near` or `q`, not both: parameters that exclude each other; and `q` counts its letters and digits (at "
        "least 2), which a length in JSON Schema cannot say of a string with punctuation",
    ),
}
# Refusals that depend on what is stored, which a generated request cannot know: operation -> status -> why.
REFUSED_BY_STATE: dict[str, dict[int, str]] = {
    "PUT /v1/me/home/layout": {
        412: "conditional write (RFC 9110 §13.1.1): If-Match is not the stored layout's ETag",
        428: "conditional write (RFC 6585): no If-Match while a layout is stored",
        422: "tiles are checked against data, the tile catalogue and the reference data (which types exist, which "
        "params each type takes, which communes and stops exist): a well-formed name of nothing",
    },
    "PUT /v1/me/subscriptions": {
        422: "topics are checked against the reference data and the timetable (schools, communes, routes): a "
        "well-formed name of nothing",
    },
    "POST /v1/me/devices": {
        422: "at most 10 devices per account: the fuzzing account fills up",
    },
}


def valid_requests_accepted(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """schemathesis's `positive_data_acceptance`, less the refusals listed above."""
    try:
        positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        label = case.operation.label
        if response.status_code in REFUSED_BY_STATE.get(label, {}):
            return
        if response.status_code == 400:
            named = {p["name"] for p in json.loads(response.content).get("invalid_params", [])}
            rules = [RIGHTLY_REFUSED.get((label, n)) or RIGHTLY_REFUSED.get(("*", n)) for n in named]
            if named and all(rule is not None and rule[0](case) for rule in rules):
                return
        raise


def fuzz(case: schemathesis.Case, platform: RunningPlatform, accounts: Accounts) -> None:
    TESTED.add(case.operation.label)
    sign(case, accounts)
    case.call_and_validate(base_url=platform.base_url, additional_checks=[errors_are_problems, valid_requests_accepted])


def _operation_test(label: str) -> Callable[..., None]:
    """One test function per operation, named after it (`test_fuzz_GET_v1_canteens_canteen_id_menus`): the items
    `schema.parametrize()` makes for a whole document share one node id, which pytest-xdist cannot schedule (it
    would run one operation and drop the others)."""
    method, path = label.split(" ", 1)

    def test(case: schemathesis.Case, platform: RunningPlatform, accounts: Accounts) -> None:
        fuzz(case, platform, accounts)

    test.__name__ = test.__qualname__ = "test_fuzz_" + re.sub(r"[^0-9A-Za-z]+", "_", label).strip("_")
    return schema.include(method=method, path=path).parametrize()(test)


for _label in sorted(OPERATIONS):
    _test = _operation_test(_label)
    globals()[_test.__name__] = _test


def test_existing_notices_and_devices_are_changed_and_removed_as_documented(
    platform: RunningPlatform, accounts: Accounts
) -> None:
    """Generated ids name nothing, so fuzzing only ever sees the 404s of PATCH and DELETE: here the same checks
    on the answers for a notice and a device that exist."""

    def call(token: str, method: str, path: str, **kwargs: Any) -> schemathesis.Response:
        case = schema[path][method].Case(headers={"Authorization": f"Bearer {token}"}, **kwargs)
        response: schemathesis.Response = case.call_and_validate(
            base_url=platform.base_url, additional_checks=[errors_are_problems]
        )
        return response

    starts = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)
    notice = {"title": "Sortie au musée", "kind": "other", "starts": starts.isoformat()}
    notice["ends"] = (starts + dt.timedelta(hours=3)).isoformat()
    uai = {"uai": STAFF_SCHOOL}
    created = call(accounts.staff, "POST", "/v1/admin/schools/{uai}/notices", path_parameters=uai, body=notice)
    assert created.status_code == 201
    one = {**uai, "notice_id": json.loads(created.content)["id"]}
    path = "/v1/admin/schools/{uai}/notices/{notice_id}"
    changed = call(accounts.staff, "PATCH", path, path_parameters=one, body={"title": "Sortie au musée : 8 h"})
    assert changed.status_code == 200
    assert call(accounts.staff, "DELETE", path, path_parameters=one).status_code == 204

    citizen = accounts.new_citizen()
    device = {"platform": "fcm", "token": "fuzz-fcm-registration-token-0001"}
    registered = call(citizen, "POST", "/v1/me/devices", body=device)
    assert registered.status_code == 201
    assert call(citizen, "POST", "/v1/me/devices", body=device).status_code == 200  # the same token again
    listed = call(citizen, "GET", "/v1/me/devices")
    assert [d["id"] for d in json.loads(listed.content)["items"]] == [json.loads(registered.content)["id"]]
    removed = call(
        citizen,
        "DELETE",
        "/v1/me/devices/{device_id}",
        path_parameters={"device_id": json.loads(registered.content)["id"]},
    )
    assert removed.status_code == 204


BODY_OPERATIONS = sorted(
    (method.upper(), path)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
    if "application/json" in operation.get("requestBody", {}).get("content", {})
)
# Path parameters for the operations with a body: the staff account's school, and ids that name nothing.
PATH_VALUES = {
    "uai": STAFF_SCHOOL,
    "notice_id": "0",
    "device_id": "0",
    "note_id": "0",
    "date": "2026-12-02",
    "exception_id": "0" * 32,
}


@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS)
def test_a_hostile_json_body_is_a_documented_problem(
    platform: RunningPlatform, accounts: Accounts, method: str, path: str
) -> None:
    """What generated bodies never are: 60,000 nested arrays, within the 64 KiB a body may weigh (a RecursionError in
    `json.loads`: issue 9), sent to every operation taking JSON, signed in where it must be."""
    import requests

    case = schema[path][method].Case(path_parameters={k: v for k, v in PATH_VALUES.items() if f"{{{k}}}" in path})
    headers = {"Content-Type": "application/json"}
    schemes = {name for requirement in case.operation.definition.raw.get("security", []) for name in requirement}
    if schemes:
        headers["Authorization"] = f"Bearer {accounts.staff if 'staffJwt' in schemes else accounts.citizen}"
    url = platform.base_url + case.formatted_path
    response = requests.request(method, url, data=b"[" * 60_000, headers=headers, timeout=30)
    assert response.status_code < 500, (response.status_code, response.text[:300])
    case.validate_response(response, additional_checks=[errors_are_problems])


def test_the_fuzzed_document_is_the_served_one(platform: RunningPlatform) -> None:
    served = json_get(f"{platform.base_url}/openapi.json")
    assert (served["paths"], served["components"]) == (DOCUMENT["paths"], DOCUMENT["components"])


def test_every_operation_of_the_document_was_fuzzed() -> None:
    """After the fuzzing (tests run in file order): a new route cannot escape it."""
    assert len(TESTED) == len(OPERATIONS) and TESTED == OPERATIONS
