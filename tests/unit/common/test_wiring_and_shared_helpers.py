"""poche_common.wiring (lazy dependencies, fakes in tests), and the helpers every store shares (dynamo, clock, text)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from poche_common.clock import freshness
from poche_common.dynamo import batch_get, content_digest, query_all, query_page
from poche_common.text import fold
from poche_common.wiring import Provider


def test_a_provider_builds_on_first_use_once_and_can_be_overridden() -> None:
    built: list[int] = []

    def build() -> int:
        built.append(1)
        return len(built)

    provider = Provider(build)
    assert built == []
    assert provider.get() == 1 and provider.get() == 1 and built == [1]
    with provider.override(42):
        assert provider.get() == 42
    assert provider.get() == 1
    provider.reset()
    assert provider.get() == 2


class Pages:
    def __init__(self, pages: list[list[int]]) -> None:
        self.pages = pages
        self.calls: list[dict[str, Any]] = []

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(dict(kwargs))
        number = int(kwargs.get("ExclusiveStartKey", {}).get("n", 0))
        page: dict[str, Any] = {"Items": self.pages[number]}
        if number + 1 < len(self.pages):
            page["LastEvaluatedKey"] = {"n": number + 1}
        return page


def test_query_all_reads_every_page_and_query_page_one() -> None:
    client = Pages([[1, 2], [3], [4]])
    assert list(query_all(client, TableName="t")) == [1, 2, 3, 4]
    assert [c.get("ExclusiveStartKey") for c in client.calls] == [None, {"n": 1}, {"n": 2}]
    assert query_page(Pages([[1], [2]]), None, TableName="t") == ([1], {"n": 1})
    assert query_page(Pages([[1], [2]]), {"n": 1}, TableName="t") == ([2], None)


class Throttled:
    """Answers half the keys of each request, the rest unprocessed."""

    def __init__(self) -> None:
        self.calls = 0

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        keys = RequestItems["t"]["Keys"]
        done, left = keys[: max(1, len(keys) // 2)], keys[max(1, len(keys) // 2) :]
        answer: dict[str, Any] = {"Responses": {"t": done}}
        if left:
            answer["UnprocessedKeys"] = {"t": {"Keys": left}}
        return answer


def test_batch_get_retries_unprocessed_keys_within_its_attempts() -> None:
    keys = [{"pk": {"S": str(n)}} for n in range(4)]
    result = batch_get(Throttled(), {"t": {"Keys": keys}}, attempts=3, pause_s=0)
    assert result.items["t"] == keys and result.round_trips == 3 and result.unprocessed == {}
    result = batch_get(Throttled(), {"t": {"Keys": keys}}, attempts=2, pause_s=0)
    assert len(result.items["t"]) == 3 and result.unprocessed == {"t": {"Keys": keys[3:]}}
    assert batch_get(Throttled(), {"t": {"Keys": []}}).round_trips == 0


def test_content_digest_ignores_key_order() -> None:
    assert content_digest({"a": 1, "b": "é"}) == content_digest({"b": "é", "a": 1}) != content_digest({"a": 2})


def test_freshness_of_data_never_fetched_old_and_recent() -> None:
    now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    assert freshness(None, 60, now) == {"as_of": None, "stale": True}
    assert freshness("2026-12-02T11:58:00+00:00", 60, now) == {"as_of": "2026-12-02T12:58:00+01:00", "stale": True}
    assert freshness("2026-12-02T11:59:30+00:00", 60, now)["stale"] is False


def test_fold_is_accent_case_ligature_and_punctuation_insensitive() -> None:
    assert fold("Hors-d'Œuvre  ÉTÉ") == "hors d oeuvre ete" == fold("hors d oeuvre, été")
