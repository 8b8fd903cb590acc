"""Every connector against every fault (issue 9, §2 "Connector fault matrix"). See fault_matrix.py for the faults and
what each must do, fault_connectors.py for the connectors (add a new one there, as its docstring says).

One parametrised test runs each cell; a cell that cannot apply to a connector's format is not a skipped test but an
exclusion with its reason, tested as such; a last test keeps the matrix complete."""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Mapping, Sequence
from typing import Any

import fault_formats as ff
import pytest
from boto3.dynamodb.types import TypeDeserializer
from fault_connectors import CONNECTORS, KEY_ATTRIBUTES, Connector
from fault_lab import Baseline, Lab
from fault_matrix import CREDENTIALS, FAULTS, Cell, Exclusion, Plan, cells, exclusions, plan

MAX_RSS_GROWTH = 160 * 1024 * 1024  # a bomb may cost a buffer, never its inflated size
_deserialize = TypeDeserializer().deserialize
Items = Sequence[Mapping[str, Any]]


def plain(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _deserialize(value) for key, value in item.items()}


def key_of(item: Mapping[str, Any]) -> str:
    return f"{item['pk']['S']}|{item['sk']['S']}"


def canonical(item: Mapping[str, Any]) -> str:
    """One text per item (moto hands nested binary values over as bytes)."""
    return json.dumps(item, sort_keys=True, ensure_ascii=False, default=lambda value: bytes(value).hex())


def runs_of(items: Items, connector: Connector) -> dict[str, dict[str, Any]]:
    pk = f"FEED#{connector.name}"
    return {key_of(i): plain(i) for i in items if i["pk"]["S"] == pk and i["sk"]["S"].startswith("RUN#")}


def state_of(items: Items, connector: Connector) -> dict[str, Any] | None:
    pk = f"FEED#{connector.name}"
    found = [plain(i) for i in items if i["pk"]["S"] == pk and i["sk"]["S"] == "STATE"]
    return found[0] if found else None


def data_view(items: Items, connector: Connector, *, keep_state: bool) -> dict[str, str]:
    """key -> item, but for the run records: RUN# items, and STATE's last_run (or, when a run succeeded and so may
    move `fetched_at`, the whole STATE)."""
    pk = f"FEED#{connector.name}"
    view: dict[str, str] = {}
    for item in items:
        if item["pk"]["S"] == pk and item["sk"]["S"].startswith("RUN#"):
            continue
        if item["pk"]["S"] == pk and item["sk"]["S"] == "STATE":
            if not keep_state:
                continue
            item = {k: v for k, v in item.items() if k != "last_run"}
        view[key_of(item)] = canonical(item)
    return view


def differences(before: Items, after: Items, connector: Connector, *, keep_state: bool) -> list[str]:
    old, new = data_view(before, connector, keep_state=keep_state), data_view(after, connector, keep_state=keep_state)
    found = [f"{k} deleted" for k in sorted(old.keys() - new.keys())]
    found += [f"{k} added" for k in sorted(new.keys() - old.keys())]
    found += [f"{k} modified" for k in sorted(old.keys() & new.keys()) if old[k] != new[k]]
    return found


def shown(values: Sequence[str], limit: int = 3) -> str:
    text = ", ".join(v[:90] for v in values[:limit])
    return text + (f" (+{len(values) - limit} more)" if len(values) > limit else "")


class Verdict:
    """The problems of one cell; the first one is the cell's one-line reason."""

    def __init__(self, cell: Cell) -> None:
        self.cell = cell
        self.problems: list[str] = []

    def check(self, ok: bool, problem: str) -> None:
        if not ok:
            self.problems.append(problem)

    def conclude(self) -> None:
        if self.problems:
            pytest.fail(f"{self.cell.id}: " + " | ".join(self.problems), pytrace=False)


def check_recorded(
    v: Verdict, report: dict[str, Any], before: Items, after: Items, emitted: list[dict[str, Any]]
) -> None:
    """The run is recorded with its outcome (STATE last_run, one RUN# item) and its metrics (EMF)."""
    connector = v.cell.connector
    state = state_of(after, connector) or {}
    last = state.get("last_run") or {}
    v.check(
        last.get("started_at") == report.get("started_at") and last.get("status") == report.get("status"),
        f"STATE last_run is not this run ({last.get('status')} at {last.get('started_at')})",
    )
    new_runs = [run for key, run in runs_of(after, connector).items() if key not in runs_of(before, connector)]
    v.check(
        len(new_runs) == 1 and new_runs[0].get("status") == report.get("status"),
        f"{len(new_runs)} RUN# item(s) recorded for this run",
    )
    blobs = [b for b in emitted if b.get("connector") == connector.name]
    v.check(len(blobs) == 1, f"{len(blobs)} EMF metric blobs for the connector")
    if blobs:
        failed = 1.0 if report.get("status") == "failed" else 0.0
        v.check(
            blobs[0].get("ConnectorRunFailed") == failed,
            f"ConnectorRunFailed={blobs[0].get('ConnectorRunFailed')} for a {report.get('status')} run",
        )
        if report.get("status") == "succeeded":
            v.check(
                blobs[0].get("RowsRejected") == report.get("rejected"),
                f"RowsRejected={blobs[0].get('RowsRejected')} but {report.get('rejected')} rejected",
            )


def check_unchanged(v: Verdict, before: Items, after: Items, *, keep_state: bool) -> None:
    changed = differences(before, after, v.cell.connector, keep_state=keep_state)
    v.check(not changed, f"the last good data changed: {shown(changed)}")


def check_good_items_land(v: Verdict, baseline: Baseline, after: Items, lost: str | None) -> None:
    ids = v.cell.connector.ids(after)
    missing = sorted(i for i in baseline.ids - ids if not (lost and i.startswith(lost)))
    v.check(not missing, f"good items missing: {shown(missing)}")


def check_markers(v: Verdict, after: Items, markers: Sequence[str], in_keys: bool) -> None:
    """No hostile value stored (the run records may quote it: a rejection says what was wrong)."""
    records = f"FEED#{v.cell.connector.name}"
    data = [i for i in after if i["pk"]["S"] != records]
    for marker in markers:
        if in_keys:
            found = [key_of(i) for i in data if any(marker in str(i.get(a, {}).get("S", "")) for a in KEY_ATTRIBUTES)]
            where = "in a key"
        else:
            found = [key_of(i) for i in data if marker in canonical(i)]
            where = "stored"
        v.check(not found, f"{marker[:12]!r}{'…' if len(marker) > 12 else ''} {where}: {shown(found, 2)}")


def check_credentials(v: Verdict, lab: Lab, p: Plan) -> None:
    secret = CREDENTIALS.split(":", 1)[1]
    origin = lab.servers.origin.requests(p.path)
    v.check(
        any(r.headers.get("authorization", "").startswith("Basic ") for r in origin),
        "the configured origin was not sent the source's credentials",
    )
    for seen in lab.servers.elsewhere.requests(p.other_path):
        leaked = "authorization" in seen.headers or any(secret in value for value in seen.headers.values())
        v.check(not leaked, f"credentials sent to another host ({seen.headers.get('authorization', 'in a header')})")


@pytest.mark.parametrize("cell", cells(), ids=lambda cell: cell.id)
def test_connector_under_fault(lab: Lab, cell: Cell, capsys: pytest.CaptureFixture[str]) -> None:
    connector, fault = cell.connector, cell.fault
    handler = lab.handler(connector)
    baseline = lab.baseline(connector)
    p = plan(cell, lab.servers, baseline.good, handler.module)
    if p.mutation is not None and p.mutation.lost is not None:  # the descriptor spoils an item the good run stores
        assert any(i.startswith(p.mutation.lost) for i in baseline.ids), f"{p.mutation.lost} not in the good run"
    if fault.expect == "partial":
        handler.table.wipe()
        handler.table.put(connector.seed())
    else:
        handler.table.restore(baseline.snapshot)
    before = handler.table.items()
    lab.point(connector, p.source)
    lab.deadline_s = p.deadline_s

    v = Verdict(cell)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.monotonic()
    raised: Exception | None = None
    try:
        report = handler.invoke(connector.now)
    except Exception as exc:
        raised = exc
    if raised is not None:
        elapsed = time.monotonic() - started
        changed = differences(before, handler.table.items(), connector, keep_state=True)
        pytest.fail(
            f"{cell.id}: the run raised {type(raised).__name__}: {str(raised)[:160]} (no run recorded"
            + (f"; stored data changed: {shown(changed)}" if changed and fault.expect != "partial" else "")
            + f"; {elapsed:.1f} s)",
            pytrace=False,
        )
    elapsed = time.monotonic() - started
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss
    after = handler.table.items()
    emitted = handler.emitted
    status = report.get("status")

    check_recorded(v, report, before, after, emitted)
    secret = CREDENTIALS.split(":", 1)[1]
    v.check(secret not in capsys.readouterr().out, "the source's password was logged")
    v.check(not any(secret in canonical(i) for i in after), "the source's password was stored")
    if p.time_limit_s is not None:
        v.check(elapsed < p.time_limit_s, f"the fetch took {elapsed:.1f} s: no deadline on the whole download")
    if fault.id == "decompression_bomb":
        v.check(growth < MAX_RSS_GROWTH, f"peak memory grew by {growth / 2**20:.0f} MiB")

    if fault.expect == "unusable":
        v.check(status == "failed", f"run {status} (changed {report.get('changed')}), expected failed")
        v.check(status != "failed" or bool(report.get("error")), "failed run without its reason")
        check_unchanged(v, before, after, keep_state=True)
    elif fault.expect == "partial":
        mutation = p.mutation
        assert mutation is not None
        v.check(status == "succeeded", f"run {status}: {str(report.get('error'))[:160]}")
        if status == "succeeded":
            if fault.id != "over_long_ids":  # an id that cannot reach a key (hashed) need not be rejected
                v.check(
                    report.get("rejected", 0) > baseline.report.get("rejected", 0),
                    f"the spoiled item was not rejected (rejected {report.get('rejected')}, "
                    f"{baseline.report.get('rejected')} in the good run)",
                )
            check_good_items_land(v, baseline, after, mutation.lost)
            if mutation.lost:
                stored = sorted(i for i in connector.ids(after) if i.startswith(mutation.lost))
                v.check(not stored, f"the spoiled item was stored: {shown(stored)}")
            check_markers(v, after, mutation.markers, mutation.in_keys)
    elif fault.expect == "contained":
        mutation = p.mutation
        assert mutation is not None
        if status == "failed":
            check_unchanged(v, before, after, keep_state=True)
        else:
            check_good_items_land(v, baseline, after, None)
            check_markers(v, after, mutation.markers, mutation.in_keys)
    elif fault.expect == "redirect":
        check_credentials(v, lab, p)
        check_unchanged(v, before, after, keep_state=status == "failed")
    else:  # pragma: no cover
        raise AssertionError(fault.expect)
    v.conclude()


@pytest.mark.parametrize("exclusion", exclusions(), ids=lambda exclusion: exclusion.id)
def test_fault_that_cannot_apply_says_why(exclusion: Exclusion) -> None:
    """Not a skipped test: the reason is part of the matrix, and the connector offers no way to spoil its format
    that way (else the cell should exist)."""
    assert len(exclusion.why.reason) > 20 and exclusion.why.slug
    assert exclusion.fault.mutator is not None, (
        "only format-specific faults may be excused: every connector fetches, so every network fault applies"
    )
    assert getattr(exclusion.connector, exclusion.fault.mutator) is None


def test_every_cell_is_tested_or_excused() -> None:
    fault_ids = {fault.id for fault in FAULTS}
    assert len(fault_ids) == len(FAULTS) == 14
    names = [connector.name for connector in CONNECTORS]
    assert len(set(names)) == len(names)
    tested = {(cell.connector.name, cell.fault.id) for cell in cells()}
    excused = {(e.connector.name, e.fault.id) for e in exclusions()}
    assert not tested & excused
    assert tested | excused == {(name, fault) for name in names for fault in fault_ids}
    for connector in CONNECTORS:
        assert set(connector.not_applicable) <= fault_ids, f"{connector.name}: unknown fault excused"
        for fault in FAULTS:
            if fault.mutator is not None:
                has_mutator = getattr(connector, fault.mutator) is not None
                assert has_mutator != (fault.id in connector.not_applicable), (
                    f"{connector.name} / {fault.id}: give either a way to spoil an item or a reason, not both or none"
                )


def test_hostile_payloads_are_what_they_claim() -> None:
    """The matrix's own fixtures: small on the wire, as deep and as big as announced."""
    import zlib

    bomb = ff.gzip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    inflater = zlib.decompressobj(31)
    assert len(inflater.decompress(bomb, 8 * 1024 * 1024)) == 8 * 1024 * 1024 and inflater.unconsumed_tail
    assert ff.nested_xml().count("<x>") == ff.DEPTH
    assert len(ff.OVERLONG_ID) == 1500 and ff.OVERLONG_MARK in ff.OVERLONG_ID
