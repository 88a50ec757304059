"""The funds pages: scope (owner, colleague, outsider 404), the allocation's two steps, payments with a
voucher, the settings, the exports, and what a page costs in queries."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.conftest import make_user
from dangjian.funds.models import Account, AccountKind, Allocation, AllocationStatus, FundKind, Journal, JournalKind
from dangjian.funds.selectors import available
from dangjian.funds.services import commit_funds, pay_commitment
from dangjian.funds.services.allocations import allocation_enter

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def test_area_page_scoped(funded, assert_scoped):
    u = funded.users
    url = reverse("funds:area", args=[funded.c1.public_id]) + f"?year={YEAR}"
    assert_scoped(url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider)
    assert_scoped(url, owner=u.district_admin, outsider=u.subdistrict_admin_outsider, expect_text="100,000.00")


def test_area_page_refuses_residents(funded, login):
    client = login(funded.users.resident)
    assert client.get(reverse("funds:area", args=[funded.c1.public_id])).status_code == 404


def test_overview_shows_the_floor_flag(funded, login):
    client = login(funded.users.district_admin)
    response = client.get(reverse("funds:overview") + f"?year={YEAR}")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="floor-flag"' in body  # no community got its 10万 服务群众专项经费
    assert "差 100,000.00 元" in body


def test_overview_of_a_community_worker_is_their_community(funded, login):
    client = login(funded.users.community_worker)
    response = client.get(reverse("funds:overview"))
    assert response.status_code == 302 and str(funded.c1.public_id) in response["Location"]


def test_allocation_two_steps_through_the_pages(funded, second_admin, client):
    u = funded.users
    client.force_login(u.district_admin)
    form = {"area": str(funded.c2.public_id), "kind": "service", "year": YEAR, "amount": "100000", "memo": "年度"}
    response = client.post(reverse("funds:allocation_new"), form)
    assert response.status_code == 302
    allocation = Allocation.objects.get(area=funded.c2)
    url = reverse("funds:allocation", args=[allocation.public_id])
    # The one who entered it may not approve it.
    assert 'data-testid="step-approve"' not in client.get(url).content.decode()
    client.post(reverse("funds:allocation_step", args=[allocation.public_id, "approve"]))
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.PENDING
    client.force_login(second_admin)
    assert 'data-testid="step-approve"' in client.get(url).content.decode()
    client.post(reverse("funds:allocation_step", args=[allocation.public_id, "approve"]))
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.APPROVED and allocation.approver == second_admin
    assert allocation.journal.kind == JournalKind.ALLOCATION
    assert available(funded.c2, "service", YEAR) == Decimal("100000.00")


def test_reject_needs_a_reason_and_posts_nothing(funded, second_admin, client):
    allocation = allocation_enter(
        actor=funded.users.district_admin, area=funded.c2, kind="office", year=YEAR, amount=50000
    )
    client.force_login(second_admin)
    step = reverse("funds:allocation_step", args=[allocation.public_id, "reject"])
    client.post(step, {"note": ""})
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.PENDING
    client.post(step, {"note": "金额有误"})
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.REJECTED and allocation.journal is None
    assert available(funded.c2, "office", YEAR) == 0


def test_allocation_pages_scoped(funded, second_admin, assert_scoped):
    allocation = allocation_enter(
        actor=funded.users.district_admin, area=funded.c1, kind="micro", year=YEAR, amount=100
    )
    url = reverse("funds:allocation", args=[allocation.public_id])
    other_district = make_user("other", "subdistrict_admin", area=funded.s2)
    assert_scoped(url, owner=funded.users.district_admin, colleague=second_admin, outsider=other_district)


def test_kind_level_refused(funded):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="拨付到"):
        allocation_enter(actor=funded.users.district_admin, area=funded.c1, kind="street", year=YEAR, amount=1)
    with pytest.raises(ValidationError, match="区级管理员"):
        allocation_enter(actor=funded.users.subdistrict_admin, area=funded.c1, kind="micro", year=YEAR, amount=1)


def _png():
    return SimpleUploadedFile("receipt.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")


def test_payment_page_with_voucher_and_scope(funded, client, assert_scoped):
    commit_funds(actor=None, holder="microprojects.project:x", community=funded.c1, kind="micro", year=YEAR,
                 amount=1000, memo="", key="k")  # fmt: skip
    account = Account.objects.get(kind=AccountKind.COMMITMENT)
    url = reverse("funds:pay", args=[account.public_id])
    u = funded.users
    assert_scoped(url, owner=u.community_worker, colleague=u.community_worker_colleague,
                  outsider=u.community_worker_outsider)  # fmt: skip
    client.force_login(u.community_worker)
    response = client.post(url, {"amount": "400", "payee": "某物业公司", "memo": "首付款", "voucher": _png(),
                                 "idempotency_key": "pay-abcdefgh"})  # fmt: skip
    assert response.status_code == 302
    pay = Journal.objects.get(kind=JournalKind.PAYMENT)
    assert pay.approver == u.community_worker and pay.voucher
    voucher = reverse("funds:voucher", args=[pay.public_id])
    assert client.get(voucher).status_code == 200
    client.force_login(u.community_worker_outsider)
    assert client.get(voucher).status_code == 404


def test_payment_refuses_a_voucher_that_is_not_a_document(funded, client):
    commit_funds(actor=None, holder="h", community=funded.c1, kind="micro", year=YEAR, amount=10, memo="", key="k")
    account = Account.objects.get(kind=AccountKind.COMMITMENT)
    client.force_login(funded.users.community_worker)
    bad = SimpleUploadedFile("x.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    response = client.post(reverse("funds:pay", args=[account.public_id]),
                           {"amount": "1", "payee": "x", "memo": "m", "voucher": bad})  # fmt: skip
    assert response.status_code == 200 and "不是 PDF 或图片" in response.content.decode()
    assert not Journal.objects.filter(kind=JournalKind.PAYMENT).exists()


def test_payment_above_the_commitment_is_refused_on_the_page(funded, client):
    commit_funds(actor=None, holder="h", community=funded.c1, kind="micro", year=YEAR, amount=10, memo="", key="k")
    account = Account.objects.get(kind=AccountKind.COMMITMENT)
    client.force_login(funded.users.community_worker)
    response = client.post(reverse("funds:pay", args=[account.public_id]),
                           {"amount": "11", "payee": "x", "memo": "m"})  # fmt: skip
    assert response.status_code == 200 and "超出已承诺且未支付的金额" in response.content.decode()


def test_settings_edit_a_floor(funded, client, assert_scoped):
    client.force_login(funded.users.district_admin)
    assert "服务群众专项经费" in client.get(reverse("funds:settings")).content.decode()
    kind = FundKind.objects.get(district=funded.district, code="service")
    url = reverse("funds:kind_edit", args=[kind.public_id])
    data = {"name": kind.name, "level": "community", "rule": "fixed", "fixed_amount": "120000", "per_unit_min": "0",
            "per_unit_max": "0", "total_min": "0", "total_max": "0", "active": "on", "note": "本区文件"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    kind.refresh_from_db()
    assert kind.fixed_amount == Decimal("120000")
    client.force_login(funded.users.community_worker)
    assert client.get(url).status_code == 404


def test_exports(funded, client):
    client.force_login(funded.users.district_admin)
    for name in ("imports:export_funds_allocations", "imports:export_funds_balances"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_figures_page(funded, client):
    client.force_login(funded.users.district_admin)
    response = client.get(reverse("funds:figures"))
    assert response.status_code == 200
    assert "100000.00" in response.content.decode()  # the figures page (core.figures.display) prints plain numbers


def test_area_page_costs_the_same_for_more_journals(funded, count_queries):
    for n in range(3):
        commit_funds(actor=None, holder=f"h{n}", community=funded.c1, kind="micro", year=YEAR, amount=10, memo="",
                     key=f"k{n}")  # fmt: skip
    url = reverse("funds:area", args=[funded.c1.public_id]) + f"?year={YEAR}"
    few = count_queries(funded.users.community_worker, url)
    for n in range(3, 30):
        commit_funds(actor=None, holder=f"h{n}", community=funded.c1, kind="micro", year=YEAR, amount=10, memo="",
                     key=f"k{n}")  # fmt: skip
        pay_commitment(actor=None, holder=f"h{n}", amount=5, payee="x", memo="", key=f"p{n}")
    assert count_queries(funded.users.community_worker, url) == few
    assert few <= 14


def test_overview_costs_the_same_for_more_allocations(funded, second_admin, count_queries):
    from dangjian.funds.services.allocations import allocate_now

    url = reverse("funds:overview") + f"?year={YEAR}"
    few = count_queries(funded.users.district_admin, url)
    for community in (funded.c1, funded.c2, funded.c3):
        allocate_now(actor=funded.users.district_admin, approver=second_admin, area=community, kind="service",
                     year=YEAR, amount=100000)  # fmt: skip
    assert count_queries(funded.users.district_admin, url) == few


def test_the_bases_are_reckoned_from_the_settings_page(funded, client):
    from dangjian.funds.models import FloorBasis

    funded.estate.households = 1234
    funded.estate.save()
    client.force_login(funded.users.district_admin)
    assert client.post(reverse("funds:bases")).status_code == 302
    basis = FloorBasis.objects.get(area=funded.c1)
    assert basis.households == 1234
    assert FloorBasis.objects.get(area=funded.s1).households == 1234
    client.force_login(funded.users.community_worker)
    assert client.post(reverse("funds:bases")).status_code == 404


def test_figures_page_scoped_by_node(funded, assert_scoped):
    url = reverse("funds:figures") + f"?node={funded.c1.public_id}"
    u = funded.users
    assert_scoped(url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider)


def test_allocations_list_costs_the_same_for_more_rows(funded, second_admin, count_queries):
    for n in range(3):
        allocation_enter(actor=funded.users.district_admin, area=funded.c1, kind="micro", year=YEAR, amount=n + 1)
    url = reverse("funds:allocations")
    few = count_queries(second_admin, url)
    for n in range(25):
        allocation_enter(actor=funded.users.district_admin, area=funded.c2, kind="micro", year=YEAR, amount=n + 1)
    assert count_queries(second_admin, url) == few


def test_the_statement_is_scoped_and_sums_the_journals(funded, assert_scoped, login):
    from dangjian.audit.models import AuditEvent
    from dangjian.funds import pages

    commit_funds(actor=None, holder="microprojects.project:lamp", community=funded.c1, kind="micro", year=YEAR,
                 amount=3000, memo="民生微实事立项：路灯维修", key="k1")  # fmt: skip
    pay_commitment(actor=funded.users.community_worker, holder="microprojects.project:lamp", amount=1200,
                   payee="施工队", memo="首付款", key="p1")  # fmt: skip
    u = funded.users
    url = reverse("funds:area_pdf", args=[funded.c1.public_id]) + f"?year={YEAR}"
    assert_scoped(url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider)
    paper = pages.statement(funded.c1, funded.district, YEAR)
    assert [j.kind for j in paper["rows"]] == [JournalKind.ALLOCATION, JournalKind.COMMITMENT, JournalKind.PAYMENT]
    (micro,) = paper["lines"]
    assert micro.name == "民生微实事资金"
    assert micro.sums == {
        JournalKind.ALLOCATION: Decimal("100000.00"),
        JournalKind.COMMITMENT: Decimal("3000.00"),
        JournalKind.PAYMENT: Decimal("1200.00"),
    }
    assert micro.cells[list(JournalKind.values).index(JournalKind.PAYMENT)] == Decimal("1200.00")
    client = login(u.community_worker)
    page = client.get(reverse("funds:area", args=[funded.c1.public_id])).content.decode()
    assert "民生微实事立项：路灯维修" in page and "microprojects.project:lamp" not in page  # the label, not the key
    response = client.get(url)
    assert response.status_code == 200
    if response["Content-Type"] == "application/pdf":
        assert response.content.startswith(b"%PDF")
        assert AuditEvent.objects.filter(action="export", object_id=str(funded.c1.public_id)).exists()
    else:  # no pango on this machine: the printable page itself
        body = response.content.decode()
        assert "年度经费台账" in body and "施工队" in body and "1,200.00" in body
