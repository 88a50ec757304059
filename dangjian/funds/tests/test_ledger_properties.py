"""Random sequences of funds operations (hypothesis): allocate, commit, pay, refund, release, and
retries with a used key. A plain model of the expected amounts runs beside the ledger; after every
operation every journal sums to zero, stored balances equal their entries, no commitment exceeds its
allocation, no refund exceeds its payment, and a retry writes nothing. Each example is rolled back."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core import integrity
from dangjian.funds.models import Account, AccountKind, Entry, Journal, JournalKind
from dangjian.funds.selectors import available, commitment_summary
from dangjian.funds.services import commit_funds, pay_commitment, refund_payment, release_commitment
from dangjian.funds.services.allocations import allocate_now

from .conftest import YEAR

D = Decimal
ZERO = D("0.00")
HOLDERS = 3

yuan = st.integers(min_value=1, max_value=5000).map(lambda n: D(n) / 4)  # quarters of a yuan
holder = st.integers(min_value=0, max_value=HOLDERS - 1)
index = st.integers(min_value=0, max_value=30)
operation = st.one_of(
    st.tuples(st.just("allocate"), yuan),
    st.tuples(st.just("commit"), holder, yuan),
    st.tuples(st.just("pay"), holder, yuan),
    st.tuples(st.just("refund"), index, yuan),
    st.tuples(st.just("release"), holder),
    st.tuples(st.just("retry"), index),
)


class Rollback(Exception):
    pass


def q(value) -> Decimal:
    return D(str(value or 0)).quantize(ZERO)


def check_invariants(world, model):
    for row in Entry.objects.values("journal_id").annotate(t=Sum("amount")):
        assert q(row["t"]) == 0, row
    for account in Account.objects.all():
        total = q(Entry.objects.filter(account=account).aggregate(t=Sum("amount"))["t"])
        assert total == q(account.balance), account
        if account.kind != AccountKind.SOURCE:
            assert total >= 0, account
    sums = {k: q(Journal.objects.filter(kind=k).aggregate(s=Sum("amount"))["s"]) for k in JournalKind.values}
    assert sums[JournalKind.COMMITMENT] - sums[JournalKind.RELEASE] <= sums[JournalKind.ALLOCATION]
    for payment in Journal.objects.filter(kind=JournalKind.PAYMENT):
        assert q(Journal.objects.filter(refunds=payment).aggregate(s=Sum("amount"))["s"]) <= payment.amount
    assert available(world.c1, "micro", YEAR) == model["available"]
    for h in range(HOLDERS):
        assert commitment_summary(f"h{h}").remaining == model["remaining"][h]
    assert Journal.objects.count() == model["journals"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=20))
def test_the_ledger_keeps_its_invariants_under_any_sequence(world, second_admin, ops):
    admin = world.users.district_admin
    try:
        with transaction.atomic():
            model = {"available": ZERO, "remaining": [ZERO] * HOLDERS, "journals": 0, "payments": []}
            calls: list = []  # (call, result) of every write that succeeded, for retries
            for n, op in enumerate(ops):
                name = op[0]
                key = f"op{n}"
                try:
                    if name == "allocate":
                        allocate_now(actor=admin, approver=second_admin, area=world.c1, kind="micro", year=YEAR,
                                     amount=op[1])  # fmt: skip
                        model["available"] += op[1]
                        model["journals"] += 1
                    elif name == "commit":
                        h, amount = op[1], op[2]

                        def call(h=h, amount=amount, key=key):
                            return commit_funds(actor=None, holder=f"h{h}", community=world.c1, kind="micro",
                                                year=YEAR, amount=amount, memo="", key=key)  # fmt: skip

                        must_fail = amount > model["available"]
                        with pytest.raises(ValidationError) if must_fail else _ok():
                            call()
                            model["available"] -= amount
                            model["remaining"][h] += amount
                            model["journals"] += 1
                            calls.append(call)
                    elif name == "pay":
                        h, amount = op[1], op[2]

                        def call(h=h, amount=amount, key=key):
                            return pay_commitment(actor=None, holder=f"h{h}", amount=amount, payee="x", memo="",
                                                  key=key)  # fmt: skip

                        must_fail = amount > model["remaining"][h]
                        with pytest.raises(ValidationError) if must_fail else _ok():
                            journal = call()
                            model["remaining"][h] -= amount
                            model["journals"] += 1
                            model["payments"].append((journal, h, amount, [ZERO]))
                            calls.append(call)
                    elif name == "refund":
                        if not model["payments"]:
                            continue
                        payment, h, paid, back = model["payments"][op[1] % len(model["payments"])]
                        amount = op[2]

                        def call(payment=payment, h=h, amount=amount, key=key):
                            return refund_payment(actor=None, holder=f"h{h}", payment=payment, amount=amount,
                                                  memo="", key=key)  # fmt: skip

                        must_fail = back[0] + amount > paid
                        with pytest.raises(ValidationError) if must_fail else _ok():
                            call()
                            back[0] += amount
                            model["remaining"][h] += amount
                            model["journals"] += 1
                            calls.append(call)
                    elif name == "release":
                        h = op[1]
                        if not Account.objects.filter(holder=f"h{h}").exists():
                            with pytest.raises(ValidationError):
                                release_commitment(actor=None, holder=f"h{h}", memo="", key=key)
                            continue

                        def call(h=h, key=key):
                            return release_commitment(actor=None, holder=f"h{h}", memo="", key=key)

                        released = call()
                        assert released == model["remaining"][h]
                        if released:
                            model["available"] += released
                            model["remaining"][h] = ZERO
                            model["journals"] += 1
                            calls.append(call)
                    elif name == "retry" and calls:
                        calls[op[1] % len(calls)]()  # a used key: nothing is written
                except ValidationError:
                    raise AssertionError(f"unexpected refusal at {op}") from None
                check_invariants(world, model)
            results = integrity.run(["funds"])
            assert results and all(r.ok for r in results), [r.as_dict() for r in results if not r.ok]
            raise Rollback
    except Rollback:
        pass


class _ok:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
