"""The payments `Recorder` over an in-memory fake of the ledger's put-once writes and of the Debts table's outbox:
the exact items and events each step writes (reserve, idOp, failed start, notification, every verdict), each fact
and each event once however often the same answer comes, and no e-mail address in any event.

The fakes (`FakeStore`, `FakeOutbox`, `debt_item`) are shared with the service's and the workers' tests."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from payments_shared import keys
from payments_shared.ledger import Attempt, DebtLedger, Detail, Pending, Unknown, Verdict, fold
from payments_shared.record import Recorder
from payments_shared.store import AttemptRef
from poche_common.clock import to_utc_iso
from poche_common.errors import ConflictError
from poche_common.outbox import READY, FlushResult, StagedEvent

UTC = dt.UTC
T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 10:00 in Paris
EXER, REFDET = "2026", "TR2026000123"
PK = keys.debt_pk(EXER, REFDET)
IDOP = "a1b2c3d4-0000-4000-8000-000000000001"
PAYMENT_ID = "0b9f6c1e8d2a4c5b9e7f2a1d3c4b5e6f"
EMAIL = "camille.martin@example.fr"
OBJET = "Restauration scolaire novembre 2026"
Item = dict[str, Any]


def debt_item(
    refdet: str = REFDET,
    *,
    amount: int = 4250,
    status: str = "open",
    email: str | None = EMAIL,
    due_date: str | None = "2026-12-15",
    exer: str = EXER,
) -> Item:
    """A debt as the `payments-debts-csv` connector stores it (Debts table)."""
    item: Item = {
        "pk": keys.debt_pk(exer, refdet),
        "sk": keys.DEBT_SK,
        "exer": exer,
        "refdet": refdet,
        "objet": OBJET,
        "amount_cents": amount,
        "product": "CANTINE",
        "status": status,
    }
    if due_date is not None:
        item["due_date"] = due_date
    if email is not None:
        item["email"] = email
    return item


class FakeStore:
    """`PaymentsStore` in memory: the debts, and the ledger's put-once `append` (an item whose (pk, sk) exists
    refuses the whole write: False, nothing written, no event staged), the outbox items of the staged events, and
    the reads (partition folded, by payment, by idOp, by day)."""

    def __init__(self, debts: Sequence[Item] = ()) -> None:
        self.debts: dict[tuple[str, str], Item] = {(d["exer"], d["refdet"]): d for d in debts}
        self.items: dict[tuple[str, str], Item] = {}
        self.outbox: dict[str, dict[str, Any]] = {}  # event id -> outbox item (wire format)
        self.refused = 0

    # --- writes
    def append(self, items: Sequence[Item], events: Sequence[StagedEvent] = ()) -> bool:
        if any((item["pk"], item["sk"]) in self.items for item in items):
            self.refused += 1
            return False
        for item in items:
            self.items[(item["pk"], item["sk"])] = copy.deepcopy(item)
        for event in events:
            self.outbox[event.id] = event.item()
        return True

    # --- reads
    def debt(self, exer: str, refdet: str) -> Item | None:
        found = self.debts.get((exer, refdet))
        return copy.deepcopy(found) if found is not None else None

    def debts_of_payer(self, email: str, limit: int) -> list[Item]:
        digest = keys.payer_digest(email)
        mine = [d for d in self.debts.values() if d.get("email") and keys.payer_digest(d["email"]) == digest]
        mine.sort(key=lambda d: keys.payer_sk(d.get("due_date") or "", d["exer"], d["refdet"]))
        return copy.deepcopy(mine[:limit])

    def ledger(self, exer: str, refdet: str) -> DebtLedger | None:
        pk = keys.debt_pk(exer, refdet)
        return fold(copy.deepcopy(item) for (p, _), item in sorted(self.items.items()) if p == pk)

    def _one(self, attribute: str, value: str) -> AttemptRef | None:
        for item in self.items.values():
            if item.get(attribute) == value:
                exer, refdet = keys.split_debt_pk(item["pk"])
                return AttemptRef(exer, refdet, keys.attempt_of(item["sk"]))
        return None

    def by_payment(self, payment_id: str) -> AttemptRef | None:
        return self._one(keys.BY_PAYMENT_PK, keys.payment_gsi(payment_id))

    def by_idop(self, idop: str) -> AttemptRef | None:
        return self._one(keys.BY_IDOP_PK, keys.idop_gsi(idop))

    def day(self, gsi3pk: str) -> Iterator[Item]:
        found = [item for item in self.items.values() if item.get(keys.BY_DAY_PK) == gsi3pk]
        yield from (copy.deepcopy(item) for item in sorted(found, key=lambda i: str(i[keys.BY_DAY_SK])))

    # --- what the tests read
    def sks(self) -> list[str]:
        return sorted(sk for _, sk in self.items)

    def item(self, sk: str, pk: str = PK) -> Item:
        return self.items[(pk, sk)]


class FakeOutbox:
    """The Debts table's outbox: `prepare` builds a real `StagedEvent` (its facts as the detail), `send` records what
    went to the bus (and removes it from the store's outbox items), `flush` sends what is still staged. `refuse`:
    the bus refuses everything (the events stay staged)."""

    def __init__(self, store: FakeStore, *, refuse: bool = False) -> None:
        self.store = store
        self.refuse = refuse
        self.prepared: list[StagedEvent] = []
        self.sent: list[StagedEvent] = []

    def prepare(self, detail_type: str, facts: Any, *, ready: bool = False) -> StagedEvent:
        staged = StagedEvent(
            id=f"event-{len(self.prepared) + 1:04d}",
            producer="payments-test",
            source=keys.SOURCE,
            detail_type=detail_type,
            detail=json.dumps(dict(facts), sort_keys=True),
            staged_at=to_utc_iso(T0),
            state=READY if ready else "pending",
            send_after=0,
        )
        self.prepared.append(staged)
        return staged

    def send(self, staged: Sequence[StagedEvent]) -> FlushResult:
        if self.refuse:
            raise RuntimeError("the bus refuses")
        result = FlushResult()
        for event in staged:
            self.sent.append(event)
            self.store.outbox.pop(event.id, None)
            result.sent.append(event.id)
        return result

    def flush(self) -> FlushResult:
        staged = [StagedEvent.from_item(item) for item in self.store.outbox.values()]
        return self.send(sorted(staged, key=lambda s: s.id))

    def events(self) -> list[tuple[str, dict[str, Any]]]:
        """What the bus received: (detail type, facts)."""
        return [(event.detail_type, json.loads(event.detail)) for event in self.sent]


def wired(*debts: Item, refuse: bool = False) -> tuple[FakeStore, FakeOutbox, Recorder]:
    store = FakeStore(debts or (debt_item(),))
    outbox = FakeOutbox(store, refuse=refuse)
    return store, outbox, Recorder(store, outbox)


def paris_detail(result: str = "P", *, idop: str = IDOP, amount: int = 4250, heurtrans: str = "1005") -> Detail:
    """PayFiP's detail of a transaction on 2 December 2026 at `heurtrans` (Paris time)."""
    numauto = "123456" if result in ("P", "V") else ""
    return Detail(idop, result, amount, EXER, REFDET, numauto, "02122026", heurtrans)


# --- the expected items and events ------------------------------------------------------------------------------------
def base(n: int = 1, payment_id: str = PAYMENT_ID, at: dt.datetime = T0) -> Item:
    """What every fact item of attempt n carries."""
    return {
        "pk": PK,
        "attempt": n,
        "payment_id": payment_id,
        "exer": EXER,
        "refdet": REFDET,
        "objet": OBJET,
        "product": "CANTINE",
        "amount_cents": 4250,
        "at": to_utc_iso(at),
    }


def facts(n: int = 1, payment_id: str = PAYMENT_ID, at: dt.datetime = T0, **more: Any) -> dict[str, Any]:
    """The facts every payment event of attempt n carries, and `more`."""
    return {
        "payment_id": payment_id,
        "attempt": n,
        "exer": EXER,
        "refdet": REFDET,
        "product": "CANTINE",
        "amount_cents": 4250,
        "at": to_utc_iso(at),
        **more,
    }


CLOSED = {"gsi4pk": "CLOSED#2026-12-02", "gsi4sk": f"2026-12-02T09:00:00+00:00#{PK}#0001"}


def started(recorder: Recorder, store: FakeStore, *, payer: str | None = None, idop: str = IDOP) -> Attempt:
    """Attempt 1 reserved and initiated at T0."""
    attempt = recorder.reserve(debt_item(), store.ledger(EXER, REFDET), PAYMENT_ID, payer, T0)
    recorder.initiated(attempt, idop, T0)
    return attempt


def current(store: FakeStore, n: int = 1) -> tuple[DebtLedger, Attempt]:
    ledger = store.ledger(EXER, REFDET)
    assert ledger is not None
    attempt = ledger.attempt(n)
    assert attempt is not None
    return ledger, attempt


# --- starting -----------------------------------------------------------------------------------------------------
def test_reserve_writes_the_attempt_with_its_payment_index() -> None:
    store, outbox, recorder = wired()
    attempt = recorder.reserve(debt_item(), None, PAYMENT_ID, "sub-1", T0)
    assert attempt == Attempt(1, PAYMENT_ID, EXER, REFDET, T0, 4250, OBJET, "CANTINE", "sub-1")
    assert store.items == {
        (PK, "ATTEMPT#0001"): {
            "pk": PK,
            "sk": "ATTEMPT#0001",
            "attempt": 1,
            "payment_id": PAYMENT_ID,
            "exer": EXER,
            "refdet": REFDET,
            "objet": OBJET,
            "product": "CANTINE",
            "amount_cents": 4250,
            "created_at": "2026-12-02T09:00:00+00:00",
            "gsi1pk": f"PAYMENT#{PAYMENT_ID}",
            "gsi1sk": "ATTEMPT",
            "payer": "sub-1",
        }
    }
    assert outbox.prepared == [] and store.outbox == {}


def test_an_anonymous_attempt_has_no_payer_and_the_next_number_follows_the_ledger() -> None:
    store, _, recorder = wired()
    recorder.reserve(debt_item(), None, PAYMENT_ID, None, T0)
    second = recorder.reserve(debt_item(), store.ledger(EXER, REFDET), "f" * 32, None, T0 + dt.timedelta(minutes=21))
    assert second.number == 2 and "payer" not in store.item("ATTEMPT#0001")
    assert store.item("ATTEMPT#0002")["created_at"] == "2026-12-02T09:21:00+00:00"


def test_two_reserves_computing_the_same_number_the_second_is_refused() -> None:
    store, _, recorder = wired()
    seen = store.ledger(EXER, REFDET)  # both requests read the ledger before either writes
    recorder.reserve(debt_item(), seen, PAYMENT_ID, None, T0)
    with pytest.raises(ConflictError, match="vient d'être commencé"):
        recorder.reserve(debt_item(), seen, "f" * 32, None, T0)
    assert store.sks() == ["ATTEMPT#0001"] and store.item("ATTEMPT#0001")["payment_id"] == PAYMENT_ID
    assert store.refused == 1


def test_initiated_indexes_the_attempt_by_idop_and_day_and_announces_it() -> None:
    store, outbox, recorder = wired()
    attempt = started(recorder, store, payer="sub-1")
    assert attempt.idop == IDOP
    assert store.item("FACT#0001#initiated") == {
        **base(),
        "sk": "FACT#0001#initiated",
        "idop": IDOP,
        "gsi2pk": f"IDOP#{IDOP}",
        "gsi2sk": "IDOP",
        "gsi3pk": "OPENED#2026-12-02",
        "gsi3sk": f"2026-12-02T09:00:00+00:00#{PK}#0001",
    }
    assert outbox.events() == [("PaymentInitiated", facts(payer="sub-1", idop=IDOP))]
    assert store.outbox == {}  # sent at once


def test_a_failed_start_closes_the_attempt_with_its_event() -> None:
    store, outbox, recorder = wired()
    attempt = recorder.reserve(debt_item(), None, PAYMENT_ID, None, T0)
    recorder.start_failed(attempt, "PayFiP: timeout", T0)
    assert store.item("FACT#0001#start-failed") == {
        **base(),
        "sk": "FACT#0001#start-failed",
        "reason": "PayFiP: timeout",
        **CLOSED,
    }
    assert outbox.events() == [("PaymentStartFailed", facts(reason="PayFiP: timeout"))]
    assert current(store)[1].status == "error"


def test_the_notification_is_recorded_once() -> None:
    store, outbox, recorder = wired()
    started(recorder, store)
    assert recorder.notified(current(store)[1], T0 + dt.timedelta(minutes=3)) is True
    assert recorder.notified(current(store)[1], T0 + dt.timedelta(minutes=4)) is False  # found in the ledger
    stale = started_attempt_without_notification(store)
    assert recorder.notified(stale, T0 + dt.timedelta(minutes=5)) is False  # written meanwhile by another writer
    assert store.item("FACT#0001#notified") == {
        **base(at=T0 + dt.timedelta(minutes=3)),
        "sk": "FACT#0001#notified",
    }
    assert [event for event, _ in outbox.events()] == ["PaymentInitiated", "PaymentNotified"]  # once


def started_attempt_without_notification(store: FakeStore) -> Attempt:
    attempt = current(store)[1]
    attempt.notified = False
    return attempt


# --- settling -------------------------------------------------------------------------------------------------------
AFTER = T0 + dt.timedelta(minutes=6)
PAID_AT = "2026-12-02T09:05:00+00:00"  # 10:05 in Paris


def test_a_success_writes_the_outcome_indexed_by_settlement_day_and_closing_day() -> None:
    store, outbox, recorder = wired()
    started(recorder, store, payer="sub-1")
    ledger, attempt = current(store)
    assert recorder.apply(ledger, attempt, paris_detail("P"), AFTER) == Verdict("succeeded")
    assert store.item("OUTCOME#0001") == {
        **base(at=AFTER),
        "sk": "OUTCOME#0001",
        "kind": "succeeded",
        "idop": IDOP,
        "resultrans": "P",
        "numauto": "123456",
        "paid_at": PAID_AT,
        "gsi3pk": "SETTLED#2026-12-02",
        "gsi3sk": f"{PAID_AT}#{IDOP}",
        **CLOSED,
    }
    assert outbox.events()[1:] == [
        ("PaymentSucceeded", facts(at=AFTER, payer="sub-1", idop=IDOP, resultrans="P", paid_at=PAID_AT))
    ]
    assert current(store)[1].status == "paid"


def test_a_success_just_after_midnight_in_paris_belongs_to_the_paris_day() -> None:
    store, _, recorder = wired()
    started(recorder, store)
    ledger, attempt = current(store)
    detail = Detail(IDOP, "V", 4250, EXER, REFDET, "", "03122026", "0010")  # 00:10 Paris = 23:10 UTC the day before
    recorder.apply(ledger, attempt, detail, T0 + dt.timedelta(hours=15))
    outcome = store.item("OUTCOME#0001")
    assert (outcome["paid_at"], outcome["gsi3pk"]) == ("2026-12-02T23:10:00+00:00", "SETTLED#2026-12-03")


@pytest.mark.parametrize(
    ("answer", "now", "kind", "event", "reason", "detail_fields"),
    [
        (paris_detail("R"), AFTER, "failed", "PaymentFailed", "", {"resultrans": "R", "idop": IDOP}),
        (paris_detail("Z"), AFTER, "failed", "PaymentFailed", "", {"resultrans": "Z", "idop": IDOP}),
        (paris_detail("A", heurtrans="1003"), AFTER, "cancelled", "PaymentCancelled", "",
         {"resultrans": "A", "idop": IDOP}),
        (Pending(), T0 + dt.timedelta(minutes=30), "expired", "PaymentExpired",
         "no result long after the idOp's validity (P5)", {}),
        (Unknown(), AFTER, "expired", "PaymentExpired", "PayFiP no longer knows the idOp (P1)", {}),
    ],
)  # fmt: skip
def test_a_terminal_failure_writes_its_outcome_and_its_event(
    answer: Any, now: dt.datetime, kind: str, event: str, reason: str, detail_fields: dict[str, str]
) -> None:
    store, outbox, recorder = wired()
    started(recorder, store)
    ledger, attempt = current(store)
    assert recorder.apply(ledger, attempt, answer, now) == Verdict(kind, reason=reason)  # type: ignore[arg-type]
    assert store.sks() == ["ATTEMPT#0001", "FACT#0001#initiated", "OUTCOME#0001"]
    assert store.item("OUTCOME#0001") == {
        **base(at=now),
        "sk": "OUTCOME#0001",
        "kind": kind,
        "reason": reason,
        **detail_fields,
        **CLOSED,
    }
    expected = facts(at=now, idop=IDOP)
    if "resultrans" in detail_fields:
        expected["resultrans"] = detail_fields["resultrans"]
    if reason:
        expected["reason"] = reason
    assert outbox.events()[1:] == [(event, expected)]


def test_a_success_after_an_expiry_is_written_late_and_announced_as_a_success() -> None:
    store, outbox, recorder = wired()
    started(recorder, store)
    ledger, attempt = current(store)
    recorder.apply(ledger, attempt, Pending(), T0 + dt.timedelta(minutes=30))
    later = T0 + dt.timedelta(minutes=45)
    ledger, attempt = current(store)
    reason = "paid after being recorded expired"
    assert recorder.apply(ledger, attempt, paris_detail("P"), later) == Verdict("late", reason=reason)
    assert store.item("LATE#0001") == {
        **base(at=later),
        "sk": "LATE#0001",
        "kind": "late-success",
        "idop": IDOP,
        "resultrans": "P",
        "numauto": "123456",
        "paid_at": PAID_AT,
        "reason": reason,
        "gsi3pk": "SETTLED#2026-12-02",
        "gsi3sk": f"{PAID_AT}#{IDOP}",
    }
    assert [e for e, _ in outbox.events()] == ["PaymentInitiated", "PaymentExpired", "PaymentSucceeded"]
    assert outbox.events()[2][1] == facts(at=later, idop=IDOP, resultrans="P", paid_at=PAID_AT, reason=reason)
    assert current(store)[1].status == "paid" and store.ledger(EXER, REFDET).settled_by().number == 1  # type: ignore[union-attr]


def test_a_second_success_on_a_paid_debt_is_recorded_as_a_duplicate_to_refund() -> None:
    store, outbox, recorder = wired()
    started(recorder, store)
    ledger, attempt = current(store)
    recorder.apply(ledger, attempt, Pending(), T0 + dt.timedelta(minutes=30))  # expired: a new attempt may start
    second_id, second_idop, t1 = "e" * 32, "idop-2", T0 + dt.timedelta(minutes=31)
    second = recorder.reserve(debt_item(), store.ledger(EXER, REFDET), second_id, None, t1)
    recorder.initiated(second, second_idop, t1)
    ledger, first = current(store)
    recorder.apply(ledger, first, paris_detail("P"), t1)  # the first attempt was paid after all (late)
    ledger, second = current(store, 2)
    t2 = T0 + dt.timedelta(minutes=40)
    answer = paris_detail("P", idop=second_idop, heurtrans="1038")
    assert recorder.apply(ledger, second, answer, t2) == Verdict("succeeded", duplicate=True)
    paid_at = "2026-12-02T09:38:00+00:00"
    assert store.item("DUPLICATE#0002") == {
        **base(2, second_id, t2),
        "sk": "DUPLICATE#0002",
        "kind": "duplicate",
        "amount_cents": 4250,
        "idop": second_idop,
        "paid_at": paid_at,
        "first_payment_id": PAYMENT_ID,
        "reason": "créance déjà payée par un autre paiement : remboursement à organiser",
        "gsi3pk": "EXCEPTION#2026-12-02",
        "gsi3sk": f"{paid_at}#{second_idop}",
    }
    assert store.item("OUTCOME#0002")["kind"] == "succeeded"
    assert outbox.events()[-2:] == [
        ("PaymentSucceeded", facts(2, second_id, t2, idop=second_idop, resultrans="P", paid_at=paid_at)),
        ("PaymentDuplicated", facts(2, second_id, t2, idop=second_idop, resultrans="P", paid_at=paid_at,
                                    reason="duplicate")),
    ]  # fmt: skip
    assert store.ledger(EXER, REFDET).settled_by().number == 1  # type: ignore[union-attr]


def test_a_recent_cancellation_is_kept_as_a_fact_while_waiting() -> None:
    store, outbox, recorder = wired()
    started(recorder, store)
    ledger, attempt = current(store)
    cancelled = paris_detail("A", heurtrans="1005")
    waiting = Verdict("wait", reason="cancelled less than two minutes ago: may still turn into a payment")
    assert recorder.apply(ledger, attempt, cancelled, AFTER) == waiting
    assert store.item("FACT#0001#detail-A") == {
        **base(at=AFTER),
        "sk": "FACT#0001#detail-A",
        "resultrans": "A",
        "idop": IDOP,
    }
    ledger, attempt = current(store)
    assert attempt.results_seen == {"A"} and attempt.status == "pending"
    assert recorder.apply(ledger, attempt, cancelled, AFTER + dt.timedelta(seconds=30)) == waiting
    assert store.sks() == ["ATTEMPT#0001", "FACT#0001#detail-A", "FACT#0001#initiated"]
    assert [e for e, _ in outbox.events()] == ["PaymentInitiated", "PaymentDetailFetched"]  # the fact's, once


def test_no_result_yet_writes_nothing() -> None:
    store, outbox, recorder = wired()
    started(recorder, store)
    ledger, attempt = current(store)
    assert recorder.apply(ledger, attempt, Pending(), AFTER) == Verdict("wait", reason="no result yet (P5)")
    assert store.sks() == ["ATTEMPT#0001", "FACT#0001#initiated"] and len(outbox.sent) == 1


def test_the_same_answer_applied_twice_writes_one_item_and_one_event() -> None:
    store, outbox, recorder = wired()
    started(recorder, store)
    ledger, attempt = current(store)  # two writers read the ledger before either writes
    assert recorder.apply(ledger, attempt, paris_detail("P"), AFTER).record == "succeeded"
    assert recorder.apply(ledger, attempt, paris_detail("P"), AFTER) == Verdict(
        "nothing", reason="already recorded by another writer"
    )
    ledger, attempt = current(store)  # a third reads it after
    assert recorder.apply(ledger, attempt, paris_detail("P"), AFTER) == Verdict(
        "nothing", reason="already recorded as paid"
    )
    assert store.sks() == ["ATTEMPT#0001", "FACT#0001#initiated", "OUTCOME#0001"]
    assert [e for e, _ in outbox.events()] == ["PaymentInitiated", "PaymentSucceeded"]
    assert store.outbox == {} and store.refused == 1


def test_an_event_the_bus_refuses_stays_staged_with_its_fact() -> None:
    store, outbox, recorder = wired(refuse=True)
    started(recorder, store)
    ledger, attempt = current(store)
    assert recorder.apply(ledger, attempt, paris_detail("P"), AFTER) == Verdict("succeeded")
    assert store.sks() == ["ATTEMPT#0001", "FACT#0001#initiated", "OUTCOME#0001"]
    assert sorted(item["detail_type"]["S"] for item in store.outbox.values()) == [
        "PaymentInitiated",
        "PaymentSucceeded",
    ]
    outbox.refuse = False
    outbox.flush()
    assert [e for e, _ in outbox.events()] == ["PaymentInitiated", "PaymentSucceeded"] and store.outbox == {}


def test_no_event_carries_an_email_address() -> None:
    store, outbox, recorder = wired()
    started(recorder, store, payer="sub-1")
    ledger, attempt = current(store)
    recorder.apply(ledger, attempt, paris_detail("P"), AFTER)
    assert outbox.prepared and all("@" not in event.detail for event in outbox.prepared)
    assert all("@" not in json.dumps(item) for item in store.items.values())
