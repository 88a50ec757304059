"""Random sequences of posts, retries and reversals (hypothesis) through the ledger engine on the time
bank's models: after every step each journal sums to zero, each stored balance equals both the sum of
its account's entries and a plain model kept beside the ledger, no account with a floor is below it,
and a repeated key writes nothing. Each example runs in a transaction that is rolled back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core import ledger
from dangjian.timebank.models import LEDGER, Account, AccountKind, Entry, Journal, JournalKind
from dangjian.timebank.services import community_account, person_account

D = Decimal
ZERO = D("0.0")
# 0: the issuance account (no floor); 1-3: people (floor 0); 4: the pool (floor 0).
ACCOUNTS = 5
account = st.integers(min_value=0, max_value=ACCOUNTS - 1)
tenths = st.integers(min_value=1, max_value=30)
key = st.integers(min_value=0, max_value=12)  # a small key space: retries happen often
operation = st.one_of(
    st.tuples(st.just("post"), account, account, tenths, key),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=40), key),
)


class Rollback(Exception):
    pass


def check(accounts, expected, journals):
    assert not Entry.objects.values("journal_id").annotate(t=Sum("amount")).exclude(t=0).exists()
    assert Journal.objects.count() == len(journals)
    for i, acc in enumerate(accounts):
        stored = ledger.balance(LEDGER, acc)
        total = (Entry.objects.filter(account=acc).aggregate(t=Sum("amount"))["t"] or ZERO).quantize(ZERO)
        assert stored == total == expected[i], (i, stored, total, expected[i])
        floor = Account.objects.get(pk=acc.pk).floor
        assert floor is None or stored >= floor


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=30))
def test_any_sequence_keeps_every_invariant(world, ops):
    u = world.users
    try:
        with transaction.atomic():
            accounts = [
                community_account(world.c1, AccountKind.ISSUANCE),
                person_account(u.member),
                person_account(u.resident),
                person_account(u.unit_contact),
                community_account(world.c1, AccountKind.POOL),
            ]
            floors = [None, ZERO, ZERO, ZERO, ZERO]
            expected = [ZERO] * ACCOUNTS
            journals: dict[str, tuple[str, list[tuple[int, Decimal]]]] = {}  # key -> kind, lines
            reversed_keys: set[str] = set()
            for op in ops:
                if op[0] == "post":
                    _, src, dst, n, k = op
                    name, lines = f"p{k}", [(src, -D(n) / 10), (dst, D(n) / 10)]
                    net = {i: sum((a for j, a in lines if j == i), ZERO) for i, _a in lines}
                    short = any(floors[i] is not None and d < 0 and expected[i] + d < floors[i] for i, d in net.items())
                    before = Journal.objects.count()

                    def call(name=name, lines=lines):
                        return ledger.post(
                            LEDGER,
                            kind=JournalKind.TRANSFER,
                            key=name,
                            lines=[(accounts[i], a) for i, a in lines],
                            community=world.c1,
                        )

                    if name in journals:  # a retry: the first journal, nothing written
                        assert call().key == name and Journal.objects.count() == before
                    elif short:
                        with pytest.raises(ValidationError):
                            call()
                        assert Journal.objects.count() == before
                    else:
                        call()
                        journals[name] = (JournalKind.TRANSFER, lines)
                        for i, a in lines:
                            expected[i] += a
                else:
                    _, index, k = op
                    posted = [n for n, (kind, _l) in journals.items() if kind == JournalKind.TRANSFER]
                    if not posted:
                        continue
                    target = posted[index % len(posted)]
                    name = f"r{k}"
                    mirror = [(i, -a) for i, a in journals[target][1]]
                    net = {i: sum((a for j, a in mirror if j == i), ZERO) for i, _a in mirror}
                    short = any(floors[i] is not None and d < 0 and expected[i] + d < floors[i] for i, d in net.items())

                    def undo(target=target, name=name):
                        journal = Journal.objects.get(key=target)
                        return ledger.reverse(
                            LEDGER, journal, kind=JournalKind.CORRECTION, key=name, memo="冲正", community=world.c1
                        )

                    if name in journals:
                        assert undo().key == name  # the correction already written under this key
                    elif target in reversed_keys or short:
                        with pytest.raises(ValidationError):
                            undo()
                    else:
                        undo()
                        journals[name] = (JournalKind.CORRECTION, mirror)
                        reversed_keys.add(target)
                        for i, a in mirror:
                            expected[i] += a
                check(accounts, expected, journals)
            raise Rollback
    except Rollback:
        pass
