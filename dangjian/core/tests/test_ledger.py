"""The ledger engine (core/ledger), driven through the time bank's models (timebank.models.LEDGER):
posting, replaying a key, refusing what must not be written, reversing, the append-only guard, amounts
in another quantum (yuan), and the integrity checks the engine gives every ledger."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from dangjian.core import integrity, ledger
from dangjian.core.ledger import checks
from dangjian.core.testing import integrity_findings as found
from dangjian.timebank.models import LEDGER, Account, AccountKind, Entry, Journal, JournalKind
from dangjian.timebank.services import community_account, person_account

D = Decimal
YUAN = dataclasses.replace(LEDGER, name="yuan", quantum=D("0.01"), unit="元", amount_label="金额", max_amount=None)


@pytest.fixture
def accounts(world):
    u = world.users
    return {
        "issuance": community_account(world.c1, AccountKind.ISSUANCE),
        "pool": community_account(world.c1, AccountKind.POOL),
        "a": person_account(u.member),
        "b": person_account(u.resident),
    }


def deposit(accounts, who: str, hours: str, key: str):
    return ledger.post(
        LEDGER,
        kind=JournalKind.DEPOSIT,
        key=key,
        lines=[(accounts["issuance"], -D(hours)), (accounts[who], D(hours))],
        memo="服务",
    )


def move(accounts, src: str, dst: str, hours: str, key: str, **kw):
    return ledger.post(
        LEDGER, kind=JournalKind.TRANSFER, key=key, lines=[(accounts[src], -D(hours)), (accounts[dst], D(hours))], **kw
    )


def entries_sum(account) -> Decimal:
    return (Entry.objects.filter(account=account).aggregate(t=Sum("amount"))["t"] or D(0)).quantize(D("0.1"))


def written() -> tuple[int, int]:
    return Journal.objects.count(), Entry.objects.count()


def test_a_post_writes_one_balanced_journal_and_moves_the_stored_balances(accounts, world):
    journal = deposit(accounts, "a", "2.5", "d1")
    assert journal.pk and journal.kind == JournalKind.DEPOSIT and journal.memo == "服务"
    assert sorted(journal.entries.values_list("amount", flat=True)) == [D("-2.5"), D("2.5")]
    assert ledger.balance(LEDGER, accounts["a"]) == D("2.5")
    assert ledger.balance(LEDGER, accounts["issuance"].pk) == D("-2.5")
    move(accounts, "a", "b", "1.0", "t1", actor=world.users.member)
    for name in ("issuance", "a", "b"):
        assert ledger.balance(LEDGER, accounts[name]) == entries_sum(accounts[name])
    assert ledger.balance(LEDGER, accounts["b"]) == D("1.0")
    assert Journal.objects.get(key="t1").created_by == world.users.member


def test_a_key_already_used_replays_its_journal_and_writes_nothing(accounts):
    first = deposit(accounts, "a", "2.0", "same")
    before = written()
    # Different lines under the same key: the first journal stands, as a retry expects.
    again = deposit(accounts, "a", "9.0", "same")
    assert again.pk == first.pk and written() == before
    assert ledger.balance(LEDGER, accounts["a"]) == D("2.0")
    with pytest.raises(ValidationError, match="另一类记账"):
        move(accounts, "a", "b", "1.0", "same")
    assert written() == before


def test_the_on_create_hook_runs_only_for_a_new_journal(accounts):
    calls = []
    hook = lambda journal, lines: calls.append((journal.pk, [amount for _a, amount in lines]))  # noqa: E731
    journal = ledger.post(
        LEDGER,
        kind=JournalKind.DEPOSIT,
        key="hooked",
        lines=[(accounts["issuance"], D("-1.0")), (accounts["a"], D("1.0"))],
        on_create=hook,
    )
    ledger.post(
        LEDGER,
        kind=JournalKind.DEPOSIT,
        key="hooked",
        lines=[(accounts["issuance"], D("-1.0")), (accounts["a"], D("1.0"))],
        on_create=hook,
    )
    assert calls == [(journal.pk, [D("-1.0"), D("1.0")])]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([("issuance", "-1.0"), ("a", "2.0")], "借贷不平"),
        ([("a", "1.0")], "至少要有两条分录"),
        ([("issuance", "0"), ("a", "0")], "分录不正确"),
        ([("issuance", "-0.05"), ("a", "0.05")], "精度超过"),
    ],
)
def test_what_no_caller_may_send_is_refused_and_nothing_is_written(accounts, lines, message):
    before = written()
    with pytest.raises(ValidationError, match=message):
        ledger.post(LEDGER, kind=JournalKind.DEPOSIT, key="bad", lines=[(accounts[n], D(a)) for n, a in lines])
    assert written() == before
    assert ledger.balance(LEDGER, accounts["a"]) == 0


def test_a_key_is_required_and_bounded(accounts):
    for key, message in (("  ", "缺少记账幂等键"), ("k" * 201, "幂等键过长")):
        with pytest.raises(ValidationError, match=message):
            deposit(accounts, "a", "1.0", key)


def test_an_account_never_goes_below_its_floor_and_one_without_a_floor_may(accounts):
    deposit(accounts, "a", "1.0", "d")
    before = written()
    with pytest.raises(ValidationError, match="余额不足"):  # the engine's own wording
        move(accounts, "a", "b", "1.1", "over")
    with pytest.raises(ValidationError, match="^\\['余额不够'\\]$"):  # the app's wording
        move(accounts, "a", "b", "1.1", "over", short=lambda account: "余额不够")
    assert written() == before and ledger.balance(LEDGER, accounts["a"]) == D("1.0")
    move(accounts, "a", "b", "1.0", "exact")  # down to the floor exactly is allowed
    assert ledger.balance(LEDGER, accounts["a"]) == 0
    assert accounts["issuance"].floor is None and accounts["pool"].floor == 0
    assert ledger.balance(LEDGER, accounts["issuance"]) == D("-1.0")


def test_a_line_that_nets_out_on_one_account_is_judged_by_its_net_movement(accounts):
    # -1 and +1 on the same empty account: it never goes below zero, so the journal stands.
    journal = ledger.post(
        LEDGER,
        kind=JournalKind.TRANSFER,
        key="net",
        lines=[
            (accounts["a"], D("-1.0")),
            (accounts["a"], D("1.0")),
            (accounts["b"], D("0.5")),
            (accounts["b"], D("-0.5")),
        ],
    )
    assert journal.entries.count() == 4 and ledger.balance(LEDGER, accounts["a"]) == 0


def test_reverse_posts_the_mirror_once_and_respects_the_floor(accounts, world):
    deposit(accounts, "a", "3.0", "d")
    gift = move(accounts, "a", "b", "2.0", "gift")
    fix = ledger.reverse(
        LEDGER, gift, kind=JournalKind.CORRECTION, key="fix", memo="冲正：错转", actor=world.users.district_admin
    )
    assert fix.reverses_id == gift.pk and fix.kind == JournalKind.CORRECTION
    assert sorted(fix.entries.values_list("amount", flat=True)) == [D("-2.0"), D("2.0")]
    assert ledger.balance(LEDGER, accounts["a"]) == D("3.0") and ledger.balance(LEDGER, accounts["b"]) == 0
    assert ledger.reverse(LEDGER, gift, kind=JournalKind.CORRECTION, key="fix", memo="重试").pk == fix.pk
    with pytest.raises(ValidationError, match="已冲正过"):
        ledger.reverse(LEDGER, gift, kind=JournalKind.CORRECTION, key="fix-2", memo="再冲")
    # b spent what a gave: reversing that gift would take b below zero.
    gift2 = move(accounts, "a", "b", "2.0", "gift2")
    move(accounts, "b", "pool", "1.5", "spent")
    with pytest.raises(ValidationError, match="余额不足"):
        ledger.reverse(LEDGER, gift2, kind=JournalKind.CORRECTION, key="fix-3", memo="冲正")
    assert not Journal.objects.filter(key="fix-3").exists()


def test_rows_are_append_only(accounts):
    journal = deposit(accounts, "a", "1.0", "d")
    entry = journal.entries.first()
    journal.memo = "改"
    for attempt in (journal.save, journal.delete, entry.save, entry.delete):
        with pytest.raises(ValidationError, match="只能追加"):
            attempt()
    with pytest.raises(ValidationError, match="不能修改"):
        Entry.objects.filter(pk=entry.pk).update(amount=D("5"))
    with pytest.raises(ValidationError, match="不能删除"):
        Journal.objects.filter(pk=journal.pk).delete()
    assert Journal.objects.get(pk=journal.pk).memo == "服务"


@pytest.mark.parametrize(
    ("value", "result"),
    [
        ("12.34", D("12.34")),
        (" 5 ", D("5.00")),
        (D("0.1"), D("0.10")),
        ("12.345", "金额最多保留两位小数。"),
        ("abc", "金额格式不正确。"),
        ("0", "金额必须大于零。"),
        ("-3", "金额必须大于零。"),
        ("NaN", "金额必须大于零。"),
        (None, "金额格式不正确。"),
    ],
)
def test_amounts_are_cleaned_in_the_ledgers_quantum(value, result):
    if isinstance(result, Decimal):
        assert ledger.clean_amount(YUAN, value) == result
        assert ledger.clean_amount(YUAN, value).as_tuple().exponent == -2
    else:
        with pytest.raises(ValidationError) as caught:
            ledger.clean_amount(YUAN, value)
        assert caught.value.messages == [result]


def test_hours_keep_the_time_banks_words_and_limit():
    assert ledger.clean_amount(LEDGER, "1.5") == D("1.5")
    for value, message in (("1.25", "时数最多保留一位小数。"), ("1000.1", "单笔时数不能超过 1000 小时。")):
        with pytest.raises(ValidationError) as caught:
            ledger.clean_amount(LEDGER, value)
        assert caught.value.messages == [message]


def test_the_integrity_checks_find_drift_imbalance_empty_journals_and_a_crossed_floor(accounts, world):
    names = {c.name for c in integrity.checks(["timebank"])}
    assert {"timebank.journals", "timebank.balances"} <= names
    deposit(accounts, "a", "2.0", "d")
    assert found("timebank") == {}
    # A stored balance written around the engine no longer equals the sum of the entries.
    Account.objects.filter(pk=accounts["b"].pk).update(balance=D("7.0"))
    # A journal with one side only, and one with no entry at all.
    lone = Journal.objects.create(key="lone", kind=JournalKind.DEPOSIT, community=world.c1)
    Entry.objects.create(journal=lone, account=accounts["pool"], amount=D("-4.0"))  # also: pool below zero
    empty = Journal.objects.create(key="empty", kind=JournalKind.DEPOSIT, community=world.c1)
    assert found("timebank.journals") == {"unbalanced_journal": {lone.pk}, "empty_journal": {empty.pk}}
    balances = found("timebank.balances")
    assert balances == {"balance_mismatch": {accounts["b"].pk}, "negative_balance": {accounts["pool"].pk}}
    # An entry written on its own still kept its account's stored balance: only b drifted.
    assert ledger.balance(LEDGER, accounts["pool"]) == D("-4.0")


def test_the_floor_finding_is_worded_with_the_ledgers_unit(accounts):
    Account.objects.filter(pk=accounts["a"].pk).update(floor=D("1.0"))
    deposit(accounts, "a", "0.5", "d")
    (finding,) = [f for f in checks.balance_findings(LEDGER) if f.pk == accounts["a"].pk]
    assert finding.code == "below_floor"
    assert finding.message == "账户余额 0.5 小时，低于下限 1.0 小时"
