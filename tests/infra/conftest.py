"""Infra fixtures beyond the session's default synth (tests/conftest.py)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from support import Synthesized

FCM_APP = "arn:aws:sns:eu-west-3:123456789012:app/GCM/poche-dev-fcm"
APNS_APP = "arn:aws:sns:eu-west-3:123456789012:app/APNS/poche-dev-apns"


@pytest.fixture(scope="session")
def push_applications() -> dict[str, str]:
    """The platform applications of `synthesized_with_push`."""
    return {"fcm": FCM_APP, "apns": APNS_APP}


@pytest.fixture(scope="session")
def synthesized_with_push(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The app synthesized once for a territory whose push is configured (SNS platform applications)."""
    import poche_infra.app as app_module
    from poche_infra.config import settings_from_context

    def with_push(context: dict[str, Any]) -> Any:
        settings = settings_from_context(context)
        territory = dataclasses.replace(settings.territory, push_applications={"fcm": FCM_APP, "apns": APNS_APP})
        return dataclasses.replace(settings, territory=territory)

    outdir = tmp_path_factory.mktemp("cdk.out.push")
    patch = pytest.MonkeyPatch()
    patch.setattr(app_module, "settings_from_context", with_push)
    try:
        app, _ = app_module.build_app(outdir=str(outdir))
        assembly = app.synth()
    finally:
        patch.undo()
    errors = [f"{m.id}: {m.entry.data}" for s in assembly.stacks for m in s.messages if m.entry.type == "aws:cdk:error"]
    return Synthesized(
        outdir=outdir,
        templates={stack.stack_name: stack.template for stack in assembly.stacks},
        errors=errors,
        warnings=[],
        missing_context=json.loads((outdir / "manifest.json").read_text()).get("missing", []),
    )
