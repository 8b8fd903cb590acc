"""The event catalogue docs/events.md is generated from the events' definitions, and up to date; its examples are
what the definitions say."""

from __future__ import annotations

import pytest

from poche_common.eventtypes import EVENTS
from poche_infra import events_catalogue


def test_docs_events_md_is_generated_from_the_definitions() -> None:
    written = events_catalogue.OUT.read_text(encoding="utf-8") if events_catalogue.OUT.exists() else ""
    assert written == events_catalogue.render(), (
        f"docs/events.md is not up to date with poche_common.eventtypes: regenerate it with "
        f"`.venv/bin/{events_catalogue.COMMAND}`"
    )


@pytest.mark.parametrize("key", sorted(EVENTS), ids=[t for _, t in sorted(EVENTS)])
def test_each_event_has_an_example_that_is_its_definition(key: tuple[str, str]) -> None:
    definition = EVENTS[key]
    events_catalogue.strict_adapter(definition.detail).validate_python([events_catalogue.example(*key)])
    assert set(events_catalogue.EXAMPLES) == set(EVENTS)
