"""The figures: what a notice adds to the store as it is published, read and signed, and withdrawn;
the page reads them per node (404 outside the scope)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core import periods
from dangjian.core.figures import facts as store
from dangjian.notices import figures, services

pytestmark = pytest.mark.django_db


def today():
    day = timezone.localdate()
    return periods.period_for("custom", day, day)


def test_the_store_follows_publishing_signing_and_withdrawing(world, members, published):
    worker = world.users.community_worker
    services.receipt_sign(actor=members.c1[0], notice=published)
    services.receipt_read(actor=members.c1[1], notice=published)
    report = figures.notice_figures(user=world.users.district_admin, node=world.district, period=today())
    t = report.total
    assert (t.issued, t.recipients, t.read, t.signed) == (1, 3, 2, 1)
    assert t.sign_rate == 33.3
    s1 = next(row for row in report.children if row.area == world.s1)
    assert s1.figures.signed == 1
    assert store.reconcile(timezone.localdate(), ["notices"], repair=False) == []  # the store agrees with the rows
    services.notice_withdraw(actor=worker, notice=published, note="重复")
    report = figures.notice_figures(user=world.users.district_admin, node=world.district, period=today())
    assert (report.total.issued, report.total.recipients) == (0, 0)


def test_the_page_reads_the_store_in_scope(world, members, published, login):
    services.receipt_sign(actor=members.c1[0], notice=published)
    client = login(world.users.subdistrict_admin)
    page = client.get(reverse("notices:figures"), {"period": "this_month"}).content.decode()
    assert "通知签收统计" in page and "婆石社区" in page and 'data-testid="no-notices"' not in page
    outside = client.get(reverse("notices:figures"), {"node": str(world.c3.public_id)})
    assert outside.status_code == 404
