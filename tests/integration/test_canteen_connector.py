"""The canteen-menus-scdl connector against moto, invoked as EventBridge Scheduler invokes it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import SAMPLE, SCHEDULED_INPUT, Cloud


def run(cloud: Cloud, lambda_context: Any, source: str | None = None) -> dict[str, Any]:
    if source is not None:
        cloud.monkeypatch.setenv("POCHE_SOURCE_CANTEEN_MENUS_SCDL", source)
    module = cloud.load("canteen_menus_scdl")
    report: dict[str, Any] = module.handler(dict(SCHEDULED_INPUT), lambda_context)
    return report


def meal_item(cloud: Cloud, canteen: str, date: str) -> dict[str, Any] | None:
    response = cloud.clients["dynamodb"].get_item(
        TableName=cloud.table("canteen_menus_scdl"),
        Key={"pk": {"S": f"CANTEEN#{canteen}"}, "sk": {"S": f"MEAL#{date}#dejeuner"}},
    )
    return response.get("Item")


def state(cloud: Cloud) -> dict[str, Any]:
    response = cloud.clients["dynamodb"].get_item(
        TableName=cloud.table("canteen_menus_scdl"),
        Key={"pk": {"S": "FEED#canteen-menus-scdl"}, "sk": {"S": "STATE"}},
    )
    return dict(response["Item"])


def test_first_run_stores_the_sample_and_announces_it(cloud: Cloud, lambda_context: Any) -> None:
    report = run(cloud, lambda_context)

    assert report["status"] == "succeeded"
    assert (report["read"], report["rejected"]) == (257, 1)
    assert report["rejections"][0]["line"] == 67
    assert report["changed"] == 6 + 56  # six canteens, 56 meals
    assert meal_item(cloud, "0611047G", "2026-11-30") is not None
    events = cloud.bus_events()
    assert [e["detail-type"] for e in events] == ["MenusUpdated"]
    detail = events[0]["detail"]
    assert events[0]["source"] == "poche.canteen"
    assert {"id", "occurred_at", "version"} <= set(detail) and detail["version"] == 1
    assert len(detail["canteen_ids"]) == 6
    assert {
        "canteen_id": "0611047G",
        "kind": "meal",
        "change": "created",
        "date": "2026-11-30",
        "meal": "dejeuner",
    } in detail["changes"]
    assert "fetched_at" in state(cloud)


def test_unchanged_feed_writes_nothing_and_emits_nothing(cloud: Cloud, lambda_context: Any) -> None:
    run(cloud, lambda_context)
    cloud.bus_events()
    before = {
        json.dumps(i, sort_keys=True) for i in cloud.items("canteen_menus_scdl") if not i["pk"]["S"].startswith("FEED#")
    }

    report = run(cloud, lambda_context)

    assert report["status"] == "succeeded" and report["changed"] == 0
    assert cloud.bus_events() == []
    after = {
        json.dumps(i, sort_keys=True) for i in cloud.items("canteen_menus_scdl") if not i["pk"]["S"].startswith("FEED#")
    }
    assert after == before


def test_a_corrected_feed_updates_and_withdraws_only_what_changed(
    cloud: Cloud, lambda_context: Any, tmp_path: Path
) -> None:
    run(cloud, lambda_context)
    cloud.bus_events()
    lines = SAMPLE.read_bytes().decode("utf-8-sig").split("\r\n")
    # One dish of one lunch is replaced ...
    lines = [
        line.replace("Sauté de porc au caramel", "Sauté de dinde au caramel")
        if "0611047G;EN;collège;tous;2026-11-30" in line
        else line
        for line in lines
    ]
    # ... and the elementary school's goûter of 2026-11-30 disappears from an otherwise identical feed.
    kept = [line for line in lines if not ("21610464600023" in line and "2026-11-30;goûter" in line)]
    assert len(kept) < len(lines)
    corrected = tmp_path / "corrected.csv"
    corrected.write_text("\r\n".join(kept), encoding="utf-8")

    report = run(cloud, lambda_context, source=corrected.as_uri())

    assert report["status"] == "succeeded"
    changes = {
        (c["canteen_id"], c.get("date"), c.get("meal"), c["change"]) for c in cloud.bus_events()[0]["detail"]["changes"]
    }
    assert changes == {
        ("0611047G", "2026-11-30", "dejeuner", "updated"),
        ("21610464600023", "2026-11-30", "gouter", "deleted"),
    }
    dishes = json.dumps(meal_item(cloud, "0611047G", "2026-11-30"), ensure_ascii=False)
    assert "Sauté de dinde au caramel" in dishes
    assert meal_item(cloud, "0611047G", "2026-12-01") is not None  # other dates untouched


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<!doctype html><html><body>Maintenance</body></html>", "CSV"),
        (b"nom;date\nfoo;2026-11-30\n", "menuPlatNom"),
        (None, "cannot read"),
    ],
    ids=["html-page", "wrong-columns", "missing-file"],
)
def test_a_broken_feed_keeps_the_last_good_data(
    cloud: Cloud,
    lambda_context: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    reason: str,
) -> None:
    run(cloud, lambda_context)
    cloud.bus_events()
    good_state = state(cloud)
    before = cloud.items("canteen_menus_scdl")
    broken = tmp_path / "broken.csv"
    if content is not None:
        broken.write_bytes(content)
    capsys.readouterr()

    report = run(cloud, lambda_context, source=broken.as_uri())

    assert report["status"] == "failed"
    assert reason.lower() in report["error"].lower()
    assert cloud.bus_events() == []
    data = [i for i in cloud.items("canteen_menus_scdl") if not i["pk"]["S"].startswith("FEED#")]
    assert len(data) == len([i for i in before if not i["pk"]["S"].startswith("FEED#")])
    assert state(cloud)["fetched_at"] == good_state["fetched_at"]  # as_of still says when data was good
    assert state(cloud)["last_run"]["M"]["status"]["S"] == "failed"
    printed = capsys.readouterr().out
    emf = [json.loads(line) for line in printed.splitlines() if '"_aws"' in line]
    assert any(record.get("ConnectorRunFailed") == [1.0] or record.get("ConnectorRunFailed") == 1.0 for record in emf)
    logs = [json.loads(line) for line in printed.splitlines() if line.startswith('{"level"')]
    errors = [record for record in logs if record["level"] == "ERROR"]
    assert len(errors) == 1  # logged once, with its reason
    assert reason.lower() in errors[0]["report"]["error"].lower()
    assert errors[0]["service"] == "canteen" and errors[0]["function_name"] == "test-function"


def test_source_comes_from_ssm_unless_the_environment_overrides_it(
    cloud: Cloud, lambda_context: Any, tmp_path: Path
) -> None:
    other = tmp_path / "one-canteen.csv"
    lines = SAMPLE.read_bytes().decode("utf-8-sig").split("\r\n")
    other.write_text("\r\n".join([lines[0], *[line for line in lines[1:] if "0610712T" in line]]), encoding="utf-8")
    parameter = cloud.function("canteen_menus_scdl").environment["SOURCE_PARAMETER"]
    assert parameter == "/poche/dev/connectors/canteen-menus-scdl/source"
    cloud.clients["ssm"].put_parameter(Name=parameter, Value=other.as_uri(), Type="String", Overwrite=True)

    from_ssm = run(cloud, lambda_context)
    assert from_ssm["sources"] == [f"file://{other}"]
    assert from_ssm["changed"] == 1 + 8  # one collège, eight lunches

    from_env = run(cloud, lambda_context, source="bundled")
    assert from_env["sources"] == ["bundled"]
    assert from_env["read"] == 257
