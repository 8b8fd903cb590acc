"""poche_common.eventtypes: the checks shared by the readers of events and of the other typed messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing
from typing import TypedDict

import pytest

from poche_common.changes import Kind
from poche_common.eventtypes import Change, MalformedEvent, conform
from poche_infra.paths import FUNCTIONS, LAYERS


class Message(TypedDict):
    name: str
    count: int
    tags: list[str]


def test_conform_checks_a_value_against_its_definition_and_names_the_field() -> None:
    good = {"name": "a", "count": 1, "tags": ["x"], "newer": True}  # a field the definition does not name is allowed
    assert conform(good, Message, "message") is good
    with pytest.raises(MalformedEvent, match=r"message\.count: missing"):
        conform({"name": "a", "tags": []}, Message, "message")
    with pytest.raises(MalformedEvent, match=r"message\.count: an integer expected, not bool"):
        conform({"name": "a", "count": True, "tags": []}, Message, "message")
    with pytest.raises(MalformedEvent, match=r"message\.tags\[1\]: str expected"):
        conform({"name": "a", "count": 1, "tags": ["x", 2]}, Message, "message")
    with pytest.raises(MalformedEvent, match="message: an object expected, not list"):
        conform([], Message, "message")


def test_the_changes_diff_says_are_the_changes_events_say() -> None:
    """`poche_common.changes.Kind` is what producers put in `change` without a conversion: the same Literal."""
    assert typing.get_args(Kind) == typing.get_args(Change)


PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(f"{name}.handler").dependencies
print(json.dumps(sorted(m for m in sys.modules if m == "poche_common.eventtypes")))
"""


def test_producers_import_the_event_registry_for_the_type_checker_only() -> None:
    """The producers annotate their facts with the registry's TypedDicts under TYPE_CHECKING: compiling the registry
    (~14 KB) at every cold start buys them nothing at run time. Its consumers (the matcher) do import it."""
    path = [str(FUNCTIONS / "connectors"), *(str(p) for p in sorted(LAYERS.glob("*/python")))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    producers = ["canteen_menus_scdl", "traffic_datex2", "news_rss", "agenda_cinema", "agenda_openagenda"]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *producers], env=env, capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(done.stdout) == []
