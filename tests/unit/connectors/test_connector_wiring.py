"""The small pieces every connector's handler and ingest share (`poche_common.connector`): what one parsed source
adds to a run's outcome, and the names older tests reach for on a handler, answered from its lazy connection."""

from __future__ import annotations

from poche_common.connector import Outcome


def test_each_source_adds_its_rows_and_rejections() -> None:
    outcome = Outcome()
    outcome.add(3, [{"line": 2, "reason": "a"}])
    outcome.add(5, [])
    assert (outcome.read, outcome.rejected, outcome.rejections) == (8, 1, [{"line": 2, "reason": "a"}])
