"""Writes a phone or a double click could repeat: allocation entry and payment entry run once per key."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dangjian.funds import views
from dangjian.funds.models import Account, AccountKind, Allocation, Journal, JournalKind
from dangjian.funds.services import commit_funds

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def test_the_covered_views_keep_the_decorator():
    for view in (views.allocation_new, views.pay):
        assert getattr(view, "idempotent", False), view


def test_allocation_entry_retried_writes_once(funded, client):
    client.force_login(funded.users.district_admin)
    page = client.get(reverse("funds:allocation_new")).content.decode()
    assert 'name="idempotency_key"' in page
    form = {"area": str(funded.c2.public_id), "kind": "micro", "year": YEAR, "amount": "800",
            "idempotency_key": "alloc-key-0001"}  # fmt: skip
    first = client.post(reverse("funds:allocation_new"), form)
    retry = client.post(reverse("funds:allocation_new"), form)
    assert first["Location"] == retry["Location"] and retry["Idempotent-Replayed"] == "true"
    assert Allocation.objects.filter(area=funded.c2).count() == 1


def test_payment_retried_writes_once(funded, client):
    commit_funds(actor=None, holder="h", community=funded.c1, kind="micro", year=YEAR, amount=100, memo="", key="k")
    account = Account.objects.get(kind=AccountKind.COMMITMENT)
    client.force_login(funded.users.community_worker)
    url = reverse("funds:pay", args=[account.public_id])
    form = {"amount": "60", "payee": "某公司", "memo": "首付", "idempotency_key": "pay-key-00001"}
    first = client.post(url, form)
    retry = client.post(url, form)
    assert first.status_code == 302 and first["Location"] == retry["Location"]
    assert Journal.objects.filter(kind=JournalKind.PAYMENT).count() == 1
    account.refresh_from_db()
    assert account.balance == Decimal("40.00")
