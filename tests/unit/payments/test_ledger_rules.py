"""The payments ledger's pure rules: `fold` (facts -> the state of a debt's attempts, malformed partitions refused),
the 20-minute lock, the attempt that settled a debt, and `judge` (what PayFiP's answer means) in every case, with
PayFiP's Paris date and time read across the DST changes. No AWS, no clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from payments_shared import keys
from payments_shared.ledger import (
    ATTEMPT_LOCK,
    CANCEL_GRACE,
    PENDING_EXPIRY,
    Attempt,
    DebtLedger,
    Detail,
    LedgerError,
    Pending,
    Unknown,
    Verdict,
    fold,
    judge,
    paris_date,
)

UTC = dt.UTC
T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # 10:00 in Paris (winter, UTC+1)
EXER, REFDET = "2026", "TR2026000123"
PK = keys.debt_pk(EXER, REFDET)
IDOP = "a1b2c3d4-0000-4000-8000-000000000001"
Item = dict[str, Any]


def attempt_item(n: int, created: dt.datetime = T0, *, payer: str | None = None, amount: int = 4250) -> Item:
    item: Item = {
        "pk": PK,
        "sk": keys.attempt_sk(n),
        "attempt": n,
        "payment_id": f"{n:032x}",
        "exer": EXER,
        "refdet": REFDET,
        "objet": "Restauration scolaire novembre 2026",
        "product": "CANTINE",
        "amount_cents": amount,
        "created_at": created.isoformat(),
    }
    if payer:
        item["payer"] = payer
    return item


def fact(n: int, kind: str, **attributes: Any) -> Item:
    return {"pk": PK, "sk": keys.fact_sk(n, kind), **attributes}


def outcome(n: int, kind: str, **attributes: Any) -> Item:
    return {"pk": PK, "sk": keys.outcome_sk(n), "kind": kind, **attributes}


def initiated(n: int, idop: str = IDOP) -> Item:
    return fact(n, "initiated", idop=idop)


def ledger_of(*items: Item) -> DebtLedger:
    folded = fold(items)
    assert folded is not None
    return folded


def detail(
    result: str = "P",
    *,
    idop: str = IDOP,
    amount: int = 4250,
    exer: str = EXER,
    refdet: str = REFDET,
    dattrans: str = "02122026",
    heurtrans: str = "1005",
) -> Detail:
    numauto = "123456" if result in ("P", "V") else ""
    return Detail(idop, result, amount, exer, refdet, numauto, dattrans, heurtrans)


# --- fold -----------------------------------------------------------------------------------------------------------
def test_an_empty_partition_has_no_ledger() -> None:
    assert fold([]) is None


def test_the_attempts_are_read_from_their_items_in_any_order_oldest_first() -> None:
    later = T0 + dt.timedelta(minutes=25)
    folded = ledger_of(
        outcome(1, "expired", reason="P5"),
        initiated(2, "idop-2"),
        attempt_item(2, later, payer="sub-1"),
        fact(1, "notified"),
        initiated(1),
        fact(1, "detail-A", resultrans="A"),
        attempt_item(1),
    )
    assert (folded.exer, folded.refdet, folded.next_number) == (EXER, REFDET, 3)
    first, second = folded.attempts
    assert first == Attempt(
        number=1,
        payment_id=f"{1:032x}",
        exer=EXER,
        refdet=REFDET,
        created_at=T0,
        amount_cents=4250,
        objet="Restauration scolaire novembre 2026",
        product="CANTINE",
        payer=None,
        idop=IDOP,
        notified=True,
        results_seen={"A"},
        outcome=outcome(1, "expired", reason="P5"),
    )
    assert (first.status, first.settled, first.succeeded) == ("expired", True, False)
    assert (second.number, second.payer, second.idop, second.created_at) == (2, "sub-1", "idop-2", later)
    assert (second.status, second.settled, second.notified, second.results_seen) == ("pending", False, False, set())
    assert folded.attempt(2) is second and folded.attempt(3) is None


def test_each_kind_of_fact_gives_the_attempt_its_status() -> None:
    folded = ledger_of(
        attempt_item(1),
        attempt_item(2),
        initiated(2),
        attempt_item(3),
        fact(3, "start-failed", reason="PayFiP: timeout"),
        attempt_item(4),
        initiated(4),
        outcome(4, "failed"),
        attempt_item(5),
        initiated(5),
        outcome(5, "cancelled"),
        attempt_item(6),
        initiated(6),
        outcome(6, "succeeded", paid_at="2026-12-02T09:05:00+00:00"),
    )
    statuses = [(a.number, a.status, a.settled, a.succeeded) for a in folded.attempts]
    assert statuses == [
        (1, "starting", False, False),
        (2, "pending", False, False),
        (3, "error", True, False),
        (4, "refused", True, False),
        (5, "cancelled", True, False),
        (6, "paid", True, True),
    ]
    assert folded.attempt(6).success() == outcome(6, "succeeded", paid_at="2026-12-02T09:05:00+00:00")  # type: ignore[union-attr]
    assert folded.attempt(4).success() is None  # type: ignore[union-attr]


def test_a_late_success_and_a_duplicate_are_read() -> None:
    late = {"pk": PK, "sk": keys.late_sk(1), "kind": "late-success", "paid_at": "2026-12-02T09:40:00+00:00"}
    duplicate = {"pk": PK, "sk": keys.duplicate_sk(2), "kind": "duplicate", "first_payment_id": f"{1:032x}"}
    folded = ledger_of(
        attempt_item(1),
        initiated(1),
        outcome(1, "expired"),
        late,
        attempt_item(2),
        initiated(2, "idop-2"),
        outcome(2, "succeeded", paid_at="2026-12-02T09:50:00+00:00"),
        duplicate,
    )
    first, second = folded.attempts
    assert (first.status, first.succeeded, first.late, first.success()) == ("paid", True, late, late)
    assert (second.status, second.duplicate) == ("paid", duplicate)
    assert folded.settled_by() is first


@pytest.mark.parametrize(
    "items",
    [
        pytest.param([fact(1, "initiated", idop=IDOP)], id="a fact without its attempt"),
        pytest.param([attempt_item(1), outcome(1, "paid")], id="an outcome of an unknown kind"),
        pytest.param([attempt_item(1), {"pk": PK, "sk": "OUTCOME"}], id="a fact without an attempt number"),
        pytest.param([{**attempt_item(1), "created_at": "hier"}], id="created_at not a moment"),
        pytest.param([{**attempt_item(1), "created_at": "2026-12-02T09:00:00"}], id="created_at without timezone"),
        pytest.param([{k: v for k, v in attempt_item(1).items() if k != "payment_id"}], id="no payment_id"),
        pytest.param([{**attempt_item(1), "amount_cents": "beaucoup"}], id="amount not an integer"),
        pytest.param([attempt_item(1), {"pk": PK, "sk": "FACT#un#initiated", "idop": IDOP}], id="number not a number"),
        pytest.param([{**attempt_item(1), "pk": "DEBT"}], id="pk not a debt"),
    ],
)
def test_a_malformed_partition_is_refused_with_a_ledger_error(items: list[Item]) -> None:
    with pytest.raises(LedgerError):
        fold(items)


# --- the lock and the settling attempt ------------------------------------------------------------------------------
def test_an_unsettled_attempt_blocks_a_new_one_for_twenty_minutes() -> None:
    folded = ledger_of(attempt_item(1), initiated(1))
    assert dt.timedelta(minutes=20) == ATTEMPT_LOCK
    assert folded.blocking(T0) is folded.attempts[0]
    assert folded.blocking(T0 + ATTEMPT_LOCK - dt.timedelta(seconds=1)) is folded.attempts[0]
    assert folded.blocking(T0 + ATTEMPT_LOCK) is None


def test_a_reserved_attempt_without_idop_blocks_too_but_a_settled_one_does_not() -> None:
    assert ledger_of(attempt_item(1)).blocking(T0 + dt.timedelta(minutes=1)) is not None
    for settled in (fact(1, "start-failed"), outcome(1, "failed"), outcome(1, "expired")):
        assert ledger_of(attempt_item(1), initiated(1), settled).blocking(T0 + dt.timedelta(minutes=1)) is None


def test_the_most_recent_unsettled_attempt_is_the_one_blocking() -> None:
    later = T0 + dt.timedelta(minutes=5)
    folded = ledger_of(attempt_item(1), attempt_item(2, later), initiated(2))
    assert folded.blocking(later).number == 2  # type: ignore[union-attr]
    assert folded.blocking(T0 + ATTEMPT_LOCK).number == 2  # type: ignore[union-attr]  # the first is too old
    assert folded.blocking(later + ATTEMPT_LOCK) is None


def test_the_debt_is_settled_by_the_first_success_by_attempt_number() -> None:
    assert ledger_of(attempt_item(1), initiated(1)).settled_by() is None
    assert ledger_of(attempt_item(1), outcome(1, "failed")).settled_by() is None
    folded = ledger_of(
        attempt_item(1),
        outcome(1, "failed"),
        attempt_item(2),
        outcome(2, "succeeded"),
        attempt_item(3),
        outcome(3, "succeeded"),
    )
    assert folded.settled_by() is folded.attempts[1]


# --- judge ------------------------------------------------------------------------------------------------------------
NOW = T0 + dt.timedelta(minutes=6)


def pending_ledger(*more: Item) -> DebtLedger:
    return ledger_of(attempt_item(1), initiated(1), *more)


def verdict(folded: DebtLedger, answer: Any, now: dt.datetime = NOW, number: int = 1) -> Verdict:
    attempt = folded.attempt(number)
    assert attempt is not None
    return judge(folded, attempt, answer, now)


@pytest.mark.parametrize("result", ["P", "V"])
def test_a_success_on_a_pending_attempt_is_recorded(result: str) -> None:
    assert verdict(pending_ledger(), detail(result)) == Verdict("succeeded")


def test_a_success_on_a_debt_another_attempt_paid_is_a_duplicate() -> None:
    folded = ledger_of(attempt_item(1), initiated(1), outcome(1, "succeeded"), attempt_item(2), initiated(2, "idop-2"))
    assert verdict(folded, detail("P", idop="idop-2"), number=2) == Verdict("succeeded", duplicate=True)


@pytest.mark.parametrize("recorded", ["expired", "cancelled", "failed"])
def test_a_success_after_a_terminal_failure_is_a_late_success(recorded: str) -> None:
    folded = pending_ledger(outcome(1, recorded))
    reason = f"paid after being recorded {recorded}"
    assert verdict(folded, detail("P")) == Verdict("late", reason=reason)


def test_a_late_success_on_a_debt_another_attempt_paid_is_a_late_duplicate() -> None:
    folded = ledger_of(
        attempt_item(1),
        initiated(1),
        outcome(1, "expired"),
        attempt_item(2),
        initiated(2, "idop-2"),
        outcome(2, "succeeded"),
    )
    expected = Verdict("late", duplicate=True, reason="paid after being recorded expired")
    assert verdict(folded, detail("V"), number=1) == expected


def test_a_success_already_recorded_is_nothing() -> None:
    assert verdict(pending_ledger(outcome(1, "succeeded")), detail("P")) == Verdict(
        "nothing", reason="already recorded as paid"
    )
    late = {"pk": PK, "sk": keys.late_sk(1), "kind": "late-success"}
    assert verdict(pending_ledger(outcome(1, "expired"), late), detail("P")) == Verdict(
        "nothing", reason="already recorded as paid"
    )


@pytest.mark.parametrize("result", ["R", "Z"])
def test_a_refusal_is_a_failure(result: str) -> None:
    assert verdict(pending_ledger(), detail(result)) == Verdict("failed")


def test_a_cancellation_is_final_only_two_minutes_after_the_transaction() -> None:
    assert dt.timedelta(minutes=2) == CANCEL_GRACE
    cancelled = detail("A", heurtrans="1004")  # 10:04 Paris = 09:04 UTC
    at = dt.datetime(2026, 12, 2, 9, 4, tzinfo=UTC)
    waiting = Verdict("wait", reason="cancelled less than two minutes ago: may still turn into a payment")
    assert verdict(pending_ledger(), cancelled, at + dt.timedelta(minutes=2) - dt.timedelta(seconds=1)) == waiting
    assert verdict(pending_ledger(), cancelled, at + dt.timedelta(minutes=2)) == Verdict("cancelled")


def test_a_cancellation_without_a_readable_moment_counts_from_the_attempt_creation() -> None:
    cancelled = detail("A", dattrans="", heurtrans="")
    assert verdict(pending_ledger(), cancelled, T0 + dt.timedelta(seconds=119)).record == "wait"
    assert verdict(pending_ledger(), cancelled, T0 + CANCEL_GRACE) == Verdict("cancelled")


def test_no_result_yet_waits_then_expires_after_thirty_minutes() -> None:
    assert dt.timedelta(minutes=30) == PENDING_EXPIRY
    before = T0 + PENDING_EXPIRY - dt.timedelta(seconds=1)
    assert verdict(pending_ledger(), Pending(), before) == Verdict("wait", reason="no result yet (P5)")
    assert verdict(pending_ledger(), Pending(), T0 + PENDING_EXPIRY) == Verdict(
        "expired", reason="no result long after the idOp's validity (P5)"
    )


def test_an_idop_payfip_no_longer_knows_is_expired_at_once() -> None:
    assert verdict(pending_ledger(), Unknown(), T0 + dt.timedelta(minutes=1)) == Verdict(
        "expired", reason="PayFiP no longer knows the idOp (P1)"
    )


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (detail("P", idop="other-idop"), f"detail for idOp 'other-idop', attempt has {IDOP!r}"),
        (detail("R", idop="other-idop"), f"detail for idOp 'other-idop', attempt has {IDOP!r}"),
        (detail("P", refdet="TR2026000999"), "detail for another debt"),
        (detail("P", exer="2025"), "detail for another debt"),
        (detail("P", amount=4251), "amount 4251 differs from the attempt's 4250"),
        (detail("V", amount=1), "amount 1 differs from the attempt's 4250"),
    ],
)
def test_a_detail_that_does_not_match_the_attempt_is_not_trusted(answer: Detail, reason: str) -> None:
    assert verdict(pending_ledger(), answer) == Verdict("nothing", reason=reason)


def test_another_amount_on_a_refusal_is_still_a_refusal() -> None:
    assert verdict(pending_ledger(), detail("R", amount=1)) == Verdict("failed")


@pytest.mark.parametrize(
    ("recorded", "answer", "reason"),
    [
        (outcome(1, "failed"), detail("R"), "already settled (refused)"),
        (outcome(1, "failed"), detail("A", heurtrans="0900"), "already settled (refused)"),
        (outcome(1, "cancelled"), detail("Z"), "already settled (cancelled)"),
        (outcome(1, "expired"), Pending(), "already settled (expired)"),
        (outcome(1, "expired"), Unknown(), "already settled (expired)"),
        (outcome(1, "succeeded"), Pending(), "already settled (paid)"),
        (fact(1, "start-failed"), Pending(), "already settled (error)"),
        (fact(1, "start-failed"), Unknown(), "already settled (error)"),
    ],
)
def test_an_attempt_already_settled_is_nothing(recorded: Item, answer: Any, reason: str) -> None:
    assert verdict(pending_ledger(recorded), answer, T0 + dt.timedelta(hours=2)) == Verdict("nothing", reason=reason)


def test_an_attempt_paid_late_refused_again_is_nothing() -> None:
    late = {"pk": PK, "sk": keys.late_sk(1), "kind": "late-success"}
    folded = pending_ledger(outcome(1, "expired"), late)
    assert verdict(folded, detail("R")) == Verdict("nothing", reason="already settled (paid)")
    assert verdict(folded, Pending(), T0 + dt.timedelta(hours=2)) == Verdict("nothing", reason="already settled (paid)")


def test_an_unknown_result_is_nothing() -> None:
    assert verdict(pending_ledger(), detail("X")) == Verdict("nothing", reason="unknown result 'X'")


def test_an_attempt_without_idop_takes_the_detail_of_its_debt() -> None:
    folded = ledger_of(attempt_item(1))  # the idOp not recorded yet: judged on the debt and amount
    assert verdict(folded, detail("P", idop="any")) == Verdict("succeeded")


# --- PayFiP's Paris date and time -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dattrans", "heurtrans", "utc"),
    [
        ("15012026", "1200", dt.datetime(2026, 1, 15, 11, 0, tzinfo=UTC)),  # winter: UTC+1
        ("15072026", "1200", dt.datetime(2026, 7, 15, 10, 0, tzinfo=UTC)),  # summer: UTC+2
        ("28032026", "2359", dt.datetime(2026, 3, 28, 22, 59, tzinfo=UTC)),  # the eve of the spring change
        ("29032026", "0159", dt.datetime(2026, 3, 29, 0, 59, tzinfo=UTC)),  # just before 02:00 -> 03:00
        ("29032026", "0300", dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # just after
        ("25102026", "0159", dt.datetime(2026, 10, 24, 23, 59, tzinfo=UTC)),  # before the autumn change
        ("25102026", "0230", dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # ambiguous: the first 02:30 (summer)
        ("25102026", "0300", dt.datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),  # after: winter again
        ("01012027", "0030", dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)),  # another UTC year
    ],
)
def test_the_transaction_moment_is_read_in_paris_time(dattrans: str, heurtrans: str, utc: dt.datetime) -> None:
    moment = detail(dattrans=dattrans, heurtrans=heurtrans).transaction_at()
    assert moment == utc and moment.tzinfo == UTC


@pytest.mark.parametrize(
    ("dattrans", "heurtrans"), [("", ""), ("31022026", "1200"), ("02122026", "2460"), ("2026", "1")]
)
def test_a_transaction_moment_that_is_not_one_is_none(dattrans: str, heurtrans: str) -> None:
    assert detail(dattrans=dattrans, heurtrans=heurtrans).transaction_at() is None


def test_the_paris_date_of_a_moment() -> None:
    assert paris_date(dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "2027-01-01"
    assert paris_date(dt.datetime(2026, 7, 15, 21, 59, tzinfo=UTC)) == "2026-07-15"
    assert paris_date(dt.datetime(2026, 7, 15, 22, 0, tzinfo=UTC)) == "2026-07-16"
