"""Random sequences of ledger operations (hypothesis) keep the ledger's invariants after every step.

A plain model (a dict of expected balances and the open holds) runs beside the real ledger; each
operation either succeeds in both or is refused by the ledger exactly when the model says it must be
(an overdraft, a settled hold, a second correction, a correction that would make someone negative).
Each example runs in a transaction that is rolled back, so examples do not see each other.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.timebank import services
from dangjian.timebank.models import Account, AccountKind, Entry, Journal

D = Decimal
ZERO = D("0.0")
PEOPLE = 3

tenths = st.integers(min_value=1, max_value=40)
person = st.integers(min_value=0, max_value=PEOPLE - 1)
index = st.integers(min_value=0, max_value=50)
operation = st.one_of(
    st.tuples(st.just("deposit"), person, tenths),
    st.tuples(st.just("transfer"), person, person, tenths),
    st.tuples(st.just("hold"), person, tenths),
    st.tuples(st.just("release"), index, person),
    st.tuples(st.just("refund"), index),
    st.tuples(st.just("donate"), person, tenths),
    st.tuples(st.just("grant"), person, tenths),
    st.tuples(st.just("correct"), index),
    st.tuples(st.just("retry"), index),
)


class Rollback(Exception):
    pass


def check_invariants(users, expected):
    # Every journal sums to zero, and so does the whole ledger.
    unbalanced = Entry.objects.values("journal_id").annotate(t=Sum("amount")).exclude(t=0)
    assert not unbalanced.exists()
    assert (Entry.objects.aggregate(t=Sum("amount"))["t"] or ZERO).quantize(ZERO) == 0
    for i, user in enumerate(users):
        assert services.balance(user) == expected["people"][i]
        assert services.balance(user) >= 0
    for account in Account.objects.all():
        # SQLite sums decimals as floats (2.8 - 2.7 = 0.0999…96); the ledger keeps tenths of an hour.
        total = (Entry.objects.filter(account=account).aggregate(t=Sum("amount"))["t"] or ZERO).quantize(ZERO)
        assert total == services.account_balance(account.pk)
        if account.kind != AccountKind.ISSUANCE:
            assert total >= 0, account
    assert (
        services.account_balance(services.community_account(expected["community"], AccountKind.POOL).pk)
        == expected["pool"]
    )


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_it_keeps_the_ledger_balanced_under_any_sequence(world, ops):
    u = world.users
    users = [u.member, u.resident, u.unit_contact]
    worker = u.community_worker
    c = world.c1
    try:
        with transaction.atomic():
            expected = {"people": [ZERO] * PEOPLE, "pool": ZERO, "community": c}
            holds: list[dict] = []  # each: key, who, hours, settled
            done: list[dict] = []  # successful calls: kind, key, call, journal, effect, corrected
            counter = iter(range(10_000))

            def run(call, effect, *, refused: bool, kind: str):
                key = f"k{next(counter)}"
                before = Journal.objects.count()
                if refused:
                    with pytest.raises(ValidationError):
                        call(key)
                    assert Journal.objects.count() == before
                    return None
                journal = call(key)
                effect(1)
                done.append({"kind": kind, "key": key, "call": call, "journal": journal, "effect": effect})
                return journal

            def move(i, amount):
                def effect(sign):
                    expected["people"][i] += sign * amount

                return effect

            for op in ops:
                name = op[0]
                if name == "deposit":
                    _, i, n = op
                    h = D(n) / 10
                    run(
                        lambda key, i=i, h=h: services.service_deposit(
                            user=users[i], hours=h, community=c, key=key, memo="服务"
                        ),
                        move(i, h),
                        refused=False,
                        kind="deposit",
                    )
                elif name == "transfer":
                    _, i, j, n = op
                    h = D(n) / 10
                    short = expected["people"][i] < h or i == j

                    def effect(sign, i=i, j=j, h=h):
                        expected["people"][i] -= sign * h
                        expected["people"][j] += sign * h

                    run(
                        lambda key, i=i, j=j, h=h: services.transfer(
                            from_user=users[i], to_user=users[j], hours=h, key=key, memo="", actor=users[i]
                        ),
                        effect,
                        refused=short,
                        kind="transfer",
                    )
                elif name == "hold":
                    _, i, n = op
                    h = D(n) / 10
                    short = expected["people"][i] < h
                    journal = run(
                        lambda key, i=i, h=h: services.escrow_hold(
                            user=users[i], hours=h, community=c, key=key, memo="点单"
                        ),
                        move(i, -h),
                        refused=short,
                        kind="hold",
                    )
                    if journal is not None:
                        holds.append({"key": journal.key, "who": i, "hours": h, "settled": False})
                elif name in ("release", "refund"):
                    if not holds:
                        continue
                    hold = holds[op[1] % len(holds)]
                    to = op[2] if name == "release" else hold["who"]
                    if name == "release":
                        call = lambda key, hold=hold, to=to: services.escrow_release(  # noqa: E731
                            hold_key=hold["key"], to_user=users[to], key=key, memo=""
                        )
                    else:
                        call = lambda key, hold=hold: services.escrow_refund(hold_key=hold["key"], key=key, memo="")  # noqa: E731
                    if run(call, move(to, hold["hours"]), refused=hold["settled"], kind=name) is not None:
                        hold["settled"] = True
                elif name == "donate":
                    _, i, n = op
                    h = D(n) / 10

                    def effect(sign, i=i, h=h):
                        expected["people"][i] -= sign * h
                        expected["pool"] += sign * h

                    run(
                        lambda key, i=i, h=h: services.donate_to_pool(user=users[i], community=c, hours=h, key=key),
                        effect,
                        refused=expected["people"][i] < h,
                        kind="donate",
                    )
                elif name == "grant":
                    _, j, n = op
                    h = D(n) / 10

                    def effect(sign, j=j, h=h):
                        expected["pool"] -= sign * h
                        expected["people"][j] += sign * h

                    run(
                        lambda key, j=j, h=h: services.pool_grant(
                            community=c, to_user=users[j], hours=h, key=key, memo="发放", actor=worker
                        ),
                        effect,
                        refused=expected["pool"] < h,
                        kind="grant",
                    )
                elif name == "correct":
                    if not done:
                        continue
                    target = done[op[1] % len(done)]
                    # Apply the reversal to a copy of the model to see whether it must be refused.
                    saved = {"people": list(expected["people"]), "pool": expected["pool"]}
                    target["effect"](-1)
                    negative = min(expected["people"]) < 0 or expected["pool"] < 0
                    expected["people"], expected["pool"] = saved["people"], saved["pool"]
                    # A transfer between two people belongs to no community: only a system admin may correct
                    # it, and the actor here is a community worker.
                    refused = (
                        target["kind"] in ("hold", "release", "refund", "transfer")
                        or target.get("corrected")
                        or negative
                    )
                    journal = run(
                        lambda key, target=target: services.correct(
                            journal=target["journal"], reason="更正", actor=worker, key=key
                        ),
                        lambda sign, target=target: target["effect"](-sign),
                        refused=bool(refused),
                        kind="correction",
                    )
                    if journal is not None:
                        target["corrected"] = True
                        done[-1]["corrected"] = True  # a correction is not corrected again
                elif name == "retry":
                    if not done:
                        continue
                    target = done[op[1] % len(done)]
                    before = (Journal.objects.count(), Entry.objects.count())
                    assert target["call"](target["key"]).pk == target["journal"].pk
                    assert (Journal.objects.count(), Entry.objects.count()) == before
                check_invariants(users, expected)
            raise Rollback
    except Rollback:
        pass
